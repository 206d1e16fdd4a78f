"""How well a learner knows a deck: not studied / learning / mastered, and one percentage.

Rules (also in study/RULES.md):

* mastered: FSRS state 'review' with stability of at least MASTERED_STABILITY_DAYS (21, Anki's
  "mature" threshold), unless neglected: overdue by more than its own stability, by which time
  predicted recall has fallen well below the target, so it counts as learning until reviewed.
* not studied: never reviewed with FSRS (state 'new' or None, or no stability yet: py-fsrs
  creates new cards in Learning with stability None) and not practised in Learn/Test.
* learning: everything else, including never-reviewed cards passed in `practised_ids`
  (learned in Learn, answered right in Test). Learn and Test inform mastery, never scheduling.
* percent = floor(100 * mastered / total); 0 for an empty deck. Flooring keeps 100% for a deck
  that is entirely mastered.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

__all__ = [
    "MASTERED_STABILITY_DAYS",
    "CardProgress",
    "CardProgressLike",
    "Mastery",
    "MasteryLevel",
    "card_mastery",
    "deck_mastery",
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


@dataclass(frozen=True, slots=True)
class CardProgress:
    """A plain CardProgressLike; `state` None means the card has no FSRS record yet."""

    card_id: int
    state: str | int | None = None
    stability_days: float | None = None
    due: datetime | None = None


@dataclass(frozen=True, slots=True)
class Mastery:
    """Card counts per level and the mastered percentage."""

    total: int
    not_studied: int
    learning: int
    mastered: int
    percent: int


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
    counts = {"not_studied": 0, "learning": 0, "mastered": 0}
    for card in card_states:
        counts[card_mastery(card, now=now, practised=card.card_id in practised_ids)] += 1
    total = sum(counts.values())
    return Mastery(
        total=total,
        not_studied=counts["not_studied"],
        learning=counts["learning"],
        mastered=counts["mastered"],
        percent=100 * counts["mastered"] // total if total else 0,
    )
