"""Welcome, deck choice, enrolling and leaving."""

from __future__ import annotations

from telegram import Update

from bot.services.decks import deck_by_slug, list_decks
from bot.services.users import active_decks, enrol, leave
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import Enrol, Leave
from bot.telegram.context import FlashContext
from bot.telegram.handlers.common import load_user, send_html
from bot.telegram.handlers.review import send_next_card

__all__ = ["on_decks", "on_enrol", "on_leave", "on_start"]


async def _catalogue(session, user_id: int) -> list[tuple[str, str, str, int, bool]]:
    mine = {d.id for d in await active_decks(session, user_id)}
    return [(d.slug, d.title, d.description, n, d.id in mine) for d, n in await list_decks(session)]


async def on_start(update: Update, context: FlashContext) -> None:
    """Welcome the user; `/start <deck-slug>` (a deep link) enrols straight away."""
    runtime = context.runtime
    slug = context.args[0].lower() if context.args else None
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user, unblock=True)
        if slug:
            deck = await deck_by_slug(session, slug)
            if deck is not None:
                fresh = await enrol(session, user_id=user.id, deck_id=deck.id, now=runtime.now())
        catalogue = await _catalogue(session, user.id)
    if slug and deck is not None:
        count = next((n for s, _t, _d, n, _e in catalogue if s == deck.slug), 0)
        await send_html(
            context.bot, update.effective_chat.id, texts.enrolled(deck.title, count, not fresh)
        )
        if fresh:
            await send_next_card(context, update.effective_user, update.effective_chat.id)
        return
    choices = [(s, t, n) for s, t, _d, n, _e in catalogue]
    text = texts.welcome(update.effective_user.first_name or "", choices)
    if slug:
        text = texts.UNKNOWN_DECK + "\n\n" + text
    await send_html(context.bot, update.effective_chat.id, text, keyboards.deck_choice(choices))


async def on_decks(update: Update, context: FlashContext) -> None:
    """List decks with a Study / Leave button each."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        catalogue = await _catalogue(session, user.id)
    await send_html(
        context.bot,
        update.effective_chat.id,
        texts.deck_list(catalogue),
        keyboards.deck_manage(catalogue) if catalogue else None,
    )


async def on_enrol(update: Update, context: FlashContext, data: Enrol) -> None:
    """A deck button: enrol and show the first card."""
    runtime = context.runtime
    query = update.callback_query
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user, unblock=True)
        deck = await deck_by_slug(session, data.slug)
        if deck is not None:
            fresh = await enrol(session, user_id=user.id, deck_id=deck.id, now=runtime.now())
            count = next((n for d, n in await list_decks(session) if d.id == deck.id), 0)
    if deck is None:
        await query.answer(texts.UNKNOWN_DECK)
        return
    await query.answer("Enrolled" if fresh else "Already studying")
    await send_html(
        context.bot, update.effective_chat.id, texts.enrolled(deck.title, count, not fresh)
    )
    await send_next_card(context, update.effective_user, update.effective_chat.id)


async def on_leave(update: Update, context: FlashContext, data: Leave) -> None:
    """A Leave button: stop studying a deck, keeping its history."""
    runtime = context.runtime
    query = update.callback_query
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        deck = await deck_by_slug(session, data.slug)
        was = deck is not None and await leave(session, user_id=user.id, deck_id=deck.id)
    if not was:
        await query.answer(texts.NOT_STUDYING if deck else texts.UNKNOWN_DECK)
        return
    await query.answer("Left")
    await send_html(context.bot, update.effective_chat.id, texts.left(deck.title))
