"""Learn sessions: multiple choice, then recall, until every chosen card is learned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.mastery import CardProgress, card_mastery
from bot.core.study import (
    AskedQuestion,
    LearnFeedback,
    LearnSession,
    StaleAnswer,
)
from bot.services.study.common import (
    PAUSED,
    DeckCards,
    MoveStatus,
    deck_for_fresh_session,
    finish,
    load_deck_cards,
    open_session,
    reactivate,
    restore_for_move,
    session_rng,
)
from bot.storage.models import (
    CardState,
    StudySession,
)

__all__ = [
    "LearnView",
    "answer_learn",
    "restore_learn",
    "resume_learn",
    "start_learn",
    "stop_learn",
]


@dataclass(frozen=True)
class LearnView:
    """A Learn session after a move: the question to show (None when done) and what happened."""

    session_id: int
    deck: DeckCards
    learn: LearnSession
    asked: AskedQuestion | None
    status: str
    feedback: LearnFeedback | None = None
    answered: AskedQuestion | None = None  # the question `feedback` is about

    @property
    def progress(self) -> tuple[int, int]:
        return self.learn.progress


def _choose_learn_cards(
    deck: DeckCards, states: dict[int, CardState], size: int | None, now: datetime
) -> list[int]:
    """All cards, or the `size` least known: not studied first, then learning, then mastered."""
    ids = list(deck.cards)
    if size is None or size >= len(ids):
        return ids
    rank = {"not_studied": 0, "learning": 1, "mastered": 2}

    def level(card_id: int) -> int:
        state = states.get(card_id)
        progress = CardProgress(
            card_id,
            state.state if state else None,
            state.stability if state else None,
            state.due if state else None,
        )
        return rank[card_mastery(progress, now=now)]

    return sorted(ids, key=lambda i: (level(i), deck.cards[i].position))[:size]


def _learn_step(study: StudySession, learn: LearnSession, now: datetime) -> AskedQuestion | None:
    """Store the session, ask its next question (seeded by its number) and keep the score."""
    seed = int(study.state["seed"])
    asked = learn.next_question(session_rng(seed, f"q{learn.question_no + 1}"))
    learned, total = learn.progress
    if asked is None:
        finish(study, now, score=learned, total=total)
    else:
        study.score, study.total = learned, total
    study.state = {**study.state, "learn": learn.to_dict()}
    return asked


async def start_learn(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    deck_id: int,
    seed: int,
    now: datetime,
    size: int | None = None,
) -> LearnView | None:
    """A new Learn session over the deck (or its `size` least known cards); None if empty.

    An unfinished Learn session on the same deck is abandoned; one on another deck is paused.
    """
    deck = await deck_for_fresh_session(
        session, user_id=user_id, chat_id=chat_id, deck_id=deck_id, mode="learn"
    )
    if deck is None:
        return None
    states = {
        s.card_id: s
        for s in (
            await session.execute(
                select(CardState).where(CardState.user_id == user_id, CardState.deck_id == deck_id)
            )
        ).scalars()
    }
    chosen = _choose_learn_cards(deck, states, size, now)
    learn = LearnSession.start(deck.pool, session_rng(seed, "start"), card_ids=chosen)
    study = await open_session(
        session,
        user_id=user_id,
        chat_id=chat_id,
        deck_id=deck_id,
        mode="learn",
        now=now,
        state={"seed": seed, "size": size},
        displace=PAUSED,
    )
    asked = _learn_step(study, learn, now)
    return LearnView(study.id, deck, learn, asked, study.status)


async def restore_learn(
    session: AsyncSession, study: StudySession
) -> tuple[DeckCards, LearnSession] | None:
    deck = await load_deck_cards(session, deck_id=study.deck_id)
    if deck is None:
        return None
    learn = LearnSession.from_dict(study.state["learn"], deck.pool)
    if not learn.card_ids:  # every card of the session was deleted meanwhile
        return None
    return deck, learn


async def resume_learn(
    session: AsyncSession, *, session_id: int, user_id: int, now: datetime
) -> tuple[MoveStatus, LearnView | None]:
    """Continue a paused or active Learn session: the pending question is asked again."""
    status, found = await restore_for_move(
        session, restore_learn, session_id=session_id, user_id=user_id, mode="learn", resuming=True
    )
    if found is None:
        return status, None
    study, (deck, learn) = found
    await reactivate(session, study=study)
    asked = _learn_step(study, learn, now)
    return MoveStatus.OK, LearnView(study.id, deck, learn, asked, study.status)


async def answer_learn(
    session: AsyncSession,
    *,
    session_id: int,
    user_id: int,
    question_no: int,
    response: int | bool | str,
    now: datetime,
) -> tuple[MoveStatus, LearnView | None]:
    """Judge a response (option index, 'I knew it' bool, or typed text) and ask the next one."""
    status, found = await restore_for_move(
        session, restore_learn, session_id=session_id, user_id=user_id, mode="learn"
    )
    if found is None:
        return status, None
    study, (deck, learn) = found
    answered = learn.current
    try:
        feedback = learn.respond(question_no, response)
    except ValueError:  # a response of the wrong kind for this question: a forged button
        return MoveStatus.UNKNOWN, None
    if isinstance(feedback, StaleAnswer):
        return MoveStatus.STALE, None
    asked = _learn_step(study, learn, now)
    return MoveStatus.OK, LearnView(study.id, deck, learn, asked, study.status, feedback, answered)


async def stop_learn(
    session: AsyncSession, *, session_id: int, user_id: int, question_no: int, now: datetime
) -> tuple[MoveStatus, LearnView | None]:
    """Leave a Learn session for later: it is paused and /learn offers to continue it."""
    status, found = await restore_for_move(
        session, restore_learn, session_id=session_id, user_id=user_id, mode="learn"
    )
    if found is None:
        return status, None
    study, (deck, learn) = found
    if learn.current is None or learn.current.question_no != question_no:
        return MoveStatus.STALE, None
    study.status = PAUSED
    study.finished_at = now  # when it was left; cleared again only by finishing
    return MoveStatus.OK, LearnView(study.id, deck, learn, learn.current, study.status)
