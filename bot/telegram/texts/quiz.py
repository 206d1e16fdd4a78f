"""Quiz: questions as polls or buttons, and the score."""

from __future__ import annotations

from bot.services.study import QuizView
from bot.telegram.html import esc
from bot.telegram.texts.study import question_body, right_option

__all__ = [
    "QUIZ_USAGE",
    "quiz_answered",
    "quiz_finished",
    "quiz_poll",
    "quiz_question",
]


QUIZ_USAGE = "Send <code>/quiz</code> for 5 questions, or <code>/quiz 3</code> (1–10)."


def _quiz_header(view: QuizView, index: int) -> str:
    return f"<b>Quiz · {esc(view.deck.deck.title)}</b> · {index + 1}/{view.total}"


def quiz_question(view: QuizView, index: int) -> str:
    return f"{_quiz_header(view, index)}\n\n{question_body(view.deck, view.questions[index])}"


def quiz_poll(view: QuizView, index: int) -> tuple[str, list[str]]:
    """The plain question and options of a native quiz poll (the caller checks they fit)."""
    question = view.questions[index]
    plain = view.deck.plain
    card = plain[question.card_id]

    def flat(text: str) -> str:
        return " ".join(text.split())

    if question.prompt_side == "question":
        return (
            f"{index + 1}/{view.total} · {card.question.strip()}",
            [flat(plain[i].answer) for i in question.options],
        )
    return (
        f"{index + 1}/{view.total} · Which question does this answer?\n\n{card.answer.strip()}",
        [flat(plain[i].question) for i in question.options],
    )


def quiz_answered(view: QuizView) -> str:
    assert view.answered_no is not None
    index = view.answered_no - 1
    question = view.questions[index]
    if view.last_correct:
        verdict = "✅ Correct!"
    else:
        verdict = (
            f"❌ Not quite. The answer: {right_option(view.deck, question, question.correct_index)}"
        )
    return f"{quiz_question(view, index)}\n\n{verdict}"


def quiz_finished(view: QuizView) -> str:
    percent = (200 * view.score + view.total) // (2 * view.total) if view.total else 0
    return (
        f"<b>Quiz · {esc(view.deck.deck.title)}</b> — done: {view.score}/{view.total} "
        f"({percent}%)\n/quiz for another round."
    )
