"""Leeches in private chat: the notice when a grade makes one, /leech N, /leeches."""

from __future__ import annotations

from telegram import Update
from telegram.error import Forbidden

from bot.core.card_text import card_plain
from bot.core.leeches import MAX_LEECH_THRESHOLD, next_leech_at
from bot.services import leeches, users
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import Leech
from bot.telegram.context import FlashContext
from bot.telegram.handlers.command_input import load_user, number_argument
from bot.telegram.messages import edit_html, send_html

__all__ = ["on_leech", "on_leech_button", "on_leeches", "send_leech_notice"]


async def send_leech_notice(
    context: FlashContext,
    chat_id: int,
    *,
    card,
    deck_title: str,
    lapses: int,
    editable: bool,
) -> bool:
    """Tell a learner in private chat that a card became a leech; False if they cannot be
    reached there (they blocked the bot, or never opened a chat with it)."""
    try:
        await send_html(
            context.bot,
            chat_id,
            texts.leech_notice(texts.card_question(card), deck_title, lapses),
            keyboards.leech_notice(card.id, editable=editable),
        )
    except Forbidden:
        return False
    return True


async def on_leech(update: Update, context: FlashContext) -> None:
    """/leech N: lapses that suspend a card as a leech, 0 = off (without N: the current)."""
    runtime, chat_id = context.runtime, update.effective_chat.id
    if not context.args:
        async with runtime.db.session() as session:
            user = await load_user(session, runtime, update.effective_user)
        await send_html(context.bot, chat_id, texts.leech_current(user.leech_threshold))
        return
    threshold = number_argument(context.args, 0, MAX_LEECH_THRESHOLD)
    if threshold is None:
        await send_html(context.bot, chat_id, texts.LEECH_USAGE)
        return
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        users.set_leech_threshold(user, lapses=threshold)
    await send_html(context.bot, chat_id, texts.leech_set(threshold))


async def _list(context: FlashContext, update: Update) -> tuple[str, object]:
    """The /leeches message and its buttons, as they stand now."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        cards = await leeches.suspended_cards(session, user_id=user.id)
    if not cards:
        return texts.no_leeches(user.leech_threshold), None
    shown = cards[: texts.LEECHES_SHOWN]
    rows = [
        (c.deck.title, card_plain(c.card.question, c.card.text_format), c.lapses) for c in shown
    ]
    return texts.leeches_list(rows, len(cards)), keyboards.leeches_list([c.card.id for c in shown])


async def on_leeches(update: Update, context: FlashContext) -> None:
    """/leeches: the suspended cards, each with a button that brings it back."""
    text, markup = await _list(context, update)
    await send_html(context.bot, update.effective_chat.id, text, markup)


async def on_leech_button(update: Update, context: FlashContext, data: Leech) -> None:
    """Keep studying a leech, leave it suspended, or bring one back from /leeches."""
    runtime, query = context.runtime, update.callback_query
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        card = await leeches.set_suspended(
            session, user_id=user.id, card_id=data.card_id, suspended=data.action == "leave"
        )
        threshold = user.leech_threshold
        lapses = await leeches.lapses_of(session, user_id=user.id, card_id=data.card_id)
    if card is None:
        await query.answer(texts.LEECH_UNKNOWN)
        return
    if data.action == "unsuspend":
        await query.answer(texts.UNSUSPENDED_TOAST)
        text, markup = await _list(context, update)
        await edit_html(query, text, markup)
        return
    question = texts.card_question(card)
    if data.action == "keep":
        await query.answer(texts.UNSUSPENDED_TOAST)
        await edit_html(query, texts.leech_kept(question, lapses, next_leech_at(lapses, threshold)))
    else:
        await query.answer(texts.LEFT_SUSPENDED_TOAST)
        await edit_html(query, texts.leech_left(question))
