"""Sending and editing HTML messages: long texts split across messages (the keyboard on the
last), an edit that would not fit refused, buttons taken off an answered message."""

from __future__ import annotations

import logging

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.telegram.html import MAX_MESSAGE_CHARS, split_message, visible_length

__all__ = ["edit_html", "send_html", "strip_buttons"]

log = logging.getLogger(__name__)


async def send_html(
    bot: Bot,
    chat_id: int,
    blocks: list[str] | str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send HTML split into as many messages as needed; the keyboard goes on the last one."""
    parts = split_message([blocks] if isinstance(blocks, str) else blocks)
    message = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        message = await bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=reply_markup if last else None,
            disable_web_page_preview=True,
        )
    assert message is not None
    return message


async def edit_html(
    query: CallbackQuery, html_text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Replace the pressed message's text and buttons; False when it would not fit one message.

    An edit that changes nothing (a repeated tap raced with the first) is not an error.
    """
    if visible_length(html_text) > MAX_MESSAGE_CHARS:
        return False
    try:
        await query.edit_message_text(
            html_text,
            parse_mode=ParseMode.HTML,
            reply_markup=reply_markup,
            disable_web_page_preview=True,
        )
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
    return True


async def strip_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    """Take the buttons off a message whose question has been answered another way."""
    try:
        await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except BadRequest as error:
        # Already without buttons, or deleted by the user: nothing left to take away.
        log.debug("could not remove buttons of message %s: %s", message_id, error)
