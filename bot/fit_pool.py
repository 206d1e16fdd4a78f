"""A small pool of worker processes for CPU-bound work that holds the GIL (FSRS fits).

Created in post_init and shut down in post_shutdown (bot.telegram.app). Workers are
spawned, not forked: a fork would copy the event loop, open sockets and database pools.
A worker that dies (a crash in native code, the OOM killer) breaks a ProcessPoolExecutor
for good; the pool then starts a fresh one, so the next call works.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

__all__ = ["FitPool", "WorkerCrashed"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class WorkerCrashed(RuntimeError):
    """The worker process running a call died before answering."""


class FitPool:
    """Runs functions in worker processes and awaits them without blocking the loop."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._closed = False

    def _ensure(self) -> ProcessPoolExecutor:
        if self._closed:
            raise RuntimeError("the fit pool is shut down")
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._executor

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker; WorkerCrashed if the worker died meanwhile."""
        executor = self._ensure()
        try:
            # Submitted from a thread: the first call starts the worker, and spawning blocks
            # until the new interpreter has read its start-up data (a quarter second).
            future = await asyncio.to_thread(executor.submit, function, *args)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as error:
            log.error("a worker process died running %s; starting a new pool", function.__name__)
            if self._executor is executor:  # another call may have replaced it already
                self._executor = None
                executor.shutdown(wait=False, cancel_futures=True)
            raise WorkerCrashed(f"worker died running {function.__name__}") from error

    def shutdown(self) -> None:
        """Stop the workers; a call still running is abandoned (its caller gets an error)."""
        self._closed = True
        executor, self._executor = self._executor, None
        if executor is None:
            return
        # A fit can run for a minute: end the workers rather than wait for it. Python 3.14
        # has ProcessPoolExecutor.terminate_workers(); before that, its process table.
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
