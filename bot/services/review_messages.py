"""Which private message offers a review card right now, so that only one does.

A card message stays open (Show answer, then the grades) until it is graded. When another card
message is sent — the next card after /undo, a second /review, Start review on a push — the
open one is replaced, and the caller tells it that it has moved on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.review import ReviewCard, card_to_study
from bot.storage.models import Card, CardState, User

__all__ = ["card_message_closed", "card_message_moved", "card_message_sent", "open_card"]


async def card_message_sent(
    session: AsyncSession, *, user_id: int, message_id: int, card_id: int
) -> tuple[int, Card] | None:
    """Remember the message now offering `card_id`; returns the one still open before it
    (its message id and card), which has moved on, or None."""
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        return None
    previous = (user.review_message_id, user.review_card_id)
    user.review_message_id, user.review_card_id = message_id, card_id
    if previous[0] is None or previous[0] == message_id or previous[1] is None:
        return None
    card = await session.get(Card, previous[1])
    return (previous[0], card) if card is not None else None


async def card_message_moved(
    session: AsyncSession, *, user_id: int, message_id: int, card_id: int
) -> None:
    """The open card continues in another message (an answer too long to join its question)."""
    user = await session.get(User, user_id, with_for_update=True)
    if user is not None and user.review_card_id == card_id:
        user.review_message_id = message_id


async def card_message_closed(session: AsyncSession, *, user_id: int, card_id: int) -> None:
    """The open card was graded: no message offers it any more."""
    user = await session.get(User, user_id, with_for_update=True)
    if user is not None and user.review_card_id == card_id:
        user.review_message_id = user.review_card_id = None


async def open_card(
    session: AsyncSession, *, user: User, now: datetime
) -> tuple[int, ReviewCard] | None:
    """The message still offering a card and that card as it stands now, while it can still
    be studied (due, deck still studied); None when no card waits."""
    if user.review_message_id is None or user.review_card_id is None:
        return None
    state = await session.get(CardState, (user.id, user.review_card_id))
    _status, study = await card_to_study(
        session, user=user, card_id=user.review_card_id, version=state.reps if state else 0, now=now
    )
    return (user.review_message_id, study) if study is not None else None
