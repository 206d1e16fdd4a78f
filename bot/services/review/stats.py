"""Review statistics: per-deck status and today's reviews for /stats, and the day streak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.localtime import local_date, local_day_start
from bot.core.mastery import CardProgress, DeckStatus, deck_status
from bot.services.review.queue import enrolled_cards_query
from bot.services.study import (
    practised_card_ids,
)
from bot.storage.models import Card, CardState, Deck, ReviewLog, User

__all__ = [
    "DeckStats",
    "deck_stats",
    "review_streak",
]


@dataclass(frozen=True)
class DeckStats:
    """One deck on /stats: its status (the same counts as /progress) and today's reviews."""

    deck: Deck
    status: DeckStatus
    reviews_today: int


async def deck_stats(session: AsyncSession, *, user: User, now: datetime) -> list[DeckStats]:
    """Per active deck: mastery levels, due counts and today's reviews.

    Levels and due counts come from bot.core.mastery.deck_status, with the cards practised in
    Learn and Test, exactly as the /progress table counts them.
    """
    zone = ZoneInfo(user.timezone)
    today = local_day_start(now, zone)
    rows = await session.execute(
        enrolled_cards_query(
            user.id,
            None,
            Deck,
            Card.id,
            CardState.state,
            CardState.stability,
            CardState.due,
            CardState.suspended,
        )
        .outerjoin(CardState, and_(CardState.card_id == Card.id, CardState.user_id == user.id))
        .order_by(Deck.title, Card.position)
    )
    per_deck: dict[int, tuple[Deck, list[CardProgress]]] = {}
    for deck, card_id, state, stability, due, suspended in rows.all():
        per_deck.setdefault(deck.id, (deck, []))[1].append(
            CardProgress(card_id, state, stability, due, bool(suspended))
        )
    practised = await practised_card_ids(session, user_id=user.id, deck_ids=list(per_deck))
    today_counts = dict(
        (
            await session.execute(
                select(ReviewLog.deck_id, func.count(ReviewLog.id))
                .where(
                    ReviewLog.user_id == user.id,
                    ReviewLog.undone.is_(False),
                    ReviewLog.reviewed_at >= today,
                )
                .group_by(ReviewLog.deck_id)
            )
        ).all()
    )
    return [
        DeckStats(
            deck=deck,
            status=deck_status(
                cards,
                now=now,
                day_end=local_day_start(now, zone, days=1),
                next_day_end=local_day_start(now, zone, days=2),
                practised_ids=practised.get(deck.id, frozenset()),
            ),
            reviews_today=today_counts.get(deck.id, 0),
        )
        for deck, cards in per_deck.values()
    ]


async def review_streak(session: AsyncSession, *, user: User, now: datetime) -> int:
    """Consecutive local days with at least one review, ending today (or yesterday)."""
    zone = ZoneInfo(user.timezone)
    since = local_day_start(now, zone, days=-400)
    stamps = (
        await session.execute(
            select(ReviewLog.reviewed_at)
            .where(
                ReviewLog.user_id == user.id,
                ReviewLog.undone.is_(False),
                ReviewLog.reviewed_at >= since,
            )
            .order_by(ReviewLog.reviewed_at.desc())
        )
    ).scalars()
    days = {local_date(stamp, zone) for stamp in stamps}
    day = local_date(now, zone)
    if day not in days:
        day -= timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak
