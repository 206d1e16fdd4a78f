"""A group's set-up: its row, the bot's membership, deck, time, zone, cards per post, pause."""

from __future__ import annotations

import enum
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.localtime import DailySlot
from bot.services.users import UserDefaults
from bot.storage.models import (
    Deck,
    Group,
)

__all__ = [
    "DEFAULT_CARDS_PER_POST",
    "MAX_CARDS_PER_POST",
    "BotMembership",
    "bot_membership_changed",
    "disable_posting",
    "ensure_group",
    "group_by_id",
    "post_slot",
    "reschedule_group",
    "set_cards_per_post",
    "set_group_deck",
    "set_group_paused",
    "set_group_time",
    "set_group_timezone",
]


DEFAULT_CARDS_PER_POST = 3
MAX_CARDS_PER_POST = 5


async def group_by_id(session: AsyncSession, *, chat_id: int) -> Group | None:
    return await session.get(Group, chat_id)


def post_slot(group: Group) -> DailySlot:
    """The group's daily post: its time in its zone, off unless it can post a deck."""
    return DailySlot(
        ZoneInfo(group.timezone),
        group.post_minute,
        group.last_post_on,
        active=group.active and group.can_post and not group.paused and group.deck_id is not None,
    )


def reschedule_group(group: Group, now: datetime) -> None:
    """Recompute when the timetable next considers this group (`DailySlot.next_at`)."""
    group.next_post_at = post_slot(group).next_at(now)


async def ensure_group(
    session: AsyncSession, *, chat_id: int, title: str, now: datetime, defaults: UserDefaults
) -> Group:
    """The group row, created on first contact with the defaults new users get."""
    group = await session.get(Group, chat_id)
    if group is None:
        group = Group(
            chat_id=chat_id,
            title=title,
            timezone=defaults.timezone,
            post_minute=defaults.review_minute,
            cards_per_post=DEFAULT_CARDS_PER_POST,
            created_at=now,
        )
        session.add(group)
        await session.flush()
    elif title and group.title != title:
        group.title = title
    return group


class BotMembership(enum.Enum):
    """What a change of the bot's own membership means for the group."""

    JOINED = "joined"
    LEFT = "left"
    RIGHTS_LOST = "rights_lost"
    RIGHTS_BACK = "rights_back"
    UNCHANGED = "unchanged"


async def bot_membership_changed(
    session: AsyncSession,
    *,
    chat_id: int,
    title: str,
    is_member: bool,
    can_post: bool,
    now: datetime,
    defaults: UserDefaults,
) -> BotMembership:
    """Record the bot joining, leaving or losing/regaining the right to post."""
    group = await session.get(Group, chat_id)
    if group is None and not is_member:
        return BotMembership.UNCHANGED
    created = group is None
    group = await ensure_group(session, chat_id=chat_id, title=title, now=now, defaults=defaults)
    was_member, could_post = (False, False) if created else (group.active, group.can_post)
    group.active, group.can_post = is_member, is_member and can_post
    reschedule_group(group, now)
    if is_member and not was_member:
        return BotMembership.JOINED
    if was_member and not is_member:
        return BotMembership.LEFT
    if is_member and could_post and not can_post:
        return BotMembership.RIGHTS_LOST
    if is_member and not could_post and can_post:
        return BotMembership.RIGHTS_BACK
    return BotMembership.UNCHANGED


def set_group_deck(group: Group, *, deck: Deck, now: datetime) -> None:
    group.deck_id = deck.id
    reschedule_group(group, now)


def set_group_time(group: Group, *, minute: int, now: datetime) -> None:
    group.post_minute = minute
    reschedule_group(group, now)


def set_group_timezone(group: Group, *, zone: str, now: datetime) -> None:
    group.timezone = zone
    reschedule_group(group, now)


def set_cards_per_post(group: Group, *, count: int) -> None:
    if not 1 <= count <= MAX_CARDS_PER_POST:
        raise ValueError(f"cards per post must be between 1 and {MAX_CARDS_PER_POST}")
    group.cards_per_post = count


def set_group_paused(group: Group, *, paused: bool, now: datetime) -> bool:
    """Pause or resume the daily post; returns whether anything changed.

    Resuming also re-enables posting after a loss of rights: an admin resuming says the
    rights are back, and the next failed post would disable it again.
    """
    changed = group.paused != paused or (not paused and not group.can_post)
    group.paused = paused
    if not paused:
        group.can_post = True
    reschedule_group(group, now)
    return changed


async def disable_posting(session: AsyncSession, *, chat_id: int, still_member: bool) -> bool:
    """The bot was removed (still_member False) or may no longer post: stop the schedule.

    Returns whether this changed anything, so admins are told once, not on every failure.
    """
    flag = Group.can_post if still_member else Group.active
    result = await session.execute(
        update(Group)
        .where(Group.chat_id == chat_id, flag.is_(True))
        .values({flag: False, Group.next_post_at: None})
    )
    return result.rowcount == 1
