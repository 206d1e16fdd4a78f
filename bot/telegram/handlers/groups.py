"""Group study: joining a group, its admin-only setup, grading group posts, quizzes, progress."""

from __future__ import annotations

import contextlib
import functools
import logging
import random
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Chat, Poll, Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import ChatMigrated, Forbidden, TelegramError

from bot.services import groups, study
from bot.services.decks import deck_by_id, deck_by_slug, list_decks
from bot.services.owned_decks import DeckNotFound, NotDeckOwner, owned_decks
from bot.services.personal_decks import live_card_count
from bot.services.sharing import is_share_code, set_group_deck_for_admin
from bot.services.users import user_by_id
from bot.storage.models import Group
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import GroupDeck, GroupGrade, GroupOwnDeck
from bot.telegram.context import FlashContext
from bot.telegram.group_posting import edit_post_count, is_no_rights, notify_admins
from bot.telegram.handlers import daily_time
from bot.telegram.handlers.common import number_argument, send_html
from bot.telegram.handlers.daily_time import DailyTime
from bot.telegram.handlers.leeches import send_leech_notice

__all__ = [
    "QUIZ_COOLDOWN",
    "on_bot_membership",
    "on_group_cards_per_post",
    "on_group_deck",
    "on_group_deck_pick",
    "on_group_error",
    "on_group_grade",
    "on_group_help",
    "on_group_migrated",
    "on_group_pause",
    "on_group_progress",
    "on_group_quiz",
    "on_group_resume",
    "on_group_settings",
    "on_group_time",
    "on_group_timezone",
]

log = logging.getLogger(__name__)

GROUP_TYPES = (Chat.GROUP, Chat.SUPERGROUP)
QUIZ_COOLDOWN = timedelta(minutes=5)  # one round at a time keeps a group chat readable
_SHARE_LINK = re.compile(r"(?:https?://)?t\.me/[A-Za-z0-9_]{1,64}\?start=([A-Za-z0-9_-]{1,64})")
_ADMINS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
_MEMBERS = (ChatMemberStatus.MEMBER, *_ADMINS)
_GRADE_STATUS = {
    groups.GroupGradeStatus.ALREADY_GRADED: texts.GROUP_ALREADY_GRADED,
    groups.GroupGradeStatus.FOREIGN: texts.GROUP_FOREIGN_BUTTON,
    groups.GroupGradeStatus.CARD_GONE: texts.GROUP_CARD_GONE,
    groups.GroupGradeStatus.SUSPENDED: texts.STALE_SUSPENDED,
}

Handler = Callable[[Update, FlashContext], Awaitable[None]]


async def _reply(update: Update, context: FlashContext, text: str, markup=None) -> None:
    await send_html(context.bot, update.effective_chat.id, text, markup)


def _next_post_line(group: Group, context: FlashContext) -> str:
    """When the group's next daily post comes ('Next post today at 18:00.'), or why none."""
    return texts.group_next_post(
        group.next_post_at,
        group.timezone,
        context.runtime.now(),
        has_deck=group.deck_id is not None,
        paused=group.paused,
    )


async def _load_group(session, context: FlashContext, update: Update) -> Group:
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


async def _current_group(context: FlashContext, update: Update) -> Group:
    """The group's row as it is now, to show a setting's current value."""
    async with context.runtime.db.session() as session:
        return await _load_group(session, context, update)


async def _is_admin(update: Update, context: FlashContext) -> bool:
    """Whether the sender administers this group (asked of Telegram, never cached)."""
    chat, message = update.effective_chat, update.message
    if message is not None and message.sender_chat is not None:
        # An anonymous admin writes as the group itself; nobody else can.
        return message.sender_chat.id == chat.id
    member = await context.bot.get_chat_member(chat.id, update.effective_user.id)
    return member.status in _ADMINS


def _admin_only(handler: Handler) -> Handler:
    """Run the handler for admins; anyone else gets a polite refusal."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: FlashContext) -> None:
        if not await _is_admin(update, context):
            await _reply(update, context, texts.GROUP_ADMIN_ONLY)
            return
        await handler(update, context)

    return guarded


def _admin_to_change(handler: Handler) -> Handler:
    """Like _admin_only, except that anyone may send the command bare to see the value."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: FlashContext) -> None:
        if context.args and not await _is_admin(update, context):
            await _reply(update, context, texts.GROUP_ADMIN_ONLY)
            return
        await handler(update, context)

    return guarded


# --- joining, leaving, upgrades -------------------------------------------------------------


async def on_bot_membership(update: Update, context: FlashContext) -> None:
    """The bot was added to, removed from, or restricted in a group."""
    change = update.my_chat_member
    chat = change.chat
    if chat.type not in GROUP_TYPES:
        return
    new = change.new_chat_member
    restricted = new.status == ChatMemberStatus.RESTRICTED
    is_member = new.status in _MEMBERS or (restricted and new.is_member)
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
        await _reply(update, context, texts.group_welcome(context.bot.username))
    elif result is groups.BotMembership.RIGHTS_BACK:
        await _reply(update, context, texts.group_can_post_again(next_post, zone))
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


# --- setup ------------------------------------------------------------------------------------


async def on_group_help(update: Update, context: FlashContext) -> None:
    """/help or /start in a group: how group study works."""
    async with context.runtime.db.session() as session:
        await _load_group(session, context, update)
    await _reply(update, context, texts.group_help(context.bot.username))


async def on_group_settings(update: Update, context: FlashContext) -> None:
    """/settings in a group: its setup, for anyone."""
    async with context.runtime.db.session() as session:
        group = await _load_group(session, context, update)
        deck = await deck_by_id(session, deck_id=group.deck_id)
    await _reply(
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
        group = await _load_group(session, context, update)
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
        group = await _load_group(session, context, update)
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


@_admin_only
async def on_group_deck(update: Update, context: FlashContext) -> None:
    """/deck [slug | share link]: choose the deck the group studies; without one, a picker
    (admins) of the bundled decks and the admin's own."""
    code = _share_code(context.args[0]) if context.args else None
    if code is not None:
        deck, found, group = await _choose_shared_deck(context, update, code=code)
        if deck is None:
            await _reply(update, context, found)
            return
    else:
        slug = context.args[0].lower() if context.args else None
        deck, found, group = await _choose_deck(context, update, slug)
    if deck is not None:
        text = texts.group_deck_set(deck.title, found, _next_post_line(group, context))
        await _reply(update, context, text)
    elif not found:
        await _reply(update, context, texts.GROUP_NO_DECKS)
    else:
        prompt = texts.GROUP_UNKNOWN_DECK if context.args else texts.GROUP_PICK_DECK
        await _reply(update, context, prompt, keyboards.group_deck_choice(found))


async def on_group_deck_pick(
    update: Update, context: FlashContext, data: GroupDeck | GroupOwnDeck
) -> None:
    """A deck picker button: only an admin's press counts (an own deck: only its owner's)."""
    query = update.callback_query
    if update.effective_chat.type not in GROUP_TYPES:
        await query.answer(texts.GROUP_FOREIGN_BUTTON)
        return
    if not await _is_admin(update, context):
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
        texts.group_deck_set(deck.title, count, _next_post_line(group, context)),
        parse_mode=ParseMode.HTML,
    )


def _time_set(group: Group, minute: int, _now: datetime, context: FlashContext) -> str:
    return texts.group_time_set(minute, group.timezone, _next_post_line(group, context))


def _timezone_set(group: Group, zone: ZoneInfo, now: datetime, context: FlashContext) -> str:
    return texts.group_timezone_set(zone.key, now.astimezone(zone), _next_post_line(group, context))


def _paused(
    group: Group, paused: bool, changed: bool, _now: datetime, context: FlashContext
) -> str:
    if paused:
        return texts.GROUP_PAUSED if changed else texts.GROUP_ALREADY_PAUSED
    return texts.group_resumed(_next_post_line(group, context), changed=changed)


# The group's daily post, for the /time, /timezone, /pause and /resume flows.
DAILY_POST = DailyTime(
    load=_load_group,
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


@_admin_to_change
async def on_group_time(update: Update, context: FlashContext) -> None:
    """/time HH:MM: the group's daily post time (admins); bare, anyone sees the current one."""
    await daily_time.on_time(update, context, DAILY_POST)


@_admin_to_change
async def on_group_timezone(update: Update, context: FlashContext) -> None:
    """/timezone Area/City: the group's timezone (admins); bare, anyone sees the current one."""
    await daily_time.on_timezone(update, context, DAILY_POST)


@_admin_to_change
async def on_group_cards_per_post(update: Update, context: FlashContext) -> None:
    """/cards_per_post N: how many cards each daily post has, 1-5 (admins); bare, anyone
    sees the current number."""
    if not context.args:
        group = await _current_group(context, update)
        await _reply(update, context, texts.cards_per_post_current(group.cards_per_post))
        return
    count = number_argument(context.args or [], 1, groups.MAX_CARDS_PER_POST)
    if count is None:
        await _reply(update, context, texts.CARDS_PER_POST_USAGE)
        return
    async with context.runtime.db.session() as session:
        group = await _load_group(session, context, update)
        groups.set_cards_per_post(group, count=count)
    await _reply(update, context, texts.cards_per_post_set(count))


@_admin_only
async def on_group_pause(update: Update, context: FlashContext) -> None:
    """/pause: no daily post until /resume (admins)."""
    await daily_time.on_pause_or_resume(update, context, DAILY_POST, paused=True)


@_admin_only
async def on_group_resume(update: Update, context: FlashContext) -> None:
    """/resume: the daily post again, also after the bot got its rights back (admins)."""
    await daily_time.on_pause_or_resume(update, context, DAILY_POST, paused=False)


# --- studying ---------------------------------------------------------------------------------


async def on_group_grade(update: Update, context: FlashContext, data: GroupGrade) -> None:
    """A member grades a group post: their own card state moves, once per post."""
    runtime, query, chat = context.runtime, update.callback_query, update.effective_chat
    if chat.type not in GROUP_TYPES:
        await query.answer(texts.GROUP_FOREIGN_BUTTON)
        return
    now = runtime.now()
    async with runtime.db.session() as session:
        if not await groups.post_in_chat(session, post_id=data.post_id, chat_id=chat.id):
            outcome = groups.GroupGradeOutcome(groups.GroupGradeStatus.FOREIGN)
        else:
            await _load_group(session, context, update)
            user = await user_by_id(session, user_id=update.effective_user.id)
            outcome = await groups.grade_group_post(
                session,
                post_id=data.post_id,
                chat_id=chat.id,
                user=user,
                grade=data.grade,
                now=now,
                scheduler=runtime.scheduler_for(user),
            )
            if outcome.leech:
                deck = await deck_by_id(session, deck_id=outcome.card.deck_id)
    if outcome.status is not groups.GroupGradeStatus.OK:
        await query.answer(_GRADE_STATUS[outcome.status])
        return
    if outcome.leech:
        # The same rule as in private review: suspended for this member, who is told in the
        # toast and, if the bot may write to them, in private with the choices.
        await query.answer(
            texts.group_leech_toast(data.grade, outcome.interval, outcome.lapses), show_alert=True
        )
        if not user.blocked:
            await send_leech_notice(
                context,
                user.id,
                card=outcome.card,
                deck_title=deck.title,
                lapses=outcome.lapses,
                editable=deck.owner_id == user.id,
            )
    else:
        await query.answer(texts.grade_recorded(data.grade, outcome.interval))
    async with runtime.db.session() as session:
        view = await groups.claim_count_edit(session, post_id=data.post_id, now=now)
    if view is not None:
        await edit_post_count(context.bot, view)


async def on_group_progress(update: Update, context: FlashContext) -> None:
    """/progress in a group: the deck's table for the members who studied it, here or privately."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        group = await _load_group(session, context, update)
        deck = await deck_by_id(session, deck_id=group.deck_id)
        if deck is not None:
            # Only the group's deck and only its members: nobody's other decks show here.
            members = await groups.group_member_ids(session, chat_id=group.chat_id)
            rows = await study.progress_rows(
                session, deck_id=deck.id, user_ids=members, now=runtime.now()
            )
    if deck is None:
        await _reply(update, context, texts.GROUP_NEEDS_DECK)
        return
    await _reply(update, context, texts.progress_table(deck.title, rows))


async def on_group_quiz(update: Update, context: FlashContext) -> None:
    """/quiz in a group: a round of quiz polls; each member's answers are credited to them."""
    runtime, chat = context.runtime, update.effective_chat
    now = runtime.now()
    questions, ready_at = [], None
    async with runtime.db.session() as session:
        group = await _load_group(session, context, update)
        deck = await deck_by_id(session, deck_id=group.deck_id)
        if deck is not None:
            last = await groups.last_quiz_at(session, chat_id=chat.id)
            if last is not None and now - last < QUIZ_COOLDOWN:
                ready_at = last + QUIZ_COOLDOWN
            else:
                questions = await groups.group_quiz_questions(
                    session, deck_id=deck.id, rng=random.Random()
                )
    if deck is None:
        await _reply(update, context, texts.GROUP_NEEDS_DECK)
        return
    if ready_at is not None:
        await _reply(update, context, texts.group_quiz_too_soon(ready_at, group.timezone))
        return
    if not questions:
        await _reply(update, context, texts.GROUP_QUIZ_UNAVAILABLE)
        return
    await _reply(update, context, texts.group_quiz_intro(deck.title, len(questions)))
    round_id = uuid.uuid4().hex
    for number, question in enumerate(questions, start=1):
        message = await context.bot.send_poll(
            chat.id,
            question.question,
            question.options,
            type=Poll.QUIZ,
            is_anonymous=False,
            correct_option_ids=[question.correct],
        )
        # Stored poll by poll, so an answer to an early poll is never unknown.
        async with runtime.db.session() as session:
            await groups.store_quiz_polls(
                session,
                chat_id=chat.id,
                deck_id=deck.id,
                round_id=round_id,
                sent=[(message.poll.id, question)],
                first_number=number,
                now=now,
            )
