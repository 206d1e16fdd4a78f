"""Claiming due work batch by batch: the shape of every timetable sweep.

A claim is a lease: once it runs out, another process's sweep may claim the same item again.
Three rules keep one process's slow sweep from becoming another's duplicate:

- each batch is claimed at its own time (the sweep's `now` moved on by the time the sweep has
  taken so far), so its lease starts when it is claimed, not when a long sweep began;
- a batch is never bigger than what this process sends in half the lease, at its share of the
  broadcast budget (`batch_within_lease`);
- an item whose turn comes after most of its lease has gone (a long 429 pause, a stalled loop)
  is not handled here: its claim lapses and the next sweep, of any process, takes it.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from bot.runtime import Runtime

__all__ = ["batch_within_lease", "claim_in_batches"]

log = logging.getLogger(__name__)

Due = TypeVar("Due")

# Of a lease, a batch's sends are planned to take at most half; none starts after 80 %.
_PLANNED_SHARE = 0.5
_LAST_START_SHARE = 0.8


def batch_within_lease(batch_size: int, *, lease: timedelta, per_second: float) -> int:
    """The largest batch (at most `batch_size`) sent at `per_second` within half the lease."""
    fits = math.floor(lease.total_seconds() * _PLANNED_SHARE * per_second)
    return max(1, min(batch_size, fits))


async def claim_in_batches(
    runtime: Runtime,
    claim: Callable[..., Awaitable[tuple[Sequence[Due], int]]],
    handle: Callable[[Due], Awaitable[None]],
    *,
    now: datetime,
    lease: timedelta,
    batch_size: int,
    concurrency: int = 1,
    after_batch: Callable[[Sequence[Due]], None] | None = None,
) -> int:
    """Claim due items a batch at a time and handle each; returns how many were examined.

    `claim(session, now=, limit=, lease=)` claims a batch. Up to `concurrency` items of a
    batch are handled at once: a send spends most of its time waiting on Telegram, and the
    rate limiter, not this loop, sets the pace. `after_batch` is called with each non-empty
    batch once all its items were handled (or skipped as lapsed).
    """
    loop = asyncio.get_running_loop()
    began = runtime.now()
    examined_in_all = 0
    slots = asyncio.Semaphore(concurrency)
    lapsed: list[Due] = []

    async def handle_in_time(item: Due, last_start: float) -> None:
        if loop.time() > last_start:
            lapsed.append(item)
            return
        await handle(item)

    async def handle_in_slot(item: Due, last_start: float) -> None:
        async with slots:
            await handle_in_time(item, last_start)

    while True:
        lapsed.clear()
        claimed_at = loop.time()
        # The claim commits before anything is sent, so a slow send holds no row locks.
        async with runtime.db.session() as session:
            due, examined = await claim(
                session, now=now + (runtime.now() - began), limit=batch_size, lease=lease
            )
        last_start = claimed_at + lease.total_seconds() * _LAST_START_SHARE
        examined_in_all += examined
        if concurrency <= 1:
            for item in due:
                await handle_in_time(item, last_start)
        else:
            async with asyncio.TaskGroup() as tasks:
                for item in due:
                    tasks.create_task(handle_in_slot(item, last_start))
        if lapsed:
            log.warning(
                "%d of %d claimed items not started within their %.0fs lease; "
                "a later sweep takes them",
                len(lapsed),
                len(due),
                lease.total_seconds(),
            )
        if due and after_batch is not None:
            after_batch(due)
        if examined < batch_size:  # a short batch: nothing due is left
            return examined_in_all
