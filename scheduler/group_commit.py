"""Group commit: what several sends record, written in one transaction instead of one each.

A sent push must be recorded right after its send, but a transaction of its own costs five
round trips (checkout, BEGIN, read, write, COMMIT), several milliseconds of the bot's CPU, for
one row. Here each sender waits for its item to be committed; the items that arrive while one
transaction is committing go together in the next. So the guarantee is the one of a
transaction per item (nothing is reported recorded before it is, and a crash loses at most the
items whose senders are still waiting: the sends in flight), while a slow database makes the
groups bigger instead of falling behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime import Runtime

__all__ = ["GroupCommit"]

Item = TypeVar("Item")


class GroupCommit(Generic[Item]):
    """`await add(item)` returns once `write(session, items)` committed it with the others
    that arrived meanwhile, or raises what that transaction raised."""

    def __init__(
        self,
        runtime: Runtime,
        write: Callable[[AsyncSession, list[Item]], Awaitable[None]],
    ) -> None:
        self.runtime = runtime
        self.write = write
        self._waiting: list[tuple[Item, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def add(self, item: Item) -> None:
        committed = asyncio.get_running_loop().create_future()
        self._waiting.append((item, committed))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all(), name="group commit")
        # A cancelled sender (the bot stopping) stops waiting; its item is written all the same.
        await committed

    async def _write_all(self) -> None:
        group: list[tuple[Item, asyncio.Future[None]]] = []
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                try:
                    async with self.runtime.db.session() as session:
                        await self.write(session, [item for item, _ in group])
                except Exception as error:  # every sender of the group hears of it
                    for _, committed in group:
                        if not committed.done():
                            committed.set_exception(error)
                else:
                    for _, committed in group:
                        if not committed.done():
                            committed.set_result(None)
        finally:
            # Cancelled (the loop closing): whoever still waits stops waiting, unwritten.
            for _, committed in group + self._waiting:
                committed.cancel()  # a no-op on a settled one
            self._waiting = []
            self._writer = None
