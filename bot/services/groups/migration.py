"""A group upgraded to a supergroup: its setup, posts, members and history move to the new id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.groups.setup import reschedule_group
from bot.storage.models import (
    Group,
    GroupMember,
    GroupPost,
    QuizPoll,
    ReviewLog,
    StudySession,
)

__all__ = [
    "migrate_group",
]


_SETTINGS = ("title", "deck_id", "timezone", "post_minute", "cards_per_post", "paused")


async def migrate_group(
    session: AsyncSession, *, old_chat_id: int, new_chat_id: int, now: datetime
) -> bool:
    """A group became a supergroup: move its setup, posts, members and history to the new id.

    Idempotent (False if there is nothing under the old id). If the supergroup is already
    known, the old group's setup wins unless the supergroup has a deck of its own.
    """
    old = await session.get(Group, old_chat_id)
    if old is None or old_chat_id == new_chat_id:
        return False
    new = await session.get(Group, new_chat_id)
    if new is None:
        new = Group(
            chat_id=new_chat_id,
            created_at=old.created_at,
            active=old.active,
            can_post=old.can_post,
            last_post_on=old.last_post_on,
            **{name: getattr(old, name) for name in _SETTINGS},
        )
        session.add(new)
    elif new.deck_id is None:
        for name in (*_SETTINGS, "last_post_on"):
            setattr(new, name, getattr(old, name))
    reschedule_group(new, now)
    await session.flush()
    for model in (GroupPost, QuizPoll, StudySession, ReviewLog):
        await session.execute(
            update(model)
            .where(model.chat_id == old_chat_id)
            .values(chat_id=new_chat_id)
            .execution_options(synchronize_session=False)
        )
    already = select(GroupMember.user_id).where(GroupMember.chat_id == new_chat_id)
    await session.execute(
        update(GroupMember)
        .where(GroupMember.chat_id == old_chat_id, GroupMember.user_id.not_in(already))
        .values(chat_id=new_chat_id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(GroupMember).where(GroupMember.chat_id == old_chat_id))
    await session.execute(delete(Group).where(Group.chat_id == old_chat_id))
    session.expunge(old)
    return True
