"""Spaced review use cases: what to study next, grading, undo, statistics."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fsrs import Scheduler
from sqlalchemy import and_, func, literal_column, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.core.leeches import is_leech
from bot.core.localtime import local_date, local_day_start
from bot.core.mastery import CardProgress, DeckStatus, deck_status
from bot.core.srs import REVIEW, Grade, MemoryState, fuzz_key, is_due, review
from bot.services.group_grades import withdraw_post_grade
from bot.services.study import (
    practised_card_ids,
    record_spaced_review,
    unrecord_spaced_review,
)
from bot.storage.models import Card, CardState, Deck, Enrolment, ReviewLog, User
from bot.storage.queries import due_by

__all__ = [
    "DeckStats",
    "GradeOutcome",
    "GradeStatus",
    "QueueCounts",
    "QueueEnd",
    "StudyCard",
    "card_to_study",
    "deck_stats",
    "grade_card",
    "memory_of",
    "next_card",
    "queue_counts",
    "queue_end",
    "review_streak",
    "undo_last",
]

# A card shown a moment before it fell due (clock skew, learning steps) may still be graded.
_DUE_GRACE = timedelta(minutes=1)


@dataclass(frozen=True)
class StudyCard:
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


class GradeStatus(enum.Enum):
    OK = "ok"
    ALREADY_GRADED = "already_graded"
    NOT_DUE = "not_due"
    NOT_ENROLLED = "not_enrolled"
    UNKNOWN_CARD = "unknown_card"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class GradeOutcome:
    """A grade's result; `leech` when this grade's lapse made the card a leech (now
    suspended, bot.core.leeches), with the card's `lapses` so far."""

    status: GradeStatus
    card: Card | None = None
    memory: MemoryState | None = None
    interval: timedelta | None = None
    leech: bool = False
    lapses: int = 0


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


def _enrolled_cards(user_id: int, deck_id: int | None, *columns):
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
        _enrolled_cards(user_id, deck_id, *columns)
        .outerjoin(CardState, and_(CardState.card_id == Card.id, CardState.user_id == user_id))
        .where(CardState.card_id.is_(None))
    )


def _day_end(user: User, now: datetime) -> datetime:
    return local_day_start(now, ZoneInfo(user.timezone), days=1)


def _due_query(user: User, now: datetime, deck_id: int | None, *columns):
    """Enrolled cards due now: (Card, Deck, CardState) rows, or the given columns."""
    return (
        _enrolled_cards(user.id, deck_id, *(columns or (Card, Deck, CardState)))
        .join(CardState, and_(CardState.card_id == Card.id, CardState.user_id == user.id))
        .where(due_by(now, _day_end(user, now)))
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


async def _first_card(
    session: AsyncSession, user: User, now: datetime, deck_id: int | None, counts: QueueCounts
) -> tuple[Card, Deck, CardState | None] | None:
    """The most overdue due card, else the first new one within today's limit."""
    if not (counts.per_deck.get(deck_id, 0) if deck_id is not None else counts.total):
        return None  # nothing to study there: no query needed
    row = (
        await session.execute(
            _due_query(user, now, deck_id).order_by(CardState.due, Card.id).limit(1)
        )
    ).first()
    if row is not None:
        return row[0], row[1], row[2]
    row = (
        await session.execute(
            _new_cards(user.id, deck_id).order_by(Deck.title, Card.position).limit(1)
        )
    ).first()
    return (row[0], row[1], None) if row is not None else None


async def next_card(
    session: AsyncSession,
    *,
    user: User,
    now: datetime,
    deck_id: int | None = None,
    prefer_deck_id: int | None = None,
) -> StudyCard | None:
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
    card, deck, state = found
    return StudyCard(
        card,
        deck,
        memory_of(state),
        state.reps if state is not None else 0,
        max(1, counts.total),
        max(1, counts.per_deck.get(deck.id, 0)),
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
            _enrolled_cards(user.id, deck_id, func.min(CardState.due))
            .join(CardState, and_(CardState.card_id == Card.id, CardState.user_id == user.id))
            .where(CardState.suspended.is_(False))
        )
    ).scalar_one_or_none()
    new_waiting = (
        await session.execute(_new_cards(user.id, deck_id, func.count(Card.id)))
    ).scalar_one()
    tomorrow = _day_end(user, now)
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


async def card_to_study(
    session: AsyncSession,
    *,
    user: User,
    card_id: int,
    version: int,
    now: datetime,
    with_progress: bool = True,
    early: bool = False,
) -> tuple[GradeStatus, StudyCard | None]:
    """Re-load a shown card for 'Show answer', checking the button is still current.

    `early` accepts a card that is not due yet (a group post reviews it for everyone).
    """
    row = (
        await session.execute(
            _enrolled_cards(user.id, None, Card, Deck, CardState)
            .outerjoin(CardState, and_(CardState.card_id == Card.id, CardState.user_id == user.id))
            .where(Card.id == card_id)
        )
    ).one_or_none()
    if row is None:
        exists = await session.get(Card, card_id)
        return (GradeStatus.NOT_ENROLLED if exists else GradeStatus.UNKNOWN_CARD), None
    card, deck, state = row
    current = state.reps if state else 0
    if current != version:
        return GradeStatus.ALREADY_GRADED, None
    if state is not None and state.suspended:  # a leech: not even a group post reviews it
        return GradeStatus.SUSPENDED, None
    if state is not None and not early and not is_due(state, now + _DUE_GRACE, _day_end(user, now)):
        return GradeStatus.NOT_DUE, None
    if not with_progress:  # grading needs the card, not the counts of what is left
        return GradeStatus.OK, StudyCard(card, deck, memory_of(state), current, 1, 1)
    counts = await queue_counts(session, user=user, now=now)
    left, in_deck = max(1, counts.total), max(1, counts.per_deck.get(deck.id, 0))
    return GradeStatus.OK, StudyCard(card, deck, memory_of(state), current, left, in_deck)


async def grade_card(
    session: AsyncSession,
    *,
    user: User,
    card_id: int,
    version: int,
    grade: Grade,
    now: datetime,
    scheduler: Scheduler,
    duration_ms: int | None = None,
    chat_id: int | None = None,
    early: bool = False,
) -> GradeOutcome:
    """Grade a card once: a second press of the same (or any stale) button changes nothing.

    The write is conditional on the card's version, so two racing presses cannot both land.
    A lapse that makes the card a leech (the user's threshold, bot.core.leeches) suspends it
    in the same write; the review log keeps the suspension before and after, for /undo.
    """
    status, study = await card_to_study(
        session,
        user=user,
        card_id=card_id,
        version=version,
        now=now,
        with_progress=False,
        early=early,
    )
    if status is not GradeStatus.OK or study is None:
        return GradeOutcome(status)
    after = review(
        scheduler, study.memory, grade, now, fuzz_key=fuzz_key(user.id, card_id, version)
    )
    lapse = int(grade is Grade.AGAIN and study.memory is not None and study.memory.state == REVIEW)
    values = {
        "state": after.state,
        "step": after.step,
        "stability": after.stability,
        "difficulty": after.difficulty,
        "due": after.due,
        "last_review": after.last_review,
    }
    # One statement each way: a first grade inserts unless a racing press did; a later one
    # updates only the version shown and reads back the new counters.
    if study.memory is None:
        insert = (pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert)(
            CardState
        )
        result = await session.execute(
            insert.values(
                user_id=user.id, card_id=card_id, deck_id=study.deck.id, reps=1, lapses=0, **values
            )
            .on_conflict_do_nothing(index_elements=["user_id", "card_id"])
            .returning(CardState.reps)
        )
        if result.first() is None:
            return GradeOutcome(GradeStatus.ALREADY_GRADED)
        before_dict = None
        reps, lapses, leech = 1, 0, False
    else:
        row = (
            await session.execute(
                update(CardState)
                .where(
                    CardState.user_id == user.id,
                    CardState.card_id == card_id,
                    CardState.reps == version,
                )
                .values(reps=CardState.reps + 1, lapses=CardState.lapses + lapse, **values)
                .returning(CardState.reps, CardState.lapses)
                .execution_options(synchronize_session=False)
            )
        ).first()
        if row is None:
            return GradeOutcome(GradeStatus.ALREADY_GRADED)
        reps, lapses = row
        leech = bool(lapse) and is_leech(lapses, user.leech_threshold)
        if leech:  # rare: a second statement, on the row this grade just claimed
            values["suspended"] = True
            await session.execute(
                update(CardState)
                .where(CardState.user_id == user.id, CardState.card_id == card_id)
                .values(suspended=True)
                .execution_options(synchronize_session=False)
            )
        before_dict = study.memory.to_dict() | {
            "reps": version,
            "lapses": lapses - lapse,
            "suspended": False,  # a suspended card is never graded (card_to_study)
        }
        state = await session.get(CardState, (user.id, card_id))  # loaded above: no query
        if state is not None:  # keep the loaded row true to the database, for later readers
            for key, value in (values | {"reps": reps, "lapses": lapses}).items():
                set_committed_value(state, key, value)
    session.add(
        ReviewLog(
            user_id=user.id,
            card_id=card_id,
            deck_id=study.deck.id,
            rating=int(grade),
            reviewed_at=now,
            duration_ms=duration_ms,
            state_before=before_dict,
            state_after=after.to_dict() | {"reps": reps, "lapses": lapses, "suspended": leech},
            chat_id=chat_id,
        )
    )
    # Every grade also counts in the user's spaced-review session: the progress table's history.
    await record_spaced_review(
        session,
        user_id=user.id,
        deck_id=study.deck.id,
        chat_id=chat_id if chat_id is not None else user.id,
        remembered=grade is not Grade.AGAIN,
        now=now,
    )
    await session.flush()
    return GradeOutcome(GradeStatus.OK, study.card, after, after.due - now, leech, lapses)


async def undo_last(session: AsyncSession, *, user: User) -> tuple[ReviewLog, Card] | None:
    """Revert the user's most recent grade that is not undone yet; None if there is none."""
    log = (
        await session.execute(
            select(ReviewLog)
            .where(ReviewLog.user_id == user.id, ReviewLog.undone.is_(False))
            .order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if log is None:
        return None
    state = await session.get(CardState, (user.id, log.card_id))
    if log.state_before is None:
        if state is not None:
            await session.delete(state)
    else:
        before = MemoryState.from_dict(log.state_before)
        if state is None:
            state = CardState(
                user_id=user.id,
                card_id=log.card_id,
                deck_id=log.deck_id,
                state=before.state,
                due=before.due,
            )
            session.add(state)
        state.state, state.step = before.state, before.step
        state.stability, state.difficulty = before.stability, before.difficulty
        state.due, state.last_review = before.due, before.last_review
        state.reps, state.lapses = log.state_before["reps"], log.state_before["lapses"]
        # Undoing the lapse that made a leech brings the card back (logs before leeches
        # existed have no "suspended": the card was not suspended then).
        state.suspended = bool(log.state_before.get("suspended", False))
    log.undone = True
    if log.chat_id is not None:  # given on a group post: the member may grade that post again
        await withdraw_post_grade(
            session,
            user_id=user.id,
            chat_id=log.chat_id,
            card_id=log.card_id,
            graded_at=log.reviewed_at,
        )
    await unrecord_spaced_review(
        session,
        user_id=user.id,
        deck_id=log.deck_id,
        reviewed_at=log.reviewed_at,
        remembered=log.rating != int(Grade.AGAIN),
    )
    await session.flush()
    card = await session.get(Card, log.card_id)
    return log, card


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
        _enrolled_cards(
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
