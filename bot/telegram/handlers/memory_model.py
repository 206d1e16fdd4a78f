"""The learner's memory model: /retention (desired retention) and /optimize (fit FSRS now)."""

from __future__ import annotations

import logging

from telegram import Update

from bot.services import parameters
from bot.telegram import texts
from bot.telegram.context import FlashContext
from bot.telegram.handlers.command_input import load_user, number_argument
from bot.telegram.messages import send_html

__all__ = ["on_optimize", "on_retention"]

log = logging.getLogger(__name__)


async def on_retention(update: Update, context: FlashContext) -> None:
    """/retention N: the share of cards to remember when they come back, 70–97 %."""
    runtime = context.runtime
    chat_id = update.effective_chat.id
    args = [arg.removesuffix("%") for arg in context.args or []]
    percent = number_argument(args, 70, 97) if args else None
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        if percent is not None:
            parameters.set_retention(user, percent=percent)
        current = round(user.desired_retention * 100)
    if percent is not None:
        reply = texts.retention_set(percent)
    elif args:
        reply = texts.RETENTION_USAGE
    else:
        reply = texts.retention_current(current)
    await send_html(context.bot, chat_id, reply)


async def on_optimize(update: Update, context: FlashContext) -> None:
    """/optimize: fit FSRS to the learner's reviews now; answer with before and after."""
    runtime = context.runtime
    chat_id = update.effective_chat.id
    user_id = update.effective_user.id
    async with runtime.db.session() as session:
        await load_user(session, runtime, update.effective_user)
    if runtime.fit_pool is None:  # not started (it is created in post_init)
        await send_html(context.bot, chat_id, texts.OPTIMIZE_FAILED)
        return

    async def starting(items: int) -> None:
        await send_html(context.bot, chat_id, texts.optimizing(items))

    try:
        outcome = await parameters.fit_learner(
            runtime.db, runtime.fit_pool, user_id=user_id, now=runtime.now(), on_start=starting
        )
    except Exception:
        log.exception("fitting FSRS parameters for a learner failed")
        await send_html(context.bot, chat_id, texts.OPTIMIZE_FAILED)
        return
    if isinstance(outcome, parameters.NotEnoughData):
        reply = texts.optimize_needs_more(outcome.items, outcome.needed)
    else:
        reply = texts.optimize_done(outcome.result, kept=outcome.kept, reviews=outcome.reviews)
    await send_html(context.bot, chat_id, reply)
