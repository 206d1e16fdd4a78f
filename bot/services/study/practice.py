"""Learn and Test together: the question on screen, typed answers, resuming and starting over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.study import AskedQuestion
from bot.services.study.common import (
    ACTIVE,
    Mode,
    MoveStatus,
    load_for_move,
)
from bot.services.study.exam import TestView, answer_test, restore_test, test_view
from bot.services.study.learn import LearnView, answer_learn, restore_learn
from bot.storage.models import StudySession

__all__ = [
    "TypedOutcome",
    "peek_question",
    "restart_options",
    "typed_answer",
    "unfinished_progress",
]


async def peek_question(
    session: AsyncSession,
    *,
    session_id: int,
    user_id: int,
    mode: Literal["learn", "test"],
    question_no: int,
) -> tuple[MoveStatus, LearnView | TestView | None]:
    """The question on screen, unchanged, while `question_no` is still current (to reveal it)."""
    status, study = await load_for_move(session, session_id=session_id, user_id=user_id, mode=mode)
    if status is not MoveStatus.OK or study is None:
        return status, None
    if mode == "learn":
        restored_learn = await restore_learn(session, study)
        if restored_learn is None:
            return MoveStatus.UNKNOWN, None
        deck, learn = restored_learn
        if learn.current is None or learn.current.question_no != question_no:
            return MoveStatus.STALE, None
        return MoveStatus.OK, LearnView(study.id, deck, learn, learn.current, study.status)
    restored_test = await restore_test(session, study)
    if restored_test is None:
        return MoveStatus.UNKNOWN, None
    view = test_view(study, *restored_test)
    if view.asked is None or view.asked.question_no != question_no:
        return MoveStatus.STALE, None
    return MoveStatus.OK, view


async def restart_options(
    session: AsyncSession, *, session_id: int, user_id: int, mode: Literal["learn", "test"]
) -> tuple[MoveStatus, int | None, int, tuple[str, ...]]:
    """The deck, length and kinds of an unfinished session its owner wants to start over."""
    status, study = await load_for_move(session, session_id=session_id, user_id=user_id, mode=mode)
    if status not in (MoveStatus.OK, MoveStatus.PAUSED) or study is None:
        return status, None, 0, ()
    state = study.state or {}
    length = int(state.get("size") or state.get("length") or 0)
    return MoveStatus.OK, study.deck_id, length, tuple(state.get("kinds") or ())


def unfinished_progress(study: StudySession) -> tuple[int, int]:
    """How far an unfinished Learn (learned, cards) or Test (answered, questions) has got."""
    if study.mode == "test":
        responses = (study.state or {}).get("test", {}).get("responses", [])
        return sum(1 for r in responses if r is not None), len(responses)
    return study.score or 0, study.total or 0


@dataclass(frozen=True)
class TypedOutcome:
    """A typed message taken as the answer to a Learn or Test question, or (`attempt` set) as
    the learner's attempt at a self-checked one, which is then shown beside its answer."""

    mode: Mode
    message_id: int | None  # the question message, whose buttons are now spent
    learn: LearnView | None = None
    test: TestView | None = None
    attempt: str | None = None


async def typed_answer(
    session: AsyncSession, *, user_id: int, chat_id: int, text: str, now: datetime
) -> TypedOutcome | None:
    """Answer the newest Learn/Test question waiting for a typed answer; None if none waits.

    Text sent to a self-checked question is the learner's attempt: nothing is judged, the
    question is returned unchanged (with `attempt`) so its answer can be shown beside it.
    """
    rows = await session.execute(
        select(StudySession)
        .where(
            StudySession.user_id == user_id,
            StudySession.chat_id == chat_id,
            StudySession.mode.in_(("learn", "test")),
            StudySession.status == ACTIVE,
        )
        .order_by(StudySession.message_id.desc(), StudySession.id.desc())
    )
    for study in rows.scalars():
        data = study.state or {}
        engine = data.get("learn") if study.mode == "learn" else data.get("test")
        asked = _pending_question(study.mode, engine)
        if asked is None or asked.question.kind != "written":
            continue
        if asked.question.mode == "self_check":
            status, view = await peek_question(
                session,
                session_id=study.id,
                user_id=user_id,
                mode=study.mode,
                question_no=asked.question_no,
            )
            if status is not MoveStatus.OK:
                continue
            if isinstance(view, LearnView):
                return TypedOutcome("learn", study.message_id, learn=view, attempt=text)
            return TypedOutcome("test", study.message_id, test=view, attempt=text)
        answer = answer_learn if study.mode == "learn" else answer_test
        status, view = await answer(
            session,
            session_id=study.id,
            user_id=user_id,
            question_no=asked.question_no,
            response=text,
            now=now,
        )
        if status is not MoveStatus.OK:
            continue
        if isinstance(view, LearnView):
            return TypedOutcome("learn", study.message_id, learn=view)
        return TypedOutcome("test", study.message_id, test=view)
    return None


def _pending_question(mode: str, engine: dict[str, Any] | None) -> AskedQuestion | None:
    """The question a stored Learn/Test state is waiting on, read without the cards."""
    if not engine:
        return None
    if mode == "learn":
        current = engine.get("current")
        return AskedQuestion.from_dict(current) if current else None
    for question, response in zip(engine["questions"], engine["responses"], strict=True):
        if response is None:
            return AskedQuestion.from_dict(question)
    return None
