"""Test sessions: a generated test answered one question at a time, scored at the end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.study import (
    TEST_KINDS,
    AskedQuestion,
    StaleAnswer,
    TestFeedback,
    TestKind,
    TestResult,
    TestSession,
    build_test,
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
from bot.storage.models import StudySession

__all__ = [
    "DEFAULT_TEST_LENGTH",
    "MAX_TEST_LENGTH",
    "TestView",
    "answer_test",
    "restore_test",
    "resume_test",
    "start_test",
    "test_view",
]


DEFAULT_TEST_LENGTH, MAX_TEST_LENGTH = 10, 50


@dataclass(frozen=True)
class TestView:
    """A Test after a move: the next question (None when done), and the result once finished."""

    __test__ = False  # not a pytest class

    session_id: int
    deck: DeckCards
    test: TestSession
    asked: AskedQuestion | None
    status: str
    feedback: TestFeedback | None = None
    answered: AskedQuestion | None = None
    result: TestResult | None = None

    @property
    def position(self) -> int:
        """One-based number of the question on screen."""
        if self.asked is None:
            return self.test.total
        return self.test.questions.index(self.asked) + 1


def test_view(
    study: StudySession,
    deck: DeckCards,
    test: TestSession,
    feedback: TestFeedback | None = None,
    answered: AskedQuestion | None = None,
) -> TestView:
    result = test.result() if test.is_finished else None
    return TestView(study.id, deck, test, test.current(), study.status, feedback, answered, result)


async def start_test(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    deck_id: int,
    seed: int,
    now: datetime,
    length: int = DEFAULT_TEST_LENGTH,
    kinds: Sequence[TestKind] = TEST_KINDS,
) -> TestView | None:
    """A new test of `length` questions of the given kinds; None if the deck has no cards."""
    deck = await deck_for_fresh_session(
        session, user_id=user_id, chat_id=chat_id, deck_id=deck_id, mode="test"
    )
    if deck is None:
        return None
    test = build_test(deck.pool, session_rng(seed, "test"), length=length, kinds=kinds, now=now)
    study = await open_session(
        session,
        user_id=user_id,
        chat_id=chat_id,
        deck_id=deck_id,
        mode="test",
        now=now,
        state={"seed": seed, "length": length, "kinds": list(kinds), "test": test.to_dict()},
        displace=PAUSED,
    )
    study.score, study.total = 0, test.total
    return test_view(study, deck, test)


async def restore_test(
    session: AsyncSession, study: StudySession
) -> tuple[DeckCards, TestSession] | None:
    deck = await load_deck_cards(session, deck_id=study.deck_id)
    if deck is None:
        return None
    test = TestSession.from_dict(study.state["test"], deck.pool)
    return (deck, test) if test.questions else None


async def resume_test(
    session: AsyncSession, *, session_id: int, user_id: int, now: datetime
) -> tuple[MoveStatus, TestView | None]:
    """Continue an unfinished test at its first unanswered question (its clock kept running)."""
    status, found = await restore_for_move(
        session, restore_test, session_id=session_id, user_id=user_id, mode="test", resuming=True
    )
    if found is None:
        return status, None
    study, restored = found
    await reactivate(session, study=study)
    return MoveStatus.OK, test_view(study, *restored)


async def answer_test(
    session: AsyncSession,
    *,
    session_id: int,
    user_id: int,
    question_no: int,
    response: int | bool | str,
    now: datetime,
) -> tuple[MoveStatus, TestView | None]:
    """Record the answer to the question on screen; the last one scores the test."""
    status, found = await restore_for_move(
        session, restore_test, session_id=session_id, user_id=user_id, mode="test"
    )
    if found is None:
        return status, None
    study, (deck, test) = found
    current = test.current()
    # Questions come one at a time: only the one on screen may be answered.
    if current is None or current.question_no != question_no:
        return MoveStatus.STALE, None
    try:
        feedback = test.answer(question_no, response, now=now)
    except ValueError:
        return MoveStatus.UNKNOWN, None
    if isinstance(feedback, StaleAnswer):
        return MoveStatus.STALE, None
    study.state = {**study.state, "test": test.to_dict()}
    result = test.result()
    if test.is_finished:
        finish(study, now, score=result.correct, total=result.total)
    else:
        study.score, study.total = result.correct, result.total
    return MoveStatus.OK, test_view(study, deck, test, feedback, current)
