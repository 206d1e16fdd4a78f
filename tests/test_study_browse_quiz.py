"""Flashcards browsing and Quiz: clamped moves, flips, shuffles, and quiz-poll limits."""

from __future__ import annotations

import random

import pytest

from bot.core.study import (
    BrowseState,
    StudyCard,
    build_quiz,
    cards_by_id,
    fits_quiz_poll,
)

DECK = [StudyCard(i, f"Question {i}?", f"Answer {i}") for i in range(1, 17)]


# --- browse ------------------------------------------------------------------------------------


def test_browse_moves_are_clamped_and_show_the_question_side() -> None:
    state = BrowseState.start([10, 20, 30])
    assert (state.card_id, state.position, state.at_start) == (10, "1/3", True)
    assert state.prev() == state
    state = state.flip()
    assert state.showing_answer
    state = state.next()
    assert (state.card_id, state.position, state.showing_answer) == (20, "2/3", False)
    state = state.next().flip()
    assert state.at_end and state.next() == state
    assert state.prev() == BrowseState((10, 20, 30), 1, False)


def test_browse_shuffle_and_restart() -> None:
    state = BrowseState.start(range(1, 9)).next().next().flip()
    shuffled = state.shuffle(random.Random(3))
    assert shuffled.index == 0 and not shuffled.showing_answer
    assert sorted(shuffled.order) == list(range(1, 9))
    assert shuffled.order == (1, 6, 8, 3, 2, 7, 5, 4)
    assert shuffled == state.shuffle(random.Random(3))
    restarted = shuffled.next().restart()
    assert restarted == BrowseState(shuffled.order)


def test_browse_round_trip_and_validation() -> None:
    state = BrowseState.start([5, 6, 7]).next().flip()
    assert state.to_dict() == {"order": [5, 6, 7], "index": 1, "showing_answer": True}
    assert BrowseState.from_dict(state.to_dict()) == state
    with pytest.raises(ValueError):
        BrowseState.start([])
    with pytest.raises(ValueError):
        BrowseState((1, 2), 2)


def test_browse_retain_after_deletions() -> None:
    state = BrowseState.start([1, 2, 3, 4]).next().flip()  # on card 2, answer up
    assert state.retain({1, 2, 4}) == BrowseState((1, 2, 4), 1, True)
    assert state.retain({1, 3, 4}) == BrowseState((1, 3, 4), 1, False)  # lands on card 3
    assert state.next().next().retain({1, 2}) == BrowseState((1, 2), 1, False)
    assert state.retain(set()) is None


# --- quiz --------------------------------------------------------------------------------------


def test_build_quiz_distinct_cards_reproducible() -> None:
    quiz = build_quiz(DECK, random.Random(5))
    assert len(quiz) == 5
    assert len({q.card_id for q in quiz}) == 5
    assert quiz == build_quiz(DECK, random.Random(5))
    assert [q.card_id for q in quiz] == [9, 12, 6, 13, 15]
    assert len(build_quiz(DECK[:3], random.Random(5), length=10)) == 3
    with pytest.raises(ValueError):
        build_quiz(DECK[:1], random.Random(5))


def test_quiz_questions_fit_a_poll_for_short_cards() -> None:
    index = cards_by_id(DECK)
    for mc in build_quiz(DECK, random.Random(5)):
        assert fits_quiz_poll(mc.prompt_text(index), mc.option_texts(index))


@pytest.mark.parametrize(
    ("question", "options", "fits"),
    [
        ("Capital of France?", ["Paris", "Rome"], True),
        ("q" * 300, ["o" * 100] * 10, True),
        ("q" * 301, ["a", "b"], False),
        ("Capital?", ["o" * 101, "b"], False),
        ("Capital?", ["only one"], False),
        ("Capital?", ["x"] * 11, False),
        ("", ["a", "b"], False),
        ("Capital?", ["a", "  "], False),
        ("\U0001f600" * 150, ["a", "b"], True),  # 300 UTF-16 units
        ("\U0001f600" * 151, ["a", "b"], False),  # 151 characters but 302 UTF-16 units
    ],
)
def test_fits_quiz_poll(question: str, options: list[str], fits: bool) -> None:
    assert fits_quiz_poll(question, options) is fits
