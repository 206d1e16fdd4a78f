"""Studying in a group: grading a daily post, /progress, and quiz rounds."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from telegram import Poll, Update

from bot.core.charts import render_group_mastery
from bot.services import charts, groups, study
from bot.services.decks import deck_by_id
from bot.services.users import user_by_id
from bot.telegram import texts
from bot.telegram.callbacks import GroupGrade
from bot.telegram.chart_photos import send_with_chart
from bot.telegram.context import FlashContext
from bot.telegram.group_posting import edit_post_count
from bot.telegram.handlers.groups.access import (
    GROUP_TYPES,
    load_group,
    reply,
)
from bot.telegram.handlers.leeches import send_leech_notice

__all__ = [
    "QUIZ_COOLDOWN",
    "on_group_grade",
    "on_group_progress",
    "on_group_quiz",
]


QUIZ_COOLDOWN = timedelta(minutes=5)  # one round at a time keeps a group chat readable


_GRADE_STATUS = {
    groups.GroupGradeStatus.ALREADY_GRADED: texts.GROUP_ALREADY_GRADED,
    groups.GroupGradeStatus.FOREIGN: texts.GROUP_FOREIGN_BUTTON,
    groups.GroupGradeStatus.CARD_GONE: texts.GROUP_CARD_GONE,
    groups.GroupGradeStatus.SUSPENDED: texts.STALE_SUSPENDED,
}


async def on_group_grade(update: Update, context: FlashContext, data: GroupGrade) -> None:
    """A member grades a group post: their own card state moves, once per post."""
    runtime, query, chat = context.runtime, update.callback_query, update.effective_chat
    if chat.type not in GROUP_TYPES:
        await query.answer(texts.GROUP_FOREIGN_BUTTON)
        return
    now = runtime.now()
    async with runtime.db.session() as session:
        if not await groups.post_in_chat(session, post_id=data.post_id, chat_id=chat.id):
            outcome = groups.GroupGradeOutcome(groups.GroupGradeStatus.FOREIGN)
        else:
            await load_group(session, context, update)
            user = await user_by_id(session, user_id=update.effective_user.id)
            outcome = await groups.grade_group_post(
                session,
                post_id=data.post_id,
                chat_id=chat.id,
                user=user,
                grade=data.grade,
                now=now,
                scheduler=runtime.scheduler_for(user),
            )
            if outcome.leech:
                deck = await deck_by_id(session, deck_id=outcome.card.deck_id)
    if outcome.status is not groups.GroupGradeStatus.OK:
        await query.answer(_GRADE_STATUS[outcome.status])
        return
    if outcome.leech:
        # The same rule as in private review: suspended for this member, who is told in the
        # toast and, if the bot may write to them, in private with the choices.
        await query.answer(
            texts.group_leech_toast(data.grade, outcome.interval, outcome.lapses), show_alert=True
        )
        if not user.blocked:
            await send_leech_notice(
                context,
                user.id,
                card=outcome.card,
                deck_title=deck.title,
                lapses=outcome.lapses,
                editable=deck.owner_id == user.id,
            )
    else:
        await query.answer(texts.grade_recorded(data.grade, outcome.interval))
    async with runtime.db.session() as session:
        view = await groups.claim_count_edit(session, post_id=data.post_id, now=now)
    if view is not None:
        await edit_post_count(context.bot, view)


async def on_group_progress(update: Update, context: FlashContext) -> None:
    """/progress in a group: the deck's table for the members who studied it, here or privately."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        group = await load_group(session, context, update)
        deck = await deck_by_id(session, deck_id=group.deck_id)
        if deck is not None:
            # Only the group's deck and only its members: nobody's other decks show here.
            members = await groups.group_member_ids(session, chat_id=group.chat_id)
            rows = await study.progress_rows(
                session, deck_id=deck.id, user_ids=members, now=runtime.now()
            )
    if deck is None:
        await reply(update, context, texts.GROUP_NEEDS_DECK)
        return
    # The members' mastery as bars beside the table (none while nobody has studied it).
    chart = charts.group_mastery_chart(deck.title, rows) if rows else None
    await send_with_chart(
        context,
        update.effective_chat.id,
        texts.progress_table(deck.title, rows),
        render_group_mastery,
        chart,
    )


async def on_group_quiz(update: Update, context: FlashContext) -> None:
    """/quiz in a group: a round of quiz polls; each member's answers are credited to them."""
    runtime, chat = context.runtime, update.effective_chat
    now = runtime.now()
    questions, ready_at = [], None
    async with runtime.db.session() as session:
        group = await load_group(session, context, update)
        deck = await deck_by_id(session, deck_id=group.deck_id)
        if deck is not None:
            last = await groups.last_quiz_at(session, chat_id=chat.id)
            if last is not None and now - last < QUIZ_COOLDOWN:
                ready_at = last + QUIZ_COOLDOWN
            else:
                questions = await groups.group_quiz_questions(
                    session, deck_id=deck.id, rng=random.Random()
                )
    if deck is None:
        await reply(update, context, texts.GROUP_NEEDS_DECK)
        return
    if ready_at is not None:
        await reply(update, context, texts.group_quiz_too_soon(ready_at, group.timezone))
        return
    if not questions:
        await reply(update, context, texts.GROUP_QUIZ_UNAVAILABLE)
        return
    await reply(update, context, texts.group_quiz_intro(deck.title, len(questions)))
    round_id = uuid.uuid4().hex
    for number, question in enumerate(questions, start=1):
        message = await context.bot.send_poll(
            chat.id,
            question.question,
            question.options,
            type=Poll.QUIZ,
            is_anonymous=False,
            correct_option_ids=[question.correct],
        )
        # Stored poll by poll, so an answer to an early poll is never unknown.
        async with runtime.db.session() as session:
            await groups.store_quiz_polls(
                session,
                chat_id=chat.id,
                deck_id=deck.id,
                round_id=round_id,
                sent=[(message.poll.id, question)],
                first_number=number,
                now=now,
            )
