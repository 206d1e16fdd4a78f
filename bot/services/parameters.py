"""FSRS parameters fitted to each learner: their history, the fit, keeping the better ones.

A fit runs in a worker process (a `FitRunner`, bot.fit_pool.FitPool in the bot) and no
database session is open while it runs: one session reads the history, another stores the
outcome. New parameters are kept only when they predict the learner's own answers better
than the ones in use (lower log loss on the same reviews).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.fitting import (
    MIN_ITEMS,
    REFIT_AFTER,
    Answer,
    FitResult,
    LearnerFit,
    fit_answers,
    pack_answers,
)
from bot.storage.db import Database
from bot.storage.models import ImportedReview, ReviewLog, User

__all__ = [
    "CLAIM_LEASE",
    "FitRunner",
    "Fitted",
    "NotEnoughData",
    "PersonalParameters",
    "claim_due_fits",
    "fit_learner",
    "learner_answers",
    "personal_parameters",
    "set_retention",
]

T = TypeVar("T")

CLAIM_LEASE = timedelta(hours=1)  # a claimed fit whose process died is tried again after this
_RETRY_WITH_MORE_DATA = timedelta(days=7)
_RETRY_AFTER_FAILURE = timedelta(days=1)
# Anki's manual reschedules and "set due date" rows say nothing about memory.
_NOT_ANSWERS = ("manual", "rescheduled")
_LEARNING_STATE = 1  # fsrs.State.Learning
_CHUNK = 1000  # answers read and packed between two turns of the event loop (5,000: 0.3 s stalls)


class FitRunner(Protocol):
    """Runs a function off the event loop (in the bot: a worker process)."""

    async def run(self, function: Callable[..., T], *args: Any) -> T: ...


@dataclass(frozen=True, slots=True)
class NotEnoughData:
    items: int  # reviews that count (a day or more after the card's previous answer)
    needed: int

    @property
    def missing(self) -> int:
        return self.needed - self.items


@dataclass(frozen=True, slots=True)
class Fitted:
    result: FitResult
    kept: bool  # the new parameters beat the current ones and are now in use
    reviews: int


@dataclass(frozen=True, slots=True)
class PersonalParameters:
    """What /settings says about a learner's fitted parameters."""

    fitted_at: datetime
    reviews: int
    log_loss_before: float
    log_loss_after: float


def personal_parameters(user: User) -> PersonalParameters | None:
    if user.fsrs_parameters is None or user.fsrs_fitted_at is None:
        return None
    return PersonalParameters(
        fitted_at=user.fsrs_fitted_at,
        reviews=user.fsrs_fit_reviews or 0,
        log_loss_before=user.fsrs_log_loss_before or 0.0,
        log_loss_after=user.fsrs_log_loss_after or 0.0,
    )


def set_retention(user: User, *, percent: int) -> None:
    """The learner's desired retention, 70–97 %."""
    if not 70 <= percent <= 97:
        raise ValueError("desired retention must be between 70 and 97 percent")
    user.desired_retention = percent / 100


async def learner_answers(session: AsyncSession, *, user_id: int) -> AnswerChunks:
    """Every answer the learner gave: grades here (not undone) and reviews imported from
    Anki, packed for a fit worker a chunk at a time.

    Rows are streamed and each chunk is packed as it arrives, so the event loop gets its
    turn between chunks: read at once, 100,000 answers held it for a third of a second.
    """
    chunks = AnswerChunks()
    state_before = ReviewLog.state_before["state"].as_integer()  # no JSON decoding here
    here = select(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.rating, state_before).where(
        ReviewLog.user_id == user_id, ReviewLog.undone.is_(False)
    )
    imported = select(
        ImportedReview.card_id,
        ImportedReview.reviewed_at,
        ImportedReview.rating,
        ImportedReview.kind,
    ).where(
        ImportedReview.user_id == user_id,
        ImportedReview.rating > 0,
        ImportedReview.kind.not_in(_NOT_ANSWERS),
    )
    rows = await session.stream(here.execution_options(yield_per=_CHUNK))
    async for partition in rows.partitions():
        chunks.add(
            [
                (card, at.timestamp(), rating, before is None or before == _LEARNING_STATE)
                for card, at, rating, before in partition
            ]
        )
    rows = await session.stream(imported.execution_options(yield_per=_CHUNK))
    async for partition in rows.partitions():
        chunks.add(
            [
                (card, at.timestamp(), rating, kind == "learn")
                for card, at, rating, kind in partition
            ]
        )
    return chunks


class AnswerChunks(list[bytes]):
    """Packed answers (bot.core.fitting.pack_answers) and how many there are."""

    count: int = 0

    def add(self, answers: list[Answer]) -> None:
        if answers:
            self.append(pack_answers(answers))
            self.count += len(answers)


async def fit_learner(
    db: Database,
    runner: FitRunner,
    *,
    user_id: int,
    now: datetime,
    on_start: Callable[[int], Awaitable[None]] | None = None,
) -> NotEnoughData | Fitted:
    """Fit FSRS to the learner's answers and keep the parameters if they predict better.

    `on_start` is awaited with the number of answers when there may be enough to fit.
    Also sets when the timetable tries next: a month after a fit, a week while data is
    short, a day after a failure (which is raised).
    """
    async with db.session() as session:
        user = await session.get(User, user_id)
        if user is None:
            raise LookupError(f"no user {user_id}")
        answers = await learner_answers(session, user_id=user_id)
        zone = user.timezone
        current = None if user.fsrs_parameters is None else tuple(user.fsrs_parameters)
        if answers.count < MIN_ITEMS:  # items are never more than answers
            user.next_fit_at = now + _RETRY_WITH_MORE_DATA
            # Items are never more than answers: this many at most.
            return NotEnoughData(items=answers.count, needed=MIN_ITEMS)
    if on_start is not None:
        await on_start(answers.count)
    try:
        # Items are built in the worker as well: a quarter second per 100,000 answers.
        outcome: LearnerFit = await runner.run(fit_answers, list(answers), zone, current)
    except Exception:  # a cancelled fit (the bot stopping) is left to the claim's lease
        async with db.session() as session:
            await _set_next_fit(session, user_id, now + _RETRY_AFTER_FAILURE)
        raise
    async with db.session() as session:
        user = await session.get(User, user_id)
        if outcome.result is None:
            user.next_fit_at = now + _RETRY_WITH_MORE_DATA
            return NotEnoughData(items=outcome.items, needed=MIN_ITEMS)
        result = outcome.result
        user.next_fit_at = now + REFIT_AFTER
        # Compared with the parameters read before the fit: if another fit replaced them
        # meanwhile, that one stays.
        in_use = None if user.fsrs_parameters is None else tuple(user.fsrs_parameters)
        kept = result.better and in_use == current
        if kept:
            user.fsrs_parameters = list(result.parameters)
            user.fsrs_fitted_at = now
            user.fsrs_fit_reviews = outcome.reviews
            user.fsrs_log_loss_before = result.log_loss_before
            user.fsrs_log_loss_after = result.log_loss_after
    return Fitted(result=result, kept=kept, reviews=outcome.reviews)


async def _set_next_fit(session: AsyncSession, user_id: int, when: datetime) -> None:
    await session.execute(update(User).where(User.id == user_id).values(next_fit_at=when))


async def claim_due_fits(session: AsyncSession, *, now: datetime, limit: int = 20) -> list[int]:
    """Claim up to `limit` learners due a fit who have at least MIN_ITEMS answers on record
    (items are fewer: fit_learner counts them); each is leased for CLAIM_LEASE."""
    answers_here = (
        select(func.count())
        .select_from(ReviewLog)
        .where(ReviewLog.user_id == User.id, ReviewLog.undone.is_(False))
        .scalar_subquery()
    )
    answers_imported = (
        select(func.count())
        .select_from(ImportedReview)
        .where(ImportedReview.user_id == User.id, ImportedReview.rating > 0)
        .scalar_subquery()
    )
    due = or_(User.next_fit_at.is_(None), User.next_fit_at <= now)
    candidates = list(
        (
            await session.execute(
                select(User.id)
                .where(due, User.blocked.is_(False), answers_here + answers_imported >= MIN_ITEMS)
                .order_by(User.next_fit_at.is_not(None), User.next_fit_at, User.id)
                .limit(limit)
            )
        ).scalars()
    )
    claimed = []
    for user_id in candidates:
        # Compare-and-set: another process claiming the same learner moves next_fit_at first.
        moved = await session.execute(
            update(User)
            .where(User.id == user_id, due)
            .values(next_fit_at=now + CLAIM_LEASE)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount == 1:
            claimed.append(user_id)
    return claimed
