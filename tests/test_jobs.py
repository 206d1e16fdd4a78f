"""The job table on SQLite and Postgres: claims never shared, leases that lapse are retaken, one
chat's jobs run in order, failed attempts are retried with backoff and given up after the last."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.services.jobs import (
    KEEP_FINISHED,
    LEASE,
    MAX_ATTEMPTS,
    claim_jobs,
    enqueue_job,
    finish_job,
    release_job,
    retry_delay,
    retry_job,
    unfinished_in_chat,
)
from bot.storage.db import Database
from bot.storage.models import Job

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
KINDS = ("test.work",)


async def _enqueue(db, chat_id: int, *, kind: str = "test.work", now: datetime = NOW) -> int:
    async with db.session() as s:
        return await enqueue_job(
            s, kind=kind, chat_id=chat_id, user_id=chat_id, payload={"n": chat_id}, now=now
        )


async def _claim(db, now: datetime = NOW, limit: int = 10):
    async with db.session() as s:
        return await claim_jobs(s, now=now, limit=limit, kinds=KINDS)


async def _finish(db, job, now: datetime = NOW) -> bool:
    async with db.session() as s:
        return await finish_job(s, job=job, now=now)


async def test_a_job_is_claimed_once_until_finished(db):
    job_id = await _enqueue(db, 1)
    [job] = await _claim(db)
    assert (job.id, job.kind, job.chat_id, job.payload, job.attempt) == (
        job_id,
        "test.work",
        1,
        {"n": 1},
        1,
    )
    assert await _claim(db) == []  # leased
    async with db.session() as s:
        assert await unfinished_in_chat(s, chat_id=1)
    assert await _finish(db, job)
    assert not await _finish(db, job)  # once
    assert await _claim(db, NOW + LEASE) == []  # finished jobs are never claimed again
    async with db.session() as s:
        assert not await unfinished_in_chat(s, chat_id=1)


async def test_two_claimers_at_once_never_get_the_same_job(db):
    for chat_id in range(1, 31):
        await _enqueue(db, chat_id)
    other = Database(db.url)  # a second process's engine
    try:

        async def claim(database):
            async with database.session() as s:
                return [job.id for job in await claim_jobs(s, now=NOW, limit=20, kinds=KINDS)]

        first, second = await asyncio.gather(claim(db), claim(other))
    finally:
        await other.dispose()
    assert not set(first) & set(second)
    assert sorted(first + second) == list(range(1, 31))


@pytest.mark.postgres
async def test_a_claim_in_progress_is_skipped_not_waited_for(_postgres_migrated):
    db = Database(_postgres_migrated.emptied())
    try:
        for chat_id in (1, 2, 3):
            await _enqueue(db, chat_id)
        async with db.session() as holding:
            # This claim's transaction is still open: its rows are locked, not yet leased.
            held = await claim_jobs(holding, now=NOW, limit=2, kinds=KINDS)
            async with asyncio.timeout(5):  # SKIP LOCKED: no wait for the open transaction
                rest = await _claim(db)
        assert [job.id for job in held] == [1, 2]
        assert [job.id for job in rest] == [3]
    finally:
        await db.dispose()


async def test_a_lapsed_lease_is_retaken_and_the_old_attempt_cannot_finish(db):
    await _enqueue(db, 1)
    [first] = await _claim(db)
    assert await _claim(db, NOW + LEASE - timedelta(seconds=1)) == []
    [again] = await _claim(db, NOW + LEASE)  # the first process died
    assert (again.id, again.attempt) == (first.id, 2)
    assert not await _finish(db, first)  # the first attempt's writes would roll back
    async with db.session() as s:
        assert not await retry_job(s, job=first, now=NOW, error="late")
    assert await _finish(db, again)


async def test_a_claim_given_back_by_a_stopping_process_is_claimed_again_at_once(db):
    await _enqueue(db, 1)
    [first] = await _claim(db)
    async with db.session() as s:
        await release_job(s, job=first)
    [again] = await _claim(db)
    assert (again.id, again.attempt) == (first.id, 2)
    async with db.session() as s:
        await release_job(s, job=first)  # an old attempt gives back nothing
    assert await _claim(db) == []


async def test_a_failed_attempt_is_retried_after_a_growing_pause_then_given_up(db):
    await _enqueue(db, 1)
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS):
        [job] = await _claim(db, now)
        assert job.attempt == attempt
        async with db.session() as s:
            assert not await retry_job(s, job=job, now=now, error=f"boom {attempt}")
        pause = retry_delay(attempt)
        assert await _claim(db, now + pause - timedelta(seconds=1)) == []
        now += pause
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [5, 10, 20]
    [last] = await _claim(db, now)
    assert last.attempt == MAX_ATTEMPTS
    async with db.session() as s:
        assert await retry_job(s, job=last, now=now, error="boom again")
    assert await _claim(db, now + timedelta(days=1) / 2) == []
    async with db.session() as s:
        row = await s.get(Job, last.id)
    assert (row.outcome, row.last_error, row.finished_at) == ("gave_up", "boom again", now)


async def test_one_chats_jobs_run_oldest_first_one_at_a_time(db):
    a1 = await _enqueue(db, 1)
    a2 = await _enqueue(db, 1)
    b1 = await _enqueue(db, 2)
    claimed = await _claim(db)
    assert [job.id for job in claimed] == [a1, b1]  # a2 waits for a1, other chats do not
    assert await _claim(db) == []
    # A retry pause keeps the chat's later jobs waiting too.
    async with db.session() as s:
        await retry_job(s, job=claimed[0], now=NOW, error="boom")
    assert await _claim(db, NOW + timedelta(seconds=5) - timedelta(seconds=1)) == []
    [again] = await _claim(db, NOW + timedelta(seconds=5))
    assert again.id == a1
    await _finish(db, again)
    [next_one] = await _claim(db, NOW + timedelta(seconds=5))
    assert next_one.id == a2


async def test_kinds_this_process_does_not_know_are_left_alone(db):
    newer = await _enqueue(db, 1, kind="test.newer")
    known = await _enqueue(db, 2)
    assert [job.id for job in await _claim(db)] == [known]
    async with db.session() as s:
        [job] = await claim_jobs(s, now=NOW, limit=10, kinds=("test.newer",))
    assert job.id == newer


async def test_finished_jobs_are_forgotten_after_a_day(db):
    await _enqueue(db, 1)
    [job] = await _claim(db)
    await _finish(db, job)
    await _enqueue(db, 2, now=NOW + KEEP_FINISHED)  # not yet older than a day
    await _enqueue(db, 3, now=NOW + KEEP_FINISHED + timedelta(seconds=1))
    async with db.session() as s:
        chats = (await s.execute(select(Job.chat_id).order_by(Job.id))).scalars().all()
        unfinished = await s.scalar(select(func.count()).where(Job.finished_at.is_(None)))
    assert chats == [2, 3]
    assert unfinished == 2
