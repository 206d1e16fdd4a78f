"""The progress table: one row per person who studied a deck, from FSRS state and sessions."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.mastery import CardProgress, Mastery, deck_mastery
from bot.core.study import (
    LearnSession,
    TestSession,
)
from bot.services.study.common import (
    FINISHED,
    DeckCards,
    Mode,
    load_deck_cards,
)
from bot.storage.models import (
    CardState,
    ReviewLog,
    StudySession,
    User,
)

__all__ = [
    "TABLE_MODES",
    "ProgressRow",
    "practised_card_ids",
    "progress_rows",
]


# The modes behind the progress table (browsing flashcards is not a study session there).
TABLE_MODES: tuple[Mode, ...] = ("learn", "test", "match", "quiz", "spaced")


@dataclass(frozen=True)
class ProgressRow:
    """One person's line in a deck's progress table.

    `learn` is the latest Learn session's (learned, total); `test_percent` the latest finished
    Test; `match_ms` the best finished Match time; `spaced_reviews` the spaced-review grades
    given (undone ones excluded); `quiz` the latest quiz's (right, total), for callers that
    show it. None means the person has not done that mode on this deck.
    """

    user_id: int
    name: str
    mastery: Mastery
    learn: tuple[int, int] | None
    test_percent: int | None
    match_ms: int | None
    spaced_reviews: int
    quiz: tuple[int, int] | None
    last_studied: datetime


@dataclass
class _Person:
    sessions: list[StudySession] = field(default_factory=list)
    reviews: int = 0
    last_review: datetime | None = None


def _percent(score: int, total: int) -> int:
    return (200 * score + total) // (2 * total) if total else 0  # half up, as Test scores


def _practised(person: _Person, deck: DeckCards) -> set[int]:
    """Cards learned in Learn or answered right in a Test: they count as studied for mastery."""
    practised: set[int] = set()
    for study in person.sessions:
        state = study.state or {}
        try:
            if study.mode == "learn" and "learn" in state:
                practised.update(LearnSession.from_dict(state["learn"], deck.pool).learned_ids())
            elif study.mode == "test" and "test" in state:
                test = TestSession.from_dict(state["test"], deck.pool)
                wrong = {w.question_no for w in test.result().wrong}
                practised.update(
                    q.question.card_id for q in test.questions if q.question_no not in wrong
                )
        except (KeyError, ValueError):  # a state from an older format: skip, do not fail
            continue
    return practised


async def practised_card_ids(
    session: AsyncSession, *, user_id: int, deck_ids: Collection[int]
) -> dict[int, set[int]]:
    """Per deck, the cards a learner learned in Learn or answered right in a Test.

    /stats passes them to bot.core.mastery as the progress table does, so both count alike.
    """
    if not deck_ids:
        return {}
    people: dict[int, _Person] = {}
    for study in (
        await session.execute(
            select(StudySession)
            .where(
                StudySession.user_id == user_id,
                StudySession.deck_id.in_(list(deck_ids)),
                StudySession.mode.in_(("learn", "test")),
            )
            .order_by(StudySession.id)
        )
    ).scalars():
        people.setdefault(study.deck_id, _Person()).sessions.append(study)
    practised = {}
    for deck_id, person in people.items():
        deck = await load_deck_cards(session, deck_id=deck_id)
        if deck is not None:
            practised[deck_id] = _practised(person, deck)
    return practised


async def progress_rows(
    session: AsyncSession, *, deck_id: int, user_ids: Collection[int] | None, now: datetime
) -> list[ProgressRow]:
    """One row per person who studied the deck (Learn, Test, Match, Quiz or spaced review).

    `user_ids` limits the rows to those people (a private chat passes its user, a group its
    members); None means everyone. Rows are ordered by mastery, then most recent study.
    """
    if user_ids is not None and not user_ids:
        return []
    deck = await load_deck_cards(session, deck_id=deck_id)
    if deck is None:
        return []
    wanted = list(user_ids) if user_ids is not None else None
    session_query = select(StudySession).where(
        StudySession.deck_id == deck_id, StudySession.mode.in_(TABLE_MODES)
    )
    review_query = (
        select(ReviewLog.user_id, func.count(), func.max(ReviewLog.reviewed_at))
        .where(ReviewLog.deck_id == deck_id, ReviewLog.undone.is_(False))
        .group_by(ReviewLog.user_id)
    )
    if wanted is not None:
        session_query = session_query.where(StudySession.user_id.in_(wanted))
        review_query = review_query.where(ReviewLog.user_id.in_(wanted))
    people: dict[int, _Person] = {}
    for study in (await session.execute(session_query.order_by(StudySession.id))).scalars():
        people.setdefault(study.user_id, _Person()).sessions.append(study)
    for user_id, count, last in (await session.execute(review_query)).all():
        person = people.setdefault(user_id, _Person())
        person.reviews, person.last_review = int(count), last
    if not people:
        return []
    ids = list(people)
    names = {
        u.id: u.first_name or u.username or ""
        for u in (await session.execute(select(User).where(User.id.in_(ids)))).scalars()
    }
    states: dict[int, dict[int, CardState]] = {}
    for state in (
        await session.execute(
            select(CardState).where(CardState.deck_id == deck_id, CardState.user_id.in_(ids))
        )
    ).scalars():
        states.setdefault(state.user_id, {})[state.card_id] = state
    rows = [
        _row(user_id, names.get(user_id) or f"User {user_id}", person, states, deck, now)
        for user_id, person in people.items()
    ]
    rows.sort(key=lambda r: (-r.mastery.percent, -r.last_studied.timestamp(), r.name))
    return rows


def _row(
    user_id: int,
    name: str,
    person: _Person,
    states: dict[int, dict[int, CardState]],
    deck: DeckCards,
    now: datetime,
) -> ProgressRow:
    mine = states.get(user_id, {})
    progress = [
        CardProgress(
            card_id,
            mine[card_id].state if card_id in mine else None,
            mine[card_id].stability if card_id in mine else None,
            mine[card_id].due if card_id in mine else None,
            mine[card_id].suspended if card_id in mine else False,
        )
        for card_id in deck.cards
    ]
    mastery = deck_mastery(progress, now=now, practised_ids=_practised(person, deck))

    def latest(mode: str, *, finished: bool = False) -> StudySession | None:
        found = [
            s
            for s in person.sessions
            if s.mode == mode and (s.status == FINISHED or not finished) and s.total
        ]
        return max(found, key=lambda s: (s.started_at, s.id), default=None)

    learn = latest("learn")
    test = latest("test", finished=True)
    quiz = latest("quiz")
    match_times = [
        s.duration_ms
        for s in person.sessions
        if s.mode == "match" and s.status == FINISHED and s.duration_ms is not None
    ]
    moments = [m for s in person.sessions for m in (s.started_at, s.finished_at) if m is not None]
    if person.last_review is not None:
        moments.append(person.last_review)
    return ProgressRow(
        user_id=user_id,
        name=name,
        mastery=mastery,
        learn=(learn.score or 0, learn.total or 0) if learn else None,
        test_percent=_percent(test.score or 0, test.total or 0) if test else None,
        match_ms=min(match_times) if match_times else None,
        spaced_reviews=person.reviews,
        quiz=(quiz.score or 0, quiz.total or 0) if quiz else None,
        last_studied=max(moments) if moments else now,
    )
