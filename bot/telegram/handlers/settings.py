"""Personal settings: review time, timezone, new cards per day, pause and resume."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update

from bot.services import parameters, users
from bot.storage.models import User
from bot.telegram import texts
from bot.telegram.context import FlashContext
from bot.telegram.handlers import daily_time
from bot.telegram.handlers.command_input import load_user, number_argument
from bot.telegram.handlers.daily_time import DailyTime
from bot.telegram.messages import send_html

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
        decks = [d.title for d in await users.active_decks(session, user_id=user.id)]
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
            fitted=parameters.personal_parameters(user),
            leech_threshold=user.leech_threshold,
        ),
    )


def _time_set(user: User, minute: int, now: datetime, _context: FlashContext) -> str:
    return texts.time_set(minute, user.timezone, user.next_push_at, now)


def _timezone_set(user: User, zone: ZoneInfo, now: datetime, _context: FlashContext) -> str:
    return texts.timezone_set(zone.key, now, user.next_push_at)


def _paused(user: User, paused: bool, changed: bool, now: datetime, _context: FlashContext) -> str:
    if paused:
        return texts.PAUSED if changed else texts.ALREADY_PAUSED
    reply = texts.resumed if changed else texts.already_resumed
    return reply(user.next_push_at, user.timezone, now)


async def _load(session, context: FlashContext, update: Update) -> User:
    return await load_user(session, context.runtime, update.effective_user)


# The learner's daily message, for the /time, /timezone, /pause and /resume flows.
DAILY_MESSAGE = DailyTime(
    load=_load,
    minute=lambda user: user.review_minute,
    set_time=lambda user, minute, now: users.set_review_time(user, minute=minute, now=now),
    set_timezone=lambda user, zone, now: users.set_timezone(user, zone=zone, now=now),
    set_paused=lambda user, paused, now: users.set_paused(user, paused=paused, now=now),
    time_current=texts.time_current,
    time_set=_time_set,
    timezone_current=texts.timezone_current,
    timezone_set=_timezone_set,
    paused=_paused,
)


async def on_time(update: Update, context: FlashContext) -> None:
    """/time HH:MM: the daily review time in the user's timezone (without one: the current)."""
    await daily_time.on_time(update, context, DAILY_MESSAGE)


async def on_timezone(update: Update, context: FlashContext) -> None:
    """/timezone Area/City: an IANA name; a bad one gets suggestions (none: the current)."""
    await daily_time.on_timezone(update, context, DAILY_MESSAGE)


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
        users.set_new_cards(user, count=count)
    await _reply(update, context, texts.newcards_set(count))


async def on_pause(update: Update, context: FlashContext) -> None:
    """/pause: no daily messages until /resume."""
    await daily_time.on_pause_or_resume(update, context, DAILY_MESSAGE, paused=True)


async def on_resume(update: Update, context: FlashContext) -> None:
    """/resume: daily messages again."""
    await daily_time.on_pause_or_resume(update, context, DAILY_MESSAGE, paused=False)
