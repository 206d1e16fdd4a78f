"""Long polling that confirms an update to Telegram only once it has been handled.

PTB's Updater confirms a batch of updates (the next getUpdates carries a higher offset) as
soon as it has queued them, so a crash loses whatever was fetched but not yet handled: a
press that is never answered nor recorded. Here an update's offset is confirmed only when
its handler has finished, so after a crash Telegram hands the unfinished ones out again and
the restarted bot handles them (handlers are idempotent: a grade carries its card's version,
a study answer its question number).

Confirming is a prefix: getUpdates(offset) confirms everything below the offset, so while an
update is in flight, the next poll asks from it and Telegram returns it again with anything
newer; updates already in hand are skipped. Two things keep that cheap and live:

* while anything is unconfirmed Telegram answers at once, with everything in hand, so the
  next poll waits until the oldest update in hand is done (that poll confirms it), at most
  `idle_wait`;
* an update still in flight after `hold_seconds` (a reply waiting out a group's rate limit,
  Telegram down) stops holding the offset back, so it cannot hide newer updates behind
  Telegram's 100-update page; it is logged, as a crash during it would lose it.

Chats are still handled concurrently, each in order (the Application's update processor).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

__all__ = ["ConfirmingPoller"]

log = logging.getLogger(__name__)

_PAGE = 100  # Telegram's most updates per getUpdates


class ConfirmingPoller:
    """Fetches updates, hands each to the Application, confirms it once handled."""

    def __init__(
        self,
        application: Application,
        *,
        allowed_updates: Sequence[str] | None = None,
        timeout: float = 30.0,
        idle_wait: float = 0.05,
        hold_seconds: float = 10.0,
    ) -> None:
        self.application = application
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else None
        self.timeout = timeout
        self.idle_wait = idle_wait
        self.hold_seconds = hold_seconds
        self._in_flight: dict[int, float] = {}  # update id -> when it was taken
        self._released: set[int] = set()  # in flight too long to hold the offset back
        self._next_id = 0  # the first update id never seen
        self._finished = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.fatal: BaseException | None = None  # set when polling cannot go on (bad token)
        self.stopped = asyncio.Event()

    @property
    def offset(self) -> int:
        """What getUpdates confirms: everything below the oldest update still being handled."""
        held = [update_id for update_id in self._in_flight if update_id not in self._released]
        return min(held) if held else self._next_id

    async def start(self) -> None:
        await self.application.bot.delete_webhook()  # polling and a webhook exclude each other
        self._task = asyncio.create_task(self._poll(), name="ConfirmingPoller")

    async def stop(self) -> None:
        """Stop fetching; updates in hand go on being handled (Application.stop waits)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def confirm(self) -> None:
        """Tell Telegram what has been handled (after Application.stop, at shutdown)."""
        if self.offset <= 0:
            return
        try:
            await self._get_updates(self.offset, wait=0, limit=1)
        except TelegramError as error:
            log.warning("could not confirm handled updates at shutdown: %s", error)

    async def _get_updates(self, offset: int, *, wait: float, limit: int = _PAGE) -> list:
        bot = self.application.bot
        kwargs: dict[str, Any] = {"offset": offset, "timeout": int(wait), "limit": limit}
        if self.allowed_updates is not None:
            kwargs["allowed_updates"] = self.allowed_updates
        read_timeout = (bot._request[0].read_timeout or 5.0) + wait
        # Raw JSON (Bot.get_updates would build every Update): updates already in hand come
        # back while unconfirmed, and only new ones are worth reading. Bot._post is what
        # get_updates itself calls; do_api_request refuses known methods with a warning.
        return await bot._post("getUpdates", kwargs, read_timeout=read_timeout)

    async def _poll(self) -> None:
        backoff = 0.0
        while True:
            self._release_slow()
            # While an update is unconfirmed Telegram answers at once: no long poll then.
            waiting = self.offset < self._next_id
            try:
                raw = await self._get_updates(self.offset, wait=0 if waiting else self.timeout)
            except InvalidToken as error:
                self.fatal = error
                self.stopped.set()
                return
            except RetryAfter as error:
                await asyncio.sleep(_seconds(error.retry_after))
                continue
            except TimedOut:
                continue  # a long poll the network dropped: ask again
            except TelegramError as error:
                # One line in the log (the error handler), then back off: 1 s, 2 s ... 30 s.
                self.application.create_task(self.application.process_error(None, error))
                backoff = min(30.0, max(1.0, backoff * 2))
                await asyncio.sleep(backoff)
                continue
            backoff = 0.0
            for data in raw:
                if data["update_id"] >= self._next_id:
                    self._dispatch(data)
            if self.offset < self._next_id:
                # The next poll would come back at once with everything in hand (with a
                # hundred chats busy, a hundred updates each time): wait until the update
                # holding the offset is done, or `idle_wait` for new ones to gather.
                self._finished.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.idle_wait):
                        await self._finished.wait()

    def _dispatch(self, data: dict) -> None:
        update_id = data["update_id"]
        self._next_id = max(self._next_id, update_id + 1)
        application = self.application
        try:
            update = Update.de_json(data, application.bot)
        except Exception:  # a payload PTB cannot read: skip it rather than stall every update
            log.exception("could not read update %s; skipped", update_id)
            return
        self._in_flight[update_id] = time.monotonic()
        task = application.create_task(
            application.update_processor.process_update(update, application.process_update(update)),
            update=update,
            name=f"update:{update_id}",
        )
        task.add_done_callback(lambda _task: self._done(update_id))

    def _done(self, update_id: int) -> None:
        holding = update_id == self.offset
        self._in_flight.pop(update_id, None)
        self._released.discard(update_id)
        if holding:  # the offset moves on: worth a poll to confirm it
            self._finished.set()

    def _release_slow(self) -> None:
        cutoff = time.monotonic() - self.hold_seconds
        for update_id, taken in self._in_flight.items():
            if taken < cutoff and update_id not in self._released:
                self._released.add(update_id)
                log.info(
                    "update %s still being handled after %.0f s: confirming past it",
                    update_id,
                    self.hold_seconds,
                )


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
