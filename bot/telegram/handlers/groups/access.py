"""What every group handler shares: the group row for an update, its next post line, the admin check."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from telegram import Chat, Update
from telegram.constants import ChatMemberStatus

from bot.services import groups
from bot.storage.models import Group
from bot.telegram import texts
from bot.telegram.context import FlashContext
from bot.telegram.messages import send_html

__all__ = [
    "ADMIN_STATUSES",
    "GROUP_TYPES",
    "MEMBER_STATUSES",
    "admin_only",
    "admin_to_change",
    "current_group",
    "is_admin",
    "load_group",
    "next_post_line",
    "reply",
]


GROUP_TYPES = (Chat.GROUP, Chat.SUPERGROUP)


ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
MEMBER_STATUSES = (ChatMemberStatus.MEMBER, *ADMIN_STATUSES)


Handler = Callable[[Update, FlashContext], Awaitable[None]]


async def reply(update: Update, context: FlashContext, text: str, markup=None) -> None:
    await send_html(context.bot, update.effective_chat.id, text, markup)


def next_post_line(group: Group, context: FlashContext) -> str:
    """When the group's next daily post comes ('Next post today at 18:00.'), or why none."""
    return texts.group_next_post(
        group.next_post_at,
        group.timezone,
        context.runtime.now(),
        has_deck=group.deck_id is not None,
        paused=group.paused,
    )


async def load_group(session, context: FlashContext, update: Update) -> Group:
    """The group row for the update's chat, recording the sender as a member."""
    runtime, chat, user = context.runtime, update.effective_chat, update.effective_user
    now = runtime.now()
    group = await groups.ensure_group(
        session, chat_id=chat.id, title=chat.title or "", now=now, defaults=runtime.defaults
    )
    if user is not None and not user.is_bot:
        await groups.ensure_member(
            session,
            chat_id=chat.id,
            user_id=user.id,
            first_name=user.first_name or "",
            username=user.username,
            now=now,
            defaults=runtime.defaults,
        )
    return group


async def current_group(context: FlashContext, update: Update) -> Group:
    """The group's row as it is now, to show a setting's current value."""
    async with context.runtime.db.session() as session:
        return await load_group(session, context, update)


async def is_admin(update: Update, context: FlashContext) -> bool:
    """Whether the sender administers this group (asked of Telegram, never cached)."""
    chat, message = update.effective_chat, update.message
    if message is not None and message.sender_chat is not None:
        # An anonymous admin writes as the group itself; nobody else can.
        return message.sender_chat.id == chat.id
    member = await context.bot.get_chat_member(chat.id, update.effective_user.id)
    return member.status in ADMIN_STATUSES


def admin_only(handler: Handler) -> Handler:
    """Run the handler for admins; anyone else gets a polite refusal."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: FlashContext) -> None:
        if not await is_admin(update, context):
            await reply(update, context, texts.GROUP_ADMIN_ONLY)
            return
        await handler(update, context)

    return guarded


def admin_to_change(handler: Handler) -> Handler:
    """Like admin_only, except that anyone may send the command bare to see the value."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: FlashContext) -> None:
        if context.args and not await is_admin(update, context):
            await reply(update, context, texts.GROUP_ADMIN_ONLY)
            return
        await handler(update, context)

    return guarded
