"""Quiz: native quiz polls where the texts fit Telegram's limits, inline buttons otherwise.

A private quiz asks one question at a time; a poll answer (or a button) moves it on. Every
`poll_answer` update, private or from a group round, goes through `on_poll_answer`, which
credits it with `services.study.record_poll_answer`.
"""

from __future__ import annotations

import asyncio

from telegram import Poll, PollAnswer, Update

from bot.core.study import AskedQuestion, fits_quiz_poll
from bot.services import groups, study
from bot.services.study import CreditStatus, PollCredit, QuizView
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import StudyMove
from bot.telegram.context import FlashContext
from bot.telegram.handlers.study_moves import apply_move, send_and_remember, settle
from bot.telegram.messages import send_html

__all__ = ["on_move", "on_poll_answer", "show"]


async def show(
    context: FlashContext, chat_id: int, view: QuizView, prefix: tuple[str, ...] = ()
) -> None:
    """Send the quiz's next question, as a quiz poll when it fits, or the final score."""
    index = view.position
    if index is None:
        await send_html(context.bot, chat_id, [*prefix, texts.quiz_finished(view)])
        return
    question = view.questions[index]
    poll_question, options = texts.quiz_poll(view, index)
    if fits_quiz_poll(poll_question, options):
        if prefix:
            await send_html(context.bot, chat_id, list(prefix))
        # Not anonymous: Telegram then reports who answered, so the answer can be credited.
        message = await context.bot.send_poll(
            chat_id,
            poll_question,
            options,
            type=Poll.QUIZ,
            is_anonymous=False,
            correct_option_ids=[question.correct_index],
        )
        async with context.runtime.db.session() as session:
            await study.register_quiz_poll(
                session,
                session_id=view.session_id,
                question_no=index + 1,
                poll_id=message.poll.id,
                message_id=message.message_id,
                now=context.runtime.now(),
            )
        return
    asked = AskedQuestion(index + 1, question)
    await send_and_remember(
        context,
        chat_id,
        view.session_id,
        [*prefix, texts.quiz_question(view, index)],
        keyboards.study_question("quiz", view.session_id, asked),
    )


async def on_move(update: Update, context: FlashContext, data: StudyMove) -> None:
    """A button answer to a quiz question that did not fit a quiz poll."""
    query = update.callback_query
    if data.move != "choose":
        await query.answer(texts.STUDY_UNKNOWN)
        return
    view = await apply_move(
        update,
        context,
        data,
        study.answer_quiz,
        question_no=data.step,
        option=data.index,
        now=context.runtime.now(),
    )
    if view is None:
        return
    await query.answer(texts.CORRECT_TOAST if view.last_correct else texts.WRONG_TOAST)
    shown = await settle(query, texts.quiz_answered(view))
    verdict = texts.CORRECT_TOAST if view.last_correct else texts.WRONG_TOAST
    await show(context, update.effective_chat.id, view, () if shown else (verdict,))


async def on_poll_answer(update: Update, context: FlashContext) -> None:
    """A vote in one of our quiz polls: credit it once; a private quiz then moves on."""
    answer = update.poll_answer
    if answer is None or answer.user is None:
        return  # a vote on behalf of a chat: there is no person to credit
    # With several processes, the vote can reach one before the process that sent the poll
    # has saved it (it saves right after Telegram's answer): look again briefly, never drop it.
    for wait in _POLL_ROW_WAITS:
        credit, view = await _credit_vote(context, answer)
        if credit.status is not CreditStatus.UNKNOWN_POLL or wait is None:
            break
        await asyncio.sleep(wait)
    # Group rounds are only counted here; the group announces its results itself.
    if view is not None and credit.poll is not None:
        await show(context, credit.poll.chat_id, view)


# Seconds between looks for a poll not saved yet (about 3 s in all), then it is not ours.
_POLL_ROW_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.5, None)


async def _credit_vote(
    context: FlashContext, answer: PollAnswer
) -> tuple[PollCredit, QuizView | None]:
    """Record the vote; returns the credit and, for a private quiz, its view to show."""
    runtime = context.runtime
    now = runtime.now()
    async with runtime.db.session() as session:
        credit = await study.record_poll_answer(
            session,
            poll_id=answer.poll_id,
            user_id=answer.user.id,
            option_ids=list(answer.option_ids),
            now=now,
        )
        view = None
        credited = credit.status is CreditStatus.CREDITED and credit.poll is not None
        if credited and credit.private and credit.study is not None:
            view = await study.quiz_view(session, session_id=credit.study.id)
        elif credited:
            # A group voter: a member of the group (for its table), with the name to show. Made
            # as the group module makes members, so nobody met only in a group gets a DM.
            await groups.ensure_member(
                session,
                chat_id=credit.poll.chat_id,
                user_id=answer.user.id,
                first_name=answer.user.first_name or "",
                username=answer.user.username,
                now=now,
                defaults=runtime.defaults,
            )
    return credit, view
