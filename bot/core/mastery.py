"""How well a learner knows a deck: not studied / learning / mastered, and one percentage.

Rules (also in study/RULES.md):

* mastered: FSRS state 'review' with stability of at least MASTERED_STABILITY_DAYS (21, Anki's
  "mature" threshold), unless neglected: overdue by more than its own stability, by which time
  predicted recall has fallen well below the target, so it counts as learning until reviewed.
* not studied: never reviewed with FSRS (state 'new' or None, or no stability yet: py-fsrs
  creates new cards in Learning with stability None) and not practised in Learn/Test.
* learning: everything else, including never-reviewed cards passed in `practised_ids`
  (learned in Learn, answered right in Test). Learn and Test inform mastery, never scheduling.
* suspended: a leech (bot.core.leeches) or a card suspended in Anki before import. Counted
  apart from the three levels, never due; it is part of the total, so it keeps a deck from
  100% until it is studied again.
* percent = floor(100 * mastered / total); 0 for an empty deck. Flooring keeps 100% for a deck
  that is entirely mastered.

And when a studied card is due (`bot.core.srs.is_due`, the rule /review, the daily push and
/stats share):

* due now: its due time has come, or it is a review card falling due later in the learner's
  local day (as in Anki, so one daily review time catches every card due that day). Learning
  and relearning steps are due to the minute.
* due later today: a learning step falling due before the local day ends (a card graded a
  moment ago, back in 10 minutes).
* due tomorrow: due during the next local day.

/stats and /progress both count with `deck_status`, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from bot.core.srs import is_due

__all__ = [
    "MASTERED_STABILITY_DAYS",
    "CardProgress",
    "CardProgressLike",
    "DeckStatus",
    "Mastery",
    "MasteryLevel",
    "card_mastery",
    "deck_mastery",
    "deck_status",
]

MASTERED_STABILITY_DAYS = 21.0

MasteryLevel = Literal["not_studied", "learning", "mastered"]

# fsrs.State numbers these 1-3 (the storage layer keeps the int); 0 is accepted as 'new'.
_STATE_NAMES = {0: "new", 1: "learning", 2: "review", 3: "relearning"}


class CardProgressLike(Protocol):
    """What mastery needs to know about one card for one learner."""

    @property
    def card_id(self) -> int: ...
    @property
    def state(self) -> str | int | None: ...
    @property
    def stability_days(self) -> float | None: ...
    @property
    def due(self) -> datetime | None: ...
    @property
    def suspended(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class CardProgress:
    """A plain CardProgressLike; `state` None means the card has no FSRS record yet."""

    card_id: int
    state: str | int | None = None
    stability_days: float | None = None
    due: datetime | None = None
    suspended: bool = False


@dataclass(frozen=True, slots=True)
class Mastery:
    """Card counts per level (suspended ones apart) and the mastered percentage."""

    total: int
    not_studied: int
    learning: int
    mastered: int
    percent: int
    suspended: int = 0


_STATE_NUMBERS = {name: number for number, name in _STATE_NAMES.items() if number}


@dataclass(frozen=True, slots=True)
class _Due:
    state: int | None
    due: datetime
    suspended: bool


def _state_name(state: str | int | None) -> str:
    if state is None:
        return "new"
    name = state.strip().casefold() if isinstance(state, str) else _STATE_NAMES.get(int(state), "")
    if name not in _STATE_NAMES.values():
        raise ValueError(f"unknown card state {state!r}")
    return name


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def card_mastery(card: CardProgressLike, *, now: datetime, practised: bool = False) -> MasteryLevel:
    """The mastery level of one card at `now` (see module rules)."""
    state = _state_name(card.state)
    stability = card.stability_days
    if state == "new" or stability is None:
        return "learning" if practised else "not_studied"
    if state == "review" and stability >= MASTERED_STABILITY_DAYS:
        if card.due is not None:
            _require_aware(card.due, "due")
            if now - card.due > timedelta(days=stability):
                return "learning"
        return "mastered"
    return "learning"


def deck_mastery(
    card_states: Iterable[CardProgressLike],
    *,
    now: datetime,
    practised_ids: Collection[int] = frozenset(),
) -> Mastery:
    """Mastery of a deck from one entry per card; `practised_ids` merges in Learn/Test results."""
    _require_aware(now, "now")
    counts = {"not_studied": 0, "learning": 0, "mastered": 0, "suspended": 0}
    for card in card_states:
        if card.suspended:
            counts["suspended"] += 1
            continue
        counts[card_mastery(card, now=now, practised=card.card_id in practised_ids)] += 1
    total = sum(counts.values())
    return Mastery(
        total=total,
        not_studied=counts["not_studied"],
        learning=counts["learning"],
        mastered=counts["mastered"],
        percent=100 * counts["mastered"] // total if total else 0,
        suspended=counts["suspended"],
    )


@dataclass(frozen=True, slots=True)
class DeckStatus:
    """A deck for one learner: mastery levels and what is due when."""

    mastery: Mastery
    due_now: int
    due_later_today: int
    due_tomorrow: int


def deck_status(
    card_states: Iterable[CardProgressLike],
    *,
    now: datetime,
    day_end: datetime,
    next_day_end: datetime,
    practised_ids: Collection[int] = frozenset(),
) -> DeckStatus:
    """Levels and due counts of a deck from one entry per card (see module rules).

    `day_end` and `next_day_end` are the starts of the learner's next two local days.
    """
    for moment, name in ((now, "now"), (day_end, "day_end"), (next_day_end, "next_day_end")):
        _require_aware(moment, name)
    cards = list(card_states)
    due_now = later_today = tomorrow = 0
    for card in cards:
        state = _state_name(card.state)
        if card.due is None or state == "new" or card.suspended:
            continue  # a suspended card is due at no time (is_due says so too)
        if is_due(_Due(_STATE_NUMBERS[state], card.due, card.suspended), now, day_end):
            due_now += 1
        elif card.due < day_end:
            later_today += 1
        elif card.due < next_day_end:
            tomorrow += 1
    return DeckStatus(
        mastery=deck_mastery(cards, now=now, practised_ids=practised_ids),
        due_now=due_now,
        due_later_today=later_today,
        due_tomorrow=tomorrow,
    )
