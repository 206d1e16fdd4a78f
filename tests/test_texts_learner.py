"""Texts a learner reads after answering: sentences that end where they should, and a plain
"You didn't know it" for "I don't know"."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from bot.core.study import (
    AskedQuestion,
    BrowseState,
    LearnFeedback,
    MultipleChoice,
    TestResult,
    Verdict,
    Written,
    WrongAnswer,
)
from bot.services.study import BrowseView, DeckCards, LearnView, TestView
from bot.services.study.common import plain_card
from bot.storage.models import Card, Deck
from bot.telegram import texts
from tests.fake_telegram import parse_html

DECK = Deck(id=1, slug="es", title="Spanish", description="")
CARDS = {
    1: Card(id=1, deck_id=1, key="hola", question="hello", answer="hola", position=0),
    2: Card(id=2, deck_id=1, key="please", question="please", answer="por favor", position=1),
    3: Card(id=3, deck_id=1, key="thanks", question="thanks", answer="¡gracias!", position=2),
    4: Card(id=4, deck_id=1, key="bye", question="goodbye", answer="adiós", position=3),
}
DECK_CARDS = DeckCards(DECK, CARDS, {i: plain_card(c) for i, c in CARDS.items()})
TYPED = Written(card_id=2, mode="typed")


def _plain(html_text: str) -> str:
    return parse_html(html_text).text


def _learn_view(question, *, correct: bool, learned: bool = False, verdict=None) -> LearnView:
    asked = AskedQuestion(1, question)
    feedback = LearnFeedback(
        question_no=1,
        card_id=question.card_id,
        correct=correct,
        learned=learned,
        round_complete=False,
        finished=False,
        verdict=verdict,
    )
    learn = SimpleNamespace(progress=(0, len(CARDS)))
    return LearnView(1, DECK_CARDS, learn, None, "active", feedback=feedback, answered=asked)


@pytest.mark.parametrize(
    ("html_text", "ended"),
    [
        ("Exactly: <b>hola</b>", "Exactly: <b>hola</b>."),
        ("The answer: <b>¡gracias!</b>", "The answer: <b>¡gracias!</b>"),
        ("<b>Why?</b>", "<b>Why?</b>"),
        ("<b>a long answer…</b>", "<b>a long answer…</b>"),
        ("x &lt; y", "x &lt; y."),
    ],
)
def test_end_sentence_adds_a_full_stop_only_where_one_is_missing(html_text, ended):
    assert texts.end_sentence(html_text) == ended


def test_a_near_miss_that_is_learned_reads_as_two_sentences():
    view = _learn_view(
        Written(card_id=1, mode="typed"),
        correct=True,
        learned=True,
        verdict=Verdict(correct=True, exact=False, distance=1),
    )
    assert _plain(texts.learn_feedback(view)) == "✅ Correct! Exactly: hola. Learned."


def test_a_wrong_typed_answer_ends_the_answer_before_the_next_sentence():
    view = _learn_view(TYPED, correct=False, verdict=Verdict(False, False, 5))
    assert _plain(texts.learn_feedback(view)) == (
        "❌ Not quite. The answer: por favor. It will come back later."
    )


def test_i_dont_know_in_learn_is_no_problem_not_a_wrong_answer():
    view = _learn_view(TYPED, correct=False, verdict=Verdict(False, False, 9))
    assert _plain(texts.learn_feedback(view, didnt_know=True)) == (
        "❌ No problem. The answer: por favor. It will come back later."
    )
    assert _plain(texts.learn_answered(view, didnt_know=True)).endswith(
        "❌ No problem. The answer: por favor. It will come back later."
    )


def test_a_wrong_choice_ends_the_option_before_the_next_sentence():
    choice = MultipleChoice(
        card_id=2, prompt_side="question", prompt_card_id=2, options=(1, 2, 4), correct_index=1
    )
    view = _learn_view(choice, correct=False)
    assert _plain(texts.learn_feedback(view)) == (
        "❌ Not quite. The answer: B. por favor. It will come back later."
    )


def test_an_answer_ending_in_its_own_punctuation_gets_no_second_one():
    view = _learn_view(Written(card_id=3, mode="typed"), correct=False, verdict=Verdict(0, 0, 5))
    assert _plain(texts.learn_feedback(view)).endswith(
        "The answer: ¡gracias! It will come back later."
    )


def _test_view(asked: AskedQuestion, wrong: WrongAnswer) -> TestView:
    result = TestResult(correct=0, total=1, percent=0, wrong=(wrong,), duration=timedelta(0))
    test = SimpleNamespace(questions=[asked], total=1)
    return TestView(1, DECK_CARDS, test, None, "finished", answered=asked, result=result)


def test_i_dont_know_on_a_typed_test_question_says_you_didnt_know():
    asked = AskedQuestion(1, TYPED)
    view = _test_view(asked, WrongAnswer(1, TYPED, "", "por favor"))
    answered = _plain(texts.test_answered(view, ""))
    assert answered.endswith("You didn't know it.") and "(no answer)" not in answered
    review = _plain("\n\n".join(texts.test_result(view)))
    assert "1. please\nYou didn't know it.\nRight answer: por favor" in review
    assert "(no answer)" not in review and "Your answer" not in review


def test_a_self_checked_miss_and_a_typed_answer_read_naturally():
    self_check = Written(card_id=2, mode="self_check")
    asked = AskedQuestion(1, self_check)
    view = _test_view(asked, WrongAnswer(1, self_check, False, True))
    assert _plain(texts.test_answered(view, False)).endswith("You didn't know it.")
    assert _plain(texts.test_answered(view, True)).endswith("You knew it.")
    assert "\nYou didn't know it.\n" in _plain("\n\n".join(texts.test_result(view)))
    typed = AskedQuestion(1, TYPED)
    view = _test_view(typed, WrongAnswer(1, TYPED, "por fa <vor>", "por favor"))
    assert _plain(texts.test_answered(view, "por fa <vor>")).endswith("Your answer: por fa <vor>")
    assert "\nYour answer: por fa <vor>\n" in _plain("\n\n".join(texts.test_result(view)))


def test_help_tells_progress_and_stats_apart():
    lines = {line.split(" — ")[0]: line for line in _plain(texts.HELP).splitlines()}
    assert lines["/progress"] != lines["/stats"].replace("/stats", "/progress")
    assert "Learn, Test and Match" in lines["/progress"]
    assert "due" in lines["/stats"] and "streak" in lines["/stats"]
    menu = texts.COMMAND_MENU
    assert menu["progress"] != menu["stats"]


def test_a_flashcard_too_long_for_both_sides_shortens_only_the_question():
    long = Card(id=9, deck_id=1, key="long", question="Why? " * 200, answer="x " * 1750, position=9)
    deck = DeckCards(DECK, {9: long}, {9: plain_card(long)})
    view = BrowseView(1, 0, deck, BrowseState(order=(9,), showing_answer=True))
    text = texts.browse_card(view)
    assert texts.visible_length(text) <= texts.MAX_MESSAGE_CHARS
    assert _plain(text).count("x") == 1750 and "<i>Why? Why?" in text


def test_flashcards_leave_media_to_the_photo_while_learn_and_test_still_name_them():
    image = [{"name": "apple.png", "kind": "image", "sha256": "a" * 64}]
    apple = Card(
        id=5,
        deck_id=1,
        key="apple",
        question="apple",
        answer="la manzana",
        position=4,
        answer_media=image,
    )
    deck = DeckCards(DECK, {5: apple}, {5: plain_card(apple)})
    # Flashcards send the image (handlers.browse), so the card's text does not name it.
    flipped = BrowseView(1, 0, deck, BrowseState(order=(5,), showing_answer=True))
    assert "🖼" not in texts.browse_card(flipped)
    # Learn and Test questions are text only: the image is named, /review shows it.
    revealed = texts.question_body(deck, Written(card_id=5, mode="self_check"), revealed=True)
    assert "🖼 image (shown in /review)" in _plain(revealed)
