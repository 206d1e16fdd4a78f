"""Writing cards in chat: /newdeck, /add (guided or pasted), ✏️ Edit and delete a card.

What the bot asked last is a row in the database (bot.services.conversations), so a reply
that arrives after a restart still lands in the right place. Any command other than /done
and /cancel ends the conversation first (`on_any_command`): a learner who moves on is never
surprised by their next text becoming a card.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop

from bot.core.card_text import card_html
from bot.core.deck_format import ANSWER_MAX_CHARS, QUESTION_MAX_CHARS
from bot.core.typed_cards import (
    TextEntity,
    has_card_separator,
    markup_from_entities,
    parse_pasted_cards,
)
from bot.services import conversations
from bot.services.conversations import Step
from bot.services.decks import deck_by_id
from bot.services.owned_decks import (
    CardNotFound,
    CardTextError,
    DeckAccessError,
    NotDeckOwner,
    add_cards,
    create_deck,
    delete_card,
    edit_card,
    owned_card,
    owned_deck,
    owned_decks,
    rename_deck,
)
from bot.services.personal_decks import live_card_count
from bot.storage.models import Deck
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import BulkChoice, CardEdit
from bot.telegram.context import FlashContext
from bot.telegram.handlers.command_input import load_user
from bot.telegram.messages import edit_html, send_html

__all__ = [
    "KEEPS_CONVERSATION",
    "on_add",
    "on_any_command",
    "on_bulk_choice",
    "on_cancel",
    "on_card_edit",
    "on_done",
    "on_newdeck",
    "on_reply",
    "start_adding",
]

# Commands that act on the pending conversation instead of ending it.
KEEPS_CONVERSATION = frozenset({"done", "cancel"})
_ADDING = (Step.ADD_QUESTION, Step.ADD_ANSWER)


def typed_markup(message: Message) -> str:
    """The message as deck markup: the formatting the client turned into entities put back."""
    entities = [
        TextEntity(e.type, e.offset, e.length, getattr(e, "language", None))
        for e in message.entities or ()
    ]
    return markup_from_entities(message.text or "", entities).strip()


def _command_argument(message: Message) -> str:
    """Everything after the command word (`/newdeck My deck` → 'My deck')."""
    parts = (message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def _reply(update: Update, context: FlashContext, text, markup=None) -> None:
    await send_html(context.bot, update.effective_chat.id, text, markup)


# --- /newdeck and /add ----------------------------------------------------------------------


async def start_adding(session, *, user_id: int, deck: Deck, now) -> str:
    """Ask for the first question of an /add on `deck`; returns the prompt."""
    await conversations.begin(
        session,
        user_id=user_id,
        step=Step.ADD_QUESTION,
        data={"deck_id": deck.id, "added": 0},
        now=now,
    )
    return texts.add_prompt(deck.title, await live_card_count(session, deck_id=deck.id))


async def _create(update: Update, context: FlashContext, title: str) -> None:
    runtime = context.runtime
    now = runtime.now()
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        try:
            deck = await create_deck(session, owner_id=user.id, title=title, now=now)
        except CardTextError as problem:
            await conversations.begin(
                session, user_id=user.id, step=Step.NEW_DECK_TITLE, data={}, now=now
            )
            text = texts.card_problem(str(problem))
        else:
            await start_adding(session, user_id=user.id, deck=deck, now=now)
            text = texts.newdeck_created(deck.title)
    await _reply(update, context, text)


async def on_newdeck(update: Update, context: FlashContext) -> None:
    """/newdeck Title: an empty deck of the learner's own, then straight on to adding cards."""
    title = _command_argument(update.effective_message)
    if title:
        await _create(update, context, title)
        return
    runtime = context.runtime
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        await conversations.begin(
            session, user_id=user.id, step=Step.NEW_DECK_TITLE, data={}, now=runtime.now()
        )
    await _reply(update, context, texts.NEWDECK_ASK_TITLE)


async def on_add(update: Update, context: FlashContext) -> None:
    """/add: cards for one of the learner's decks (a picker when they own several)."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        decks = await owned_decks(session, owner_id=user.id)
        prompt = None
        if len(decks) == 1:
            prompt = await start_adding(
                session, user_id=user.id, deck=decks[0][0], now=runtime.now()
            )
    if not decks:
        await _reply(update, context, texts.NO_OWN_DECKS)
    elif prompt is not None:
        await _reply(update, context, prompt)
    else:
        choices = [(deck.id, deck.title) for deck, _count in decks]
        await _reply(
            update, context, texts.ADD_WHICH_DECK, keyboards.own_deck_choice(choices, "add")
        )


async def on_done(update: Update, context: FlashContext) -> None:
    """/done: stop adding cards and say how many were added."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        pending = await conversations.current(session, user_id=user.id)
        deck = None
        if pending is not None and pending.kind in _ADDING:
            deck = await deck_by_id(session, deck_id=pending.data["deck_id"])
            added = pending.data.get("added", 0)
        if pending is not None:
            await conversations.finish(session, user_id=user.id)
    if pending is None:
        await _reply(update, context, texts.NOTHING_TO_FINISH)
    elif deck is None:
        await _reply(update, context, texts.CANCELLED)
    else:
        await _reply(update, context, texts.adding_done(deck.title, added))


async def on_cancel(update: Update, context: FlashContext) -> None:
    """/cancel: forget the pending question, preview or edit; nothing is saved."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        ended = await conversations.finish(session, user_id=user.id)
    await _reply(update, context, texts.CANCELLED if ended else texts.NOTHING_TO_CANCEL)


async def on_any_command(update: Update, context: FlashContext) -> None:
    """Any private command but /done and /cancel ends a pending conversation (runs first)."""
    message = update.effective_message
    word = (message.text or "").split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
    if word in KEEPS_CONVERSATION:
        return
    async with context.runtime.db.session() as session:
        await conversations.finish(session, user_id=update.effective_user.id)


# --- replies to what the bot asked ----------------------------------------------------------


async def on_reply(update: Update, context: FlashContext) -> None:
    """Private text while the bot waits for a title, question, answer or new side.

    Text nobody asked for (or asked for over REPLY_WINDOW ago) falls through to the study
    modes, review attempts and the stray-text pointer.
    """
    runtime = context.runtime
    message = update.effective_message
    now = runtime.now()
    async with runtime.db.session() as session:
        pending = await conversations.current(
            session,
            user_id=update.effective_user.id,
            since=now - conversations.REPLY_WINDOW,
        )
        if pending is None:
            return
        step, data = Step(pending.kind), dict(pending.data)
        user_id = pending.user_id
        if step is Step.NEW_DECK_TITLE:
            reply = None  # created below, in a session of its own
        else:
            # A title is plain text; card sides are deck markup (formatting written back).
            text = (
                (message.text or "").strip() if step is Step.RENAME_DECK else typed_markup(message)
            )
            reply = await _answer_step(session, user_id, step, data, text, now)
    if step is Step.NEW_DECK_TITLE:
        await _create(update, context, (message.text or "").strip())
    else:
        text, markup = reply
        await _reply(update, context, text, markup)
    raise ApplicationHandlerStop


async def _answer_step(session, user_id: int, step: Step, data: dict, text: str, now):
    """Act on a reply inside the session; returns (message, keyboard) to send after commit."""
    try:
        if step is Step.ADD_QUESTION:
            return await _question_or_list(session, user_id, data, text, now)
        if step is Step.ADD_ANSWER:
            deck = await owned_deck(session, owner_id=user_id, deck_id=data["deck_id"])
            await add_cards(
                session,
                owner_id=user_id,
                deck_id=deck.id,
                cards=[(data["question"], text)],
                now=now,
            )
            await conversations.begin(
                session,
                user_id=user_id,
                step=Step.ADD_QUESTION,
                data={"deck_id": deck.id, "added": data.get("added", 0) + 1},
                now=now,
            )
            count = await live_card_count(session, deck_id=deck.id)
            return texts.card_added(deck.title, count), None
        if step is Step.BULK_PREVIEW:
            return texts.PREVIEW_PENDING, None
        if step in (Step.EDIT_QUESTION, Step.EDIT_ANSWER):
            side = "question" if step is Step.EDIT_QUESTION else "answer"
            card = await edit_card(
                session, owner_id=user_id, card_id=data["card_id"], now=now, **{side: text}
            )
            await conversations.finish(session, user_id=user_id)
            deck = await deck_by_id(session, deck_id=card.deck_id)
            shown = _sides(card)
            return texts.card_edited(deck.title, *shown), keyboards.card_edit_menu(card.id)
        if step is Step.RENAME_DECK:
            deck = await rename_deck(
                session, owner_id=user_id, deck_id=data["deck_id"], title=text, now=now
            )
            await conversations.finish(session, user_id=user_id)
            return texts.renamed(deck.title), None
    except CardTextError as problem:
        return texts.card_problem(str(problem)), None
    except DeckAccessError as gone:
        await conversations.finish(session, user_id=user_id)
        return _refusal(gone), None
    raise ValueError(f"unknown conversation step {step!r}")


async def _question_or_list(session, user_id: int, data: dict, text: str, now):
    deck = await owned_deck(session, owner_id=user_id, deck_id=data["deck_id"])
    if has_card_separator(text):
        pasted = parse_pasted_cards(
            text, question_limit=QUESTION_MAX_CHARS, answer_limit=ANSWER_MAX_CHARS
        )
        skipped = [(s.line, s.reason) for s in pasted.skipped]
        if not pasted.cards:
            return texts.pasted_nothing(skipped), None
        cards = [(c.question, c.answer) for c in pasted.cards]
        row = await conversations.begin(
            session,
            user_id=user_id,
            step=Step.BULK_PREVIEW,
            data={"deck_id": deck.id, "added": data.get("added", 0), "cards": cards},
            now=now,
        )
        preview = texts.pasted_preview(deck.title, cards, skipped)
        return preview, keyboards.pasted_preview(row.draft, len(cards))
    if len(text) > QUESTION_MAX_CHARS:
        problem = f"The question is {len(text)} characters; the limit is {QUESTION_MAX_CHARS}."
        return texts.card_problem(problem), None
    if not text:
        return texts.card_problem("The question is empty."), None
    await conversations.begin(
        session,
        user_id=user_id,
        step=Step.ADD_ANSWER,
        data={**data, "question": text},
        now=now,
    )
    return texts.ASK_ANSWER, None


async def on_bulk_choice(update: Update, context: FlashContext, data: BulkChoice) -> None:
    """💾 Save or Cancel under a pasted list's preview; a second press changes nothing."""
    runtime = context.runtime
    query = update.callback_query
    now = runtime.now()
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        pending = await conversations.finish_draft(session, user_id=user.id, draft=data.draft)
        text = problem = None
        if pending is not None:
            try:
                deck = await owned_deck(session, owner_id=user.id, deck_id=pending["deck_id"])
                cards = [(q, a) for q, a in pending["cards"]] if data.save else []
                if cards:
                    await add_cards(
                        session, owner_id=user.id, deck_id=deck.id, cards=cards, now=now
                    )
            except DeckAccessError as gone:
                problem = _refusal(gone)
            else:
                # Back to adding: more cards may follow, /done ends.
                added = pending.get("added", 0) + len(cards)
                await conversations.begin(
                    session,
                    user_id=user.id,
                    step=Step.ADD_QUESTION,
                    data={"deck_id": deck.id, "added": added},
                    now=now,
                )
                total = await live_card_count(session, deck_id=deck.id)
                text = (
                    texts.pasted_saved(deck.title, len(cards), total)
                    if data.save
                    else texts.PREVIEW_CANCELLED
                )
    if pending is None:
        await query.answer(texts.PREVIEW_STALE)
        return
    if problem is not None:
        await query.answer(problem)
        await query.edit_message_reply_markup(reply_markup=None)
        return
    await query.answer()
    if not await edit_html(query, text):
        await query.edit_message_reply_markup(reply_markup=None)
        await _reply(update, context, text)


# --- ✏️ Edit --------------------------------------------------------------------------------


def _sides(card) -> tuple[str, str]:
    return card_html(card.question, card.text_format), card_html(card.answer, card.text_format)


def _refusal(error: DeckAccessError) -> str:
    if isinstance(error, NotDeckOwner):
        return texts.NOT_OWNER
    if isinstance(error, CardNotFound):
        return texts.CARD_GONE
    return texts.DECK_GONE


async def on_card_edit(update: Update, context: FlashContext, data: CardEdit) -> None:
    """✏️ Edit on a card (review, Flashcards, a deck's card list) and what follows it."""
    runtime = context.runtime
    query = update.callback_query
    now = runtime.now()
    refusal = None
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        try:
            card = await owned_card(session, owner_id=user.id, card_id=data.card_id)
            if data.action == "confirm":
                await delete_card(session, owner_id=user.id, card_id=card.id, now=now)
            elif data.action in ("question", "answer"):
                step = Step.EDIT_QUESTION if data.action == "question" else Step.EDIT_ANSWER
                await conversations.begin(
                    session, user_id=user.id, step=step, data={"card_id": card.id}, now=now
                )
        except DeckAccessError as refused:  # answered below, once the transaction is over
            refusal = _refusal(refused)
        else:
            deck = await deck_by_id(session, deck_id=card.deck_id)
            question_html, answer_html = _sides(card)
    if refusal is not None:
        await query.answer(refusal)
        return
    await query.answer()
    chat_id = update.effective_chat.id
    if data.action == "menu":
        blocks = texts.edit_card_menu(deck.title, question_html, answer_html)
        await send_html(context.bot, chat_id, blocks, keyboards.card_edit_menu(card.id))
    elif data.action in ("question", "answer"):
        current = question_html if data.action == "question" else answer_html
        await send_html(context.bot, chat_id, texts.ask_new_side(data.action, current))
    elif data.action == "delete":
        text = texts.confirm_delete_card(question_html)
        if not await edit_html(query, text, keyboards.confirm_delete_card(card.id)):
            await send_html(context.bot, chat_id, text, keyboards.confirm_delete_card(card.id))
    else:  # confirm
        await edit_html(query, texts.card_deleted(deck.title))
