"""Learn in private chat: multiple choice, then recall, until every chosen card is learned."""

from __future__ import annotations

from telegram import Update

from bot.services import study
from bot.services.study import LearnView, MoveStatus
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import StudyMove
from bot.telegram.context import FlashContext
from bot.telegram.handlers.common import send_html
from bot.telegram.handlers.sessions import edit_html, refusal, send_and_remember, settle

__all__ = ["on_move", "show", "show_after_typed"]

# What each answer button means to the engine: option index, "I knew it", or typed text.
_RESPONSES = {"knew": True, "missed": False, "dunno": ""}


async def show(
    context: FlashContext, chat_id: int, view: LearnView, prefix: tuple[str, ...] = ()
) -> None:
    """Send the session's next question, or the closing message when all cards are learned."""
    if view.asked is None:
        await send_html(context.bot, chat_id, [*prefix, texts.learn_finished(view)])
        return
    await send_and_remember(
        context,
        chat_id,
        view.session_id,
        [*prefix, texts.learn_question(view)],
        keyboards.study_question("learn", view.session_id, view.asked, stop=True),
    )


async def show_after_typed(context: FlashContext, chat_id: int, view: LearnView) -> None:
    """After a typed answer: the verdict, then the next question."""
    await show(context, chat_id, view, (texts.learn_feedback(view),))


async def on_move(update: Update, context: FlashContext, data: StudyMove) -> None:
    """An answer, 'Show answer' or 'Stop' on a Learn question."""
    runtime = context.runtime
    query = update.callback_query
    user_id, chat_id = update.effective_user.id, update.effective_chat.id
    if data.move == "reveal":
        async with runtime.db.session() as session:
            status, view = await study.peek_question(
                session,
                session_id=data.session_id,
                user_id=user_id,
                mode="learn",
                question_no=data.step,
            )
        if status is not MoveStatus.OK or not isinstance(view, LearnView) or view.asked is None:
            await query.answer(refusal(status, "learn"))
            return
        await query.answer()
        markup = keyboards.study_question(
            "learn", view.session_id, view.asked, revealed=True, stop=True
        )
        if not await edit_html(query, texts.learn_question(view, revealed=True), markup):
            await send_html(context.bot, chat_id, texts.learn_question(view, revealed=True), markup)
        return
    if data.move == "stop":
        async with runtime.db.session() as session:
            status, view = await study.stop_learn(
                session,
                session_id=data.session_id,
                user_id=user_id,
                question_no=data.step,
                now=runtime.now(),
            )
        if status is not MoveStatus.OK or view is None:
            await query.answer(refusal(status, "learn"))
            return
        await query.answer()
        await settle(query, texts.learn_question(view))
        await send_html(context.bot, chat_id, texts.learn_paused(view))
        return
    response = data.index if data.move == "choose" else _RESPONSES.get(data.move)
    if response is None:
        await query.answer(texts.STUDY_UNKNOWN)
        return
    async with runtime.db.session() as session:
        status, view = await study.answer_learn(
            session,
            session_id=data.session_id,
            user_id=user_id,
            question_no=data.step,
            response=response,
            now=runtime.now(),
        )
    if status is not MoveStatus.OK or view is None or view.feedback is None:
        await query.answer(refusal(status, "learn"))
        return
    await query.answer(texts.CORRECT_TOAST if view.feedback.correct else texts.WRONG_TOAST)
    shown = await settle(query, texts.learn_answered(view))
    await show(context, chat_id, view, () if shown else (texts.learn_feedback(view),))
