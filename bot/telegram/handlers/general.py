"""Help, unknown input, the callback router and the error handler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError

from bot.services.push import mark_blocked
from bot.storage.db import DATABASE_ERRORS, is_database_unavailable
from bot.telegram import callbacks as cb
from bot.telegram import texts
from bot.telegram.answering import answer_if_slow, was_answered
from bot.telegram.context import FlashContext
from bot.telegram.handlers import groups, review
from bot.telegram.messages import send_html

__all__ = [
    "on_button",
    "on_error",
    "on_help",
    "on_stray_text",
    "on_unknown_button",
    "on_unknown_command",
]

log = logging.getLogger(__name__)


async def on_help(update: Update, context: FlashContext) -> None:
    """/help: what the bot does and its commands."""
    await send_html(context.bot, update.effective_chat.id, texts.HELP)


async def on_unknown_command(update: Update, context: FlashContext) -> None:
    """Any command we do not have."""
    await send_html(context.bot, update.effective_chat.id, texts.UNKNOWN_COMMAND)


async def on_stray_text(update: Update, context: FlashContext) -> None:
    """Plain text, stickers and the like in private chat; text typed while a review card
    waits is taken as the learner's attempt at it."""
    if update.effective_message.text and await review.review_attempt(update, context):
        return
    await send_html(context.bot, update.effective_chat.id, texts.STRAY_TEXT)


ButtonHandler = Callable[[Update, FlashContext, Any], Awaitable[None]]


def on_button(
    kind: type, handle: ButtonHandler
) -> Callable[[Update, FlashContext], Awaitable[None]]:
    """The CallbackQueryHandler callback for one kind of button: `handle` gets the decoded
    payload, and the spinner stops within a second even if it waits on a busy database."""

    async def on_press(update: Update, context: FlashContext) -> None:
        query = update.callback_query
        data = cb.parse(kind, query.data)
        if query.message is None or data is None:
            await on_unknown_button(update, context)
            return
        watchdog = asyncio.create_task(answer_if_slow(query, texts.STILL_WORKING))
        try:
            await handle(update, context, data)
        finally:
            watchdog.cancel()

    on_press.__doc__ = f"A {kind.__name__} button: decoded, then {handle.__name__}."
    return on_press


async def on_unknown_button(update: Update, context: FlashContext) -> None:
    """A press no button kind took: forged or foreign data gets a short answer."""
    query = update.callback_query
    if query.message is None:
        # An inline-mode message (we send none) or a forged query: no chat to act in.
        await query.answer(texts.BUTTON_WITHOUT_CHAT)
        return
    await query.answer(texts.FORGED)


async def on_error(update: object, context: FlashContext) -> None:
    """Log every failure with its cause and tell the user in words, once."""
    error = context.error
    if isinstance(update, Update) and await groups.on_group_error(update, context):
        return  # a group the bot may no longer write to, or that moved to a supergroup
    if isinstance(update, Update) and isinstance(error, Forbidden) and update.effective_user:
        log.info("user %s blocked the bot", update.effective_user.id)
        try:
            async with context.runtime.db.session() as session:
                await mark_blocked(session, user_id=update.effective_user.id)
        except DATABASE_ERRORS:
            log.exception("could not mark user blocked")
        return
    if update is None and isinstance(error, NetworkError):
        # Polling lost Telegram for a moment; PTB retries by itself. One line, no traceback.
        log.warning("Telegram unreachable while polling: %s", error)
        return
    database_down = is_database_unavailable(error)
    if database_down:
        log.error("database unavailable while handling an update: %s", error)
    else:
        log.error("unhandled error while handling an update", exc_info=error)
    if not isinstance(update, Update):
        return
    text = texts.DB_UNAVAILABLE if database_down else texts.INTERNAL_ERROR
    query = update.callback_query
    try:
        if query is not None and not was_answered(query):
            await query.answer(text[:200], show_alert=True)
        elif update.effective_chat is not None:
            # The press was answered already (its toast, or "still working"): say it here.
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)
