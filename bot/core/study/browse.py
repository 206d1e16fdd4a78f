"""Flashcards mode: leaf through cards one at a time, flipping each to see its answer.

Rules (also in RULES.md): `next`/`prev` are clamped, not wrapping, so the end of the deck is a
moment the bot can mark ("all cards seen", offer restart or shuffle); moving to another card
shows its question side. `shuffle` deals a new order from the rng and starts over; `restart`
keeps the order and starts over. States are immutable: every move returns a new state.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["BrowseState"]


@dataclass(frozen=True, slots=True)
class BrowseState:
    """Where the learner is in the deck and which side is up."""

    order: tuple[int, ...]
    index: int = 0
    showing_answer: bool = False

    def __post_init__(self) -> None:
        if not self.order:
            raise ValueError("nothing to browse")
        if not 0 <= self.index < len(self.order):
            raise ValueError(f"index {self.index} outside 0..{len(self.order) - 1}")

    @classmethod
    def start(cls, card_ids: Iterable[int]) -> BrowseState:
        return cls(order=tuple(card_ids))

    @property
    def card_id(self) -> int:
        return self.order[self.index]

    @property
    def position(self) -> str:
        """'3/20': one-based place in the deck."""
        return f"{self.index + 1}/{len(self.order)}"

    @property
    def at_start(self) -> bool:
        return self.index == 0

    @property
    def at_end(self) -> bool:
        return self.index == len(self.order) - 1

    def next(self) -> BrowseState:
        """The following card, question side up; at the last card, unchanged."""
        if self.at_end:
            return self
        return replace(self, index=self.index + 1, showing_answer=False)

    def prev(self) -> BrowseState:
        """The previous card, question side up; at the first card, unchanged."""
        if self.at_start:
            return self
        return replace(self, index=self.index - 1, showing_answer=False)

    def flip(self) -> BrowseState:
        return replace(self, showing_answer=not self.showing_answer)

    def shuffle(self, rng: random.Random) -> BrowseState:
        """A new random order, from the first card."""
        order = list(self.order)
        rng.shuffle(order)
        return BrowseState(order=tuple(order))

    def restart(self) -> BrowseState:
        """The same order, from the first card."""
        return BrowseState(order=self.order)

    def retain(self, card_ids: Collection[int]) -> BrowseState | None:
        """Drop cards deleted meanwhile, staying on the current card if it is kept; None if empty."""
        order = tuple(i for i in self.order if i in card_ids)
        if not order:
            return None
        if self.card_id in card_ids:
            return BrowseState(order, order.index(self.card_id), self.showing_answer)
        # The current card is gone: land on the next surviving card after it, else the last.
        later = [i for i in self.order[self.index + 1 :] if i in card_ids]
        return BrowseState(order, order.index(later[0]) if later else len(order) - 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "order": list(self.order),
            "index": self.index,
            "showing_answer": self.showing_answer,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BrowseState:
        return cls(
            order=tuple(int(i) for i in data["order"]),
            index=int(data["index"]),
            showing_answer=bool(data["showing_answer"]),
        )
