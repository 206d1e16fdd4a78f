"""The job worker: runs the long work handlers leave in the jobs table (bot.services.jobs).

Every process runs one, in polling and webhook mode alike. A handler that enqueued a job wakes
this process's worker, so the common case starts at once; every few seconds it also looks for
jobs no wake-up reached: enqueued by another process that is busy, due again after a failed
attempt, or claimed by a process that died (their lease ran out). A few jobs run at once per
process: each reads a file or saves thousands of cards, and the process keeps answering
updates meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

from telegram.ext import Application

from bot.runtime import Runtime
from bot.services import jobs
from bot.storage.db import DATABASE_ERRORS
from bot.telegram.jobs import JOB_KINDS, JobKind

__all__ = ["JobWorker"]

log = logging.getLogger(__name__)

_SLOTS = 2  # jobs at once per process: as many as deck files are read at once
_POLL_EVERY = 5.0  # seconds between looks for jobs no wake-up announced
_STOP_WAIT = 1.0  # seconds a stopping bot gives running jobs before cutting them short


class JobWorker:
    """Claims due jobs (at most `slots` running at once) and runs each with a bot context."""

    def __init__(
        self,
        application: Application,
        *,
        kinds: Mapping[str, JobKind] = JOB_KINDS,
        slots: int = _SLOTS,
        poll_every: float = _POLL_EVERY,
    ) -> None:
        self.application = application
        self.runtime: Runtime = application.bot_data["runtime"]
        self.kinds = kinds
        self.slots = slots
        self.poll_every = poll_every
        self._wake = asyncio.Event()
        self._running: dict[asyncio.Task, jobs.ClaimedJob] = {}
        self._looking: asyncio.Task | None = None
        self._stopping = False

    def start(self) -> None:
        self._looking = asyncio.create_task(self._look_for_jobs(), name="job worker")

    def wake(self) -> None:
        """A job was enqueued (committed): claim it now."""
        self._wake.set()

    async def shutdown(self) -> None:
        """Stop claiming; give running jobs a moment, then cut them short and give their claims
        back (if the database cannot be reached, they are claimed again after their lease)."""
        self._stopping = True
        self._wake.set()
        if self._looking is not None:
            # Let a claim in progress commit: cancelling inside a database call would leave
            # SQLAlchemy a half-done rollback.
            _done, pending = await asyncio.wait({self._looking}, timeout=_STOP_WAIT)
            await _cancel(pending)
        if not self._running:
            return
        _done, pending = await asyncio.wait(set(self._running), timeout=_STOP_WAIT)
        cut_short = [self._running[task] for task in pending]
        await _cancel(pending)
        if not cut_short:
            return
        try:
            async with self.runtime.db.session() as session:
                for job in cut_short:
                    await jobs.release_job(session, job=job)
            log.info("%d job(s) cut short by the stop, left to the next claim", len(cut_short))
        except DATABASE_ERRORS:
            log.warning(
                "%d job(s) cut short by the stop; retaken after their lease", len(cut_short)
            )

    async def _look_for_jobs(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self._claim()
            except Exception:  # never the end of the worker: it looks again
                log.exception("claiming jobs failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_every):
                    await self._wake.wait()

    async def _claim(self) -> None:
        free = self.slots - len(self._running)
        if free <= 0:
            return  # a finishing job wakes the worker
        try:
            async with self.runtime.db.session() as session:
                claimed = await jobs.claim_jobs(
                    session, now=self.runtime.now(), limit=free, kinds=tuple(self.kinds)
                )
        except DATABASE_ERRORS as error:  # the worker outlives an outage: it looks again
            log.warning("could not claim jobs (%s); trying again shortly", error)
            return
        for job in claimed:
            task = asyncio.create_task(self._run(job), name=f"job {job.id} ({job.kind})")
            self._running[task] = job
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._running.pop(task, None)
        # A slot is free, and the chat's next job may be waiting for this one.
        self._wake.set()

    async def _run(self, job: jobs.ClaimedJob) -> None:
        kind = self.kinds[job.kind]
        context = self.application.context_types.context(
            self.application, chat_id=job.chat_id, user_id=job.user_id
        )
        try:
            await kind.run(context, job)
        except jobs.LeaseLost:
            log.warning(
                "job %s (%s) was claimed again after its lease; left to that claim",
                job.id,
                job.kind,
            )
            return
        except Exception as error:
            log.exception("job %s (%s) failed (attempt %d)", job.id, job.kind, job.attempt)
            await self._retry(context, kind, job, error)
            return
        try:
            async with self.runtime.db.session() as session:
                await jobs.finish_job(session, job=job, now=self.runtime.now())
        except DATABASE_ERRORS:
            log.warning("job %s done but not marked so; it may run again after its lease", job.id)

    async def _retry(self, context, kind: JobKind, job: jobs.ClaimedJob, error: Exception) -> None:
        try:
            async with self.runtime.db.session() as session:
                gave_up = await jobs.retry_job(
                    session, job=job, now=self.runtime.now(), error=repr(error)
                )
        except DATABASE_ERRORS:
            return  # its lease runs out, then it is claimed again
        if not gave_up:
            return
        log.error("job %s (%s) given up after %d attempts", job.id, job.kind, job.attempt)
        try:
            await kind.gave_up(context, job)
        except Exception:
            log.exception("could not tell chat %s that job %s was given up", job.chat_id, job.id)


async def _cancel(tasks: set[asyncio.Task]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
