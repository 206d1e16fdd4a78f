"""Flashcards in private chat: leaf through a deck, flipping cards; scheduling is untouched."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.services import study
from bot.services.study import BROWSE_MOVES, BrowseView
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import StudyMove
from bot.telegram.card_media import has_media, is_media_message, send_card_side
from bot.telegram.context import FlashContext
from bot.telegram.handlers.study_moves import apply_move, send_and_remember
from bot.telegram.messages import edit_html, strip_buttons

__all__ = ["on_move", "show"]


async def show(context: FlashContext, chat_id: int, view: BrowseView) -> None:
    """Send the first card of a new browsing session."""
    # Flashcards run in private chats only, where the chat id is the learner's id.
    markup = keyboards.browse(view.session_id, view.step, edit_card_id=_editable(chat_id, view))
    await _send_card(context, chat_id, view, markup)


def _side_media(view: BrowseView) -> list[dict]:
    """The images and sounds of the side on screen (the answer side: the answer's own)."""
    card = view.card
    return list(card.answer_media if view.browse.showing_answer else card.question_media)


async def _send_card(
    context: FlashContext, chat_id: int, view: BrowseView, markup: InlineKeyboardMarkup
) -> None:
    """Send the card as a new message, with its side's media as /review sends them."""
    refs = _side_media(view)
    if not has_media(refs):
        await send_and_remember(context, chat_id, view.session_id, texts.browse_card(view), markup)
        return
    message = await send_card_side(
        context.runtime, context.bot, chat_id, texts.browse_card(view), refs, markup
    )
    async with context.runtime.db.session() as session:
        await study.set_message(session, session_id=view.session_id, message_id=message.message_id)


def _editable(user_id: int, view: BrowseView) -> int | None:
    """The card on screen if the person browsing owns its deck (they get ✏️ Edit)."""
    owner = view.deck.deck.owner_id
    return view.card.id if owner is not None and owner == user_id else None


async def on_move(update: Update, context: FlashContext, data: StudyMove) -> None:
    """Flip, previous, next, shuffle or back to the first card: the same message is edited."""
    query = update.callback_query
    if data.move not in BROWSE_MOVES:
        await query.answer(texts.STUDY_UNKNOWN)
        return
    view = await apply_move(
        update,
        context,
        data,
        study.move_cards,
        step=data.step,
        move=data.move,  # checked against BROWSE_MOVES above
        now=context.runtime.now(),
    )
    if view is None:
        return
    if view.at_edge:
        await query.answer(texts.FIRST_CARD if data.move == "prev" else texts.LAST_CARD)
        if view.step == data.step:
            return  # nothing moved: the message and its buttons stay as they are
    else:
        await query.answer()
    # Card texts are capped well below Telegram's limit (question 1000, answer 3500 characters),
    # so one side of a card always fits the message it is edited into.
    markup = keyboards.browse(
        view.session_id, view.step, edit_card_id=_editable(update.effective_user.id, view)
    )
    message = query.message
    if is_media_message(message) or has_media(_side_media(view)):
        # A photo's caption cannot become a plain text (nor take a photo): the card is sent
        # anew, and the buttons come off the message it replaces.
        if message is not None:
            await strip_buttons(context.bot, message.chat.id, message.message_id)
        await _send_card(context, update.effective_chat.id, view, markup)
        return
    await edit_html(query, texts.browse_card(view), markup)
