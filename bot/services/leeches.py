"""Leeches a learner has suspended: listing them, keeping them suspended or studying them again.

The rule that makes a leech (bot.core.leeches) is applied when grading (services.review).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Card, CardState, Deck

__all__ = ["LeechCard", "lapses_of", "set_suspended", "suspended_cards"]


@dataclass(frozen=True)
class LeechCard:
    """A suspended card of one learner, with its deck and lapse count."""

    card: Card
    deck: Deck
    lapses: int


async def suspended_cards(session: AsyncSession, *, user_id: int) -> list[LeechCard]:
    """The learner's suspended cards in live decks, by deck then deck order."""
    rows = await session.execute(
        select(Card, Deck, CardState.lapses)
        .join(CardState, CardState.card_id == Card.id)
        .join(Deck, Deck.id == Card.deck_id)
        .where(
            CardState.user_id == user_id,
            CardState.suspended.is_(True),
            Card.retired.is_(False),
            Deck.retired.is_(False),
        )
        .order_by(Deck.title, Card.position)
    )
    return [LeechCard(card, deck, lapses) for card, deck, lapses in rows.all()]


async def set_suspended(
    session: AsyncSession, *, user_id: int, card_id: int, suspended: bool
) -> Card | None:
    """Suspend or bring back one of the learner's studied cards; None if they have no state
    for it (never studied, or a forged id). The lapse count is kept either way."""
    state = await session.get(CardState, (user_id, card_id))
    if state is None:
        return None
    state.suspended = suspended
    await session.flush()
    return await session.get(Card, card_id)


async def lapses_of(session: AsyncSession, *, user_id: int, card_id: int) -> int:
    """The learner's lapses on one card (0 when never studied)."""
    state = await session.get(CardState, (user_id, card_id))
    return state.lapses if state is not None else 0
