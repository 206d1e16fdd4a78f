"""Flashcards in private chat: leaf through a deck, flipping cards; scheduling is untouched."""

from __future__ import annotations

from telegram import Update

from bot.services import study
from bot.services.study import BROWSE_MOVES, BrowseView
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import StudyMove
from bot.telegram.context import FlashContext
from bot.telegram.handlers.study_moves import apply_move, send_and_remember
from bot.telegram.messages import edit_html

__all__ = ["on_move", "show"]


async def show(context: FlashContext, chat_id: int, view: BrowseView) -> None:
    """Send the first card of a new browsing session."""
    await send_and_remember(
        context,
        chat_id,
        view.session_id,
        texts.browse_card(view),
        # Flashcards run in private chats only, where the chat id is the learner's id.
        keyboards.browse(view.session_id, view.step, edit_card_id=_editable(chat_id, view)),
    )


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
    await edit_html(query, texts.browse_card(view), markup)
