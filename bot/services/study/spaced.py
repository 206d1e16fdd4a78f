"""Spaced-review sessions: the grades of one sitting, recorded as they are given."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.study.common import (
    FINISHED,
    millis,
)
from bot.storage.models import StudySession

__all__ = [
    "SPACED_GAP",
    "record_spaced_review",
    "unrecord_spaced_review",
]


# Spaced review has no "end" button: grades less than this apart belong to one session.
SPACED_GAP = timedelta(minutes=30)


async def record_spaced_review(
    session: AsyncSession,
    *,
    user_id: int,
    deck_id: int,
    chat_id: int,
    remembered: bool,
    now: datetime,
) -> StudySession:
    """Count one spaced-review grade in the user's current spaced session on the deck.

    Grades less than SPACED_GAP apart form one session; `total` counts cards reviewed, `score`
    those not graded Again. The row is finished as it goes (there is no end button), with
    `finished_at` at the latest grade.
    """
    study = (
        await session.execute(
            select(StudySession)
            .where(
                StudySession.user_id == user_id,
                StudySession.deck_id == deck_id,
                StudySession.mode == "spaced",
                StudySession.finished_at >= now - SPACED_GAP,
            )
            .order_by(StudySession.finished_at.desc())
            .limit(1)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if study is None:
        study = StudySession(
            user_id=user_id,
            deck_id=deck_id,
            chat_id=chat_id,
            mode="spaced",
            status=FINISHED,
            started_at=now,
            score=0,
            total=0,
        )
        session.add(study)
    study.score = (study.score or 0) + int(remembered)
    study.total = (study.total or 0) + 1
    study.finished_at = now
    study.duration_ms = millis(now - study.started_at)
    await session.flush()
    return study


async def unrecord_spaced_review(
    session: AsyncSession, *, user_id: int, deck_id: int, reviewed_at: datetime, remembered: bool
) -> None:
    """Take an undone grade back out of the spaced session it was counted in."""
    study = (
        await session.execute(
            select(StudySession)
            .where(
                StudySession.user_id == user_id,
                StudySession.deck_id == deck_id,
                StudySession.mode == "spaced",
                StudySession.started_at <= reviewed_at,
                StudySession.finished_at >= reviewed_at,
            )
            .order_by(StudySession.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if study is None:
        return  # graded before sessions were recorded
    study.total = max(0, (study.total or 0) - 1)
    study.score = max(0, (study.score or 0) - int(remembered))
    if study.total == 0:
        await session.delete(study)
