"""The review queue: what a learner can study now (due cards, then new ones within today's limit), and what to say when nothing is left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, literal_column, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.localtime import local_day_start
from bot.core.srs import MemoryState
from bot.storage.models import Card, CardState, Deck, Enrolment, ReviewLog, User
from bot.storage.queries import due_by

__all__ = [
    "QueueCounts",
    "QueueEnd",
    "ReviewCard",
    "enrolled_cards_query",
    "memory_of",
    "next_card",
    "queue_counts",
    "queue_end",
    "review_day_end",
]


@dataclass(frozen=True)
class ReviewCard:
    """A card ready to show: its deck, its memory state and what is left to study now.

    `left` counts the cards that can be studied right now (due, and new ones within today's
    limit), this one included, in all the learner's decks; `left_in_deck` those of this
    card's deck. A count of what is left stays true whatever happens: a card graded Again
    leaves the count until its learning step is due, then rejoins it; /undo puts it back.
    """

    card: Card
    deck: Deck
    memory: MemoryState | None
    version: int  # CardState.reps (0 for a new card); buttons carry it to detect staleness
    left: int
    left_in_deck: int


def memory_of(state: CardState | None) -> MemoryState | None:
    if state is None:
        return None
    return MemoryState(
        state=state.state,
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
    )


def _live_enrolled(user_id: int, deck_id: int | None):
    """Join conditions for live cards in decks the user actively studies."""
    conditions = [
        Enrolment.user_id == user_id,
        Enrolment.active.is_(True),
        Card.retired.is_(False),
        Deck.retired.is_(False),
    ]
    if deck_id is not None:
        conditions.append(Card.deck_id == deck_id)
    return and_(*conditions)


def enrolled_cards_query(user_id: int, deck_id: int | None, *columns):
    """Live cards of the decks the user studies: (Card, Deck) rows, or the given columns."""
    return (
        select(*(columns or (Card, Deck)))
        .select_from(Card)
        .join(Deck, Deck.id == Card.deck_id)
        .join(Enrolment, Enrolment.deck_id == Card.deck_id)
        .where(_live_enrolled(user_id, deck_id))
    )


def _new_cards(user_id: int, deck_id: int | None, *columns):
    """Live enrolled cards the user has never graded."""
    return (
        enrolled_cards_query(user_id, deck_id, *columns)
        .outerjoin(CardState, and_(CardState.card_id == Card.id, CardState.user_id == user_id))
        .where(CardState.card_id.is_(None))
    )


def review_day_end(user: User, now: datetime) -> datetime:
    return local_day_start(now, ZoneInfo(user.timezone), days=1)


def _due_query(user: User, now: datetime, deck_id: int | None, *columns):
    """Enrolled cards due now: (Card, Deck, CardState) rows, or the given columns."""
    return (
        enrolled_cards_query(user.id, deck_id, *(columns or (Card, Deck, CardState)))
        .join(CardState, and_(CardState.card_id == Card.id, CardState.user_id == user.id))
        .where(due_by(now, review_day_end(user, now)))
    )


@dataclass(frozen=True)
class QueueCounts:
    """Cards that can be studied now, in all decks and per deck."""

    total: int
    per_deck: dict[int, int]


async def queue_counts(session: AsyncSession, *, user: User, now: datetime) -> QueueCounts:
    """Due cards plus new cards within today's limit, in all the user's decks and per deck."""
    counts, _allowance = await _queue_counts(session, user, now)
    return counts


async def _queue_counts(
    session: AsyncSession, user: User, now: datetime
) -> tuple[QueueCounts, int]:
    """queue_counts and today's new-card allowance, in one round trip (every card shown and
    every Show answer asks: three queries as one)."""
    start = local_day_start(now, ZoneInfo(user.timezone))
    kind = literal_column("'due'").label("kind")
    due = _due_query(user, now, None, kind, Card.deck_id, func.count(Card.id)).group_by(
        Card.deck_id
    )
    new = _new_cards(
        user.id, None, literal_column("'new'"), Card.deck_id, func.count(Card.id)
    ).group_by(Card.deck_id)
    introduced = select(
        literal_column("'introduced'"),
        literal_column("NULL"),
        func.count(func.distinct(ReviewLog.card_id)),
    ).where(
        ReviewLog.user_id == user.id,
        ReviewLog.state_before.is_(None),
        ReviewLog.undone.is_(False),
        ReviewLog.reviewed_at >= start,
    )
    rows = (await session.execute(union_all(due, new, introduced))).all()
    due_per_deck = {deck: n for what, deck, n in rows if what == "due"}
    new_per_deck = {deck: n for what, deck, n in rows if what == "new"}
    introduced_today = next((n for what, _deck, n in rows if what == "introduced"), 0)
    allowance = max(0, user.new_cards_per_day - introduced_today)
    decks = set(due_per_deck) | set(new_per_deck)
    per_deck = {d: due_per_deck.get(d, 0) + min(allowance, new_per_deck.get(d, 0)) for d in decks}
    total = sum(due_per_deck.values()) + min(allowance, sum(new_per_deck.values()))
    return QueueCounts(total, per_deck), allowance


@dataclass(frozen=True)
class _QueueHead:
    """The card at the head of the queue, with its deck and state (None for a new card)."""

    card: Card
    deck: Deck
    state: CardState | None


async def _first_card(
    session: AsyncSession, user: User, now: datetime, deck_id: int | None, counts: QueueCounts
) -> _QueueHead | None:
    """The most overdue due card, else the first new one within today's limit."""
    if not (counts.per_deck.get(deck_id, 0) if deck_id is not None else counts.total):
        return None  # nothing to study there: no query needed
    row = (
        await session.execute(
            _due_query(user, now, deck_id).order_by(CardState.due, Card.id).limit(1)
        )
    ).first()
    if row is not None:
        return _QueueHead(row[0], row[1], row[2])
    row = (
        await session.execute(
            _new_cards(user.id, deck_id).order_by(Deck.title, Card.position).limit(1)
        )
    ).first()
    return _QueueHead(row[0], row[1], None) if row is not None else None


async def next_card(
    session: AsyncSession,
    *,
    user: User,
    now: datetime,
    deck_id: int | None = None,
    prefer_deck_id: int | None = None,
) -> ReviewCard | None:
    """The next card to study: the most overdue due card, else a new one within today's limit.

    `deck_id` keeps to one deck; `prefer_deck_id` takes that deck's cards first, then the
    others' (a review stays in the deck the learner is in until it is done there).
    """
    counts, _allowance = await _queue_counts(session, user, now)
    found = None
    if deck_id is not None or prefer_deck_id is not None:
        found = await _first_card(session, user, now, deck_id or prefer_deck_id, counts)
    if found is None and deck_id is None:
        found = await _first_card(session, user, now, None, counts)
    if found is None:
        return None
    state = found.state
    return ReviewCard(
        found.card,
        found.deck,
        memory_of(state),
        state.reps if state is not None else 0,
        max(1, counts.total),
        max(1, counts.per_deck.get(found.deck.id, 0)),
    )


@dataclass(frozen=True)
class QueueEnd:
    """What to tell someone whose queue is empty: today's count and when cards come back.

    `reviewed_today` counts distinct cards graded today (a card relearned three times is one);
    `new_waiting` the new cards held back by the daily limit (`new_per_day`, maybe 0).
    """

    reviewed_today: int
    next_due: datetime | None
    new_waiting: int
    new_per_day: int


async def queue_end(
    session: AsyncSession, *, user: User, now: datetime, deck_id: int | None = None
) -> QueueEnd:
    """For an empty queue (next_card found nothing): cards reviewed today and when next.

    Nothing is due now, so the next time is the earliest due date, or tomorrow when new
    cards wait behind today's limit (never, with a limit of 0). `deck_id` asks about one deck.
    """
    earliest = (
        await session.execute(
            enrolled_cards_query(user.id, deck_id, func.min(CardState.due))
            .join(CardState, and_(CardState.card_id == Card.id, CardState.user_id == user.id))
            .where(CardState.suspended.is_(False))
        )
    ).scalar_one_or_none()
    new_waiting = (
        await session.execute(_new_cards(user.id, deck_id, func.count(Card.id)))
    ).scalar_one()
    tomorrow = review_day_end(user, now)
    next_due = earliest
    if new_waiting and user.new_cards_per_day and (earliest is None or tomorrow < earliest):
        next_due = tomorrow
    start = local_day_start(now, ZoneInfo(user.timezone))
    reviewed = select(func.count(func.distinct(ReviewLog.card_id))).where(
        ReviewLog.user_id == user.id, ReviewLog.undone.is_(False), ReviewLog.reviewed_at >= start
    )
    if deck_id is not None:
        reviewed = reviewed.where(ReviewLog.deck_id == deck_id)
    reviewed_today = (await session.execute(reviewed)).scalar_one()
    return QueueEnd(reviewed_today, next_due, new_waiting, user.new_cards_per_day)
