"""Shared objects of a running bot, created in post_init and closed in post_shutdown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol

from fsrs import Scheduler

from bot.config import Settings
from bot.core.fitting import clean_parameters
from bot.core.srs import make_scheduler
from bot.fit_pool import FitPool
from bot.services.users import UserDefaults
from bot.storage.db import Database
from bot.storage.models import User

__all__ = ["Clock", "JobRunner", "Runtime", "StudySeed", "Timetable", "system_clock"]

Clock = Callable[[], datetime]
# A fixed seed for new study sessions (tests), or a callable giving one; None: random.
StudySeed = int | Callable[[], int] | None


class Timetable(Protocol):
    """The sweep jobs (scheduler.timetable.Timetable), as the bot starts and stops them."""

    def start(self) -> None: ...
    async def shutdown(self) -> None: ...
    async def sweep(self, now: datetime) -> Any: ...


class JobRunner(Protocol):
    """The job worker (scheduler.jobs.JobWorker), as the bot starts and stops it and handlers
    wake it for a job they enqueued."""

    def start(self) -> None: ...
    def wake(self) -> None: ...
    async def shutdown(self) -> None: ...


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    """What every handler and the timetable share; reached via `context.runtime`."""

    settings: Settings
    db: Database
    clock: Clock = system_clock
    timetable: Timetable | None = None  # set in post_init, when the composition gives one
    jobs: JobRunner | None = None  # likewise: runs what handlers enqueue (bot.services.jobs)
    fit_pool: FitPool | None = None  # worker processes for FSRS fits; set in post_init
    # A worker process drawing charts (bot.core.charts): set in post_init unless given.
    chart_pool: FitPool | None = None
    study_seed: StudySeed = None

    @property
    def defaults(self) -> UserDefaults:
        return UserDefaults(
            timezone=self.settings.default_timezone,
            review_minute=self.settings.default_review_time.hour * 60
            + self.settings.default_review_time.minute,
            new_cards_per_day=self.settings.default_new_cards_per_day,
        )

    def scheduler_for(self, user: User) -> Scheduler:
        """The FSRS scheduler of one learner: their desired retention and parameters."""
        parameters = None if user.fsrs_parameters is None else tuple(user.fsrs_parameters)
        return _scheduler(round(user.desired_retention, 3), self.settings.fsrs_fuzzing, parameters)

    def now(self) -> datetime:
        return self.clock()

    def wake_jobs(self) -> None:
        """Start a job just enqueued (and committed) now, not at the worker's next look."""
        if self.jobs is not None:
            self.jobs.wake()


@lru_cache(maxsize=1024)
def _scheduler(
    desired_retention: float, fuzzing: bool, parameters: tuple[float, ...] | None
) -> Scheduler:
    if parameters is not None:
        parameters = clean_parameters(parameters)  # stored cleaned; this guards old rows
    return make_scheduler(
        desired_retention=desired_retention, fuzzing=fuzzing, parameters=parameters
    )
