"""Welcome, deck choice, enrolling and leaving."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.services.decks import deck_by_slug, list_decks
from bot.services.review import next_card, queue_end
from bot.services.sharing import is_share_code
from bot.services.users import active_decks, drop_retired_decks, enrol, leave
from bot.storage.models import Deck
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import Enrol, Leave
from bot.telegram.context import FlashContext
from bot.telegram.handlers import own_decks
from bot.telegram.handlers.command_input import load_user
from bot.telegram.handlers.review import send_card
from bot.telegram.messages import edit_html, send_html

__all__ = ["enrolled_and_first_card", "on_decks", "on_enrol", "on_leave", "on_start"]


async def _catalogue(session, user_id: int) -> list[tuple[str, str, str, int, bool]]:
    mine = {d.id for d in await active_decks(session, user_id=user_id)}
    return [(d.slug, d.title, d.description, n, d.id in mine) for d, n in await list_decks(session)]


async def on_start(update: Update, context: FlashContext) -> None:
    """Welcome the user; `/start <deck-slug>` (a deep link) enrols straight away;
    `/start <share code>` shows a learner's shared deck with Study this deck."""
    if context.args and is_share_code(context.args[0]):
        await own_decks.show_share_link(update, context, context.args[0])  # case-sensitive
        return
    runtime = context.runtime
    slug = context.args[0].lower() if context.args else None
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user, unblock=True)
        if slug:
            deck = await deck_by_slug(session, slug=slug)
            if deck is not None:
                fresh = await enrol(session, user_id=user.id, deck_id=deck.id, now=runtime.now())
        catalogue = await _catalogue(session, user.id)
    if slug and deck is not None:
        count = next((n for s, _t, _d, n, _e in catalogue if s == deck.slug), 0)
        await _enrolled_and_first_card(context, update, deck, count, fresh=fresh)
        return
    text, markup = _welcome(update, catalogue)
    if slug:
        text = texts.UNKNOWN_DECK + "\n\n" + text
    await send_html(context.bot, update.effective_chat.id, text, markup)


def _welcome(
    update: Update, catalogue, *, chosen: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The /start picker: every deck, the ones the user studies marked ✅; after a newcomer's
    first choice (`chosen`), still the newcomer's greeting."""
    choices = [(s, t, n) for s, t, _d, n, _e in catalogue]
    studying = {s for s, _t, _d, _n, enrolled in catalogue if enrolled}
    returning = bool(studying - {chosen})
    first_name = update.effective_user.first_name or ""
    text = texts.welcome(first_name, choices, studying, returning=returning)
    return text, keyboards.deck_choice(choices, studying)


async def _redraw_picker(
    update: Update, catalogue, *, from_list: bool, chosen: str | None = None
) -> None:
    """Show the choice on the pressed picker: ✅ on /start's, Study or Leave on /decks'."""
    query = update.callback_query
    if not isinstance(query.message, Message):
        return  # missing or inaccessible (too old): nothing to redraw
    if from_list:
        text, markup = texts.deck_list(catalogue), keyboards.deck_manage(catalogue)
    else:
        text, markup = _welcome(update, catalogue, chosen=chosen)
    if await edit_html(query, text, markup):
        return
    # A list too long for one message was sent in parts, the buttons on the last: redraw those.
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def on_decks(update: Update, context: FlashContext) -> None:
    """List decks with a Study / Leave button each; first, any deck of theirs that was removed."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        removed = [d.title for d in await drop_retired_decks(session, user_id=user.id)]
        catalogue = await _catalogue(session, user.id)
    text = texts.deck_list(catalogue)
    if removed:
        text = f"{texts.decks_removed(removed)}\n\n{text}"
    await send_html(
        context.bot,
        update.effective_chat.id,
        text,
        keyboards.deck_manage(catalogue) if catalogue else None,
    )
    await own_decks.send_personal_decks(update, context)


async def on_enrol(update: Update, context: FlashContext, data: Enrol) -> None:
    """A deck button: enrol and show the first card."""
    runtime = context.runtime
    query = update.callback_query
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user, unblock=True)
        deck = await deck_by_slug(session, slug=data.slug)
        if deck is not None:
            fresh = await enrol(session, user_id=user.id, deck_id=deck.id, now=runtime.now())
            catalogue = await _catalogue(session, user.id)
            count = next((n for s, _t, _d, n, _e in catalogue if s == deck.slug), 0)
    if deck is None:
        await query.answer(texts.UNKNOWN_DECK)
        return
    await query.answer(texts.ENROLLED_TOAST if fresh else texts.ALREADY_STUDYING_TOAST)
    chosen = deck.slug if fresh else None  # a newcomer's first choice keeps their greeting
    await _redraw_picker(update, catalogue, from_list=data.from_list, chosen=chosen)
    await _enrolled_and_first_card(context, update, deck, count, fresh=fresh)


async def _enrolled_and_first_card(
    context: FlashContext, update: Update, deck: Deck, count: int, *, fresh: bool
) -> None:
    """Confirm the enrolment and show a card of that deck, or say plainly why there is none."""
    runtime = context.runtime
    now = runtime.now()
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        study = await next_card(session, user=user, now=now, deck_id=deck.id)
        wait = None if study else await queue_end(session, user=user, now=now, deck_id=deck.id)
    chat_id = update.effective_chat.id
    text = texts.enrolled(deck.title, count, not fresh, wait=wait, zone=ZoneInfo(user.timezone))
    await send_html(context.bot, chat_id, text)
    if study is not None:
        await send_card(context, chat_id, study)


async def on_leave(update: Update, context: FlashContext, data: Leave) -> None:
    """A Leave button: stop studying a deck, keeping its history."""
    runtime = context.runtime
    query = update.callback_query
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        deck = await deck_by_slug(session, slug=data.slug)
        was = deck is not None and await leave(session, user_id=user.id, deck_id=deck.id)
        catalogue = await _catalogue(session, user.id)
    if not was:
        await query.answer(texts.NOT_STUDYING if deck else texts.UNKNOWN_DECK)
        return
    await query.answer(texts.LEFT_TOAST)
    await _redraw_picker(update, catalogue, from_list=True)
    await send_html(context.bot, update.effective_chat.id, texts.left(deck.title))


# A share link's Study this deck (handlers/own_decks.py) confirms an enrolment the same way.
enrolled_and_first_card = _enrolled_and_first_card
