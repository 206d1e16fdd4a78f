"""The rate limiter: replies to people go first, broadcasts use the budget they leave.

Telegram's limits: about 30 messages a second in bulk, about one a second in one chat (short
bursts pass), 20 a minute in one group; and any call may still answer 429 with `retry_after`.
PTB's AIORateLimiter puts every call that names a chat — edits, the next card, replies — in one
30-a-second queue, so a grade waits behind the daily push of thousands. Here traffic has two
classes:

- **replies** (the default): answers to a person's action — callback answers, edits, the next
  card, command answers. They wait only for their own chat's and group's limits.
- **broadcasts** (calls made inside `broadcasting()`): daily pushes, group posts, notices to
  admins. They also wait for the broadcast budget (`Settings.broadcast_per_second`). A new
  message sent as a reply takes a token from that budget (when none is free it goes anyway, and
  the next broadcast waits for one more), so broadcasts slow down while people are being
  answered: replies plus broadcasts stay within the budget, under Telegram's 30/s.

Per chat, only new messages count (edits and callback answers add nothing to the chat); in a
group every write counts; reads (admin checks and the like) are never limited.

A 429 is "wait", never "fail": the call sleeps `retry_after` and is sent again, and broadcasts
pause for as long. A reply keeps trying for up to `reply_patience` seconds of waiting; a
broadcast gives up after `broadcast_retries` and raises RetryAfter, and the timetable gives the
push back for a later sweep that day.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import Forbidden, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.metrics import API_CALLS, RATE_LIMIT_WAIT

__all__ = [
    "UNLIMITED_READS",
    "Traffic",
    "TrafficRateLimiter",
    "broadcasting",
]

log = logging.getLogger(__name__)

UNLIMITED_READS = frozenset(
    {
        "getChat",
        "getChatAdministrators",
        "getChatMember",
        "getChatMemberCount",
        "getMe",
        "getMyCommands",
    }
)
# Calls that put a new message into a chat (per-chat limit, broadcast budget).
_NEW_MESSAGE_PREFIXES = ("send", "copyMessage", "forwardMessage")
_MAX_IDLE_LIMITERS = 512

Result = bool | dict[str, Any] | list[dict[str, Any]]


class Traffic(enum.Enum):
    """Which class a Bot API call belongs to."""

    REPLY = "reply"
    BROADCAST = "broadcast"


_traffic: ContextVar[Traffic] = ContextVar("flashtutor_traffic", default=Traffic.REPLY)


@contextlib.contextmanager
def broadcasting() -> Iterator[None]:
    """Calls made inside this block (and the tasks it starts) are broadcasts."""
    token = _traffic.set(Traffic.BROADCAST)
    try:
        yield
    finally:
        _traffic.reset(token)


class TrafficRateLimiter(BaseRateLimiter[Traffic]):
    """Replies first, broadcasts within a budget; per-chat and per-group limits for both.

    `rate_limit_args` (PTB's per-call argument) may name the class explicitly; otherwise the
    class is the one `broadcasting()` set for the calling task.
    """

    def __init__(
        self,
        *,
        broadcast_per_second: float = 25.0,
        chat_burst: int = 5,
        chat_per_second: float = 1.0,
        group_per_minute: int = 20,
        broadcast_retries: int = 3,
        reply_patience: float = 120.0,
    ) -> None:
        if broadcast_per_second <= 0:
            raise ValueError("broadcast_per_second must be positive")
        # A leaky bucket holding a tenth of a second's budget: small enough that no one-second
        # window sees more than 1.1 × the rate, large enough that a stall of the event loop
        # does not lose budget (a one-token bucket fell to ~16/s under load in
        # bench/push_burst.py).
        burst = max(1.0, broadcast_per_second / 10)
        self.budget = AsyncLimiter(burst, burst / broadcast_per_second)
        self._chat_burst = chat_burst
        self._chat_period = chat_burst / chat_per_second
        self._group_per_minute = group_per_minute
        self._chat_limiters: dict[int, AsyncLimiter] = {}
        self._group_limiters: dict[int | str, AsyncLimiter] = {}
        self._broadcast_retries = broadcast_retries
        self._reply_patience = reply_patience
        self._broadcasts_resume_at = 0.0
        # Reply messages sent while the budget had no token: broadcasts pay these back first.
        self._reply_debt = 0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Traffic | None,
    ) -> Result:
        traffic = rate_limit_args or _traffic.get()
        waited, attempt = 0.0, 0
        while True:
            try:
                return await self._send_once(traffic, callback, args, kwargs, endpoint, data)
            except RetryAfter as error:
                delay = _seconds(error) + 0.1
                self._pause_broadcasts(delay)
                attempt += 1
                if traffic is Traffic.BROADCAST:
                    gave_up = attempt > self._broadcast_retries
                else:
                    gave_up = waited + delay > self._reply_patience
                if gave_up:
                    log.warning(
                        "%s %s: Telegram still asks to wait %.0fs after %d tries; giving up",
                        traffic.value,
                        endpoint,
                        delay,
                        attempt,
                    )
                    raise
                log.info("%s %s: 429, retrying in %.1fs", traffic.value, endpoint, delay)
                await asyncio.sleep(delay)
                waited += delay

    async def _send_once(
        self,
        traffic: Traffic,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
    ) -> Result:
        chat_id = None if endpoint in UNLIMITED_READS else _chat_id(data)
        new_message = endpoint.startswith(_NEW_MESSAGE_PREFIXES)
        if isinstance(chat_id, str) or (chat_id is not None and chat_id < 0):
            chat_limit: AsyncLimiter | None = self._group_limiter(chat_id)
        elif chat_id is not None and new_message:
            chat_limit = self._chat_limiter(chat_id)
        else:
            chat_limit = None
        started = time.monotonic()
        if chat_limit is not None:
            await chat_limit.acquire()
        if traffic is Traffic.BROADCAST:
            await self._broadcast_turn()
        elif new_message:
            if self.budget.has_capacity():
                # Never waits (capacity was just checked): it only leaves broadcasts less room.
                await self.budget.acquire()
            else:
                self._reply_debt += 1  # sent now all the same; a broadcast waits for it
        RATE_LIMIT_WAIT.labels(traffic.value).observe(time.monotonic() - started)
        try:
            result = await callback(*args, **kwargs)
        except RetryAfter:
            API_CALLS.labels(endpoint, "429").inc()
            raise
        except Forbidden:
            API_CALLS.labels(endpoint, "403").inc()
            raise
        except Exception:
            API_CALLS.labels(endpoint, "error").inc()
            raise
        API_CALLS.labels(endpoint, "ok").inc()
        return result

    async def _broadcast_turn(self) -> None:
        """Wait out a 429 pause, then take a token from the broadcast budget."""
        loop = asyncio.get_running_loop()
        # A 429 met while sleeping moves the resume time on: sleep until it stops moving.
        while (pause := self._broadcasts_resume_at - loop.time()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(pause)
        while self._reply_debt > 0:
            self._reply_debt -= 1
            await self.budget.acquire()
        await self.budget.acquire()

    def _pause_broadcasts(self, seconds: float) -> None:
        resume_at = asyncio.get_running_loop().time() + seconds
        self._broadcasts_resume_at = max(self._broadcasts_resume_at, resume_at)

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        return _limiter_for(
            self._chat_limiters, chat_id, lambda: AsyncLimiter(self._chat_burst, self._chat_period)
        )

    def _group_limiter(self, chat_id: int | str) -> AsyncLimiter:
        return _limiter_for(
            self._group_limiters, chat_id, lambda: AsyncLimiter(self._group_per_minute, 60)
        )


def _limiter_for(table: dict, key: Any, make: Callable[[], AsyncLimiter]) -> AsyncLimiter:
    limiter = table.get(key)
    if limiter is None:
        if len(table) > _MAX_IDLE_LIMITERS:
            # Forget chats whose bucket has drained: they are back to a full burst anyway.
            for other, bucket in list(table.items()):
                if bucket.has_capacity(bucket.max_rate):
                    del table[other]
        limiter = table[key] = make()
    return limiter


def _chat_id(data: dict[str, Any]) -> int | str | None:
    value = data.get("chat_id")
    if value is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        return int(value)
    return str(value)  # an @username: a channel or supergroup


def _seconds(error: RetryAfter) -> float:
    # The public `retry_after` warns about its int/timedelta transition; PTB's own
    # AIORateLimiter reads the timedelta the same way.
    return error._retry_after.total_seconds()
