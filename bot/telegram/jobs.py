"""Every kind of job the worker runs (bot.services.jobs), and what it does when one is given up.

One table, as for commands and buttons in app.py: a newcomer finds each kind here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.services.jobs import ClaimedJob
from bot.telegram.context import FlashContext
from bot.telegram.handlers import import_jobs

__all__ = ["JOB_KINDS", "JobKind"]

JobStep = Callable[[FlashContext, ClaimedJob], Awaitable[None]]


@dataclass(frozen=True)
class JobKind:
    """`run` does the work (an exception means: retry later); `gave_up` tells the learner
    once the last attempt failed."""

    run: JobStep
    gave_up: JobStep


JOB_KINDS = {
    import_jobs.READ_UPLOAD: JobKind(import_jobs.read_upload, import_jobs.read_upload_gave_up),
    import_jobs.IMPORT_HELD_FILE: JobKind(
        import_jobs.import_held_file, import_jobs.import_held_file_gave_up
    ),
    import_jobs.REREAD_HELD_FILE: JobKind(
        import_jobs.reread_held_file, import_jobs.reread_held_file_gave_up
    ),
}
