"""Grading a review card once per button, and /undo of the latest grade."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Scheduler
from sqlalchemy import and_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.core.leeches import is_leech
from bot.core.srs import REVIEW, Grade, MemoryState, fuzz_key, is_due, review
from bot.services.group_grades import withdraw_post_grade
from bot.services.review.queue import (
    ReviewCard,
    enrolled_cards_query,
    memory_of,
    queue_counts,
    review_day_end,
)
from bot.services.study import (
    record_spaced_review,
    unrecord_spaced_review,
)
from bot.storage.models import Card, CardState, Deck, ReviewLog, User

__all__ = [
    "GradeOutcome",
    "GradeStatus",
    "card_to_study",
    "grade_card",
    "recorded_grade",
    "undo_last",
]


# A card shown a moment before it fell due (clock skew, learning steps) may still be graded.
_DUE_GRACE = timedelta(minutes=1)


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
    suspended, bot.core.leeches), with the card's `lapses` so far; `grade` as recorded."""

    status: GradeStatus
    card: Card | None = None
    memory: MemoryState | None = None
    interval: timedelta | None = None
    leech: bool = False
    lapses: int = 0
    grade: Grade | None = None


async def card_to_study(
    session: AsyncSession,
    *,
    user: User,
    card_id: int,
    version: int,
    now: datetime,
    with_progress: bool = True,
    early: bool = False,
) -> tuple[GradeStatus, ReviewCard | None]:
    """Re-load a shown card for 'Show answer', checking the button is still current.

    `early` accepts a card that is not due yet (a group post reviews it for everyone).
    """
    row = (
        await session.execute(
            enrolled_cards_query(user.id, None, Card, Deck, CardState)
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
    if (
        state is not None
        and not early
        and not is_due(state, now + _DUE_GRACE, review_day_end(user, now))
    ):
        return GradeStatus.NOT_DUE, None
    if not with_progress:  # grading needs the card, not the counts of what is left
        return GradeStatus.OK, ReviewCard(card, deck, memory_of(state), current, 1, 1)
    counts = await queue_counts(session, user=user, now=now)
    left, in_deck = max(1, counts.total), max(1, counts.per_deck.get(deck.id, 0))
    return GradeStatus.OK, ReviewCard(card, deck, memory_of(state), current, left, in_deck)


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
    return GradeOutcome(GradeStatus.OK, study.card, after, after.due - now, leech, lapses, grade)


async def recorded_grade(
    session: AsyncSession, *, user: User, card_id: int, version: int, pressed_message_id: int
) -> GradeOutcome | None:
    """The grade that moved a card on from `version`, while it is the card's latest and no
    other message offers a card: its outcome as `grade_card` returned it. None otherwise.

    A press handled again after a crash (its grade stored, the next card never shown) uses it
    to finish what the first handling began; the leech notice is not repeated.
    """
    if user.review_message_id not in (None, pressed_message_id):
        return None  # the learner has moved on to another card message
    state = await session.get(CardState, (user.id, card_id))
    if state is None or state.reps != version + 1:
        return None
    log = await _latest_answer(session, user_id=user.id, card_id=card_id)
    if log is None or (log.state_before or {}).get("reps", 0) != version:
        return None
    card = await session.get(Card, card_id)
    after = MemoryState.from_dict(log.state_after)
    interval = after.due - log.reviewed_at
    return GradeOutcome(
        GradeStatus.OK, card, after, interval, lapses=state.lapses, grade=Grade(log.rating)
    )


async def _latest_answer(
    session: AsyncSession, *, user_id: int, card_id: int | None = None
) -> ReviewLog | None:
    """The learner's newest answer not undone (of one card, if given)."""
    query = select(ReviewLog).where(ReviewLog.user_id == user_id, ReviewLog.undone.is_(False))
    if card_id is not None:
        query = query.where(ReviewLog.card_id == card_id)
    query = query.order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc()).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


async def undo_last(session: AsyncSession, *, user: User) -> tuple[ReviewLog, Card] | None:
    """Revert the user's most recent grade that is not undone yet; None if there is none."""
    log = await _latest_answer(session, user_id=user.id)
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
