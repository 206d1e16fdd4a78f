"""People, their settings and their deck enrolments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.leeches import MAX_LEECH_THRESHOLD
from bot.core.localtime import DailySlot
from bot.storage.models import Deck, Enrolment, User

__all__ = [
    "UserDefaults",
    "active_decks",
    "claim_message",
    "drop_retired_decks",
    "enrol",
    "ensure_user",
    "leave",
    "push_slot",
    "reschedule",
    "set_leech_threshold",
    "set_new_cards",
    "set_paused",
    "set_review_time",
    "set_timezone",
    "user_by_id",
]


@dataclass(frozen=True)
class UserDefaults:
    timezone: str = "UTC"
    review_minute: int = 540
    new_cards_per_day: int = 20


async def user_by_id(session: AsyncSession, *, user_id: int) -> User | None:
    return await session.get(User, user_id)


def push_slot(user: User) -> DailySlot:
    """The user's daily push: their review time in their zone, off while paused or blocked."""
    return DailySlot(
        ZoneInfo(user.timezone),
        user.review_minute,
        user.last_push_on,
        active=not (user.paused or user.blocked),
    )


def reschedule(user: User, now: datetime) -> None:
    """Recompute when the timetable next considers this user (`DailySlot.next_at`)."""
    user.next_push_at = push_slot(user).next_at(now)


async def ensure_user(
    session: AsyncSession,
    *,
    user_id: int,
    first_name: str,
    username: str | None,
    now: datetime,
    defaults: UserDefaults,
    unblock: bool = False,
) -> tuple[User, bool]:
    """The user row, created on first contact; returns (user, created)."""
    user = await session.get(User, user_id)
    created = user is None
    if user is None:
        user = User(
            id=user_id,
            first_name=first_name,
            username=username,
            timezone=defaults.timezone,
            review_minute=defaults.review_minute,
            new_cards_per_day=defaults.new_cards_per_day,
            created_at=now,
        )
        # Someone joining after today's review time is studying right now: `reschedule` puts
        # the first push on tomorrow without marking today pushed, so a later time chosen
        # today (`/time 20:00` at 12:34) still comes today.
        session.add(user)
        # Written at once: rows that point at the user (an own deck, a conversation) may be
        # added in the same flush, and the unit of work knows no relationship to order them.
        await session.flush()
    else:
        user.first_name, user.username = first_name, username
    if unblock and user.blocked:
        user.blocked = False
    if created or unblock:
        reschedule(user, now)
    return user, created


def set_review_time(user: User, *, minute: int, now: datetime) -> None:
    user.review_minute = minute
    reschedule(user, now)


def set_timezone(user: User, *, zone: str, now: datetime) -> None:
    user.timezone = zone
    reschedule(user, now)


def set_new_cards(user: User, *, count: int) -> None:
    if not 0 <= count <= 1000:
        raise ValueError("new cards per day must be between 0 and 1000")
    user.new_cards_per_day = count


def set_leech_threshold(user: User, *, lapses: int) -> None:
    """Lapses that make a card a leech (bot.core.leeches); 0 turns leeches off."""
    if not 0 <= lapses <= MAX_LEECH_THRESHOLD:
        raise ValueError(f"the leech threshold must be between 0 and {MAX_LEECH_THRESHOLD}")
    user.leech_threshold = lapses


def set_paused(user: User, *, paused: bool, now: datetime) -> bool:
    """Pause or resume the daily push; returns whether anything changed."""
    changed = user.paused != paused
    user.paused = paused
    reschedule(user, now)
    return changed


async def enrol(session: AsyncSession, *, user_id: int, deck_id: int, now: datetime) -> bool:
    """Enrol (or re-enrol) a user; returns False if they already were."""
    row = await session.get(Enrolment, (user_id, deck_id))
    if row is None:
        session.add(Enrolment(user_id=user_id, deck_id=deck_id, enrolled_at=now))
        return True
    if row.active:
        return False
    row.active = True
    return True


async def leave(session: AsyncSession, *, user_id: int, deck_id: int) -> bool:
    """Stop studying a deck; history stays so re-enrolling resumes it."""
    row = await session.get(Enrolment, (user_id, deck_id))
    if row is None or not row.active:
        return False
    row.active = False
    return True


async def active_decks(session: AsyncSession, *, user_id: int) -> list[Deck]:
    rows = await session.execute(
        select(Deck)
        .join(Enrolment, Enrolment.deck_id == Deck.id)
        .where(Enrolment.user_id == user_id, Enrolment.active.is_(True), Deck.retired.is_(False))
        .order_by(Deck.title)
    )
    return list(rows.scalars())


async def drop_retired_decks(session: AsyncSession, *, user_id: int) -> list[Deck]:
    """Decks the user studied whose file was removed: end those enrolments and return them.

    The caller tells the user once (their next /decks); history stays, so picking the deck
    again if it comes back resumes it.
    """
    rows = await session.execute(
        select(Deck, Enrolment)
        .join(Enrolment, Enrolment.deck_id == Deck.id)
        .where(Enrolment.user_id == user_id, Enrolment.active.is_(True), Deck.retired.is_(True))
        .order_by(Deck.title)
    )
    dropped = []
    for deck, enrolment in rows.all():
        enrolment.active = False
        dropped.append(deck)
    return dropped


async def claim_message(session: AsyncSession, *, user_id: int, message_id: int) -> bool | None:
    """Mark a private message of the user as applied: True; False if it already was; None
    if there is no such user (nothing of theirs to apply it to).

    After a crash Telegram hands out again the updates whose offset was not confirmed, some
    of them already applied: /undo or a typed answer must not count twice. Message ids grow
    within a chat, so one number per user says what is done. Call it in the transaction that
    stores the message's effect.
    """
    claimed = await session.execute(
        update(User)
        .where(
            User.id == user_id,
            or_(User.handled_message_id.is_(None), User.handled_message_id < message_id),
        )
        .values(handled_message_id=message_id)
        .returning(User.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.first() is not None:
        return True
    return False if await session.get(User, user_id) is not None else None
