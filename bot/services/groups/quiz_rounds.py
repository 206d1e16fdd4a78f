"""Group quiz rounds: questions that fit Telegram quiz polls, and the polls sent."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.study import build_quiz, fits_quiz_poll
from bot.services.study import load_deck_cards
from bot.storage.models import (
    QuizPoll,
)

__all__ = [
    "QuizQuestion",
    "group_quiz_questions",
    "last_quiz_at",
    "store_quiz_polls",
]


@dataclass(frozen=True)
class QuizQuestion:
    """One quiz poll: texts as Telegram shows them, and which option is right."""

    card_id: int
    question: str
    options: list[str]
    correct: int


async def group_quiz_questions(
    session: AsyncSession, *, deck_id: int, rng: random.Random, length: int = 5
) -> list[QuizQuestion]:
    """Up to `length` multiple-choice questions on the deck that fit Telegram quiz polls.

    Questions that would not fit a poll are skipped: a group round is polls only.
    """
    deck = await load_deck_cards(session, deck_id=deck_id)
    if deck is None or len(deck.pool) < 2:
        return []
    questions = []
    for choice in build_quiz(deck.pool, rng, length=len(deck.pool)):
        prompt, options = choice.prompt_text(deck.plain), choice.option_texts(deck.plain)
        if fits_quiz_poll(prompt, options):
            questions.append(QuizQuestion(choice.card_id, prompt, options, choice.correct_index))
        if len(questions) == length:
            break
    return questions


async def last_quiz_at(session: AsyncSession, *, chat_id: int) -> datetime | None:
    """When the group's latest quiz round was sent."""
    return (
        await session.execute(
            select(func.max(QuizPoll.created_at)).where(
                QuizPoll.chat_id == chat_id, QuizPoll.owner_id.is_(None)
            )
        )
    ).scalar_one_or_none()


async def store_quiz_polls(
    session: AsyncSession,
    *,
    chat_id: int,
    deck_id: int,
    round_id: str,
    sent: Sequence[tuple[str, QuizQuestion]],
    now: datetime,
    first_number: int = 1,
) -> None:
    """Remember a group round's polls (owner NULL) so each poll_answer is credited to its voter."""
    session.add_all(
        QuizPoll(
            poll_id=poll_id,
            chat_id=chat_id,
            round_id=round_id,
            owner_id=None,
            deck_id=deck_id,
            card_id=question.card_id,
            question_no=number,
            correct_option=question.correct,
            created_at=now,
        )
        for number, (poll_id, question) in enumerate(sent, start=first_number)
    )
    await session.flush()
