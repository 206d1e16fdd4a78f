"""Personal settings: review time, timezone, new cards per day, pause and resume."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update

from bot.services import users
from bot.storage.models import User
from bot.telegram import texts
from bot.telegram.context import FlashContext
from bot.telegram.handlers.common import (
    load_user,
    number_argument,
    send_html,
    time_argument,
    timezone_argument,
)

__all__ = ["on_newcards", "on_pause", "on_resume", "on_settings", "on_time", "on_timezone"]


async def _reply(update: Update, context: FlashContext, text: str) -> None:
    await send_html(context.bot, update.effective_chat.id, text)


async def _current_user(context: FlashContext, update: Update) -> User:
    """The user's row as it is now, to show a setting's current value."""
    async with context.runtime.db.session() as session:
        return await load_user(session, context.runtime, update.effective_user)


async def on_settings(update: Update, context: FlashContext) -> None:
    """/settings: show everything the user can change."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        decks = [d.title for d in await users.active_decks(session, user.id)]
    await _reply(
        update,
        context,
        texts.settings(
            timezone=user.timezone,
            review_minute=user.review_minute,
            new_cards=user.new_cards_per_day,
            retention=user.desired_retention,
            paused=user.paused,
            decks=decks,
            next_push=user.next_push_at,
        ),
    )


async def on_time(update: Update, context: FlashContext) -> None:
    """/time HH:MM: the daily review time in the user's timezone (without one: the current)."""
    if not context.args:
        user = await _current_user(context, update)
        await _reply(update, context, texts.time_current(user.review_minute, user.timezone))
        return
    minute = await time_argument(update, context)
    if minute is None:
        return
    runtime = context.runtime
    now = runtime.now()
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        await users.set_review_time(session, user, minute, now)
    await _reply(update, context, texts.time_set(minute, user.timezone, user.next_push_at, now))


async def on_timezone(update: Update, context: FlashContext) -> None:
    """/timezone Area/City: an IANA name; a bad one gets suggestions (none: the current)."""
    if not context.args:
        user = await _current_user(context, update)
        local_now = context.runtime.now().astimezone(ZoneInfo(user.timezone))
        await _reply(update, context, texts.timezone_current(user.timezone, local_now))
        return
    zone = await timezone_argument(update, context)
    if zone is None:
        return
    runtime = context.runtime
    now = runtime.now()
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        await users.set_timezone(session, user, zone.key, now)
    await _reply(update, context, texts.timezone_set(zone.key, now, user.next_push_at))


async def on_newcards(update: Update, context: FlashContext) -> None:
    """/newcards N: how many new cards to introduce per day (without N: the current number)."""
    if not context.args:
        user = await _current_user(context, update)
        await _reply(update, context, texts.newcards_current(user.new_cards_per_day))
        return
    count = number_argument(context.args or [], 0, 1000)
    if count is None:
        await _reply(update, context, texts.NEWCARDS_USAGE)
        return
    runtime = context.runtime
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        await users.set_new_cards(session, user, count)
    await _reply(update, context, texts.newcards_set(count))


async def _set_paused(update: Update, context: FlashContext, paused: bool) -> None:
    runtime = context.runtime
    now = runtime.now()
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        changed = user.paused != paused
        await users.set_paused(session, user, paused, now)
    if paused:
        await _reply(update, context, texts.PAUSED if changed else texts.ALREADY_PAUSED)
    elif changed:
        await _reply(update, context, texts.resumed(user.next_push_at, user.timezone, now))
    else:
        await _reply(update, context, texts.already_resumed(user.next_push_at, user.timezone, now))


async def on_pause(update: Update, context: FlashContext) -> None:
    """/pause: no daily messages until /resume."""
    await _set_paused(update, context, True)


async def on_resume(update: Update, context: FlashContext) -> None:
    """/resume: daily messages again."""
    await _set_paused(update, context, False)
