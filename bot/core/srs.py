"""Spaced repetition: a thin, pure wrapper over the `fsrs` package (FSRS-6).

Storage is the caller's job: every function takes the current memory state and `now`,
and returns new values without touching anything else.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from functools import lru_cache
from typing import Protocol

from fsrs import Card as FsrsCard
from fsrs import Rating as FsrsRating
from fsrs import Scheduler, State
from fsrs.scheduler import FUZZ_RANGES

__all__ = [
    "REVIEW",
    "DueLike",
    "Grade",
    "MemoryState",
    "format_interval",
    "fuzz_key",
    "is_due",
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


# The FSRS state of a card that has graduated from its learning steps (fsrs.State.Review, 2).
REVIEW = State.Review


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


class DueLike(Protocol):
    """What the due rule reads of a card's state: FSRS state number, due time, suspension."""

    @property
    def state(self) -> int | None: ...
    @property
    def due(self) -> datetime: ...
    @property
    def suspended(self) -> bool: ...


def is_due(memory: DueLike, now: datetime, day_end: datetime) -> bool:
    """Whether a studied card can be reviewed at `now`: the rule /review, the daily push,
    group posts and /stats share (its SQL twin is bot.storage.queries.due_by).

    Learning and relearning steps are due to the minute; a review card is due for its whole
    local day, as in Anki, so one daily review time catches every card due that day.
    `day_end` is the start of the learner's next local day. A suspended card (a leech,
    bot.core.leeches) is never due.
    """
    if memory.suspended:
        return False
    return memory.due <= now or (memory.state == REVIEW and memory.due < day_end)


def make_scheduler(
    *,
    desired_retention: float = 0.9,
    fuzzing: bool = True,
    parameters: Sequence[float] | None = None,
) -> Scheduler:
    """An FSRS-6 scheduler: a learner's fitted `parameters` (bot.core.fitting), or defaults."""
    if not 0.7 <= desired_retention <= 0.99:
        raise ValueError("desired retention must be between 0.70 and 0.99")
    if parameters is None:
        return Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzzing)
    return Scheduler(
        parameters=tuple(parameters), desired_retention=desired_retention, enable_fuzzing=fuzzing
    )


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
    scheduler: Scheduler,
    memory: MemoryState | None,
    grade: Grade,
    now: datetime,
    *,
    fuzz_key: str | None = None,
) -> MemoryState:
    """The memory state after grading a card (None = new card) at `now`.

    With fuzzing on and a `fuzz_key` (e.g. user, card and review count), the fuzz is drawn
    from a generator seeded by that key, so the interval shown on a button before grading
    is exactly the one recorded after; without a key fsrs draws its own.
    """
    _require_utc(now)
    now = now.astimezone(UTC)  # fsrs insists on the `UTC` tzinfo object itself
    rating = FsrsRating(int(grade))
    if not (scheduler.enable_fuzzing and fuzz_key is not None):
        card, _log = scheduler.review_card(_to_fsrs(memory, now), rating, now)
        return _from_fsrs(card)
    card, _log = _unfuzzed(scheduler).review_card(_to_fsrs(memory, now), rating, now)
    if card.state == State.Review:
        days = (card.due - now).days
        unit = random.Random(f"{fuzz_key}:{int(grade)}").random()
        card.due = now + timedelta(days=_fuzzed_days(days, scheduler.maximum_interval, unit))
    return _from_fsrs(card)


def _fuzzed_days(days: int, maximum: int, unit: float) -> int:
    """fsrs's fuzz ranges, with the random draw `unit` (0 ≤ unit < 1) supplied."""
    if days < 2.5:  # as fsrs: short intervals are not fuzzed
        return days
    delta = 1.0 + sum(
        r["factor"] * max(min(float(days), r["end"]) - r["start"], 0.0) for r in FUZZ_RANGES
    )
    low, high = max(2, round(days - delta)), min(round(days + delta), maximum)
    low = min(low, high)
    return min(round(unit * (high - low + 1) + low), maximum)


@lru_cache(maxsize=64)
def _unfuzzed_for(
    retention: float, parameters: tuple, steps: tuple, relearning: tuple, maximum: int
) -> Scheduler:
    return Scheduler(
        parameters=parameters,
        desired_retention=retention,
        learning_steps=steps,
        relearning_steps=relearning,
        maximum_interval=maximum,
        enable_fuzzing=False,
    )


def _unfuzzed(scheduler: Scheduler) -> Scheduler:
    return _unfuzzed_for(
        scheduler.desired_retention,
        tuple(scheduler.parameters),
        tuple(scheduler.learning_steps),
        tuple(scheduler.relearning_steps),
        scheduler.maximum_interval,
    )


def next_intervals(
    scheduler: Scheduler,
    memory: MemoryState | None,
    now: datetime,
    *,
    fuzz_key: str | None = None,
) -> dict[Grade, timedelta]:
    """How long until the card returns for each grade, as shown on the grade buttons."""
    return {g: review(scheduler, memory, g, now, fuzz_key=fuzz_key).due - now for g in Grade}


def fuzz_key(user_id: int, card_id: int, version: int) -> str:
    """The seed of one review's fuzz: the same before grading (buttons) and when grading."""
    return f"{user_id}:{card_id}:{version}"


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
