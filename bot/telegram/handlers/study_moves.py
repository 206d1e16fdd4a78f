"""What the study-mode handlers share: session seeds, applying a move (and refusing a stale
one), revealing an answer, sending a question, and settling an answered message."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update

from bot.runtime import Runtime
from bot.services import study
from bot.services.study import MoveStatus
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import StudyMove
from bot.telegram.context import FlashContext
from bot.telegram.messages import edit_html, send_html, strip_buttons

__all__ = [
    "apply_move",
    "new_seed",
    "refusal",
    "reveal",
    "send_and_remember",
    "settle",
]

log = logging.getLogger(__name__)

View = TypeVar("View")

_REFUSALS = {
    MoveStatus.STALE: texts.STUDY_STALE,
    MoveStatus.FOREIGN: texts.STUDY_FOREIGN,
    MoveStatus.UNKNOWN: texts.STUDY_UNKNOWN,
}


def new_seed(runtime: Runtime) -> int:
    """A fresh session seed; tests fix it with `runtime.study_seed` (int or callable)."""
    fixed = runtime.study_seed
    if callable(fixed):
        return int(fixed())
    if fixed is not None:
        return int(fixed)
    return secrets.randbits(32)


def refusal(status: MoveStatus, mode: str) -> str:
    """The short answer to a button that may not act on its session."""
    if status is MoveStatus.PAUSED:
        return texts.study_paused(mode)
    return _REFUSALS[status]


async def apply_move(
    update: Update,
    context: FlashContext,
    data: StudyMove,
    service: Callable[..., Awaitable[tuple[MoveStatus, View | None]]],
    **arguments: Any,
) -> View | None:
    """Run a button's move on its session through `service`; a refused move is answered here."""
    async with context.runtime.db.session() as session:
        status, view = await service(
            session, session_id=data.session_id, user_id=update.effective_user.id, **arguments
        )
    if status is not MoveStatus.OK or view is None:
        await update.callback_query.answer(refusal(status, data.mode))
        return None
    return view


async def reveal(
    update: Update,
    context: FlashContext,
    data: StudyMove,
    render: Callable[..., str],
    *,
    stop: bool = False,
) -> None:
    """'Show answer' on a Learn or Test question: the same question, its answer shown."""
    view = await apply_move(
        update, context, data, study.peek_question, mode=data.mode, question_no=data.step
    )
    if view is None:
        return
    query = update.callback_query
    await query.answer()
    assert view.asked is not None  # a peek only succeeds on the question still on screen
    text = render(view, revealed=True)
    markup = keyboards.study_question(
        data.mode, view.session_id, view.asked, revealed=True, stop=stop
    )
    if not await edit_html(query, text, markup):
        await send_html(context.bot, update.effective_chat.id, text, markup)


async def send_and_remember(
    context: FlashContext,
    chat_id: int,
    session_id: int,
    blocks: list[str] | str,
    reply_markup: InlineKeyboardMarkup | None,
) -> Message:
    """Send a session's question (split if long) and remember the message that has its buttons."""
    message = await send_html(context.bot, chat_id, blocks, reply_markup)
    async with context.runtime.db.session() as session:
        await study.set_message(session, session_id=session_id, message_id=message.message_id)
    return message


async def settle(query: CallbackQuery, html_text: str) -> bool:
    """Show an answered question in its final form, without buttons.

    A question too long for one message was sent in parts; then only its buttons are taken
    away and False is returned, so the caller shows the verdict in the next message instead.
    """
    if await edit_html(query, html_text):
        return True
    if query.message is not None:
        await strip_buttons(query.get_bot(), query.message.chat.id, query.message.message_id)
    return False
