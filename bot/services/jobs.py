"""Long work an update asked for, kept in the database until a job worker of any process did it.

A handler answers its update at once and enqueues the slow part (reading a sent deck file,
saving an import) in its own transaction; the worker (scheduler.jobs) claims it. So a webhook
request is answered in milliseconds, and the work survives the process that took the update.

- A claim is a lease: `claim_jobs` locks rows with SKIP LOCKED (Postgres) so two claimers never
  get one job, and a process that dies mid-job leaves it to whoever claims after the lease.
- Each claim counts an attempt; only the current attempt may finish the job or schedule its
  retry, so a run whose lease was taken over cannot finish it too (`LeaseLost`).
- Jobs of one chat run one at a time, oldest first, whichever process claims them: a learner's
  Import press acts only after the upload's reading is done.
- A failed attempt is retried after a growing pause; after MAX_ATTEMPTS it is given up (the
  worker tells the learner).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.storage.models import Job

__all__ = [
    "KEEP_FINISHED",
    "LEASE",
    "MAX_ATTEMPTS",
    "ClaimedJob",
    "LeaseLost",
    "claim_jobs",
    "enqueue_job",
    "finish_job",
    "release_job",
    "retry_delay",
    "retry_job",
    "unfinished_in_chat",
]

# Far beyond the slowest job (reading a 20 MB package, saving 20,000 cards take seconds): a
# live process never loses a job to another; a dead one's job waits this long.
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 4
_FIRST_RETRY = timedelta(seconds=5)  # then 10 s, 20 s: about half a minute in all
KEEP_FINISHED = timedelta(days=1)  # finished rows, for the operator to look at
_ERROR_CHARS = 500


@dataclass(frozen=True)
class ClaimedJob:
    """A job as this process claimed it; `attempt` is the claim's number (1 the first time)."""

    id: int
    kind: str
    chat_id: int
    user_id: int
    payload: dict[str, Any]
    attempt: int


class LeaseLost(Exception):
    """The job was claimed again after this attempt's lease ran out; its writes roll back."""


async def enqueue_job(
    session: AsyncSession,
    *,
    kind: str,
    chat_id: int,
    user_id: int,
    payload: dict[str, Any],
    now: datetime,
) -> int:
    """Add a job, due now, in the caller's transaction; forget long-finished ones on the way."""
    await session.execute(delete(Job).where(Job.finished_at < now - KEEP_FINISHED))
    job = Job(
        kind=kind,
        chat_id=chat_id,
        user_id=user_id,
        payload=payload,
        run_after=now,
        created_at=now,
    )
    session.add(job)
    await session.flush()
    return job.id


def _free(now: datetime):
    return or_(Job.leased_until.is_(None), Job.leased_until <= now)


async def claim_jobs(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    kinds: tuple[str, ...],
    lease: timedelta = LEASE,
) -> list[ClaimedJob]:
    """Claim up to `limit` due jobs of `kinds`, each the oldest unfinished one of its chat.

    Rows another claimer holds are skipped, not waited for; the claim commits with the
    caller's transaction, before any work starts.
    """
    earlier = aliased(Job)
    waits_its_turn = exists().where(
        earlier.chat_id == Job.chat_id, earlier.id < Job.id, earlier.finished_at.is_(None)
    )
    rows = (
        await session.execute(
            select(Job)
            .where(
                Job.finished_at.is_(None),
                Job.run_after <= now,
                _free(now),
                Job.kind.in_(kinds),  # a newer release's kinds are left to its processes
                ~waits_its_turn,
            )
            .order_by(Job.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Job)
        )
    ).scalars()
    claimed = []
    for job in rows:
        job.attempts += 1
        job.leased_until = now + lease
        claimed.append(
            ClaimedJob(job.id, job.kind, job.chat_id, job.user_id, dict(job.payload), job.attempts)
        )
    await session.flush()
    return claimed


def _current(job: ClaimedJob):
    return (Job.id == job.id, Job.attempts == job.attempt, Job.finished_at.is_(None))


async def finish_job(session: AsyncSession, *, job: ClaimedJob, now: datetime) -> bool:
    """Mark the job done; False if this attempt no longer holds it (finished, or claimed
    again). Called in the transaction of the job's last writes, it makes them happen once."""
    result = await session.execute(
        update(Job)
        .where(*_current(job))
        .values(finished_at=now, leased_until=None, outcome="done")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def release_job(session: AsyncSession, *, job: ClaimedJob) -> None:
    """Give a claim back unfinished (its process is stopping): any process claims it now,
    not after the lease. Its attempt still counts."""
    await session.execute(
        update(Job)
        .where(*_current(job))
        .values(leased_until=None)
        .execution_options(synchronize_session=False)
    )


def retry_delay(attempt: int) -> timedelta:
    """The pause after failed attempt number `attempt` (1, 2, …): 5 s, doubling."""
    return _FIRST_RETRY * 2 ** (attempt - 1)


async def retry_job(session: AsyncSession, *, job: ClaimedJob, now: datetime, error: str) -> bool:
    """After a failed attempt: due again after a pause, or given up after MAX_ATTEMPTS.

    True when given up (the caller tells the learner); False when it will be retried, or
    when this attempt no longer holds the job.
    """
    gives_up = job.attempt >= MAX_ATTEMPTS
    changes: dict[str, Any] = {"leased_until": None, "last_error": error[:_ERROR_CHARS]}
    if gives_up:
        changes |= {"finished_at": now, "outcome": "gave_up"}
    else:
        changes["run_after"] = now + retry_delay(job.attempt)
    result = await session.execute(
        update(Job)
        .where(*_current(job))
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    return gives_up and result.rowcount == 1


async def unfinished_in_chat(session: AsyncSession, *, chat_id: int) -> bool:
    """Whether a job of this chat is still waiting or running."""
    return bool(
        await session.scalar(
            select(exists().where(Job.chat_id == chat_id, Job.finished_at.is_(None)))
        )
    )
