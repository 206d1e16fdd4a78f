"""A group's setup: /help, /settings, and the admin commands /deck, /time, /timezone, /cards_per_post, /pause, /resume."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ParseMode

from bot.services import groups
from bot.services.decks import deck_by_id, deck_by_slug, list_decks
from bot.services.owned_decks import DeckNotFound, NotDeckOwner, owned_decks
from bot.services.personal_decks import live_card_count
from bot.services.sharing import is_share_code, set_group_deck_for_admin
from bot.storage.models import Group
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import GroupDeck, GroupOwnDeck
from bot.telegram.context import FlashContext
from bot.telegram.handlers import daily_time
from bot.telegram.handlers.command_input import number_argument
from bot.telegram.handlers.daily_time import DailyTime
from bot.telegram.handlers.groups.access import (
    GROUP_TYPES,
    admin_only,
    admin_to_change,
    current_group,
    is_admin,
    load_group,
    next_post_line,
    reply,
)

__all__ = [
    "DAILY_POST",
    "on_group_cards_per_post",
    "on_group_deck",
    "on_group_deck_pick",
    "on_group_help",
    "on_group_pause",
    "on_group_resume",
    "on_group_settings",
    "on_group_time",
    "on_group_timezone",
]


_SHARE_LINK = re.compile(r"(?:https?://)?t\.me/[A-Za-z0-9_]{1,64}\?start=([A-Za-z0-9_-]{1,64})")


async def on_group_help(update: Update, context: FlashContext) -> None:
    """/help or /start in a group: how group study works."""
    async with context.runtime.db.session() as session:
        await load_group(session, context, update)
    await reply(update, context, texts.group_help(context.bot.username))


async def on_group_settings(update: Update, context: FlashContext) -> None:
    """/settings in a group: its setup, for anyone."""
    async with context.runtime.db.session() as session:
        group = await load_group(session, context, update)
        deck = await deck_by_id(session, deck_id=group.deck_id)
    await reply(
        update,
        context,
        texts.group_settings(
            title=group.title,
            deck_title=deck.title if deck else None,
            timezone=group.timezone,
            post_minute=group.post_minute,
            cards_per_post=group.cards_per_post,
            paused=group.paused,
            can_post=group.can_post,
            next_post=group.next_post_at,
            deck_removed=deck is not None and deck.retired,
        ),
    )


async def _choose_deck(context: FlashContext, update: Update, slug: str | None):
    """Set the group's deck; returns (deck, card count, group) or (None, catalogue, group).

    The catalogue is the bundled decks, then the sender's own decks as `~<id>` entries.
    """
    runtime = context.runtime
    async with runtime.db.session() as session:
        group = await load_group(session, context, update)
        deck = await deck_by_slug(session, slug=slug) if slug else None
        catalogue = await list_decks(session)
        if deck is None:
            found = [(d.slug, d.title, n) for d, n in catalogue]
            sender = update.effective_user
            if (
                sender is not None
                and not sender.is_bot
                and update.effective_message.sender_chat is None
            ):
                own = await owned_decks(session, owner_id=sender.id)
                found += [(f"~{d.id}", d.title, n) for d, n in own]
            return None, found, group
        groups.set_group_deck(group, deck=deck, now=runtime.now())
        count = next((n for d, n in catalogue if d.id == deck.id), 0)
    return deck, count, group


def _share_code(argument: str) -> str | None:
    """The share code in a `/deck` argument: a t.me link with ?start=<code>, or the code."""
    match = _SHARE_LINK.fullmatch(argument)
    code = match.group(1) if match else argument
    return code if is_share_code(code) else None


async def _choose_shared_deck(context: FlashContext, update: Update, *, code=None, deck_id=None):
    """An admin sets the group's deck to one they own (`deck_id`) or open by link (`code`);
    returns (deck, card count, group) or (None, refusal, group)."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        group = await load_group(session, context, update)
        try:
            deck = await set_group_deck_for_admin(
                session,
                group=group,
                admin_id=update.effective_user.id,
                now=runtime.now(),
                deck_id=deck_id,
                share_code=code,
            )
        except NotDeckOwner:
            return None, texts.GROUP_NOT_YOUR_DECK, group
        except DeckNotFound:
            return None, texts.GROUP_SHARE_LINK_DEAD if code else texts.UNKNOWN_DECK, group
        count = await live_card_count(session, deck_id=deck.id)
    return deck, count, group


@admin_only
async def on_group_deck(update: Update, context: FlashContext) -> None:
    """/deck [slug | share link]: choose the deck the group studies; without one, a picker
    (admins) of the bundled decks and the admin's own."""
    code = _share_code(context.args[0]) if context.args else None
    if code is not None:
        deck, found, group = await _choose_shared_deck(context, update, code=code)
        if deck is None:
            await reply(update, context, found)
            return
    else:
        slug = context.args[0].lower() if context.args else None
        deck, found, group = await _choose_deck(context, update, slug)
    if deck is not None:
        text = texts.group_deck_set(deck.title, found, next_post_line(group, context))
        await reply(update, context, text)
    elif not found:
        await reply(update, context, texts.GROUP_NO_DECKS)
    else:
        prompt = texts.GROUP_UNKNOWN_DECK if context.args else texts.GROUP_PICK_DECK
        await reply(update, context, prompt, keyboards.group_deck_choice(found))


async def on_group_deck_pick(
    update: Update, context: FlashContext, data: GroupDeck | GroupOwnDeck
) -> None:
    """A deck picker button: only an admin's press counts (an own deck: only its owner's)."""
    query = update.callback_query
    if update.effective_chat.type not in GROUP_TYPES:
        await query.answer(texts.GROUP_FOREIGN_BUTTON)
        return
    if not await is_admin(update, context):
        await query.answer(texts.GROUP_ADMIN_ONLY_TOAST)
        return
    if isinstance(data, GroupOwnDeck):
        deck, count, group = await _choose_shared_deck(context, update, deck_id=data.deck_id)
        refusal = count if deck is None else None
    else:
        deck, count, group = await _choose_deck(context, update, data.slug)
        refusal = texts.UNKNOWN_DECK if deck is None else None
    if refusal is not None:
        await query.answer(refusal)
        return
    await query.answer()
    await query.edit_message_text(
        texts.group_deck_set(deck.title, count, next_post_line(group, context)),
        parse_mode=ParseMode.HTML,
    )


def _time_set(group: Group, minute: int, _now: datetime, context: FlashContext) -> str:
    return texts.group_time_set(minute, group.timezone, next_post_line(group, context))


def _timezone_set(group: Group, zone: ZoneInfo, now: datetime, context: FlashContext) -> str:
    return texts.group_timezone_set(zone.key, now.astimezone(zone), next_post_line(group, context))


def _paused(
    group: Group, paused: bool, changed: bool, _now: datetime, context: FlashContext
) -> str:
    if paused:
        return texts.GROUP_PAUSED if changed else texts.GROUP_ALREADY_PAUSED
    return texts.group_resumed(next_post_line(group, context), changed=changed)


# The group's daily post, for the /time, /timezone, /pause and /resume flows.
DAILY_POST = DailyTime(
    load=load_group,
    minute=lambda group: group.post_minute,
    set_time=lambda group, minute, now: groups.set_group_time(group, minute=minute, now=now),
    set_timezone=lambda group, zone, now: groups.set_group_timezone(group, zone=zone, now=now),
    set_paused=lambda group, paused, now: groups.set_group_paused(group, paused=paused, now=now),
    time_current=texts.group_time_current,
    time_set=_time_set,
    timezone_current=texts.group_timezone_current,
    timezone_set=_timezone_set,
    paused=_paused,
)


@admin_to_change
async def on_group_time(update: Update, context: FlashContext) -> None:
    """/time HH:MM: the group's daily post time (admins); bare, anyone sees the current one."""
    await daily_time.on_time(update, context, DAILY_POST)


@admin_to_change
async def on_group_timezone(update: Update, context: FlashContext) -> None:
    """/timezone Area/City: the group's timezone (admins); bare, anyone sees the current one."""
    await daily_time.on_timezone(update, context, DAILY_POST)


@admin_to_change
async def on_group_cards_per_post(update: Update, context: FlashContext) -> None:
    """/cards_per_post N: how many cards each daily post has, 1-5 (admins); bare, anyone
    sees the current number."""
    if not context.args:
        group = await current_group(context, update)
        await reply(update, context, texts.cards_per_post_current(group.cards_per_post))
        return
    count = number_argument(context.args or [], 1, groups.MAX_CARDS_PER_POST)
    if count is None:
        await reply(update, context, texts.CARDS_PER_POST_USAGE)
        return
    async with context.runtime.db.session() as session:
        group = await load_group(session, context, update)
        groups.set_cards_per_post(group, count=count)
    await reply(update, context, texts.cards_per_post_set(count))


@admin_only
async def on_group_pause(update: Update, context: FlashContext) -> None:
    """/pause: no daily post until /resume (admins)."""
    await daily_time.on_pause_or_resume(update, context, DAILY_POST, paused=True)


@admin_only
async def on_group_resume(update: Update, context: FlashContext) -> None:
    """/resume: the daily post again, also after the bot got its rights back (admins)."""
    await daily_time.on_pause_or_resume(update, context, DAILY_POST, paused=False)
