"""Match mode: pairs, mistakes and their penalty, stale taps, the clock, tile labels."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.study import (
    PENALTY,
    MatchGame,
    StudyCard,
    TapResult,
    Tile,
    cards_by_id,
    new_match,
    tile_label,
    tile_labels,
)

DECK = [StudyCard(i, f"Question {i}?", f"Answer {i}") for i in range(1, 17)]
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _tile(game: MatchGame, card_id: int, side: str) -> int:
    return game.tiles.index(Tile(card_id, side))  # type: ignore[arg-type]


def test_new_match_golden() -> None:
    game = new_match(DECK, random.Random(7), now=T0)
    assert game.to_dict() == {
        "v": 1,
        "tiles": [
            [1, "a"],
            [7, "a"],
            [3, "q"],
            [1, "q"],
            [16, "a"],
            [7, "q"],
            [11, "q"],
            [2, "a"],
            [2, "q"],
            [3, "a"],
            [11, "a"],
            [16, "q"],
        ],
        "removed": [],
        "selected": None,
        "mistakes": 0,
        "started_at": "2025-03-01T09:00:00+00:00",
        "finished_at": None,
    }


def test_pair_count_follows_the_deck() -> None:
    assert new_match(DECK, random.Random(1), pairs=4, now=T0).pairs == 4
    assert new_match(DECK[:3], random.Random(1), now=T0).pairs == 3
    assert new_match(DECK[:2], random.Random(1), now=T0).pairs == 2
    with pytest.raises(ValueError):
        new_match(DECK[:1], random.Random(1), now=T0)
    with pytest.raises(ValueError):
        new_match(DECK, random.Random(1), pairs=7, now=T0)


def test_look_alike_cards_are_left_out() -> None:
    cards = [
        StudyCard(1, "Q1", "Same"),
        StudyCard(2, "Q2", "same!"),
        StudyCard(3, "Q3", "Other"),
    ]
    for seed in range(10):
        game = new_match(cards, random.Random(seed), now=T0)
        ids = {t.card_id for t in game.tiles}
        assert len(ids) == 2 and 3 in ids


def test_correct_pair_in_either_order_removes_both_tiles() -> None:
    game = new_match(DECK, random.Random(7), pairs=2, now=T0)
    (a, b) = sorted({t.card_id for t in game.tiles})
    qa, aa = _tile(game, a, "q"), _tile(game, a, "a")
    assert game.select(qa, _at(1)) == TapResult("selected", (qa,), False)
    assert game.select(aa, _at(2)) == TapResult("matched", (qa, aa), False)
    assert game.removed == {qa, aa}
    qb, ab = _tile(game, b, "q"), _tile(game, b, "a")
    game.select(ab, _at(3))
    assert game.select(qb, _at(4)) == TapResult("matched", (ab, qb), True)
    assert game.finished and game.mistakes == 0


def test_wrong_pair_costs_a_second_and_clears_the_selection() -> None:
    game = new_match(DECK, random.Random(7), pairs=2, now=T0)
    (a, b) = sorted({t.card_id for t in game.tiles})
    qa, ab = _tile(game, a, "q"), _tile(game, b, "a")
    game.select(qa, _at(1))
    assert game.select(ab, _at(2)) == TapResult("mismatch", (qa, ab), False)
    assert game.mistakes == 1 and game.selected is None and not game.removed
    assert game.elapsed(_at(5)) == timedelta(seconds=5) + PENALTY


def test_same_tile_twice_deselects_and_same_side_moves_the_selection() -> None:
    game = new_match(DECK, random.Random(7), pairs=2, now=T0)
    (a, b) = sorted({t.card_id for t in game.tiles})
    qa, qb = _tile(game, a, "q"), _tile(game, b, "q")
    game.select(qa, _at(1))
    assert game.select(qa, _at(2)) == TapResult("deselected", (qa,), False)
    assert game.selected is None
    game.select(qa, _at(3))
    assert game.select(qb, _at(4)) == TapResult("selected", (qb,), False)
    assert game.selected == qb and game.mistakes == 0


def test_stale_taps_change_nothing() -> None:
    game = new_match(DECK, random.Random(7), pairs=2, now=T0)
    (a, _b) = sorted({t.card_id for t in game.tiles})
    qa, aa = _tile(game, a, "q"), _tile(game, a, "a")
    game.select(qa, _at(1))
    game.select(aa, _at(2))
    before = game.to_dict()
    assert game.select(qa, _at(3)) == TapResult("stale", (qa,), False)
    assert game.select(99, _at(3)).outcome == "stale"
    assert game.select(-1, _at(3)).outcome == "stale"
    assert game.to_dict() == before


def test_finish_time_includes_penalties_and_stops_the_clock() -> None:
    game = new_match(DECK, random.Random(3), pairs=3, now=T0)
    ids = sorted({t.card_id for t in game.tiles})
    wrong_q, wrong_a = _tile(game, ids[0], "q"), _tile(game, ids[1], "a")
    game.select(wrong_q, _at(1))
    game.select(wrong_a, _at(2))
    game.select(wrong_a, _at(3))
    game.select(wrong_q, _at(4))  # second mistake, answer-first order
    t = 5
    for card_id in ids:
        game.select(_tile(game, card_id, "q"), _at(t))
        game.select(_tile(game, card_id, "a"), _at(t + 1))
        t += 2
    assert game.finished and game.mistakes == 2
    assert game.elapsed(_at(500)) == timedelta(seconds=10 + 2)
    assert game.to_dict()["finished_at"] == "2025-03-01T09:00:10+00:00"
    assert game.select(0, _at(11)) == TapResult("stale", (0,), True)


def test_round_trip() -> None:
    game = new_match(DECK, random.Random(7), now=T0)
    game.select(0, _at(1))
    stored = json.loads(json.dumps(game.to_dict()))
    restored = MatchGame.from_dict(stored)
    assert restored.to_dict() == stored
    assert restored.select(0, _at(2)).outcome == "deselected"


def test_naive_times_are_rejected() -> None:
    with pytest.raises(ValueError):
        new_match(DECK, random.Random(7), now=datetime(2025, 3, 1))
    game = new_match(DECK, random.Random(7), now=T0)
    with pytest.raises(ValueError):
        game.select(0, datetime(2025, 3, 1))


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Paris", "Paris"),
        ("  What   is\nan  API? ", "What is an API?"),
        ("x" * 28, "x" * 28),
        ("The mitochondria is the powerhouse of the cell", "The mitochondria is the…"),
        ("Supercalifragilisticexpialidocious!", "Supercalifragilisticexpiali…"),
        ("Short words, then a comma, more text here", "Short words, then a comma…"),
    ],
)
def test_tile_label(text: str, label: str) -> None:
    assert tile_label(text) == label
    assert len(label) <= 28


def test_tile_labels_are_unique_within_a_game() -> None:
    cards = [
        StudyCard(1, "Define the first law of thermodynamics", "Energy is conserved"),
        StudyCard(2, "Define the first law of motion (Newton)", "Inertia"),
        StudyCard(3, "H2O", "Water"),
    ]
    game = new_match(cards, random.Random(1), now=T0)
    labels = tile_labels(game, cards_by_id(cards))
    assert len(set(labels)) == len(labels) == 6
    assert all(len(label) <= 28 for label in labels)
    first_law = sorted(lb for lb in labels if lb.startswith("Define"))
    assert [lb.rsplit(" #", 1)[0] for lb in first_law] == ["Define the first law of…"] * 2
    assert "Water" in labels and "H2O" in labels
