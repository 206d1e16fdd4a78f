"""Spaced review in private chat: next card, show answer, grade, undo, stats."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Update
from telegram import User as TgUser
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.core.card_text import card_plain
from bot.core.charts import render_stats
from bot.core.srs import Grade, fuzz_key, next_intervals
from bot.core.study import check_written
from bot.services import charts, review_messages
from bot.services import review as reviews
from bot.services.decks import deck_by_id
from bot.services.users import active_decks, claim_message
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import Grading, ShowAnswer, StartReview
from bot.telegram.card_media import (
    MAX_CAPTION_CHARS,
    has_media,
    is_media_message,
    send_card_side,
)
from bot.telegram.chart_photos import send_with_chart
from bot.telegram.context import FlashContext
from bot.telegram.handlers.command_input import load_user
from bot.telegram.handlers.leeches import send_leech_notice
from bot.telegram.messages import edit_html, send_html, strip_buttons

__all__ = [
    "on_grade",
    "on_review",
    "on_show_answer",
    "on_start_review",
    "on_stats",
    "on_undo",
    "review_attempt",
    "send_card",
    "send_next_card",
]

log = logging.getLogger(__name__)

_STALE = {
    reviews.GradeStatus.ALREADY_GRADED: texts.STALE_GRADED,
    reviews.GradeStatus.NOT_DUE: texts.STALE_NOT_DUE,
    reviews.GradeStatus.NOT_ENROLLED: texts.STALE_NOT_ENROLLED,
    reviews.GradeStatus.UNKNOWN_CARD: texts.FORGED,
    reviews.GradeStatus.SUSPENDED: texts.STALE_SUSPENDED,
}


async def send_card(context: FlashContext, chat_id: int, study: reviews.ReviewCard) -> None:
    """Send a card's question (with its images and sounds) and its Show answer button; an
    older card message still open is told it has moved on, so one card is open at a time."""
    message = await send_card_side(
        context.runtime,
        context.bot,
        chat_id,
        texts.question(study),
        study.card.question_media,
        keyboards.show_answer(study.card.id, study.version),
    )
    async with context.runtime.db.session() as session:
        replaced = await review_messages.card_message_sent(  # a private chat's id is its user's
            session, user_id=chat_id, message_id=message.message_id, card_id=study.card.id
        )
    if replaced is not None:
        await _settle_moved_on(context, chat_id, *replaced)


async def _settle_moved_on(context: FlashContext, chat_id: int, message_id: int, card) -> None:
    """Tell an older card message, still open, that the review has moved on without it."""
    try:
        await context.bot.edit_message_text(
            texts.review_moved_on(texts.card_question(card)),
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=None,
        )
    except BadRequest as error:
        if "no text in the message" in str(error).lower():
            # A photo carrying the question: it keeps its caption and loses its buttons.
            await strip_buttons(context.bot, chat_id, message_id)
            return
        # Deleted by the user, or too old to edit: nothing left to settle.
        log.debug("could not settle card message %s: %s", message_id, error)


async def send_next_card(
    context: FlashContext,
    tg_user: TgUser,
    chat_id: int,
    *,
    prefer_deck_id: int | None = None,
    graded: tuple[CallbackQuery, str] | None = None,
) -> None:
    """Show the next due card, or say the session is over and when the next card is due.

    `prefer_deck_id` (the deck of the card just graded) keeps the review in that deck while
    it has cards left, then moves on to the others. With `graded` (the grade's query and its
    one-line record) the graded card's message is edited into the record plus what follows:
    one call instead of an edit and a send.
    """
    runtime = context.runtime
    now = runtime.now()
    replaced = None
    # A photo or file cannot become text, nor text a photo: then the next card goes below.
    on_media = graded is not None and is_media_message(graded[0].message)
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, tg_user)
        study = await reviews.next_card(session, user=user, now=now, prefer_deck_id=prefer_deck_id)
        if study is None:
            end = await reviews.queue_end(session, user=user, now=now)
            studying = bool(await active_decks(session, user_id=user.id))
        elif graded is not None and not on_media and not has_media(study.card.question_media):
            # The graded card's message is about to offer this card (edited just below).
            replaced = await review_messages.card_message_sent(
                session,
                user_id=user.id,
                message_id=graded[0].message.message_id,
                card_id=study.card.id,
            )
        zone = ZoneInfo(user.timezone)
    if study is None:
        text = (
            texts.session_done(end, zone)
            if end.reviewed_today
            else texts.nothing_due(end, zone, studying)
        )
        markup = None
    else:
        text = texts.question(study)
        markup = keyboards.show_answer(study.card.id, study.version)
    if graded is not None:
        query, record = graded
        inline = not on_media and (study is None or not has_media(study.card.question_media))
        try:
            if inline and await edit_html(query, texts.after_grade(record, text), markup):
                if replaced is not None:
                    await _settle_moved_on(context, chat_id, *replaced)
                return
            # Too long for one message with the record, or media on either side: keep the
            # record, send the card below.
            if on_media:
                await _edit_caption(query, record)
            else:
                await edit_html(query, record)
        except BadRequest as error:
            if not message_gone(error):
                raise
            # The graded card's message was deleted or is too old to edit: send what follows.
    if study is None:
        await send_html(context.bot, chat_id, text)
    else:
        await send_card(context, chat_id, study)


def message_gone(error: BadRequest) -> bool:
    """Telegram refused an edit because the message was deleted or is too old to edit."""
    text = error.message.lower()
    return "message to edit not found" in text or "message can't be edited" in text


async def on_review(update: Update, context: FlashContext) -> None:
    """/review: study the cards due now."""
    await send_next_card(context, update.effective_user, update.effective_chat.id)


async def on_start_review(update: Update, context: FlashContext, data: StartReview) -> None:
    """The push message's Start review button."""
    await update.callback_query.answer()
    await send_next_card(context, update.effective_user, update.effective_chat.id)


async def on_show_answer(update: Update, context: FlashContext, data: ShowAnswer) -> None:
    """Reveal the answer and offer the four grades with their next intervals."""
    runtime = context.runtime
    query = update.callback_query
    now = runtime.now()
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        status, study = await reviews.card_to_study(
            session, user=user, card_id=data.card_id, version=data.version, now=now
        )
        fsrs_scheduler = runtime.scheduler_for(user)
    if study is None:
        await query.answer(_STALE[status])
        return
    intervals = next_intervals(
        fsrs_scheduler,
        study.memory,
        now,
        fuzz_key=fuzz_key(user.id, study.card.id, study.version),
    )
    # When the question appeared: sent, or edited in by the previous grade.
    message = query.message
    shown_at = getattr(message, "edit_date", None) or message.date
    # The deck's owner gets ✏️ Edit under the answer; nobody else sees it.
    grades = keyboards.grades(
        study.card.id,
        study.version,
        intervals,
        int(shown_at.timestamp()) if shown_at else 0,
        editable=study.deck.owner_id == user.id,
    )
    await query.answer()
    on_media = is_media_message(message)
    try:
        if not has_media(study.card.answer_media):
            both = texts.question_and_answer(study)
            if on_media and texts.visible_length(both) <= MAX_CAPTION_CHARS:
                await _edit_caption(query, both, grades)
                return
            if not on_media and await edit_html(query, both, grades):
                return
        # The answer goes below the question: it has its own media, the question is a photo
        # whose caption cannot hold both, or both pass 4096 characters (then split if need be).
        await query.edit_message_reply_markup(reply_markup=None)
        reveal = texts.answer_only(study)
    except BadRequest as error:
        if not message_gone(error):
            raise
        # The card's message was deleted or is too old to edit: show the card anew.
        reveal = [texts.question(study), texts.answer_only(study)]
    message = await send_card_side(
        runtime, context.bot, update.effective_chat.id, reveal, study.card.answer_media, grades
    )
    async with runtime.db.session() as session:
        await review_messages.card_message_moved(
            session, user_id=user.id, message_id=message.message_id, card_id=study.card.id
        )


async def _edit_caption(query: CallbackQuery, html_text: str, reply_markup=None) -> None:
    try:
        await query.edit_message_caption(
            caption=html_text, parse_mode=ParseMode.HTML, reply_markup=reply_markup
        )
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def review_attempt(update: Update, context: FlashContext) -> bool:
    """Text typed while a review card waits is the learner's attempt: the card is revealed
    below it, the attempt beside the answer, with the grades. A typed-answer card's attempt is
    checked with the forgiving matcher first. False when no card waits."""
    runtime = context.runtime
    chat_id = update.effective_chat.id
    now = runtime.now()
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        opened = await review_messages.open_card(session, user=user, now=now)
        fsrs_scheduler = runtime.scheduler_for(user)
    if opened is None:
        return False
    old_message_id, study = opened
    attempt = update.effective_message.text or ""
    text = texts.question_and_answer(study, attempt=attempt)
    if study.card.kind == "typed":
        card = study.card
        expected = card.typed_answer or card_plain(card.answer, card.text_format)
        with contextlib.suppress(ValueError):  # nothing to type: shown as a plain attempt
            verdict = check_written(expected, attempt)
            text = texts.typed_review_result(study, attempt, verdict.correct, verdict.exact)
    intervals = next_intervals(
        fsrs_scheduler,
        study.memory,
        now,
        fuzz_key=fuzz_key(user.id, study.card.id, study.version),
    )
    await strip_buttons(context.bot, chat_id, old_message_id)
    message = await send_card_side(
        runtime,
        context.bot,
        chat_id,
        text,
        study.card.answer_media,
        keyboards.grades(
            study.card.id, study.version, intervals, editable=study.deck.owner_id == user.id
        ),
    )
    async with runtime.db.session() as session:
        await review_messages.card_message_moved(
            session, user_id=user.id, message_id=message.message_id, card_id=study.card.id
        )
    return True


async def on_grade(update: Update, context: FlashContext, data: Grading) -> None:
    """Record a grade once, confirm it, and move on to the next card."""
    runtime = context.runtime
    query = update.callback_query
    now = runtime.now()
    shown_at = (
        datetime.fromtimestamp(data.shown_at, UTC)
        if data.shown_at
        else getattr(query.message, "date", None)
    )
    duration_ms = None
    if shown_at is not None and timedelta(0) <= now - shown_at <= timedelta(hours=1):
        duration_ms = int((now - shown_at).total_seconds() * 1000)
    again = None
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        outcome = await reviews.grade_card(
            session,
            user=user,
            card_id=data.card_id,
            version=data.version,
            grade=data.grade,
            now=now,
            scheduler=runtime.scheduler_for(user),
            duration_ms=duration_ms,
            chat_id=update.effective_chat.id,
        )
        if outcome.status is reviews.GradeStatus.OK:
            await review_messages.card_message_closed(
                session, user_id=user.id, card_id=data.card_id
            )
        elif outcome.status is reviews.GradeStatus.ALREADY_GRADED:
            # Maybe a press handled before by a process that died after storing the grade
            # and before showing the next card.
            again = await reviews.recorded_grade(
                session,
                user=user,
                card_id=data.card_id,
                version=data.version,
                pressed_message_id=query.message.message_id,
            )
    if outcome.status is not reviews.GradeStatus.OK:
        await query.answer(_STALE[outcome.status])
        if again is None:
            return
        # Show what follows that grade (again): an edit that changes nothing if it was shown.
        outcome = again
    else:
        await query.answer(texts.grade_recorded(data.grade, outcome.interval))
    question = card_plain(outcome.card.question, outcome.card.text_format)
    record = texts.graded_line(question, outcome.grade, outcome.interval)
    await send_next_card(
        context,
        update.effective_user,
        update.effective_chat.id,
        prefer_deck_id=outcome.card.deck_id,
        graded=(query, record),
    )
    if outcome.leech:  # suspended by this grade: said below the next card, with the choices
        async with runtime.db.session() as session:
            deck = await deck_by_id(session, deck_id=outcome.card.deck_id)
        await send_leech_notice(
            context,
            update.effective_chat.id,
            card=outcome.card,
            deck_title=deck.title,
            lapses=outcome.lapses,
            editable=deck.owner_id == update.effective_user.id,
        )


async def on_undo(update: Update, context: FlashContext) -> None:
    """/undo: revert the last grade; the card comes back to the queue."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        message_id = update.effective_message.message_id
        if not await claim_message(session, user_id=user.id, message_id=message_id):
            return  # this /undo was applied before a crash: undo once, not twice
        undone = await reviews.undo_last(session, user=user)
    if undone is None:
        await send_html(context.bot, update.effective_chat.id, texts.NOTHING_TO_UNDO)
        return
    log, card = undone
    await send_html(
        context.bot,
        update.effective_chat.id,
        texts.undone(texts.card_question(card), Grade(log.rating)),
    )
    await send_next_card(
        context, update.effective_user, update.effective_chat.id, prefer_deck_id=log.deck_id
    )


async def on_stats(update: Update, context: FlashContext) -> None:
    """/stats: per-deck progress, due counts and the review streak, with the charts."""
    runtime = context.runtime
    now = runtime.now()
    chart = None
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        rows = await reviews.deck_stats(session, user=user, now=now)
        streak = await reviews.review_streak(session, user=user, now=now)
        if rows:
            chart = await charts.stats_chart(session, user=user, now=now, decks=rows, streak=streak)
    await send_with_chart(
        context, update.effective_chat.id, texts.stats(rows, streak), render_stats, chart
    )
