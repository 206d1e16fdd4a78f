"""What a command brings: the user row of its sender, and its arguments (a whole number, a time
of day, a timezone), read alike in private chats and groups."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from telegram import Update
from telegram import User as TgUser

from bot.core.localtime import parse_review_time, resolve_timezone, suggest_timezones
from bot.runtime import Runtime
from bot.services.users import ensure_user
from bot.storage.models import User
from bot.telegram import texts
from bot.telegram.context import FlashContext
from bot.telegram.messages import send_html

__all__ = ["load_user", "number_argument", "time_argument", "timezone_argument"]


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
