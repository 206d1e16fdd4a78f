"""Learn: questions, feedback and rounds."""

from __future__ import annotations

from bot.core.study import MultipleChoice
from bot.services.study import LearnView
from bot.telegram.html import esc
from bot.telegram.texts.study import question_body, right_option, side_brief
from bot.telegram.texts.wording import counted, end_sentence

__all__ = [
    "LEARN_USAGE",
    "learn_answered",
    "learn_feedback",
    "learn_finished",
    "learn_paused",
    "learn_question",
]


LEARN_USAGE = (
    "Send <code>/learn</code> for the whole deck, or <code>/learn 8</code> to learn the 8 cards "
    "you know least."
)


def _learn_header(view: LearnView) -> str:
    learned, total = view.progress
    return f"<b>Learn · {esc(view.deck.deck.title)}</b>\nLearned {learned}/{total}"


def learn_question(view: LearnView, *, revealed: bool = False, attempt: str | None = None) -> str:
    assert view.asked is not None
    body = question_body(view.deck, view.asked.question, revealed=revealed, attempt=attempt)
    return f"{_learn_header(view)}\n\n{body}"


def learn_feedback(view: LearnView, *, didnt_know: bool = False) -> str:
    """The verdict on a Learn answer; `didnt_know` when the learner pressed "I don't know"."""
    feedback, answered = view.feedback, view.answered
    assert feedback is not None and answered is not None
    question = answered.question
    card = view.deck.cards[question.card_id]
    if feedback.correct:
        line = "✅ Correct!"
        if feedback.verdict is not None and not feedback.verdict.exact:
            line += " " + end_sentence(f"Exactly: <b>{side_brief(card, 'answer', 100)}</b>")
        if feedback.learned:
            line += " Learned."
    elif isinstance(question, MultipleChoice):
        right = right_option(view.deck, question, question.correct_index)
        line = "❌ Not quite. " + end_sentence(f"The answer: {right}") + " It will come back later."
    elif question.mode == "typed":
        right = f"<b>{side_brief(card, 'answer', 100)}</b>"
        opening = "❌ No problem. " if didnt_know else "❌ Not quite. "
        line = opening + end_sentence(f"The answer: {right}") + " It will come back later."
    else:
        line = "❌ No problem — it will come back later."
    if feedback.round_complete and not feedback.finished:
        learned, total = view.progress
        line += f"\n🎉 Round done — {learned}/{total} learned."
    return line


def learn_answered(view: LearnView, *, didnt_know: bool = False) -> str:
    """The question just answered, settled: no buttons, with the verdict under it."""
    assert view.answered is not None
    revealed = view.answered.question.kind == "written"
    body = question_body(view.deck, view.answered.question, revealed=revealed)
    if revealed and view.answered.question.mode == "self_check":
        body = body.removesuffix("\n\n<i>Did you know it?</i>")
    elif revealed:
        body = body.removesuffix("\n\n<i>Type your answer.</i>")
    return f"{_learn_header(view)}\n\n{body}\n\n{learn_feedback(view, didnt_know=didnt_know)}"


def learn_finished(view: LearnView) -> str:
    _learned, total = view.progress
    learn = view.learn
    return (
        f"🎉 <b>Learn · {esc(view.deck.deck.title)}</b> — all {counted(total, 'card')} learned! "
        f"{learn.answered_correctly} of {counted(learn.answered, 'answer')} right.\n"
        "/test to test yourself, or /learn to go again."
    )


def learn_paused(view: LearnView) -> str:
    learned, total = view.progress
    return f"⏸ Learn paused — {learned}/{total} learned. /learn to continue where you left off."
