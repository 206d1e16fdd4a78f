"""The study rules on the real seed deck, whose answers are mostly paragraphs: distractors stay
fair and readable, boards stay unambiguous, typed answers are checked with the right tolerance."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from bot.config import DEFAULT_DECKS_DIR
from bot.core.deck_format import load_deck_file
from bot.core.markup import to_plain_text
from bot.core.study import (
    LONG_ANSWER_CHARS,
    MultipleChoice,
    StudyCard,
    build_quiz,
    check_written,
    fits_quiz_poll,
    make_multiple_choice,
    make_true_false,
    make_written,
    new_match,
    normalise,
    tile_labels,
)

SPEC = load_deck_file(DEFAULT_DECKS_DIR / "deep-learning-tools.md")
# Card ids 1..16 in file order, texts as the engines get them (markup stripped).
POOL = [
    StudyCard(i, to_plain_text(card.question), to_plain_text(card.answer))
    for i, card in enumerate(SPEC.cards, start=1)
]
BY_ID = {card.card_id: card for card in POOL}
SHORT_ANSWER_IDS = {7, 8, 9}  # element-wise ops, matrix multiplication, reduce_sum
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_the_seed_deck_is_mostly_paragraphs():
    assert {c.card_id for c in POOL if len(c.answer) <= LONG_ANSWER_CHARS} == SHORT_ANSWER_IDS
    assert max(len(c.answer) for c in POOL) > 1000


def test_multiple_choice_golden_for_a_fixed_seed():
    # A paragraph answer is shown and the (short) questions are the options.
    assert make_multiple_choice(POOL[0], POOL, random.Random(0)) == MultipleChoice(
        card_id=1, prompt_side="answer", prompt_card_id=1, options=(11, 6, 1, 15), correct_index=2
    )


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("card", POOL, ids=lambda c: f"card{c.card_id}")
def test_distractors_are_fair_and_readable(card: StudyCard, seed: int):
    mc = make_multiple_choice(card, POOL, random.Random(seed))
    again = make_multiple_choice(card, POOL, random.Random(seed))
    assert mc == again  # reproducible under a fixed seed
    assert len(mc.options) == 4 and len(set(mc.options)) == 4
    assert mc.options.count(card.card_id) == 1 and mc.options[mc.correct_index] == card.card_id
    shown = mc.option_texts(BY_ID)
    assert len({normalise(text) for text in shown}) == 4  # no option text twice
    # Every option is short enough to read in a list and to fit a quiz-poll option.
    assert all(len(text) <= LONG_ANSWER_CHARS for text in shown)
    if card.card_id not in SHORT_ANSWER_IDS:
        assert mc.prompt_side == "answer"  # a paragraph is the prompt, never an option


@pytest.mark.parametrize("seed", range(25))
def test_true_false_statements_pair_a_question_with_a_real_answer(seed: int):
    rng = random.Random(seed)
    for card in POOL:
        statement = make_true_false(card, POOL, rng)
        if statement.is_true:
            assert statement.shown_card_id == card.card_id
        else:
            assert normalise(BY_ID[statement.shown_card_id].answer) != normalise(card.answer)


def test_only_the_short_one_line_answers_are_typed():
    assert {c.card_id for c in POOL if make_written(c).mode == "typed"} == {7, 8}


@pytest.mark.parametrize("seed", range(20))
def test_match_boards_have_unique_short_labels(seed: int):
    game = new_match(POOL, random.Random(seed), now=NOW)
    labels = tile_labels(game, BY_ID)
    assert game.pairs == 6 and len(labels) == 12 and len(set(labels)) == 12
    assert all(len(label) <= 28 for label in labels)


@pytest.mark.parametrize("seed", range(20))
def test_quiz_questions_that_fit_a_poll_respect_its_limits(seed: int):
    for mc in build_quiz(POOL, random.Random(seed), length=5):
        prompt, options = mc.prompt_text(BY_ID), mc.option_texts(BY_ID)
        if fits_quiz_poll(prompt, options):
            assert len(prompt) <= 300 and all(len(option) <= 100 for option in options)


@pytest.mark.parametrize(
    ("given", "correct"),
    [
        ("Using the @ operator", True),
        ("@ operator", True),  # the leading "using the" is optional
        ("the @ operater", True),  # one typo
        ("using @ operater", True),
        ("using the * operator", False),  # a different symbol is a different answer
        ("using the operator", False),  # the symbol left out
        ("@", False),
        ("matmul", False),
        ("", False),
    ],
)
def test_typed_answers_to_matrix_multiplication(given: str, correct: bool):
    assert check_written(BY_ID[8].answer, given).correct is correct


@pytest.mark.parametrize(
    ("given", "correct"),
    [
        ("operators like + and *", True),
        ("Using operators like + and *", True),
        ("opertors like + and *", True),
        ("operators like + and -", False),
        ("operators like * and +", False),  # the symbols in their order
        ("with operators", False),
    ],
)
def test_typed_answers_to_elementwise_operations(given: str, correct: bool):
    assert check_written(BY_ID[7].answer, given).correct is correct
