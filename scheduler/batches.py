"""Claiming due work batch by batch: the shape of every timetable sweep."""

from __future__ import annotations

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
) -> int:
    """Claim due items a batch at a time and handle each; returns how many were examined."""
    examined_in_all = 0
    while True:
        # The claim commits before anything is sent, so a slow send holds no row locks.
        async with runtime.db.session() as session:
            due, examined = await claim(session, limit=batch_size)
        examined_in_all += examined
        for item in due:
            await handle(item)
        if examined < batch_size:  # a short batch: nothing due is left
            return examined_in_all
