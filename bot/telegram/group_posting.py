"""Sending group posts: the daily cards, their live grade counts, and what to do when refused.

Used by the timetable (scheduler.group_posts: daily posts, flushing throttled counts) and by
the grade handler (the count edit a press may trigger). Telegram's 20-messages-a-minute group limit is kept by the
Application's rate limiter, which every call here goes through.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.runtime import Runtime
from bot.services import groups
from bot.telegram import keyboards, texts
from bot.telegram.rate_limits import broadcasting

__all__ = [
    "GroupSweepReport",
    "edit_post_count",
    "is_no_rights",
    "notify_admins",
    "render_post",
]

log = logging.getLogger(__name__)

# How Telegram words "you may not send here" as a 400 (muted bot, or a restricted chat).
_NO_RIGHTS = ("not enough rights", "have no rights", "chat_write_forbidden", "chat_restricted")


def is_no_rights(error: TelegramError) -> bool:
    """A 400 that means the bot is in the chat but may not send messages there."""
    return isinstance(error, BadRequest) and any(
        marker in error.message.lower() for marker in _NO_RIGHTS
    )


@dataclass
class GroupSweepReport:
    examined: int = 0
    posted: list[int] = field(default_factory=list)  # chat ids that got their daily post
    removed: list[int] = field(default_factory=list)  # the bot is no longer a member
    no_rights: list[int] = field(default_factory=list)  # the bot may not post any more
    migrated: list[tuple[int, int]] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # released for a retry later today
    counts_edited: int = 0


def render_post(view: groups.PostView) -> str:
    return texts.group_post(
        deck_title=view.deck_title,
        number=view.number,
        total=view.total,
        question=view.question,
        answer=view.answer,
        graded=view.graded,
        text_format=view.text_format,
    )


async def edit_post_count(bot: Bot, view: groups.PostView) -> bool:
    """Show a post's current count; a failed edit is logged, never raised (it is cosmetic)."""
    try:
        await bot.edit_message_text(
            render_post(view),
            chat_id=view.chat_id,
            message_id=view.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboards.group_grades(view.post_id),
            disable_web_page_preview=True,
        )
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            log.warning("could not update post %s in %s: %s", view.post_id, view.chat_id, error)
        return False
    except TelegramError as error:
        log.warning("could not update post %s in %s: %s", view.post_id, view.chat_id, error)
        return False
    return True


async def notify_admins(bot: Bot, runtime: Runtime, chat_id: int, text: str) -> int:
    """Tell the group's admins privately, those the bot may message; returns how many heard."""
    try:
        admins = await bot.get_chat_administrators(chat_id)
    except TelegramError as error:
        log.info("cannot list the admins of %s: %s", chat_id, error)
        return 0
    ids = [admin.user.id for admin in admins if not admin.user.is_bot]
    async with runtime.db.session() as session:
        reachable = await groups.reachable_users(session, user_ids=ids)
    told = 0
    for user_id in reachable:
        try:
            with broadcasting():  # nobody asked for it: it must not delay replies
                await bot.send_message(user_id, text, parse_mode=ParseMode.HTML)
            told += 1
        except TelegramError as error:
            log.info("could not tell admin %s about %s: %s", user_id, chat_id, error)
    return told
