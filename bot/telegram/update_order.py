"""Update processing: chats run side by side, each chat's updates strictly in order."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.metrics import UPDATE_SECONDS, UPDATES_HANDLED

__all__ = ["PerChatUpdateProcessor", "update_kind"]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within one chat.

    PTB's default handles every update in turn, so one group whose replies wait on
    Telegram's 20-messages-a-minute group limit would hold up every other chat. Fully
    concurrent handling would let two taps in one chat race over the same session, so
    updates of the same chat (or, without a chat, the same user) still queue behind
    each other. A poll answer names no chat, only a poll: it waits for every update that
    arrived before it, so the command that sent the poll has saved it first.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._in_flight: set[asyncio.Event] = set()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        done = asyncio.Event()
        earlier = list(self._in_flight)
        self._in_flight.add(done)
        key = _order_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            if isinstance(update, Update) and update.poll_answer is not None:
                for event in earlier:
                    await event.wait()
            async with lock:
                started = time.monotonic()
                try:
                    await coroutine
                finally:
                    UPDATE_SECONDS.observe(time.monotonic() - started)
                    UPDATES_HANDLED.labels(update_kind(update)).inc()
        finally:
            done.set()
            self._in_flight.discard(done)
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle chats so the table stays small
                del self._waiting[key], self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _order_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:  # poll answers carry a user, no chat
            return update.effective_user.id
    return 0


def update_kind(update: object) -> str:
    """Which of Telegram's update kinds this is (message, callback_query, ...), for metrics."""
    if isinstance(update, Update):
        for kind in Update.ALL_TYPES:
            if getattr(update, kind, None) is not None:
                return kind
    return "other"
