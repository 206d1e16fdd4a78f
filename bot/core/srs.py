"""Spaced repetition: a thin, pure wrapper over the `fsrs` package (FSRS-6).

Storage is the caller's job: every function takes the current memory state and `now`,
and returns new values without touching anything else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum

from fsrs import Card as FsrsCard
from fsrs import Rating as FsrsRating
from fsrs import Scheduler, State

__all__ = [
    "Grade",
    "MemoryState",
    "format_interval",
    "make_scheduler",
    "next_intervals",
    "review",
]


class Grade(IntEnum):
    """The four self-grades, numbered as FSRS and Anki number them."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True, slots=True)
class MemoryState:
    """What FSRS knows about one person's memory of one card."""

    state: int  # fsrs.State value: 1 learning, 2 review, 3 relearning
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["due"] = self.due.isoformat()
        data["last_review"] = self.last_review.isoformat() if self.last_review else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> MemoryState:
        last = data.get("last_review")
        return cls(
            state=data["state"],
            step=data.get("step"),
            stability=data.get("stability"),
            difficulty=data.get("difficulty"),
            due=datetime.fromisoformat(data["due"]),
            last_review=datetime.fromisoformat(last) if last else None,
        )


def make_scheduler(*, desired_retention: float = 0.9, fuzzing: bool = True) -> Scheduler:
    """An FSRS-6 scheduler with default parameters."""
    if not 0.7 <= desired_retention <= 0.99:
        raise ValueError("desired retention must be between 0.70 and 0.99")
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzzing)


def _require_utc(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() != timedelta(0):
        raise ValueError("now must be timezone-aware and in UTC")


def _to_fsrs(memory: MemoryState | None, now: datetime) -> FsrsCard:
    if memory is None:  # a new card: FSRS starts it in Learning, step 0, due now
        return FsrsCard(card_id=0, state=State.Learning, step=0, due=now)
    return FsrsCard(
        card_id=0,
        state=State(memory.state),
        step=memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=memory.due,
        last_review=memory.last_review,
    )


def _from_fsrs(card: FsrsCard) -> MemoryState:
    return MemoryState(
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due.astimezone(UTC),
        last_review=card.last_review.astimezone(UTC) if card.last_review else None,
    )


def review(
    scheduler: Scheduler, memory: MemoryState | None, grade: Grade, now: datetime
) -> MemoryState:
    """The memory state after grading a card (None = new card) at `now`."""
    _require_utc(now)
    now = now.astimezone(UTC)  # fsrs insists on the `UTC` tzinfo object itself
    card, _log = scheduler.review_card(_to_fsrs(memory, now), FsrsRating(int(grade)), now)
    return _from_fsrs(card)


def next_intervals(
    scheduler: Scheduler, memory: MemoryState | None, now: datetime
) -> dict[Grade, timedelta]:
    """How long until the card returns for each grade, as shown on the grade buttons."""
    return {g: review(scheduler, memory, g, now).due - now for g in Grade}


def format_interval(delta: timedelta) -> str:
    """A short Anki-style interval: '<1m', '10m', '5h', '3d', '2mo', '1.5y'."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    months = days / 30.4375
    if months < 11.95:
        return f"{months:.1f}".rstrip("0").rstrip(".") + "mo"
    years = days / 365.25
    return f"{years:.1f}".rstrip("0").rstrip(".") + "y"
