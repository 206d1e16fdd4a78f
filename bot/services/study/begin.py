"""A new study session in any mode, with the mode's defaults for what the learner left out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.study import TEST_KINDS
from bot.services.study.browse import BrowseView, start_cards
from bot.services.study.exam import DEFAULT_TEST_LENGTH, TestView, start_test
from bot.services.study.learn import LearnView, start_learn
from bot.services.study.match import MatchView, start_match
from bot.services.study.quiz import DEFAULT_QUIZ_LENGTH, QuizView, start_quiz

__all__ = ["start_session"]


async def start_session(
    session: AsyncSession,
    *,
    mode: str,
    user_id: int,
    chat_id: int,
    deck_id: int,
    seed: int,
    now: datetime,
    length: int = 0,
    kinds: tuple[str, ...] = (),
) -> BrowseView | LearnView | TestView | MatchView | QuizView | None:
    """A new session of `mode` through its service; None when the deck cannot support it.

    `length` 0 and no `kinds` mean the mode's defaults.
    """
    common = {"user_id": user_id, "chat_id": chat_id, "deck_id": deck_id, "seed": seed, "now": now}
    if mode == "cards":
        return await start_cards(session, **common)
    if mode == "learn":
        return await start_learn(session, **common, size=length or None)
    if mode == "test":
        return await start_test(
            session, **common, length=length or DEFAULT_TEST_LENGTH, kinds=kinds or TEST_KINDS
        )
    if mode == "match":
        return await start_match(session, **common)
    return await start_quiz(session, **common, length=length or DEFAULT_QUIZ_LENGTH)
