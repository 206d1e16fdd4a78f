"""The rate limiter: PTB's AIORateLimiter, with the per-group limit counting only writes.

Telegram lets a bot send about 20 messages a minute to one group (edits count too). Reading a
group — asking whether the sender is an admin, listing the admins — sends nothing there, but
AIORateLimiter counts every call that names a group chat, so an admin check per command would
spend a busy group's message budget and stall its replies. Reads therefore bypass the limiter;
everything else (sends, edits, polls) waits its turn per group and overall.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

__all__ = ["UNLIMITED_READS", "GroupAwareRateLimiter"]

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


class GroupAwareRateLimiter(AIORateLimiter):
    """AIORateLimiter whose group and overall limits apply to writes, not to reads."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint in UNLIMITED_READS:
            # Without a chat id AIORateLimiter applies neither the group nor the overall limit;
            # the request itself still carries its data through `args`.
            data = {key: value for key, value in data.items() if key != "chat_id"}
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
