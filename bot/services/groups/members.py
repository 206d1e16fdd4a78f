"""A group's members: their user rows (blocked until they start the bot) and who studied there."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.users import UserDefaults, ensure_user, reschedule
from bot.storage.models import (
    GroupMember,
    QuizAnswer,
    QuizPoll,
    User,
)

__all__ = [
    "ensure_member",
    "group_member_ids",
    "reachable_users",
]


async def ensure_member(
    session: AsyncSession,
    *,
    chat_id: int,
    user_id: int,
    first_name: str,
    username: str | None,
    now: datetime,
    defaults: UserDefaults,
) -> User:
    """The user row for someone acting in a group, and their membership of it.

    The group row must exist. A person first met here is marked blocked (see module notes).
    """
    user, created = await ensure_user(
        session,
        user_id=user_id,
        first_name=first_name,
        username=username,
        now=now,
        defaults=defaults,
    )
    if created:
        user.blocked = True
        reschedule(user, now)
        await session.flush()
    member = await session.get(GroupMember, (chat_id, user_id))
    if member is None:
        session.add(GroupMember(chat_id=chat_id, user_id=user_id, first_seen=now, last_seen=now))
        await session.flush()
    else:
        member.last_seen = now
    return user


async def group_member_ids(session: AsyncSession, *, chat_id: int) -> list[int]:
    """Everyone known to have studied in the group: graded, answered a quiz, or used a command."""
    members = select(GroupMember.user_id).where(GroupMember.chat_id == chat_id)
    quiz_takers = (
        select(QuizAnswer.user_id)
        .join(QuizPoll, QuizPoll.poll_id == QuizAnswer.poll_id)
        .where(QuizPoll.chat_id == chat_id, QuizPoll.owner_id.is_(None))
    )
    rows = await session.execute(members.union(quiz_takers))
    return sorted(rows.scalars())


async def reachable_users(session: AsyncSession, *, user_ids: Sequence[int]) -> list[int]:
    """Those of `user_ids` the bot may message privately (they started it and did not block it)."""
    if not user_ids:
        return []
    rows = await session.execute(
        select(User.id)
        .where(User.id.in_(list(user_ids)), User.blocked.is_(False))
        .order_by(User.id)
    )
    return list(rows.scalars())
