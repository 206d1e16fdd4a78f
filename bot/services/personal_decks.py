"""A learner's own and joined decks as /decks and a deck's menu show them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.sharing import studyable_deck
from bot.storage.models import Card, Deck, Enrolment

__all__ = ["DeckOverview", "deck_overview", "live_card_count", "personal_decks"]


@dataclass(frozen=True)
class DeckOverview:
    """A deck that is not bundled, from one learner's side."""

    deck_id: int
    title: str
    description: str
    card_count: int
    owned: bool
    studying: bool
    shared: bool  # it has a live share link
    learners: int  # people studying it now, the owner included if they do


async def _card_counts(session: AsyncSession, deck_ids: list[int]) -> dict[int, int]:
    if not deck_ids:
        return {}
    rows = await session.execute(
        select(Card.deck_id, func.count(Card.id))
        .where(Card.deck_id.in_(deck_ids), Card.retired.is_(False))
        .group_by(Card.deck_id)
    )
    return dict(rows.all())


async def live_card_count(session: AsyncSession, *, deck_id: int) -> int:
    """How many live cards the deck has."""
    return (await _card_counts(session, [deck_id])).get(deck_id, 0)


async def personal_decks(session: AsyncSession, *, user_id: int) -> list[DeckOverview]:
    """Live decks the learner owns or joined by a link (left ones too), owned first, by title."""
    rows = await session.execute(
        select(Deck, Enrolment.active)
        .outerjoin(Enrolment, (Enrolment.deck_id == Deck.id) & (Enrolment.user_id == user_id))
        .where(
            Deck.retired.is_(False),
            Deck.owner_id.is_not(None),
            or_(Deck.owner_id == user_id, Enrolment.user_id.is_not(None)),
        )
        .order_by(Deck.title, Deck.id)
    )
    found = rows.all()
    counts = await _card_counts(session, [deck.id for deck, _active in found])
    decks = [
        DeckOverview(
            deck.id,
            deck.title,
            deck.description,
            counts.get(deck.id, 0),
            owned=deck.owner_id == user_id,
            studying=bool(active),
            shared=deck.share_code is not None,
            learners=0,  # not needed for the list
        )
        for deck, active in found
    ]
    return sorted(decks, key=lambda d: not d.owned)


async def deck_overview(
    session: AsyncSession, *, user_id: int, deck_id: int
) -> DeckOverview | None:
    """One deck's menu; None unless the learner owns it or joined it (bundled decks: None)."""
    deck = await studyable_deck(session, user_id=user_id, deck_id=deck_id)
    if deck is None or deck.owner_id is None:
        return None
    enrolment = await session.get(Enrolment, (user_id, deck_id))
    learners = (
        await session.execute(
            select(func.count())
            .select_from(Enrolment)
            .where(Enrolment.deck_id == deck_id, Enrolment.active.is_(True))
        )
    ).scalar_one()
    counts = await _card_counts(session, [deck_id])
    return DeckOverview(
        deck.id,
        deck.title,
        deck.description,
        counts.get(deck_id, 0),
        owned=deck.owner_id == user_id,
        studying=enrolment is not None and enrolment.active,
        shared=deck.share_code is not None,
        learners=learners,
    )
