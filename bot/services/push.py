"""The daily push: which users are due a reminder now, and recording that they got one.

Each batch is a fixed number of indexed statements (claim users, count due now, fetch review
cards due later today, count new, new cards introduced today, one executemany update), so a
sweep's query count grows with batches of users, not with users.

A claim is a lease: a user with something to push has `next_push_at` moved only `lease` ahead
(default 5 minutes), and `confirm_pushes` moves it to their next local day once the message is
sent. A process that dies between claim and send leaves the lease to run out, and a later
sweep (of any process) pushes that user after all: at most one duplicate in a crash (the
message sent just before dying, unconfirmed), never a lost day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.localtime import local_date, local_day_start
from bot.core.srs import DueLike, is_due
from bot.services.users import push_slot, reschedule
from bot.storage.models import Card, CardState, Deck, Enrolment, ReviewLog, User
from bot.storage.queries import due_by, one_of

__all__ = [
    "DEFAULT_LEASE",
    "PushDue",
    "claim_due_pushes",
    "confirm_pushes",
    "mark_blocked",
    "pending_pushes",
    "release_push",
]

DEFAULT_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class PushDue:
    user_id: int
    first_name: str
    due: int
    new: int
    day: date  # the user's local date this push is for; confirm_pushes records it


async def claim_due_pushes(
    session: AsyncSession, *, now: datetime, limit: int = 500, lease: timedelta = DEFAULT_LEASE
) -> tuple[list[PushDue], int]:
    """Claim up to `limit` users whose push time has passed; returns (to push, examined).

    A user with nothing due moves to their next local day at once; one with a push to send
    is leased for `lease`, until `confirm_pushes` (or, if nobody confirms, a later sweep). A
    review time missed while the bot was down is caught up now (see `DailySlot.day_of`).
    """
    users = list(
        (
            await session.execute(
                select(User)
                .where(
                    User.next_push_at <= now,
                    User.paused.is_(False),
                    User.blocked.is_(False),
                )
                .order_by(User.next_push_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    if not users:
        return [], 0
    ids = [u.id for u in users]
    live = and_(Enrolment.active.is_(True), Card.retired.is_(False), Deck.retired.is_(False))

    def live_states(*columns):
        return (
            select(*columns)
            .join(Card, Card.id == CardState.card_id)
            .join(Deck, Deck.id == Card.deck_id)
            .join(
                Enrolment,
                and_(Enrolment.deck_id == Card.deck_id, Enrolment.user_id == CardState.user_id),
            )
            # Redundant with the join, but without it Postgres hashes every enrolment of every
            # user (tens of ms at 100,000 users) instead of looking up this batch's.
            .where(
                one_of(session, CardState.user_id, ids),
                one_of(session, Enrolment.user_id, ids),
                live,
            )
        )

    due = dict(
        (
            await session.execute(
                live_states(CardState.user_id, func.count())
                .where(due_by(now, now))  # due by now, whatever the day (a day ending now)
                .group_by(CardState.user_id)
            )
        ).all()
    )
    # Cards due later in the learner's local day may be due today (bot.core.srs.is_due); each
    # user's local day ends less than 26 hours from now, so fetch those and cut per user below.
    later_today: dict[int, list[DueLike]] = {}
    for row in (
        await session.execute(
            live_states(
                CardState.user_id, CardState.state, CardState.due, CardState.suspended
            ).where(CardState.due > now, due_by(now, now + timedelta(hours=26)))
        )
    ).all():
        later_today.setdefault(row.user_id, []).append(row)
    new = dict(
        (
            await session.execute(
                select(Enrolment.user_id, func.count())
                .join(Card, Card.deck_id == Enrolment.deck_id)
                .join(Deck, Deck.id == Card.deck_id)
                .outerjoin(
                    CardState,
                    # Redundant too: without it Postgres merges with the whole card_states
                    # index up to the batch's highest user id.
                    and_(
                        CardState.card_id == Card.id,
                        CardState.user_id == Enrolment.user_id,
                        one_of(session, CardState.user_id, ids),
                    ),
                )
                .where(one_of(session, Enrolment.user_id, ids), CardState.card_id.is_(None), live)
                .group_by(Enrolment.user_id)
            )
        ).all()
    )
    # New cards already introduced today count against the daily limit; "today" is each
    # user's local day, which began less than 2 days ago in every timezone.
    introduced: dict[int, list[datetime]] = {}
    for user_id, reviewed_at in (
        await session.execute(
            select(ReviewLog.user_id, ReviewLog.reviewed_at).where(
                one_of(session, ReviewLog.user_id, ids),
                ReviewLog.state_before.is_(None),
                ReviewLog.undone.is_(False),
                ReviewLog.reviewed_at >= now - timedelta(days=2),
            )
        )
    ).all():
        introduced.setdefault(user_id, []).append(reviewed_at)
    pushes, changes = [], []
    for user in users:
        zone = ZoneInfo(user.timezone)
        today = local_date(now, zone)
        slot = push_slot(user)
        # The local day this push is for: today, or the day of a time missed while the bot
        # was down; None drops a missed day whose successor's own time is still ahead.
        day = slot.day_of(user.next_push_at, now)
        if day is not None and user.last_push_on is not None and day <= user.last_push_on:
            day = None  # already pushed for that day: never twice
        new_today = sum(local_date(t, zone) == today for t in introduced.get(user.id, []))
        allowance = max(0, user.new_cards_per_day - new_today)
        day_end = local_day_start(now, zone, days=1)
        n_due = due.get(user.id, 0) + sum(
            is_due(row, now, day_end) for row in later_today.get(user.id, [])
        )
        n_new = min(new.get(user.id, 0), allowance)
        if day is not None and (n_due or n_new):
            # "Pushed on" is stored by confirm_pushes, only once the message went out.
            pushes.append(PushDue(user.id, user.first_name, n_due, n_new, day))
            claimed_until = now + lease
        else:
            claimed_until = slot.after_considering(day, now)
        changes.append({"id": user.id, "next_push_at": claimed_until})
    session.expunge_all()
    await session.execute(update(User), changes)
    return pushes, len(users)


async def confirm_pushes(
    session: AsyncSession, *, pushes: Sequence[PushDue], now: datetime
) -> None:
    """The pushes were sent: each user is done for that local day, next considered on the next.

    One statement to read the users and one to write them, however many pushes: the timetable
    confirms the pushes sent meanwhile together (scheduler.group_commit).
    """
    days = {push.user_id: push.day for push in pushes}
    for user in (
        await session.execute(select(User).where(one_of(session, User.id, days)))
    ).scalars():
        day = days[user.id]
        if user.last_push_on is None or user.last_push_on < day:
            user.last_push_on = day
        # From the user's settings now: a /time or /pause during the lease holds.
        reschedule(user, now)


async def release_push(
    session: AsyncSession, *, push: PushDue, now: datetime, retry_in: timedelta
) -> None:
    """A claim whose message could not be sent: a later sweep tries again (today)."""
    await session.execute(
        update(User).where(User.id == push.user_id).values(next_push_at=now + retry_in)
    )


async def mark_blocked(session: AsyncSession, *, user_id: int) -> None:
    """The user blocked the bot: stop pushing until they /start again."""
    await session.execute(
        update(User).where(User.id == user_id).values(blocked=True, next_push_at=None)
    )


async def pending_pushes(session: AsyncSession, *, now: datetime) -> int:
    """Learners whose push time has passed and whom no sweep has claimed yet (/metrics)."""
    return (
        await session.execute(
            select(func.count()).where(
                User.next_push_at <= now, User.paused.is_(False), User.blocked.is_(False)
            )
        )
    ).scalar_one()
