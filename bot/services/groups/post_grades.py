"""Members grading a group post, and the post's live "graded by N" count."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Scheduler
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.srs import Grade
from bot.services.group_grades import record_post_grade
from bot.services.groups.daily_post import PostView, post_view
from bot.services.review import GradeStatus, grade_card
from bot.services.users import enrol
from bot.storage.models import (
    Card,
    CardState,
    GroupPost,
    GroupPostGrade,
    User,
)

__all__ = [
    "EDIT_INTERVAL",
    "GroupGradeOutcome",
    "GroupGradeStatus",
    "claim_count_edit",
    "grade_group_post",
    "post_in_chat",
    "stale_counts",
]


# Telegram allows a group 20 messages a minute, edits included: with at most five posts a day
# and one count edit per post per 30 s, a busy group stays well inside that.
EDIT_INTERVAL = timedelta(seconds=30)


# Counts left stale by throttling are flushed if the post was edited within this window; a
# press on an older post edits at once, since its last edit is long past the interval.
_FLUSH_WINDOW = timedelta(hours=1)


class GroupGradeStatus(enum.Enum):
    OK = "ok"
    ALREADY_GRADED = "already_graded"
    FOREIGN = "foreign"  # no such post in this chat: forged, or from another group
    CARD_GONE = "card_gone"  # the card or its deck was retired
    SUSPENDED = "suspended"  # a leech of this member's: suspended for them


@dataclass(frozen=True)
class GroupGradeOutcome:
    """A member's grade of a post; `leech` as for private review (bot.core.leeches): the
    grade made the card a leech for them, now suspended, with the `card` and its `lapses`."""

    status: GroupGradeStatus
    interval: timedelta | None = None
    leech: bool = False
    card: Card | None = None
    lapses: int = 0


async def grade_group_post(
    session: AsyncSession,
    *,
    post_id: int,
    chat_id: int,
    user: User,
    grade: Grade,
    now: datetime,
    scheduler: Scheduler,
) -> GroupGradeOutcome:
    """A member grades a group post: their own card state moves, once per post."""
    post = await session.get(GroupPost, post_id)
    if post is None or post.chat_id != chat_id or post.message_id is None:
        return GroupGradeOutcome(GroupGradeStatus.FOREIGN)
    if await session.get(GroupPostGrade, (post_id, user.id)) is not None:
        return GroupGradeOutcome(GroupGradeStatus.ALREADY_GRADED)
    await enrol(session, user_id=user.id, deck_id=post.deck_id, now=now)
    await session.flush()
    state = await session.get(CardState, (user.id, post.card_id))
    outcome = await grade_card(
        session,
        user=user,
        card_id=post.card_id,
        version=state.reps if state else 0,
        grade=grade,
        now=now,
        scheduler=scheduler,
        chat_id=chat_id,
        early=True,
    )
    if outcome.status is GradeStatus.ALREADY_GRADED:  # a racing press of the same member
        return GroupGradeOutcome(GroupGradeStatus.ALREADY_GRADED)
    if outcome.status is GradeStatus.SUSPENDED:
        return GroupGradeOutcome(GroupGradeStatus.SUSPENDED)
    if outcome.status is not GradeStatus.OK:
        return GroupGradeOutcome(GroupGradeStatus.CARD_GONE)
    await record_post_grade(session, post_id=post_id, user_id=user.id, rating=int(grade), now=now)
    await session.flush()
    return GroupGradeOutcome(
        GroupGradeStatus.OK, outcome.interval, outcome.leech, outcome.card, outcome.lapses
    )


async def post_in_chat(session: AsyncSession, *, post_id: int, chat_id: int) -> bool:
    """Whether a post id (from button data) is a sent post of this very chat."""
    post = await session.get(GroupPost, post_id)
    return post is not None and post.chat_id == chat_id and post.message_id is not None


async def claim_count_edit(
    session: AsyncSession, *, post_id: int, now: datetime
) -> PostView | None:
    """The post to re-render if its count changed and it was not edited within EDIT_INTERVAL.

    The conditional update makes exactly one caller (a press or the sweep) own each edit.
    """
    result = await session.execute(
        update(GroupPost)
        .where(
            GroupPost.id == post_id,
            GroupPost.message_id.is_not(None),
            GroupPost.shown_count != GroupPost.graded_count,
            or_(GroupPost.last_edit_at.is_(None), GroupPost.last_edit_at <= now - EDIT_INTERVAL),
        )
        .values(shown_count=GroupPost.graded_count, last_edit_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return await post_view(session, post_id=post_id)


async def stale_counts(session: AsyncSession, *, now: datetime, limit: int = 200) -> list[int]:
    """Posts whose shown count lags because a recent edit throttled the last presses."""
    rows = await session.execute(
        select(GroupPost.id)
        .where(
            GroupPost.last_edit_at >= now - _FLUSH_WINDOW,
            GroupPost.last_edit_at <= now - EDIT_INTERVAL,
            GroupPost.shown_count != GroupPost.graded_count,
        )
        .order_by(GroupPost.last_edit_at)
        .limit(limit)
    )
    return list(rows.scalars())
