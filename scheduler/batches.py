"""Claiming due work batch by batch: the shape of every timetable sweep."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from bot.runtime import Runtime

__all__ = ["claim_in_batches"]

Due = TypeVar("Due")


async def claim_in_batches(
    runtime: Runtime,
    claim: Callable[..., Awaitable[tuple[Sequence[Due], int]]],
    handle: Callable[[Due], Awaitable[None]],
    *,
    batch_size: int,
    concurrency: int = 1,
    after_batch: Callable[[Sequence[Due]], None] | None = None,
) -> int:
    """Claim due items a batch at a time and handle each; returns how many were examined.

    Up to `concurrency` items of a batch are handled at once: a send spends most of its time
    waiting on Telegram, and the rate limiter, not this loop, sets the pace. `after_batch` is
    called with each non-empty batch once all its items were handled.
    """
    examined_in_all = 0
    slots = asyncio.Semaphore(concurrency)

    async def handle_in_slot(item: Due) -> None:
        async with slots:
            await handle(item)

    while True:
        # The claim commits before anything is sent, so a slow send holds no row locks.
        async with runtime.db.session() as session:
            due, examined = await claim(session, limit=batch_size)
        examined_in_all += examined
        if concurrency <= 1:
            for item in due:
                await handle(item)
        else:
            async with asyncio.TaskGroup() as tasks:
                for item in due:
                    tasks.create_task(handle_in_slot(item))
        if due and after_batch is not None:
            after_batch(due)
        if examined < batch_size:  # a short batch: nothing due is left
            return examined_in_all
