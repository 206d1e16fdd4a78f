"""Goldens for the study core: distractors, prompt side, true/false, written mode, answer checks."""

from __future__ import annotations

import random

import pytest

from bot.core.study import (
    LONG_ANSWER_CHARS,
    MultipleChoice,
    StudyCard,
    TrueFalse,
    Verdict,
    Written,
    cards_by_id,
    check_written,
    damerau_levenshtein,
    evaluate,
    make_multiple_choice,
    make_true_false,
    make_written,
    normalise,
    option_label,
    question_from_dict,
)

DECK = [StudyCard(i, f"Question {i}?", f"Answer {i}") for i in range(1, 17)]
LONG = "x" * (LONG_ANSWER_CHARS + 1)


def _assert_well_formed(mc: MultipleChoice, target_id: int) -> None:
    assert mc.card_id == mc.prompt_card_id == target_id
    assert len(set(mc.options)) == len(mc.options)
    assert mc.options.count(target_id) == 1
    assert mc.options[mc.correct_index] == target_id


# --- multiple choice ---------------------------------------------------------------------------


def test_mc_golden_options_for_fixed_seed() -> None:
    mc = make_multiple_choice(DECK[0], DECK, random.Random(1))
    assert mc == MultipleChoice(
        card_id=1, prompt_side="question", prompt_card_id=1, options=(15, 11, 3, 1), correct_index=3
    )
    mc = make_multiple_choice(DECK[6], DECK, random.Random(42))
    assert (mc.options, mc.correct_index) == ((6, 7, 10, 8), 1)


def test_mc_reproducible_and_independent_of_pool_order() -> None:
    shuffled = DECK[::-1]
    a = make_multiple_choice(DECK[3], DECK, random.Random(7))
    b = make_multiple_choice(DECK[3], shuffled, random.Random(7))
    assert a == b


@pytest.mark.parametrize("seed", range(50))
def test_mc_never_repeats_and_holds_the_right_option_once(seed: int) -> None:
    rng = random.Random(seed)
    target = DECK[seed % len(DECK)]
    mc = make_multiple_choice(target, DECK, rng, n_options=6)
    assert len(mc.options) == 6
    _assert_well_formed(mc, target.card_id)


def test_mc_two_card_deck_has_two_options() -> None:
    mc = make_multiple_choice(DECK[0], DECK[:2], random.Random(1))
    assert sorted(mc.options) == [1, 2]
    _assert_well_formed(mc, 1)


def test_mc_needs_a_distractor() -> None:
    with pytest.raises(ValueError):
        make_multiple_choice(DECK[0], DECK[:1], random.Random(1))
    with pytest.raises(ValueError):
        make_multiple_choice(DECK[0], [], random.Random(1))


def test_mc_identical_answer_texts_are_offered_once() -> None:
    cards = [
        StudyCard(1, "Capital of France?", "Paris"),
        StudyCard(2, "City of light?", "paris."),  # same answer once normalised: also right
        StudyCard(3, "Capital of Italy?", "Rome"),
        StudyCard(4, "Eternal city?", "The Rome"),  # same text as 3 once the article goes
        StudyCard(5, "Capital of Spain?", "Madrid"),
        StudyCard(6, "Capital of Germany?", "Berlin"),
    ]
    for seed in range(20):
        mc = make_multiple_choice(cards[0], cards, random.Random(seed))
        assert mc.prompt_side == "question"
        assert {1, 5, 6} < set(mc.options) and 2 not in mc.options
        assert len({3, 4} & set(mc.options)) == 1  # "Rome" once, whichever card carries it
        _assert_well_formed(mc, 1)


def test_mc_side_with_more_distinct_options_wins() -> None:
    cards = [
        StudyCard(1, "Capital of France?", "Paris"),
        StudyCard(2, "City of light?", "paris."),
        StudyCard(3, "Capital of Italy?", "Rome"),
        StudyCard(4, "Eternal city?", "The Rome"),
    ]
    # Answers give only Paris/Rome; questions give three options. Card 2 is never offered:
    # shown "Paris", its question would be right too.
    mc = make_multiple_choice(cards[0], cards, random.Random(0))
    assert mc.prompt_side == "answer"
    assert sorted(mc.options) == [1, 3, 4]
    _assert_well_formed(mc, 1)


def test_mc_two_cards_with_identical_answers_cannot_be_asked() -> None:
    cards = [StudyCard(1, "Q one", "Same"), StudyCard(2, "Q two", "same")]
    with pytest.raises(ValueError):
        make_multiple_choice(cards[0], cards, random.Random(1))


def test_mc_long_answer_shows_answer_and_offers_questions() -> None:
    cards = [StudyCard(i, f"Term {i}", f"{LONG} {i}") for i in range(1, 6)]
    mc = make_multiple_choice(cards[0], cards, random.Random(3))
    assert mc.prompt_side == "answer"
    index = cards_by_id(cards)
    assert mc.prompt_text(index) == cards[0].answer
    assert all(t.startswith("Term ") for t in mc.option_texts(index))
    _assert_well_formed(mc, 1)


def test_mc_exactly_at_limit_is_short() -> None:
    cards = [
        StudyCard(i, f"Term {i}", f"{i:03d}" + "y" * (LONG_ANSWER_CHARS - 3)) for i in range(4)
    ]
    mc = make_multiple_choice(cards[0], cards, random.Random(3))
    assert mc.prompt_side == "question"


def test_mc_short_target_among_long_answers_switches_side() -> None:
    # Only one other short answer: answers as options would give 2 options, questions give 4.
    cards = [
        StudyCard(1, "Term 1", "short one"),
        StudyCard(2, "Term 2", "short two"),
        *(StudyCard(i, f"Term {i}", f"{LONG} {i}") for i in range(3, 8)),
    ]
    mc = make_multiple_choice(cards[0], cards, random.Random(5))
    assert mc.prompt_side == "answer"
    assert len(mc.options) == 4
    # With only short answers on the remaining cards, options are answers again.
    mc = make_multiple_choice(cards[0], cards[:2], random.Random(5))
    assert mc.prompt_side == "question"


def test_mc_n_options_bounds() -> None:
    with pytest.raises(ValueError):
        make_multiple_choice(DECK[0], DECK, random.Random(1), n_options=1)
    with pytest.raises(ValueError):
        make_multiple_choice(DECK[0], DECK, random.Random(1), n_options=7)


def test_option_labels() -> None:
    assert [option_label(i) for i in range(6)] == ["A", "B", "C", "D", "E", "F"]
    with pytest.raises(ValueError):
        option_label(6)


def test_question_dict_round_trip() -> None:
    for question in (
        make_multiple_choice(DECK[0], DECK, random.Random(1)),
        TrueFalse(card_id=1, shown_card_id=2, is_true=False),
        Written(card_id=3, mode="typed"),
    ):
        assert question_from_dict(question.to_dict()) == question
    with pytest.raises(ValueError):
        question_from_dict({"kind": "essay"})


# --- true/false and written --------------------------------------------------------------------


def test_true_false_is_about_half_true_and_false_ones_are_really_false() -> None:
    rng = random.Random(11)
    results = [make_true_false(DECK[0], DECK, rng) for _ in range(400)]
    trues = sum(r.is_true for r in results)
    assert 160 <= trues <= 240
    for r in results:
        assert (r.shown_card_id == 1) == r.is_true


def test_true_false_without_a_distinct_answer_is_true() -> None:
    cards = [StudyCard(1, "Q1", "same"), StudyCard(2, "Q2", "Same!")]
    for seed in range(20):
        tf = make_true_false(cards[0], cards, random.Random(seed))
        assert tf == TrueFalse(card_id=1, shown_card_id=1, is_true=True)


@pytest.mark.parametrize(
    ("answer", "mode"),
    [
        ("Paris", "typed"),
        ("y" * 60, "typed"),
        ("y" * 61, "self_check"),
        ("line one\nline two", "self_check"),
        ("A long paragraph. " * 40, "self_check"),
    ],
)
def test_written_mode(answer: str, mode: str) -> None:
    assert make_written(StudyCard(1, "Q", answer)) == Written(card_id=1, mode=mode)


def test_evaluate_checks_response_types() -> None:
    index = cards_by_id(DECK)
    mc = make_multiple_choice(DECK[0], DECK, random.Random(1))
    assert evaluate(mc, mc.correct_index, index).correct
    assert not evaluate(mc, (mc.correct_index + 1) % 4, index).correct
    with pytest.raises(ValueError):
        evaluate(mc, True, index)
    with pytest.raises(ValueError):
        evaluate(mc, 4, index)
    typed = Written(card_id=1, mode="typed")
    result = evaluate(typed, "answer 1", index)
    assert result.correct and result.verdict == Verdict(correct=True, exact=True, distance=0)
    with pytest.raises(ValueError):
        evaluate(typed, True, index)
    assert evaluate(Written(card_id=1, mode="self_check"), False, index).correct is False
    assert evaluate(TrueFalse(1, 2, False), False, index).correct


# --- normalising and checking typed answers ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("  The  Beatles!! ", "beatles"),
        ("An apple", "apple"),
        ("A", "a"),  # a lone article is the answer
        ("Don’t panic.", "dont panic"),
        ("well-known", "well known"),
        ("C#", "c#"),
        ("Using the @ operator", "using the @ operator"),
        ("ＡＢＣ", "abc"),  # NFKC folds full-width letters
        ("Straße", "strasse"),  # casefold
        ("?!", "?!"),  # only punctuation: kept
        ("   ", ""),
    ],
)
def test_normalise(text: str, normal: str) -> None:
    assert normalise(text) == normal


@pytest.mark.parametrize(
    ("expected", "given", "verdict"),
    [
        ("Paris", "paris", (True, True, 0)),
        ("Paris", "  PARIS. ", (True, True, 0)),
        ("The Beatles", "beatles", (True, True, 0)),
        ("mitochondria", "mitochondira", (True, False, 1)),  # swap = one edit
        ("mitochondria", "mitocondira", (True, False, 2)),
        ("mitochondria", "mtcndra", (False, False, 5)),
        ("photosynthesis", "photosinthesis", (True, False, 1)),
        ("photosynthesis", "fotosynthesis", (True, False, 2)),
        ("photosynthesis", "fotosintesis", (False, False, 4)),
        ("cat", "car", (False, False, 1)),  # 3 letters: no tolerance
        ("house", "hose", (True, False, 1)),
        ("house", "hse", (False, False, 2)),
        ("1945", "1946", (False, False, 1)),  # numbers are never forgiven
        ("World War 2", "world war 3", (False, False, 1)),
        ("C#", "C", (False, False, 1)),
        ("Paris (France)", "Paris", (True, False, 0)),
        ("Using the @ operator", "@ operator", (True, False, 0)),
        ("Using the @ operator", "using @ operator", (True, False, 0)),
        ("@ operator", "using the @ operator", (True, False, 0)),
        ("to run", "run", (True, False, 0)),
        ("not X", "X", (False, False, 4)),
        ("Paris", "", (False, False, 5)),
        ("Paris", "   ", (False, False, 5)),
        ("Paris", "...", (False, False, 5)),
    ],
)
def test_check_written_goldens(expected: str, given: str, verdict: tuple[bool, bool, int]) -> None:
    assert check_written(expected, given) == Verdict(*verdict)


def test_check_written_rejects_blank_expected() -> None:
    with pytest.raises(ValueError):
        check_written("  ", "x")


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("", "abc", 3),
        ("kitten", "sitting", 3),
        ("ab", "ba", 1),
        ("ca", "abc", 2),  # true Damerau-Levenshtein (the restricted variant says 3)
        ("abcdef", "abcfed", 2),
        ("flaw", "lawn", 2),
    ],
)
def test_damerau_levenshtein(a: str, b: str, distance: int) -> None:
    assert damerau_levenshtein(a, b) == distance
    assert damerau_levenshtein(b, a) == distance


def _fewest_edits(a: str, b: str, alphabet: str) -> int:
    """Breadth-first search over single edits: the definition, for checking the DP."""
    frontier, seen, steps = {a}, {a}, 0
    while b not in frontier:
        steps += 1
        nxt = set()
        for s in frontier:
            for i in range(len(s) + 1):
                nxt.update(s[:i] + c + s[i:] for c in alphabet)  # insert
                if i < len(s):
                    nxt.add(s[:i] + s[i + 1 :])  # delete
                    nxt.update(s[:i] + c + s[i + 1 :] for c in alphabet)  # substitute
                if i + 1 < len(s):
                    nxt.add(s[:i] + s[i + 1] + s[i] + s[i + 2 :])  # swap neighbours
        frontier = {s for s in nxt if s not in seen and len(s) <= 6}
        seen |= frontier
    return steps


def test_damerau_levenshtein_matches_fewest_edits() -> None:
    rng = random.Random(9)
    for _ in range(60):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(0, 4)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(0, 4)))
        assert damerau_levenshtein(a, b) == _fewest_edits(a, b, "abc"), (a, b)


def test_damerau_levenshtein_limit_caps_and_agrees_below_it() -> None:
    rng = random.Random(5)
    for _ in range(300):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(0, 8)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(0, 8)))
        full = damerau_levenshtein(a, b)
        for limit in range(4):
            assert damerau_levenshtein(a, b, limit=limit) == min(full, limit + 1)


def test_mc_right_option_position_is_uniform() -> None:
    rng = random.Random(4)
    counts = [0, 0, 0, 0]
    for i in range(2000):
        counts[make_multiple_choice(DECK[i % 16], DECK, rng).correct_index] += 1
    assert all(430 <= c <= 570 for c in counts), counts


def test_mc_on_a_big_deck_of_paragraphs_asks_with_the_answer() -> None:
    # Speed on big decks is measured in bench/, not asserted here.
    paragraph = "A long answer paragraph, with words and punctuation. " * 60
    deck = [StudyCard(i, f"Term {i}", f"{paragraph}{i}") for i in range(2000)]
    rng = random.Random(1)
    for i in range(50):
        mc = make_multiple_choice(deck[i], deck, rng)
        assert mc.prompt_side == "answer" and len(mc.options) == 4
        assert len(set(mc.options)) == 4 and mc.options[mc.correct_index] == deck[i].card_id


@pytest.mark.parametrize(
    ("expected", "given", "correct"),
    [
        # A missing or extra article is forgiven in the six languages...
        ("el gato", "gato", True),
        ("gato", "el gato", True),
        ("las casas", "casas", True),
        ("la maison", "maison", True),
        ("l'eau", "eau", True),
        ("L’homme", "homme", True),
        ("der Hund", "Hund", True),
        ("einem Mann", "mann", True),
        ("il gatto", "gatto", True),
        ("gli studenti", "studenti", True),
        ("un'amica", "amica", True),
        ("o gato", "gato", True),
        ("uma casa", "casa", True),
        ("the cat", "cat", True),
        # ...and so are English articles for each other, and an elision for its full form...
        ("the cat", "a cat", True),
        ("l'amico", "lo amico", True),
        # ...but a different article is wrong: the gender or case is what is being learned.
        ("el gato", "la gato", False),
        ("der See", "die See", False),
        ("la mer", "le mer", False),
        ("o gato", "a gato", False),
        ("il gatto", "lo gatto", False),
        ("der Hund", "dem Hund", False),
        # One-letter articles only before a real word: O(n) is not n.
        ("O(n)", "n", False),
        ("i gatti", "gatti", True),
    ],
)
def test_leading_articles_of_six_languages(expected: str, given: str, correct: bool) -> None:
    assert check_written(expected, given).correct is correct


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("L'eau", "eau"),
        ("Die Katze", "katze"),
        ("Os livros", "livros"),
        ("O(n)", "o n"),
        ("Die", "die"),  # a lone word is the answer, article or not
        ("don't", "dont"),
    ],
)
def test_normalise_drops_articles_of_six_languages(text: str, normal: str) -> None:
    assert normalise(text) == normal
