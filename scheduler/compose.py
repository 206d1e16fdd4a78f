"""The composition: the bot's Application with the timetable and the job worker wired in (the
layer above both)."""

from __future__ import annotations

from telegram.ext import Application

from bot.config import Settings
from bot.fit_pool import FitPool
from bot.runtime import Clock, StudySeed, system_clock
from bot.telegram.app import build_application
from scheduler.jobs import JobWorker
from scheduler.timetable import Timetable

__all__ = ["build_bot"]


def build_bot(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    start_timetable: bool = True,
    rate_limiter: bool = True,
    study_seed: StudySeed = None,
    chart_pool: FitPool | None = None,
) -> Application:
    """The Application `python -m bot` runs: handlers, and the timetable and job worker built
    in post_init (the worker always starts: handlers leave their long work to it)."""
    return build_application(
        settings,
        clock=clock,
        timetable=Timetable,
        jobs=JobWorker,
        start_timetable=start_timetable,
        rate_limiter=rate_limiter,
        study_seed=study_seed,
        chart_pool=chart_pool,
    )
