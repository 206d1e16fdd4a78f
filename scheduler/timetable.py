"""The timetable: a few sweep jobs that ask the database who is due a daily push.

No per-user jobs live in memory: each user's review time and timezone are in the
database (`users.next_push_at`), so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot.metrics import PUSHES_SENT
from bot.runtime import Runtime
from bot.services import push as pushes
from bot.telegram import keyboards, texts
from bot.telegram.group_posting import GroupSweepReport
from bot.telegram.rate_limits import broadcasting
from scheduler.batches import batch_within_lease, claim_in_batches
from scheduler.fits import sweep_fits
from scheduler.group_commit import GroupCommit
from scheduler.group_posts import GroupPoster

__all__ = ["SweepReport", "Timetable"]

log = logging.getLogger(__name__)

# Pushes sent at once: enough that Telegram's round trips do not set the pace, the broadcast
# budget does (at 25/s and ~0.1 s a round trip under load, 3 would do; 16 leaves room).
_PUSHES_IN_FLIGHT = 16

_RETRY_FAILED_SEND = timedelta(minutes=5)
_STOP_WAIT = 0.5  # seconds a stopping bot waits for a sweep to reach its next push


class _Stopping(Exception):
    """Raised between batches of pushes once the bot is stopping."""


@dataclass
class SweepReport:
    examined: int = 0
    pushed: list[int] = field(default_factory=list)
    blocked: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    groups: GroupSweepReport = field(default_factory=GroupSweepReport)


class Timetable:
    """Owns the APScheduler (`aps`); started in post_init, shut down in post_shutdown."""

    def __init__(self, runtime: Runtime, bot: Bot, *, batch_size: int = 500) -> None:
        self.runtime = runtime
        self.bot = bot
        self.batch_size = batch_size
        self.aps = AsyncIOScheduler(timezone="UTC")
        self.groups = GroupPoster(runtime, bot)
        self._sweeping: asyncio.Task | None = None
        self._fitting: asyncio.Task | None = None
        self._stopping = False

    def start(self) -> None:
        self.aps.add_job(
            self._tick,
            "interval",
            seconds=self.runtime.settings.sweep_interval_seconds,
            id="push-sweep",
            max_instances=1,  # a slow sweep is never overlapped by the next one
            coalesce=True,
            next_run_time=self.runtime.now(),
        )
        self.aps.add_job(
            self._fit_tick,
            "interval",
            seconds=self.runtime.settings.fit_sweep_interval_seconds,
            id="fit-sweep",
            max_instances=1,
            coalesce=True,
        )
        self.aps.start()

    async def shutdown(self) -> None:
        """Stop the job; a sweep in progress stops after its current batch (claims are stored)."""
        self._stopping = True
        if self._sweeping is not None:
            # Cancelling inside a database call would leave SQLAlchemy a half-done rollback,
            # so the sweep gets a moment to reach the end of its batch first.
            _done, pending = await asyncio.wait({self._sweeping}, timeout=_STOP_WAIT)
            for task in pending:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._fitting is not None:
            # A fit waits on its worker process, not on the database: it can stop at once
            # (the claim's lease lets a later sweep fit that learner).
            self._fitting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._fitting
        if self.aps.running:
            self.aps.shutdown(wait=False)  # it cancels a job still running

    async def _fit_tick(self) -> None:
        if self._stopping:
            return
        self._fitting = asyncio.current_task()
        try:
            await sweep_fits(self.runtime, self.runtime.now())
        except asyncio.CancelledError:
            log.info("fit sweep cut short by the stop")
        except Exception:  # the job must survive a database outage to try again next tick
            log.exception("fit sweep failed")
        finally:
            self._fitting = None

    async def _tick(self) -> None:
        if self._stopping:
            return
        self._sweeping = asyncio.current_task()
        try:
            await self.sweep(self.runtime.now())
        except (_Stopping, asyncio.CancelledError):
            # Pushes claimed but not sent go out after the claim lease, from the next process.
            log.info("push sweep cut short by the stop")
        except Exception:  # the job must survive a database outage to try again next tick
            log.exception("push sweep failed")
        finally:
            self._sweeping = None

    async def sweep(self, now: datetime) -> SweepReport:
        """Push every user whose local review time has passed and who has cards; once a day.

        Then post the daily cards of every group whose local post time has passed.
        """
        report = SweepReport()
        settings = self.runtime.settings
        lease = timedelta(seconds=settings.claim_lease_seconds)
        logged = (0, 0, 0)  # pushed, blocked, failed: counted by the batches already logged

        def after_batch(_batch) -> None:
            # One INFO line per batch of pushes; a sweep with nothing due says nothing.
            nonlocal logged
            counts = (len(report.pushed), len(report.blocked), len(report.failed))
            sent, blocked, failed = (a - b for a, b in zip(counts, logged, strict=True))
            log.info("pushes: %d sent, %d blocked, %d failed", sent, blocked, failed)
            logged = counts
            if self._stopping:  # between batches: no database call is cut short
                raise _Stopping

        # Each sent push is recorded in one transaction with those sent meanwhile.
        confirmations = GroupCommit(
            self.runtime, lambda session, sent: pushes.confirm_pushes(session, pushes=sent, now=now)
        )

        # Everything the sweep sends is a broadcast: it waits for the broadcast budget and
        # yields to replies to people (bot.telegram.rate_limits).
        with broadcasting():
            report.examined = await claim_in_batches(
                self.runtime,
                pushes.claim_due_pushes,
                functools.partial(self._send, now=now, report=report, confirmations=confirmations),
                now=now,
                lease=lease,
                batch_size=batch_within_lease(
                    self.batch_size, lease=lease, per_second=settings.broadcast_share_per_second
                ),
                concurrency=_PUSHES_IN_FLIGHT,
                after_batch=after_batch,
            )
            report.groups = await self.groups.sweep(now)
        return report

    async def _send(
        self,
        push: pushes.PushDue,
        now: datetime,
        report: SweepReport,
        confirmations: GroupCommit[pushes.PushDue],
    ) -> None:
        if self._stopping:
            return  # claimed, not sent: the next process sends it once the claim lease ends
        try:
            await self.bot.send_message(
                push.user_id,
                texts.push(push.first_name, push.due, push.new),
                parse_mode=ParseMode.HTML,
                reply_markup=keyboards.start_review(),
            )
        except Forbidden:
            report.blocked.append(push.user_id)
            async with self.runtime.db.session() as session:
                await pushes.mark_blocked(session, user_id=push.user_id)
            return
        except (RetryAfter, TelegramError, OSError) as error:
            # The rate limiter already waited out RetryAfter and retried; if Telegram still
            # refuses, give the claim back so a later sweep pushes today after all.
            log.warning("push to %s failed: %s", push.user_id, error)
            report.failed.append(push.user_id)
            async with self.runtime.db.session() as session:
                await pushes.release_push(session, push=push, now=now, retry_in=_RETRY_FAILED_SEND)
            return
        # Committed right after the send, with the pushes sent meanwhile, and this send's slot
        # is held until then: a crash repeats at most the pushes in flight, each once.
        await confirmations.add(push)
        PUSHES_SENT.inc()
        report.pushed.append(push.user_id)
