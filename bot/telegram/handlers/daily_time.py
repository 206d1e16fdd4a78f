"""/time, /timezone, /pause and /resume: one flow for a learner's daily message and a group's
daily post; a `DailyTime` says whose row it is, how to change it and how to word it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update

from bot.telegram.context import FlashContext
from bot.telegram.handlers.command_input import time_argument, timezone_argument
from bot.telegram.messages import send_html

__all__ = ["DailyTime", "on_pause_or_resume", "on_time", "on_timezone"]

Owner = Any  # a User or a Group row


@dataclass(frozen=True)
class DailyTime:
    """Whose daily time a command changes (a learner's push, a group's post) and its texts."""

    load: Callable[[Any, FlashContext, Update], Awaitable[Owner]]  # (session, context, update)
    minute: Callable[[Owner], int]
    set_time: Callable[[Owner, int, datetime], None]
    set_timezone: Callable[[Owner, str, datetime], None]
    set_paused: Callable[[Owner, bool, datetime], bool]  # whether anything changed
    time_current: Callable[[int, str], str]  # (minute, timezone)
    time_set: Callable[[Owner, int, datetime, FlashContext], str]
    timezone_current: Callable[[str, datetime], str]  # (timezone, local now)
    timezone_set: Callable[[Owner, ZoneInfo, datetime, FlashContext], str]
    paused: Callable[[Owner, bool, bool, datetime, FlashContext], str]  # (…, paused, changed, …)


async def _reply(update: Update, context: FlashContext, text: str) -> None:
    await send_html(context.bot, update.effective_chat.id, text)


async def _load(update: Update, context: FlashContext, scope: DailyTime) -> Owner:
    async with context.runtime.db.session() as session:
        return await scope.load(session, context, update)


async def on_time(update: Update, context: FlashContext, scope: DailyTime) -> None:
    """/time HH:MM sets the daily time; bare, it shows the current one."""
    if not context.args:
        owner = await _load(update, context, scope)
        await _reply(update, context, scope.time_current(scope.minute(owner), owner.timezone))
        return
    minute = await time_argument(update, context)
    if minute is None:
        return
    now = context.runtime.now()
    async with context.runtime.db.session() as session:
        owner = await scope.load(session, context, update)
        scope.set_time(owner, minute, now)
    await _reply(update, context, scope.time_set(owner, minute, now, context))


async def on_timezone(update: Update, context: FlashContext, scope: DailyTime) -> None:
    """/timezone Area/City sets the zone (a bad name gets suggestions); bare, shows it."""
    if not context.args:
        owner = await _load(update, context, scope)
        local_now = context.runtime.now().astimezone(ZoneInfo(owner.timezone))
        await _reply(update, context, scope.timezone_current(owner.timezone, local_now))
        return
    zone = await timezone_argument(update, context)
    if zone is None:
        return
    now = context.runtime.now()
    async with context.runtime.db.session() as session:
        owner = await scope.load(session, context, update)
        scope.set_timezone(owner, zone.key, now)
    await _reply(update, context, scope.timezone_set(owner, zone, now, context))


async def on_pause_or_resume(
    update: Update, context: FlashContext, scope: DailyTime, *, paused: bool
) -> None:
    """/pause or /resume the daily time."""
    now = context.runtime.now()
    async with context.runtime.db.session() as session:
        owner = await scope.load(session, context, update)
        changed = scope.set_paused(owner, paused, now)
    await _reply(update, context, scope.paused(owner, paused, changed, now, context))
