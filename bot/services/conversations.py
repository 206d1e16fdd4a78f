"""What a learner's next message in private chat is for, kept in the database.

/add, ✏️ Edit and Rename ask for text; the question asked is a `Conversation` row, so a
restart between the question and the reply loses nothing. Starting a step replaces whatever
was pending (one conversation per person) and bumps `draft`, which a preview's Save button
carries so an older preview's button is recognised as stale.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Conversation

__all__ = ["REPLY_WINDOW", "Step", "begin", "current", "finish", "finish_draft"]

# A plain message answers the bot's question only this long after it was asked: someone who
# left an /add open yesterday and now types an attempt at a review card means the card.
REPLY_WINDOW = timedelta(minutes=30)


class Step(StrEnum):
    """The question the bot asked; `data` holds what the answer is about."""

    NEW_DECK_TITLE = "new_deck_title"  # {}
    ADD_QUESTION = "add_question"  # {"deck_id", "added"}
    ADD_ANSWER = "add_answer"  # {"deck_id", "added", "question"}
    BULK_PREVIEW = "bulk_preview"  # {"deck_id", "cards": [[question, answer], ...]}
    EDIT_QUESTION = "edit_question"  # {"card_id"}
    EDIT_ANSWER = "edit_answer"  # {"card_id"}
    RENAME_DECK = "rename_deck"  # {"deck_id"}


async def current(
    session: AsyncSession, *, user_id: int, lock: bool = False, since: datetime | None = None
) -> Conversation | None:
    """The pending step, or None; `lock` holds the row until commit (Save presses).

    With `since`, a step last touched before then counts as forgotten (see REPLY_WINDOW).
    """
    query = select(Conversation).where(
        Conversation.user_id == user_id, Conversation.kind.is_not(None)
    )
    if since is not None:
        query = query.where(Conversation.updated_at >= since)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def begin(
    session: AsyncSession, *, user_id: int, step: Step, data: dict[str, Any], now: datetime
) -> Conversation:
    """Ask a new question, replacing any pending one; returns the row with its new draft."""
    row = await session.get(Conversation, user_id, with_for_update=True)
    if row is None:
        row = Conversation(user_id=user_id, kind=step, data=data, draft=1, updated_at=now)
        session.add(row)
    else:
        row.kind, row.data, row.draft, row.updated_at = step, data, row.draft + 1, now
    await session.flush()
    return row


async def finish(session: AsyncSession, *, user_id: int) -> bool:
    """Nothing pending any more; False if nothing was."""
    result = await session.execute(
        update(Conversation)
        .where(Conversation.user_id == user_id, Conversation.kind.is_not(None))
        .values(kind=None, data={}, draft=Conversation.draft + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0


async def finish_draft(session: AsyncSession, *, user_id: int, draft: int) -> dict[str, Any] | None:
    """End the pending preview numbered `draft` and return its data; None if it is not the
    pending one any more (saved, cancelled, replaced). The row stays locked until commit."""
    row = await current(session, user_id=user_id, lock=True)
    if row is None or row.draft != draft or row.kind != Step.BULK_PREVIEW:
        return None
    data = dict(row.data)
    row.kind, row.data, row.draft = None, {}, row.draft + 1
    await session.flush()
    return data
