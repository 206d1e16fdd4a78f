"""Deck mastery goldens: FSRS state and stability, neglect, Learn/Test practice, percent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import State

from bot.core.mastery import (
    CardProgress,
    Mastery,
    card_mastery,
    deck_mastery,
    deck_status,
)
from bot.core.srs import is_due

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("card", "practised", "level"),
    [
        (CardProgress(1), False, "not_studied"),
        (CardProgress(1), True, "learning"),
        (CardProgress(1, "new"), False, "not_studied"),
        (CardProgress(1, 1, None, NOW), False, "not_studied"),  # py-fsrs new card: no stability
        (CardProgress(1, "learning", 0.5, NOW), False, "learning"),
        (CardProgress(1, "relearning", 30.0, NOW), False, "learning"),
        (CardProgress(1, "review", 20.9, NOW), False, "learning"),
        (CardProgress(1, "review", 21.0, NOW), False, "mastered"),
        (CardProgress(1, 2, 40.0, NOW + timedelta(days=30)), False, "mastered"),
        (CardProgress(1, "Review", 25.0, NOW - timedelta(days=25)), False, "mastered"),
        (CardProgress(1, "review", 25.0, NOW - timedelta(days=26)), False, "learning"),  # neglected
        (CardProgress(1, "review", 25.0, NOW), True, "mastered"),
    ],
)
def test_card_mastery(card: CardProgress, practised: bool, level: str) -> None:
    assert card_mastery(card, now=NOW, practised=practised) == level


def test_deck_mastery_golden() -> None:
    cards = [
        CardProgress(1),
        CardProgress(2),
        CardProgress(3, "learning", 1.0, NOW),
        CardProgress(4, "review", 5.0, NOW),
        CardProgress(5, "review", 30.0, NOW),
        CardProgress(6, "review", 60.0, NOW + timedelta(days=10)),
        CardProgress(7, "review", 21.0, NOW - timedelta(days=1)),
    ]
    assert deck_mastery(cards, now=NOW) == Mastery(
        total=7, not_studied=2, learning=2, mastered=3, percent=42
    )  # 300/7 = 42.86, floored
    # Card 2 was learned in Learn mode: it is learning now, not "not studied".
    assert deck_mastery(cards, now=NOW, practised_ids={2, 5}) == Mastery(
        total=7, not_studied=1, learning=3, mastered=3, percent=42
    )


def test_deck_mastery_edges() -> None:
    assert deck_mastery([], now=NOW) == Mastery(0, 0, 0, 0, 0)
    all_mastered = [CardProgress(i, "review", 100.0, NOW) for i in range(3)]
    assert deck_mastery(all_mastered, now=NOW).percent == 100
    almost = [*all_mastered, CardProgress(9, "review", 100.0, NOW)] * 50
    almost.append(CardProgress(10, "learning", 1.0, NOW))
    assert deck_mastery(almost, now=NOW).percent == 99  # 200/201 floors to 99


def test_bad_inputs_are_rejected() -> None:
    with pytest.raises(ValueError):
        deck_mastery([CardProgress(1, "suspended", 1.0, NOW)], now=NOW)
    with pytest.raises(ValueError):
        deck_mastery([CardProgress(1, 7, 1.0, NOW)], now=NOW)
    with pytest.raises(ValueError):
        deck_mastery([], now=datetime(2025, 6, 1))
    with pytest.raises(ValueError):
        deck_mastery([CardProgress(1, "review", 30.0, datetime(2025, 6, 1))], now=NOW)


DAY_END = datetime(2025, 6, 2, 0, 0, tzinfo=UTC)  # the learner's local midnight (UTC here)
NEXT_DAY_END = DAY_END + timedelta(days=1)


@pytest.mark.parametrize(
    ("state", "due", "when"),
    [
        ("learning", NOW - timedelta(minutes=1), "now"),
        ("learning", NOW, "now"),
        ("learning", NOW + timedelta(minutes=10), "later_today"),  # a step just graded
        ("relearning", NOW + timedelta(hours=11), "later_today"),
        ("review", NOW + timedelta(hours=11), "now"),  # review cards: due all their day
        ("review", DAY_END, "tomorrow"),
        ("learning", DAY_END + timedelta(hours=3), "tomorrow"),
        ("review", NEXT_DAY_END, "later"),
        (None, None, "never"),  # not studied: new, not due
    ],
)
def test_one_due_rule_for_review_push_and_stats(state, due, when):
    card = CardProgress(1, state, 1.0 if state else None, due)
    status = deck_status([card], now=NOW, day_end=DAY_END, next_day_end=NEXT_DAY_END)
    counts = (status.due_now, status.due_later_today, status.due_tomorrow)
    expected = {"now": (1, 0, 0), "later_today": (0, 1, 0), "tomorrow": (0, 0, 1)}
    assert counts == expected.get(when, (0, 0, 0))
    if due is not None:
        memory = CardProgress(1, State[state.capitalize()], 1.0, due)
        assert is_due(memory, NOW, DAY_END) == (when == "now")


def test_deck_status_counts_levels_as_the_progress_table_does():
    cards = [CardProgress(1), CardProgress(2), CardProgress(3, "review", 30.0, NOW)]
    status = deck_status(
        cards, now=NOW, day_end=DAY_END, next_day_end=NEXT_DAY_END, practised_ids={2}
    )
    assert status.mastery == deck_mastery(cards, now=NOW, practised_ids={2})
    assert status.mastery == Mastery(total=3, not_studied=1, learning=1, mastered=1, percent=33)
