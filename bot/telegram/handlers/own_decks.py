"""A learner's own and joined decks: their menu under /decks, sharing by link, joining.

The menu's owner actions (cards, add, rename, share, delete) check ownership in the
services; anyone else pressing such a button (a forwarded or forged one) is refused.
"""

from __future__ import annotations

from telegram import Update

from bot.core.card_text import card_plain
from bot.core.study import tile_label
from bot.services import conversations, sharing
from bot.services.conversations import Step
from bot.services.decks import deck_by_id, deck_cards
from bot.services.owned_decks import DeckAccessError, NotDeckOwner, delete_deck, owned_deck
from bot.services.personal_decks import DeckOverview, deck_overview, personal_decks
from bot.services.users import enrol, leave
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import DeckMenu, JoinShared
from bot.telegram.context import FlashContext
from bot.telegram.handlers.authoring import start_adding
from bot.telegram.handlers.command_input import load_user
from bot.telegram.messages import edit_html, send_html

__all__ = ["on_deck_menu", "on_join_shared", "send_personal_decks", "show_share_link"]

_OWNER_ACTIONS = frozenset(
    {"cards", "add", "rename", "share", "new_link", "stop_sharing", "delete", "confirm"}
)


async def send_personal_decks(update: Update, context: FlashContext) -> None:
    """/decks' second message: the learner's own and joined decks, a ⚙️ button each."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        decks = await personal_decks(session, user_id=update.effective_user.id)
    if not decks:
        return
    rows = [(d.title, d.card_count, d.owned, d.studying) for d in decks]
    await send_html(
        context.bot,
        update.effective_chat.id,
        texts.your_decks(rows),
        keyboards.your_decks([(d.deck_id, d.title) for d in decks]),
    )


def _menu(overview: DeckOverview) -> tuple[str, object]:
    text = texts.deck_menu(
        overview.title,
        overview.description,
        overview.card_count,
        owned=overview.owned,
        studying=overview.studying,
        shared=overview.shared,
        learners=overview.learners,
    )
    markup = keyboards.deck_menu(overview.deck_id, owned=overview.owned, studying=overview.studying)
    return text, markup


async def on_deck_menu(update: Update, context: FlashContext, data: DeckMenu) -> None:
    """A deck's menu and its buttons."""
    runtime = context.runtime
    query = update.callback_query
    now = runtime.now()
    user_id = update.effective_user.id
    reply = None  # (text, markup) sent as a new message
    edit = None  # (text, markup) drawn over the pressed message
    toast = None
    async with runtime.db.session() as session:
        await load_user(session, runtime, update.effective_user)
        try:
            if data.action in _OWNER_ACTIONS:
                deck = await owned_deck(session, owner_id=user_id, deck_id=data.deck_id)
            if data.action == "cards":
                cards = await deck_cards(session, deck_id=deck.id)
                edit = _cards_page(deck, cards, data.page)
            elif data.action == "add":
                reply = (await start_adding(session, user_id=user_id, deck=deck, now=now), None)
            elif data.action == "rename":
                await conversations.begin(
                    session,
                    user_id=user_id,
                    step=Step.RENAME_DECK,
                    data={"deck_id": deck.id},
                    now=now,
                )
                reply = (texts.ask_rename(deck.title), None)
            elif data.action in ("share", "new_link"):
                code = await sharing.share_link_code(
                    session,
                    owner_id=user_id,
                    deck_id=deck.id,
                    now=now,
                    regenerate=data.action == "new_link",
                )
                link = texts.share_link(context.bot.username, code)
                edit = (
                    texts.deck_shared(deck.title, link, new=data.action == "new_link"),
                    keyboards.share_menu(deck.id),
                )
            elif data.action == "stop_sharing":
                if await sharing.stop_sharing(session, owner_id=user_id, deck_id=deck.id, now=now):
                    edit = (texts.sharing_stopped(deck.title), keyboards.deck_back(deck.id))
                else:
                    toast = texts.NOT_SHARED
            elif data.action == "delete":
                overview = await deck_overview(session, user_id=user_id, deck_id=deck.id)
                edit = (
                    texts.confirm_delete_deck(deck.title, overview.learners),
                    keyboards.confirm_delete_deck(deck.id),
                )
            elif data.action == "confirm":
                title = deck.title
                await delete_deck(session, owner_id=user_id, deck_id=deck.id, now=now)
                await conversations.finish(session, user_id=user_id)
                edit = (texts.deck_deleted(title), None)
            else:  # menu, back, leave, study: anyone who owns or joined the deck
                if data.action == "leave":
                    changed = await leave(session, user_id=user_id, deck_id=data.deck_id)
                    toast = texts.LEFT_TOAST if changed else texts.NOT_STUDYING
                elif data.action == "study" and await deck_overview(
                    session, user_id=user_id, deck_id=data.deck_id
                ):
                    fresh = await enrol(session, user_id=user_id, deck_id=data.deck_id, now=now)
                    toast = texts.STUDYING_TOAST if fresh else texts.ALREADY_STUDYING_TOAST
                overview = await deck_overview(session, user_id=user_id, deck_id=data.deck_id)
                if overview is None:
                    toast = texts.DECK_GONE
                elif data.action == "menu":
                    reply = _menu(overview)
                else:
                    edit = _menu(overview)
        except DeckAccessError as refused:  # answered below, once the transaction is over
            toast = texts.NOT_OWNER if isinstance(refused, NotDeckOwner) else texts.DECK_GONE
            edit = reply = None
    await query.answer(toast)
    if edit is not None:
        text, markup = edit
        if not await edit_html(query, text, markup):
            await send_html(context.bot, update.effective_chat.id, text, markup)
    if reply is not None:
        text, markup = reply
        await send_html(context.bot, update.effective_chat.id, text, markup)


def _cards_page(deck, cards, page: int):
    size = texts.CARDS_PER_PAGE
    pages = max(1, -(-len(cards) // size))
    page = min(page, pages - 1)
    shown = cards[page * size : (page + 1) * size]
    lines = [texts.esc(tile_label(card_plain(c.question, c.text_format), 90)) for c in shown]
    first = page * size + 1
    text = texts.deck_cards_page(deck.title, lines, first, len(cards))
    return text, keyboards.deck_cards_page(deck.id, [c.id for c in shown], first, page, pages)


async def show_share_link(update: Update, context: FlashContext, code: str) -> None:
    """/start <share code>: the deck's title, description and size, with Study this deck."""
    async with context.runtime.db.session() as session:
        await load_user(session, context.runtime, update.effective_user, unblock=True)
        summary = await sharing.open_shared(session, code=code)
    if summary is None:
        await send_html(context.bot, update.effective_chat.id, texts.SHARE_LINK_DEAD)
        return
    await send_html(
        context.bot,
        update.effective_chat.id,
        texts.shared_deck_preview(summary.title, summary.description, summary.card_count),
        keyboards.join_shared(code),
    )


async def on_join_shared(update: Update, context: FlashContext, data: JoinShared) -> None:
    """Study this deck: enrol through the link (checked again now) and show a first card."""
    from bot.telegram.handlers.onboarding import enrolled_and_first_card

    runtime = context.runtime
    query = update.callback_query
    user_id = update.effective_user.id
    async with runtime.db.session() as session:
        await load_user(session, runtime, update.effective_user, unblock=True)
        before = await sharing.open_shared(session, code=data.code)
        if before is not None:
            prior = await deck_overview(session, user_id=user_id, deck_id=before.deck_id)
            summary = await sharing.enrol_shared(
                session, user_id=user_id, code=data.code, now=runtime.now()
            )
            deck = await deck_by_id(session, deck_id=before.deck_id)
    if before is None or summary is None:
        await query.answer(texts.SHARE_LINK_DEAD_TOAST)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    already = prior is not None and prior.studying
    await enrolled_and_first_card(context, update, deck, summary.card_count, fresh=not already)
