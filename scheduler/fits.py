"""The fit sweep: learners due a fit of their FSRS parameters, fitted one after another.

A learner is due once they have enough answers on record and a month has passed since
their last fit (bot.core.fitting.REFIT_AFTER); bot.services.parameters claims them and
keeps new parameters only when they predict the learner's answers better.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from bot.runtime import Runtime
from bot.services import parameters

__all__ = ["FitSweepReport", "sweep_fits"]

log = logging.getLogger(__name__)


@dataclass
class FitSweepReport:
    kept: list[int] = field(default_factory=list)  # new parameters in use
    not_better: list[int] = field(default_factory=list)
    short: list[int] = field(default_factory=list)  # fewer items than a fit needs
    failed: list[int] = field(default_factory=list)


async def sweep_fits(runtime: Runtime, now: datetime, *, batch_size: int = 20) -> FitSweepReport:
    """Fit every learner due a fit, a claimed batch at a time; one fit runs at a time."""
    report = FitSweepReport()
    if runtime.fit_pool is None:
        return report
    while True:
        async with runtime.db.session() as session:
            claimed = await parameters.claim_due_fits(session, now=now, limit=batch_size)
        for user_id in claimed:
            try:
                outcome = await parameters.fit_learner(
                    runtime.db, runtime.fit_pool, user_id=user_id, now=now
                )
            except Exception:  # one learner's failed fit must not stop the others'
                log.exception("FSRS fit for a learner failed; tried again tomorrow")
                report.failed.append(user_id)
                continue
            if isinstance(outcome, parameters.NotEnoughData):
                report.short.append(user_id)
            elif outcome.kept:
                report.kept.append(user_id)
            else:
                report.not_better.append(user_id)
        if len(claimed) < batch_size:
            break
    if report.kept or report.not_better or report.failed:
        log.info(
            "FSRS fits: %d kept, %d not better, %d failed",
            len(report.kept),
            len(report.not_better),
            len(report.failed),
        )
    return report
