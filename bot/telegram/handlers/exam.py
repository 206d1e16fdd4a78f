"""Test in private chat: a generated test, one question at a time, scored at the end."""

from __future__ import annotations

from telegram import Update

from bot.services import study
from bot.services.study import TestView
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import StudyMove
from bot.telegram.context import FlashContext
from bot.telegram.handlers.study_moves import apply_move, reveal, send_and_remember, settle
from bot.telegram.messages import send_html

__all__ = ["on_move", "show"]

# What each answer button means to the engine: true/false, "I knew it", or (no) typed text.
_RESPONSES = {"true": True, "false": False, "knew": True, "missed": False, "dunno": ""}


async def show(context: FlashContext, chat_id: int, view: TestView) -> None:
    """Send the next question, or the score with the review of wrong answers."""
    if view.result is not None:
        await send_html(context.bot, chat_id, texts.test_result(view))
        return
    assert view.asked is not None
    await send_and_remember(
        context,
        chat_id,
        view.session_id,
        texts.test_question(view),
        keyboards.study_question("test", view.session_id, view.asked),
    )


async def on_move(update: Update, context: FlashContext, data: StudyMove) -> None:
    """An answer (or 'Show answer') on a Test question."""
    if data.move == "reveal":
        await reveal(update, context, data, texts.test_question)
        return
    query = update.callback_query
    response = data.index if data.move == "choose" else _RESPONSES.get(data.move)
    if response is None:
        await query.answer(texts.STUDY_UNKNOWN)
        return
    view = await apply_move(
        update,
        context,
        data,
        study.answer_test,
        question_no=data.step,
        response=response,
        now=context.runtime.now(),
    )
    if view is None:
        return
    await query.answer(texts.ANSWERED_TOAST)
    await settle(query, texts.test_answered(view, response))
    await show(context, update.effective_chat.id, view)
