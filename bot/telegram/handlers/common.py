"""Shared handler plumbing: the user row for an update, sending long HTML safely, and reading
the arguments of the settings commands private chats and groups both have."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram import User as TgUser
from telegram.constants import ParseMode

from bot.core.localtime import parse_review_time, resolve_timezone, suggest_timezones
from bot.runtime import Runtime
from bot.services.users import ensure_user
from bot.storage.models import User
from bot.telegram import texts
from bot.telegram.context import FlashContext

__all__ = ["load_user", "number_argument", "send_html", "time_argument", "timezone_argument"]


async def load_user(session, runtime: Runtime, tg_user: TgUser, *, unblock: bool = False) -> User:
    """The database row for the Telegram user behind an update (created on first contact)."""
    user, _created = await ensure_user(
        session,
        user_id=tg_user.id,
        first_name=tg_user.first_name or "",
        username=tg_user.username,
        now=runtime.now(),
        defaults=runtime.defaults,
        unblock=unblock,
    )
    return user


async def send_html(
    bot: Bot,
    chat_id: int,
    blocks: list[str] | str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send HTML split into as many messages as needed; the keyboard goes on the last one."""
    parts = texts.split_message([blocks] if isinstance(blocks, str) else blocks)
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


_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def number_argument(args: list[str], low: int, high: int) -> int | None:
    """A command's single whole-number argument, None unless it lies from `low` to `high`."""
    # ASCII digits only: str.isdigit() also accepts '²', which int() then refuses.
    if len(args) != 1 or not _WHOLE_NUMBER.fullmatch(args[0]) or not low <= int(args[0]) <= high:
        return None
    return int(args[0])


async def time_argument(update: Update, context: FlashContext) -> int | None:
    """The HH:MM of /time in minutes after midnight; a bad one is answered with the usage."""
    try:
        return parse_review_time(" ".join(context.args or []))
    except ValueError:
        await send_html(context.bot, update.effective_chat.id, texts.TIME_USAGE)
        return None


async def timezone_argument(update: Update, context: FlashContext) -> ZoneInfo | None:
    """The zone /timezone names; an unknown name is answered with close names and the usage."""
    name = " ".join(context.args or []).strip()
    try:
        return resolve_timezone(name)
    except ValueError:
        text = texts.timezone_unknown(name, suggest_timezones(name))
        await send_html(context.bot, update.effective_chat.id, text)
        return None
