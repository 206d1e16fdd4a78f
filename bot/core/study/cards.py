"""The card shape every study mode works on, and the UTC check shared by the timed modes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["CardsById", "StudyCard", "cards_by_id", "require_utc"]


@dataclass(frozen=True, slots=True)
class StudyCard:
    """One card as the study modes see it: plain text, markup already stripped."""

    card_id: int
    question: str
    answer: str


CardsById = Mapping[int, StudyCard]


def cards_by_id(cards: Iterable[StudyCard]) -> dict[int, StudyCard]:
    """Index cards by id; ValueError if two cards share an id."""
    index: dict[int, StudyCard] = {}
    for card in cards:
        if card.card_id in index:
            raise ValueError(f"duplicate card id {card.card_id}")
        index[card.card_id] = card
    return index


def require_utc(moment: datetime, name: str = "now") -> datetime:
    """`moment` as a UTC datetime; ValueError if it is naive or not at UTC offset zero."""
    if moment.tzinfo is None or moment.utcoffset() != timedelta(0):
        raise ValueError(f"{name} must be timezone-aware and in UTC")
    return moment.astimezone(UTC)
