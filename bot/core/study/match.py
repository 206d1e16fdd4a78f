"""Match mode: pair each question tile with its answer tile as fast as possible.

Rules (also in RULES.md):

* A game has `pairs` cards (2 to 6, default 6; fewer when the deck is smaller, at least 2), drawn
  at random among cards whose question and answer texts are distinct from every other tile's
  (normalised), so two tiles never look alike and only one pairing is right. Tiles (a question
  or an answer each) are shuffled.
* Tapping: the first tap selects a tile; tapping it again deselects it. Tapping a tile of the
  other side completes a pair, in either order: the right pair removes both tiles, a wrong pair
  is a mistake and clears the selection. Tapping another tile of the *same* side just moves the
  selection (no penalty: a slip on a Telegram keyboard is not a wrong match). Tapping a removed
  tile, an index outside the board, or any tile after the game is over, is 'stale': nothing
  changes and nothing is raised.
* Time runs from `started_at` (when the board was sent) to the last match; each mistake adds
  PENALTY (1 second), as in Quizlet.
* Button labels: `tile_label` shortens a text to `limit` characters, cutting at a word boundary
  when that keeps at least half, and ends it with '…'. `tile_labels` makes the labels of one
  game unique by appending the tile number (' #3') to any label that would repeat.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from .answers import normalise
from .cards import StudyCard, cards_by_id, require_utc

__all__ = [
    "MAX_PAIRS",
    "MIN_PAIRS",
    "PENALTY",
    "MatchGame",
    "TapOutcome",
    "TapResult",
    "Tile",
    "new_match",
    "tile_label",
    "tile_labels",
]

MIN_PAIRS = 2
MAX_PAIRS = 6
PENALTY = timedelta(seconds=1)
_FORMAT = 1

Side = Literal["q", "a"]
TapOutcome = Literal["selected", "deselected", "matched", "mismatch", "stale"]


@dataclass(frozen=True, slots=True)
class Tile:
    """One side of one card on the board."""

    card_id: int
    side: Side


@dataclass(frozen=True, slots=True)
class TapResult:
    """What a tap did; `tiles` are the tile indices it concerned (two for a pair)."""

    outcome: TapOutcome
    tiles: tuple[int, ...]
    finished: bool


class MatchGame:
    """A Match board; mutate with `select`, store `to_dict()`."""

    def __init__(
        self,
        *,
        tiles: Sequence[Tile],
        removed: Sequence[int],
        selected: int | None,
        mistakes: int,
        started_at: datetime,
        finished_at: datetime | None,
    ) -> None:
        self.tiles = tuple(tiles)
        self.removed = set(removed)
        self.selected = selected
        self.mistakes = mistakes
        self.started_at = require_utc(started_at, "started_at")
        self.finished_at = require_utc(finished_at, "finished_at") if finished_at else None

    @property
    def finished(self) -> bool:
        return len(self.removed) == len(self.tiles)

    @property
    def pairs(self) -> int:
        return len(self.tiles) // 2

    def select(self, tile_index: int, now: datetime) -> TapResult:
        """Apply one tap on tile `tile_index` at `now`."""
        now = require_utc(now)
        if self.finished or not 0 <= tile_index < len(self.tiles) or tile_index in self.removed:
            return TapResult("stale", (tile_index,), self.finished)
        first = self.selected
        if first is None:
            self.selected = tile_index
            return TapResult("selected", (tile_index,), False)
        if first == tile_index:
            self.selected = None
            return TapResult("deselected", (tile_index,), False)
        if self.tiles[first].side == self.tiles[tile_index].side:
            self.selected = tile_index
            return TapResult("selected", (tile_index,), False)
        self.selected = None
        if self.tiles[first].card_id != self.tiles[tile_index].card_id:
            self.mistakes += 1
            return TapResult("mismatch", (first, tile_index), False)
        self.removed |= {first, tile_index}
        if self.finished:
            self.finished_at = now
        return TapResult("matched", (first, tile_index), self.finished)

    def elapsed(self, now: datetime) -> timedelta:
        """Time on the clock: until the last match (or `now`), plus PENALTY per mistake."""
        end = self.finished_at or require_utc(now)
        return max(end - self.started_at, timedelta(0)) + self.mistakes * PENALTY

    def tile_text(self, tile_index: int, cards: Mapping[int, StudyCard]) -> str:
        tile = self.tiles[tile_index]
        card = cards[tile.card_id]
        return card.question if tile.side == "q" else card.answer

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able state: tiles as [card_id, side] pairs, removed tile indices."""
        return {
            "v": _FORMAT,
            "tiles": [[t.card_id, t.side] for t in self.tiles],
            "removed": sorted(self.removed),
            "selected": self.selected,
            "mistakes": self.mistakes,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MatchGame:
        if data.get("v") != _FORMAT:
            raise ValueError(f"unsupported Match state version {data.get('v')!r}")
        finished = data.get("finished_at")
        selected = data.get("selected")
        return cls(
            tiles=[Tile(int(card_id), side) for card_id, side in data["tiles"]],
            removed=[int(i) for i in data["removed"]],
            selected=int(selected) if selected is not None else None,
            mistakes=int(data["mistakes"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            finished_at=datetime.fromisoformat(finished) if finished else None,
        )


def new_match(
    cards: Sequence[StudyCard], rng: random.Random, *, pairs: int = MAX_PAIRS, now: datetime
) -> MatchGame:
    """A shuffled board of up to `pairs` cards, its clock started at `now`."""
    if not MIN_PAIRS <= pairs <= MAX_PAIRS:
        raise ValueError(f"pairs must be between {MIN_PAIRS} and {MAX_PAIRS}")
    index = cards_by_id(cards)
    ordered = sorted(index.values(), key=lambda c: c.card_id)
    chosen: list[StudyCard] = []
    seen: set[str] = set()
    for card in rng.sample(ordered, len(ordered)):
        question, answer = normalise(card.question), normalise(card.answer)
        if question == answer or question in seen or answer in seen:
            continue
        seen |= {question, answer}
        chosen.append(card)
        if len(chosen) == pairs:
            break
    if len(chosen) < MIN_PAIRS:
        raise ValueError(f"Match needs at least {MIN_PAIRS} cards with distinct texts")
    tiles = [Tile(c.card_id, side) for c in chosen for side in ("q", "a")]
    rng.shuffle(tiles)
    return MatchGame(
        tiles=tiles, removed=[], selected=None, mistakes=0, started_at=now, finished_at=None
    )


_TRAILING = " ,;:.-\u2013\u2014"


def tile_label(text: str, limit: int = 28) -> str:
    """`text` on one line, shortened to at most `limit` characters with a trailing '…'."""
    if limit < 2:
        raise ValueError("limit must be at least 2")
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(_TRAILING) + "\u2026"


def tile_labels(game: MatchGame, cards: Mapping[int, StudyCard], *, limit: int = 28) -> list[str]:
    """One label per tile, unique within the game (repeats get their tile number: ' #3')."""
    texts = [game.tile_text(i, cards) for i in range(len(game.tiles))]
    labels = [tile_label(t, limit) for t in texts]
    numbered: set[int] = set()
    while True:
        counts: dict[str, int] = {}
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
        repeats = [i for i, label in enumerate(labels) if counts[label] > 1 and i not in numbered]
        if not repeats:
            return labels
        for i in repeats:
            suffix = f" #{i + 1}"
            labels[i] = tile_label(texts[i], max(limit - len(suffix), 2)) + suffix
            numbered.add(i)
