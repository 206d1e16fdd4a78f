"""Test in private chat: a generated test, one question at a time, scored at the end."""

from __future__ import annotations

from telegram import Update

from bot.services import study
from bot.services.study import MoveStatus, TestView
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import StudyMove
from bot.telegram.context import FlashContext
from bot.telegram.handlers.common import send_html
from bot.telegram.handlers.sessions import edit_html, refusal, send_and_remember, settle

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
    runtime = context.runtime
    query = update.callback_query
    user_id, chat_id = update.effective_user.id, update.effective_chat.id
    if data.move == "reveal":
        async with runtime.db.session() as session:
            status, view = await study.peek_question(
                session,
                session_id=data.session_id,
                user_id=user_id,
                mode="test",
                question_no=data.step,
            )
        if status is not MoveStatus.OK or not isinstance(view, TestView) or view.asked is None:
            await query.answer(refusal(status, "test"))
            return
        await query.answer()
        markup = keyboards.study_question("test", view.session_id, view.asked, revealed=True)
        if not await edit_html(query, texts.test_question(view, revealed=True), markup):
            await send_html(context.bot, chat_id, texts.test_question(view, revealed=True), markup)
        return
    response = data.index if data.move == "choose" else _RESPONSES.get(data.move)
    if response is None:
        await query.answer(texts.STUDY_UNKNOWN)
        return
    async with runtime.db.session() as session:
        status, view = await study.answer_test(
            session,
            session_id=data.session_id,
            user_id=user_id,
            question_no=data.step,
            response=response,
            now=runtime.now(),
        )
    if status is not MoveStatus.OK or view is None:
        await query.answer(refusal(status, "test"))
        return
    await query.answer(texts.ANSWERED_TOAST)
    await settle(query, texts.test_answered(view, response))
    await show(context, chat_id, view)
