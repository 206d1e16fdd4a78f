"""Group commit on SQLite and Postgres: what arrives during a transaction goes in the next one,
each sender returns once its item is committed, and a failure reaches every sender it concerns."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select, update

from bot.storage.models import User
from scheduler.group_commit import GroupCommit

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class Recorder:
    """Marks users' first names as written; the first transaction waits for `gate`."""

    def __init__(self, *, failing: set[int] = frozenset()) -> None:
        self.groups: list[list[int]] = []
        self.gate = asyncio.Event()
        self.writing = asyncio.Event()
        self.failing = failing

    async def __call__(self, session, user_ids: list[int]) -> None:
        self.groups.append(list(user_ids))
        await session.execute(
            update(User).where(User.id.in_(user_ids)).values(first_name="written")
        )
        self.writing.set()
        await self.gate.wait()
        if self.failing & set(user_ids):
            raise RuntimeError("the write failed")


async def _users(db, *ids: int) -> None:
    async with db.session() as s:
        await s.execute(insert(User), [{"id": i, "created_at": NOW} for i in ids])


async def _written(db) -> list[int]:
    async with db.session() as s:
        rows = await s.execute(select(User.id).where(User.first_name == "written"))
        return sorted(rows.scalars())


async def test_items_arriving_during_a_transaction_share_the_next_one(db):
    await _users(db, 1, 2, 3)
    write = Recorder()
    commit = GroupCommit(SimpleNamespace(db=db), write)
    first = asyncio.create_task(commit.add(1))
    await write.writing.wait()  # 1 is being written: 2 and 3 arrive meanwhile
    later = [asyncio.create_task(commit.add(i)) for i in (2, 3)]
    await asyncio.sleep(0)
    assert not first.done() and not any(t.done() for t in later)  # none before its commit
    write.gate.set()
    await first
    await asyncio.gather(*later)
    assert write.groups == [[1], [2, 3]]
    assert await _written(db) == [1, 2, 3]


async def test_a_failed_transaction_reaches_its_senders_and_the_next_one_is_written(db):
    await _users(db, 1, 2, 3, 4)
    write = Recorder(failing={2})
    commit = GroupCommit(SimpleNamespace(db=db), write)
    first = asyncio.create_task(commit.add(1))
    await write.writing.wait()
    failing = [asyncio.create_task(commit.add(i)) for i in (2, 3)]
    await asyncio.sleep(0)
    write.gate.set()
    await first
    for task in failing:
        with pytest.raises(RuntimeError, match="the write failed"):
            await task
    await commit.add(4)  # a new transaction after the failed one
    assert write.groups == [[1], [2, 3], [4]]
    assert await _written(db) == [1, 4]  # the failed one was rolled back


async def test_a_sender_that_stops_waiting_still_has_its_item_written(db):
    await _users(db, 1, 2)
    write = Recorder()
    commit = GroupCommit(SimpleNamespace(db=db), write)
    first = asyncio.create_task(commit.add(1))
    await write.writing.wait()
    impatient = asyncio.create_task(commit.add(2))
    await asyncio.sleep(0)
    impatient.cancel()
    write.gate.set()
    await first
    await commit.add(1)  # once more: the writer ran the cancelled sender's item before this
    assert write.groups[:2] == [[1], [2]]
    assert await _written(db) == [1, 2]
