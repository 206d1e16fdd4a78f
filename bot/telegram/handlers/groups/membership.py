"""The bot joining, leaving or losing its rights in a group; a group's upgrade; failed writes."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import ChatMigrated, Forbidden, TelegramError

from bot.services import groups
from bot.telegram import texts
from bot.telegram.context import FlashContext
from bot.telegram.group_posting import is_no_rights, notify_admins
from bot.telegram.handlers.groups.access import (
    GROUP_TYPES,
    MEMBER_STATUSES,
    reply,
)

__all__ = [
    "on_bot_membership",
    "on_group_error",
    "on_group_migrated",
]


log = logging.getLogger(__name__)


async def on_bot_membership(update: Update, context: FlashContext) -> None:
    """The bot was added to, removed from, or restricted in a group."""
    change = update.my_chat_member
    chat = change.chat
    if chat.type not in GROUP_TYPES:
        return
    new = change.new_chat_member
    restricted = new.status == ChatMemberStatus.RESTRICTED
    is_member = new.status in MEMBER_STATUSES or (restricted and new.is_member)
    can_post = is_member and (not restricted or bool(new.can_send_messages))
    runtime = context.runtime
    async with runtime.db.session() as session:
        result = await groups.bot_membership_changed(
            session,
            chat_id=chat.id,
            title=chat.title or "",
            is_member=is_member,
            can_post=can_post,
            now=runtime.now(),
            defaults=runtime.defaults,
        )
        group = await groups.group_by_id(session, chat_id=chat.id)
        next_post, zone = (group.next_post_at, group.timezone) if group else (None, "UTC")
    log.info("bot membership in group %s: %s", chat.id, result.value)
    if result is groups.BotMembership.JOINED and can_post:
        await reply(update, context, texts.group_welcome(context.bot.username))
    elif result is groups.BotMembership.RIGHTS_BACK:
        await reply(update, context, texts.group_can_post_again(next_post, zone))
    elif (result is groups.BotMembership.JOINED and not can_post) or (
        result is groups.BotMembership.RIGHTS_LOST
    ):
        await notify_admins(context.bot, runtime, chat.id, texts.group_rights_lost(chat.title))


async def on_group_migrated(update: Update, context: FlashContext) -> None:
    """A group became a supergroup: its setup and history move to the new chat id."""
    message = update.effective_message
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    else:
        old, new = message.migrate_from_chat_id, message.chat.id
    runtime = context.runtime
    async with runtime.db.session() as session:
        moved = await groups.migrate_group(
            session, old_chat_id=old, new_chat_id=new, now=runtime.now()
        )
    if moved:
        log.info("group %s moved to supergroup %s", old, new)


async def on_group_error(update: Update, context: FlashContext) -> bool:
    """Handle a failure to write to a group; True if it was one (called by the error handler)."""
    chat, error = update.effective_chat, context.error
    if chat is None or chat.type not in GROUP_TYPES:
        return False
    runtime = context.runtime
    if isinstance(error, ChatMigrated):
        async with runtime.db.session() as session:
            await groups.migrate_group(
                session, old_chat_id=chat.id, new_chat_id=error.new_chat_id, now=runtime.now()
            )
        return True
    if isinstance(error, Forbidden) or (isinstance(error, TelegramError) and is_no_rights(error)):
        still_member = not isinstance(error, Forbidden)
        log.info("cannot write to group %s: %s", chat.id, error)
        async with runtime.db.session() as session:
            changed = await groups.disable_posting(
                session, chat_id=chat.id, still_member=still_member
            )
        if still_member and changed:
            await notify_admins(context.bot, runtime, chat.id, texts.group_rights_lost(chat.title))
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):  # it may have been answered already
                await update.callback_query.answer()
        return True
    return False
