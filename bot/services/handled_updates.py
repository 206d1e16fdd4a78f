"""Webhook deliveries taken once across processes: Telegram may deliver an update twice.

A process takes an update_id before handling it and marks it done after. A second delivery
of a done update is skipped; one that arrives while another process holds it (Telegram gave
up waiting on that request) is told to come back later, unless the holder died mid-update:
then it is taken again, so nothing acknowledged is lost. On Postgres the caller knows the
holder died at once (it holds the update's process lock, bot.storage.db.ProcessLocks, which
died with the holder); otherwise a take older than the lease is taken as abandoned.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import HandledUpdate

__all__ = ["KEEP_FOR", "Take", "finish_update", "prune_updates", "release_update", "take_update"]

KEEP_FOR = timedelta(days=1)  # Telegram stops redelivering long before this


class Take(enum.Enum):
    NEW = "new"  # handle it
    DONE = "done"  # handled already: answer 200 and skip
    BUSY = "busy"  # another process is handling it now: ask Telegram to retry later


async def take_update(
    session: AsyncSession, *, update_id: int, now: datetime, lease: timedelta | None
) -> Take:
    """Take `update_id` for this process, unless it is done or held by a live process.

    `lease` None: the caller holds the update's process lock, so no live process is handling
    it and an unfinished take is one whose process died.
    """
    insert = (pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert)(
        HandledUpdate
    )
    inserted = await session.execute(
        insert.values(update_id=update_id, taken_at=now, done=False)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(HandledUpdate.update_id)
    )
    if inserted.first() is not None:
        return Take.NEW
    row = (
        await session.execute(
            select(HandledUpdate.done, HandledUpdate.taken_at)
            .where(HandledUpdate.update_id == update_id)
            .with_for_update()
        )
    ).first()
    if row is None:  # pruned between the two statements: a day-old update, long handled
        return Take.DONE
    if row.done:
        return Take.DONE
    if lease is not None and row.taken_at > now - lease:
        return Take.BUSY
    await session.execute(
        update(HandledUpdate).where(HandledUpdate.update_id == update_id).values(taken_at=now)
    )
    return Take.NEW


async def finish_update(session: AsyncSession, *, update_id: int) -> None:
    await session.execute(
        update(HandledUpdate).where(HandledUpdate.update_id == update_id).values(done=True)
    )


async def release_update(session: AsyncSession, *, update_id: int) -> None:
    """Forget a take whose handling did not finish (shutdown): the redelivery is handled."""
    await session.execute(
        delete(HandledUpdate).where(
            HandledUpdate.update_id == update_id, HandledUpdate.done.is_(False)
        )
    )


async def prune_updates(session: AsyncSession, *, now: datetime) -> int:
    """Forget updates taken more than KEEP_FOR ago; returns how many."""
    result = await session.execute(
        delete(HandledUpdate).where(HandledUpdate.taken_at < now - KEEP_FOR)
    )
    return result.rowcount or 0
