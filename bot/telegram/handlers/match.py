"""Match in private chat: one message, a board of tiles, tapped in pairs against the clock."""

from __future__ import annotations

from telegram import Update

from bot.services import study
from bot.services.study import FINISHED, MatchView
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import StudyMove
from bot.telegram.context import FlashContext
from bot.telegram.handlers.study_moves import apply_move, send_and_remember
from bot.telegram.messages import edit_html

__all__ = ["on_move", "show"]


def _board_keys(view: MatchView):
    return keyboards.match_board(
        view.session_id, texts.match_labels(view), view.game.removed, view.game.selected
    )


async def show(context: FlashContext, chat_id: int, view: MatchView) -> None:
    """Send a new board; its clock started when the session was made, a moment ago."""
    await send_and_remember(
        context, chat_id, view.session_id, texts.match_board(view), _board_keys(view)
    )


async def on_move(update: Update, context: FlashContext, data: StudyMove) -> None:
    """A tap on a tile: select, pair, or slip; the finishing tap shows the time and best."""
    query = update.callback_query
    if data.move != "tile":
        await query.answer(texts.STUDY_UNKNOWN)
        return
    view = await apply_move(
        update, context, data, study.tap_match, tile=data.index, now=context.runtime.now()
    )
    if view is None:
        return
    assert view.tap is not None  # a move on a running board is always a tap
    await query.answer(texts.MATCH_TOASTS[view.tap.outcome] or None)
    if view.tap.outcome == "stale":
        return
    if view.status == FINISHED:
        markup = keyboards.play_again("match", view.deck.deck.id)
        await edit_html(query, texts.match_finished(view), markup)
        return
    await edit_html(query, texts.match_board(view), _board_keys(view))
