"""Fitting FSRS parameters to one learner's own reviews (fsrs-rs, through fsrs-rs-python).

Pure: review events in, training items and parameters out. `fit` is the one function that
runs the optimiser; it holds the GIL for its whole call, so callers run it in another
process (bot.fit_pool.FitPool), never on the event loop.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

__all__ = [
    "DEFAULT_PARAMETERS",
    "MIN_ITEMS",
    "REFIT_AFTER",
    "Answer",
    "FitResult",
    "LearnerFit",
    "ReviewEvent",
    "TrainingItem",
    "clean_parameters",
    "fit",
    "fit_answers",
    "pack_answers",
    "training_items",
]

# Below ~400 items a fit of 21 parameters follows the noise of a few hundred answers. On
# simulated learners (tests/simulated_learner.py) a fit beat the defaults on reviews it was
# not fitted on for 2 of 8 learners with ~100 items, 5 of 8 with ~210, 8 of 8 with ~390.
MIN_ITEMS = 400
# Refit monthly: a learner at ~40 reviews a day brings ~1,200 new items a month, enough to
# move the fit; more often would mostly spend CPU on the same answers.
REFIT_AFTER = timedelta(days=30)
_DECIMALS = 4  # as py-fsrs writes its defaults


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    """One answer to one card: here (a review log) or imported from Anki."""

    card_id: int
    reviewed_at: datetime  # UTC
    rating: int  # 1 Again … 4 Easy
    learning: bool  # the card was new or in its first learning steps when answered


# One training item: a card's answers up to one review, as (rating, days since the previous
# answer) pairs, the first with 0 days. Plain tuples, so they cross to the worker cheaply.
TrainingItem = tuple[tuple[int, int], ...]


def training_items(events: Iterable[ReviewEvent], zone: ZoneInfo) -> tuple[list[TrainingItem], int]:
    """The items to fit on, oldest last review first, and how many reviews they hold.

    One item per card per review that came at least a day (in the learner's `zone`) after
    the card's previous answer. A card's history starts at its last learning block (a
    history without one started elsewhere, and FSRS cannot know its first state);
    ratings outside 1–4 (Anki's manual reschedules) are left out.
    """
    dated: list[tuple[datetime, TrainingItem]] = []
    reviews = 0
    valid = sorted(
        (e for e in events if 1 <= e.rating <= 4), key=lambda e: (e.card_id, e.reviewed_at)
    )
    for _card, group in groupby(valid, key=lambda e: e.card_id):
        history = _from_last_learning(list(group))
        answers: list[tuple[int, int]] = []
        previous = None
        used = 0
        for event in history:
            day = event.reviewed_at.astimezone(zone).date()
            days = 0 if previous is None else (day - previous).days
            answers.append((event.rating, days))
            previous = day
            if days > 0:
                dated.append((event.reviewed_at, tuple(answers)))
                used = len(answers)
        reviews += used
    dated.sort(key=lambda pair: pair[0])
    return [item for _when, item in dated], reviews


def _from_last_learning(history: list[ReviewEvent]) -> list[ReviewEvent]:
    start = None
    for index in range(len(history) - 1, -1, -1):
        if history[index].learning:
            start = index
        elif start is not None:
            break
    return [] if start is None else history[start:]


def clean_parameters(raw: Sequence[float]) -> tuple[float, ...]:
    """fsrs-rs's 32-bit floats, rounded and clamped into py-fsrs's bounds.

    0.800000011920929 is fsrs-rs's 0.8; py-fsrs's Scheduler refuses it as out of bounds.
    """
    if len(raw) != len(LOWER_BOUNDS_PARAMETERS):
        raise ValueError(f"expected {len(LOWER_BOUNDS_PARAMETERS)} parameters, got {len(raw)}")
    cleaned = []
    for value, low, high in zip(raw, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True):
        if not math.isfinite(value):
            raise ValueError(f"parameter is not a number: {value}")
        cleaned.append(min(max(round(float(value), _DECIMALS), low), high))
    return tuple(cleaned)


@dataclass(frozen=True, slots=True)
class FitResult:
    """A fit's parameters and how the current and the new ones predict the same reviews."""

    parameters: tuple[float, ...]
    log_loss_before: float
    log_loss_after: float
    rmse_before: float
    rmse_after: float

    @property
    def better(self) -> bool:
        """Whether the new parameters predict the learner's answers better (lower log loss)."""
        return self.log_loss_after < self.log_loss_before


# One answer as it crosses to the worker: card id, UTC timestamp, rating, learning.
Answer = tuple[int, float, int, bool]


def pack_answers(answers: Sequence[Answer]) -> bytes:
    """A chunk of answers as bytes for `fit_answers`. The bot packs its answers a few
    thousand at a time as it reads them, so no single pickling (which holds the GIL) stalls
    the event loop; the pool then hands over bytes, which cost nothing to pickle."""
    return pickle.dumps(list(answers), protocol=pickle.HIGHEST_PROTOCOL)


@dataclass(frozen=True, slots=True)
class LearnerFit:
    """What a worker reports for one learner: their items and reviews, and the fit (None
    when there were fewer than MIN_ITEMS items)."""

    items: int
    reviews: int
    result: FitResult | None


def fit_answers(chunks: Sequence[bytes], zone: str, current: Sequence[float] | None) -> LearnerFit:
    """Training items from a learner's answers (`pack_answers` chunks), then the fit if
    there are enough: the whole job of a worker, so building items (a quarter second per
    100,000 answers) stays off the event loop too."""
    history = (
        ReviewEvent(card, datetime.fromtimestamp(at, UTC), rating, learning)
        for chunk in chunks
        for card, at, rating, learning in pickle.loads(chunk)  # packed by our own process
    )
    items, reviews = training_items(history, ZoneInfo(zone))
    if len(items) < MIN_ITEMS:
        return LearnerFit(len(items), reviews, None)
    return LearnerFit(len(items), reviews, fit(items, current))


def fit(items: Sequence[TrainingItem], current: Sequence[float] | None) -> FitResult:
    """Fit parameters to `items` and evaluate them and the `current` ones (None: defaults)
    on the same items. CPU-bound and GIL-holding: run it in a worker process."""
    from fsrs_rs_python import FSRS, FSRSItem, FSRSReview  # the worker's import, not the bot's

    rs_items = [FSRSItem([FSRSReview(rating, days) for rating, days in item]) for item in items]
    rs_items = [item for item in rs_items if item.long_term_review_cnt() > 0]
    baseline = list(current) if current is not None else list(DEFAULT_PARAMETERS)
    before = FSRS(baseline).evaluate(rs_items)
    parameters = clean_parameters(FSRS(baseline).compute_parameters(rs_items))
    # Judged as they will be used: after rounding and clamping.
    after = FSRS(list(parameters)).evaluate(rs_items)
    return FitResult(
        parameters=parameters,
        log_loss_before=before.log_loss,
        log_loss_after=after.log_loss,
        rmse_before=before.rmse_bins,
        rmse_after=after.rmse_bins,
    )
