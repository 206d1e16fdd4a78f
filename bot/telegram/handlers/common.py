"""Shared handler plumbing: the user row for an update, and sending long HTML safely."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram import User as TgUser
from telegram.constants import ParseMode

from bot.runtime import Runtime
from bot.services.users import ensure_user
from bot.storage.models import User
from bot.telegram import texts

__all__ = ["load_user", "send_html"]


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
