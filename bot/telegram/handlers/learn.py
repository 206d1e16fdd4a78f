"""Learn in private chat: multiple choice, then recall, until every chosen card is learned."""

from __future__ import annotations

from telegram import Update

from bot.services import study
from bot.services.study import LearnView
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import StudyMove
from bot.telegram.context import FlashContext
from bot.telegram.handlers.study_moves import apply_move, reveal, send_and_remember, settle
from bot.telegram.messages import send_html

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
    if data.move == "reveal":
        await reveal(update, context, data, texts.learn_question, stop=True)
        return
    query, chat_id, now = update.callback_query, update.effective_chat.id, context.runtime.now()
    if data.move == "stop":
        view = await apply_move(
            update, context, data, study.stop_learn, question_no=data.step, now=now
        )
        if view is None:
            return
        await query.answer()
        await settle(query, texts.learn_question(view))
        await send_html(context.bot, chat_id, texts.learn_paused(view))
        return
    response = data.index if data.move == "choose" else _RESPONSES.get(data.move)
    if response is None:
        await query.answer(texts.STUDY_UNKNOWN)
        return
    view = await apply_move(
        update, context, data, study.answer_learn, question_no=data.step, response=response, now=now
    )
    if view is None:
        return
    assert view.feedback is not None  # every answer the engine takes is judged
    await query.answer(texts.CORRECT_TOAST if view.feedback.correct else texts.WRONG_TOAST)
    didnt_know = data.move == "dunno"
    shown = await settle(query, texts.learn_answered(view, didnt_know=didnt_know))
    feedback = texts.learn_feedback(view, didnt_know=didnt_know)
    await show(context, chat_id, view, () if shown else (feedback,))
