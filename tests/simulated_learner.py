"""A simulated learner whose memory follows known FSRS parameters (tests and bench).

The learner's cards are scheduled by py-fsrs with the learner's own parameters, but they
come back late or early (0.6–2.5 × the interval, as people do), and whether they recall
is drawn from those same parameters' retrievability at that moment. A fit of their
answers should find parameters that predict them better than FSRS's defaults.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler

from bot.core.fitting import ReviewEvent

__all__ = ["LEARNER_PARAMETERS", "SimulatedReview", "events", "simulate"]

# A learner with a stronger memory than FSRS's average person: higher first stabilities,
# steeper growth after a recall, a flatter forgetting curve.
LEARNER_PARAMETERS = (
    1.0, 3.0, 8.0, 20.0, 5.5, 0.6, 2.0, 0.01, 2.2, 0.12, 1.3,
    1.2, 0.08, 0.35, 1.5, 0.5, 2.2, 0.5, 0.1, 0.1, 0.3,
)  # fmt: skip

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SimulatedReview:
    card: int  # 0-based index of the card
    reviewed_at: datetime
    rating: int
    state_before: int | None  # fsrs.State before the answer; None for a new card


def simulate(
    cards: int, days: int, *, seed: int, parameters=LEARNER_PARAMETERS, start: datetime = START
) -> list[SimulatedReview]:
    """Every answer of a learner who starts `cards` cards spread over the first half of
    `days` days and studies until the end, in time order."""
    rng = random.Random(seed)
    scheduler = Scheduler(parameters=parameters, enable_fuzzing=False)
    end = start + timedelta(days=days)
    reviews: list[SimulatedReview] = []
    for index in range(cards):
        card = Card(card_id=index + 1)
        moment = start + timedelta(days=index * days // (2 * cards), minutes=rng.randrange(600))
        before = None
        while moment < end:
            if card.last_review is None:
                rating = rng.choice((1, 3, 3, 3, 4))
            elif rng.random() < scheduler.get_card_retrievability(card, moment):
                rating = rng.choices((2, 3, 4), (0.1, 0.8, 0.1))[0]
            else:
                rating = 1
            reviews.append(SimulatedReview(index, moment, rating, before))
            card, _log = scheduler.review_card(card, Rating(rating), moment)
            before = int(card.state)
            gap = card.due - moment
            if gap >= timedelta(days=1):
                gap = timedelta(days=max(1, round(gap.days * rng.uniform(0.6, 2.5))))
            moment += max(gap, timedelta(minutes=1))
    reviews.sort(key=lambda r: r.reviewed_at)
    return reviews


def events(reviews: list[SimulatedReview], card_ids: list[int] | None = None) -> list[ReviewEvent]:
    """The answers as the fitting code reads them (card ids default to index + 1)."""
    return [
        ReviewEvent(
            card_ids[r.card] if card_ids else r.card + 1,
            r.reviewed_at,
            r.rating,
            learning=r.state_before is None or r.state_before == 1,
        )
        for r in reviews
    ]
