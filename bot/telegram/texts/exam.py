"""Test: questions, answers and the score."""

from __future__ import annotations

from bot.core.study import (
    MultipleChoice,
    Question,
    TrueFalse,
    Written,
    WrongAnswer,
    option_label,
)
from bot.services.study import (
    DeckCards,
    TestView,
)
from bot.telegram.html import esc
from bot.telegram.texts.study import (
    FALSE_BUTTON,
    TRUE_BUTTON,
    format_duration,
    question_body,
    right_option,
    side_brief,
)

__all__ = [
    "DIDNT_KNOW",
    "KNEW",
    "TEST_USAGE",
    "test_answered",
    "test_question",
    "test_result",
]


TEST_USAGE = (
    "Send <code>/test</code> for 10 mixed questions, or choose the length and kinds, e.g. "
    "<code>/test 20</code> or <code>/test 5 mc tf</code> (kinds: <code>mc</code> multiple "
    "choice, <code>tf</code> true/false, <code>written</code>)."
)


def _test_header(view: TestView, position: int) -> str:
    return f"<b>Test · {esc(view.deck.deck.title)}</b> · question {position}/{view.test.total}"


def test_question(view: TestView, *, revealed: bool = False, attempt: str | None = None) -> str:
    assert view.asked is not None
    body = question_body(view.deck, view.asked.question, revealed=revealed, attempt=attempt)
    return f"{_test_header(view, view.position)}\n\n{body}"


DIDNT_KNOW = "You didn't know it."


KNEW = "You knew it."


def _given(question: Question, response: object) -> str:
    if isinstance(question, MultipleChoice) and isinstance(response, int):
        return option_label(response)
    if isinstance(question, TrueFalse):
        return TRUE_BUTTON if response else FALSE_BUTTON
    return esc(str(response)[:100])


def _did_not_know(question: Question, response: object) -> bool:
    """'I don't know' on a typed question (no text) or 'I didn't' on a self-checked one."""
    if not isinstance(question, Written):
        return False
    return response is False or (isinstance(response, str) and not response.strip())


def _answer_line(question: Question, response: object) -> str:
    """How a Test answer is recalled: what was given, or that the learner didn't know."""
    if _did_not_know(question, response):
        return DIDNT_KNOW
    if isinstance(question, Written) and response is True:
        return KNEW
    return f"Your answer: {_given(question, response)}"


def test_answered(view: TestView, response: object) -> str:
    """The question just answered, without buttons and without the verdict (that is at the end)."""
    assert view.answered is not None
    position = view.test.questions.index(view.answered) + 1
    question = view.answered.question
    revealed = question.kind == "written" and question.mode == "self_check"
    body = question_body(view.deck, question, revealed=revealed)
    body = body.removesuffix("\n\n<i>Did you know it?</i>")
    return f"{_test_header(view, position)}\n\n{body}\n\n<i>{_answer_line(question, response)}</i>"


def _wrong_block(deck: DeckCards, wrong: WrongAnswer, number: int) -> str:
    question = wrong.question
    card = deck.cards[question.card_id]
    if isinstance(question, MultipleChoice):
        if question.prompt_side == "question":
            prompt = side_brief(card, "question", 300)
        else:
            prompt = f"Which question does this answer? <i>{side_brief(card, 'answer', 300)}</i>"
        given = (
            "Your answer: (not answered)"
            if wrong.given is None
            else f"Your answer: {right_option(deck, question, int(wrong.given), 200)}"
        )
        right = right_option(deck, question, question.correct_index, 200)
    elif isinstance(question, TrueFalse):
        shown = deck.cards[question.shown_card_id]
        prompt = f"{side_brief(card, 'question', 300)}\n<i>{side_brief(shown, 'answer', 300)}</i>"
        given = (
            "Your answer: (not answered)"
            if wrong.given is None
            else _answer_line(question, wrong.given)
        )
        right = _given(question, question.is_true)
        if not question.is_true:
            right += f" — the answer is: {side_brief(card, 'answer', 300)}"
    else:
        prompt = side_brief(card, "question", 300)
        if wrong.given is None:
            given = "Your answer: (not answered)"
        elif question.mode == "typed":
            given = _answer_line(question, str(wrong.given))
        else:
            given = DIDNT_KNOW  # a self-checked answer is wrong only when the learner says so
        right = side_brief(card, "answer", 400)
    return f"<b>{number}.</b> {prompt}\n{given}\nRight answer: <b>{right}</b>"


def test_result(view: TestView) -> list[str]:
    """The score, the time and a review of each wrong answer, as blocks for split_message."""
    result = view.result
    assert result is not None
    time = format_duration(int(result.duration.total_seconds() * 1000)) if result.duration else "–"
    blocks = [
        f"<b>Test · {esc(view.deck.deck.title)}</b> — finished\n"
        f"Score: {result.correct}/{result.total} · <b>{result.percent}%</b>\nTime: {time}"
    ]
    if not result.wrong:
        blocks.append("Perfect — no wrong answers! 🎉")
    else:
        blocks.append("<b>To review</b>")
        numbers = {asked.question_no: i for i, asked in enumerate(view.test.questions, start=1)}
        blocks += [_wrong_block(view.deck, w, numbers[w.question_no]) for w in result.wrong]
    blocks.append("/test for another test, /learn to practise.")
    return blocks
