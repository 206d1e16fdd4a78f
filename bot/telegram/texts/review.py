"""Review: cards, answers, grades, the end of a queue, undo."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.card_text import card_html
from bot.core.markup import to_plain_text
from bot.core.srs import Grade, format_interval
from bot.core.study import tile_label
from bot.services.review import QueueEnd, ReviewCard
from bot.telegram.html import esc
from bot.telegram.texts.wording import NO_STUDY_DECKS, counted, when

__all__ = [
    "ATTEMPT_CHARS",
    "FORGED",
    "NOTHING_TO_UNDO",
    "STALE_GRADED",
    "STALE_NOT_DUE",
    "STALE_NOT_ENROLLED",
    "TYPED_ATTEMPT_CHARS",
    "TYPE_YOUR_ANSWER",
    "after_grade",
    "answer_only",
    "attempt_block",
    "card_answer",
    "card_question",
    "grade_label",
    "grade_recorded",
    "graded",
    "graded_line",
    "next_daily",
    "nothing_due",
    "question",
    "question_and_answer",
    "review_moved_on",
    "session_done",
    "typed_review_result",
    "undone",
]


def _card_header(study: ReviewCard) -> str:
    """The deck and what is left to study now, this card included: '12 cards left'."""
    left = f"{counted(study.left_in_deck, 'card')} left"
    if study.left != study.left_in_deck:
        left += f" here · {study.left} in all"
    return f"<b>{esc(study.deck.title)}</b> · {left}"


TYPE_YOUR_ANSWER = "✍️ <i>Type your answer — or tap Show answer.</i>"


def card_question(card) -> str:
    """A stored card's question as Telegram HTML, whichever form it is stored in."""
    return card_html(card.question, card.text_format)


def card_answer(card) -> str:
    return card_html(card.answer, card.text_format)


def question(study: ReviewCard) -> str:
    text = f"{_card_header(study)}\n\n{card_question(study.card)}"
    if study.card.kind == "typed":
        text += f"\n\n{TYPE_YOUR_ANSWER}"
    return text


ATTEMPT_CHARS = 500  # a typed attempt beside a self-checked answer: enough to compare


def attempt_block(attempt: str | None) -> str:
    """What the learner typed before seeing the answer, as a block above it ('' if nothing)."""
    if attempt is None:
        return ""
    shown = attempt if len(attempt) <= ATTEMPT_CHARS else attempt[:ATTEMPT_CHARS] + "…"
    return f"<b>Your attempt</b>\n{esc(shown.strip())}\n\n"


def question_and_answer(study: ReviewCard, *, attempt: str | None = None) -> str:
    return (
        f"{_card_header(study)}\n\n{card_question(study.card)}\n\n"
        f"{attempt_block(attempt)}<b>Answer</b>\n{card_answer(study.card)}"
    )


def answer_only(study: ReviewCard) -> str:
    return f"<b>Answer</b>\n{card_answer(study.card)}"


TYPED_ATTEMPT_CHARS = 300


def typed_review_result(study: ReviewCard, attempt: str, correct: bool, exact: bool) -> str:
    """A typed-answer card checked: the attempt, the verdict and the answer; grade next."""
    shown = attempt.strip()
    if len(shown) > TYPED_ATTEMPT_CHARS:
        shown = shown[:TYPED_ATTEMPT_CHARS] + "…"
    if correct:
        verdict = "✅ Correct." if exact else "✅ Correct (nearly exactly)."
        hint = "Grade how easy it was."
    else:
        verdict = "❌ Not quite."
        hint = "<b>Again</b> brings it back soon."
    return (
        f"{_card_header(study)}\n\n{card_question(study.card)}\n\n"
        f"<b>Your attempt</b>\n{esc(shown)}\n{verdict}\n\n"
        f"<b>Answer</b>\n{card_answer(study.card)}\n\n<i>{hint}</i>"
    )


def graded(question_html: str, grade: Grade, interval) -> str:
    return f"{question_html}\n\n<i>{grade.label} — next in {format_interval(interval)}</i>"


def graded_line(question: str, grade: Grade, interval) -> str:
    """The one-line record of a grade that heads the next card: what was graded, and how."""
    excerpt = tile_label(to_plain_text(question), 60)
    return f"<i>✓ {grade.label} — next in {format_interval(interval)}:</i> {esc(excerpt)}"


def after_grade(record: str, following: str) -> str:
    """A graded card edited into what follows it (the next card, or the session's end)."""
    return f"{record}\n\n{following}"


def grade_label(grade: Grade, interval) -> str:
    return f"{grade.label} · {format_interval(interval)}"


def _what_next(end: QueueEnd, zone: ZoneInfo) -> str:
    if end.new_waiting and not end.new_per_day:
        return (
            "Your new-card limit is 0, so no new cards start; "
            "<code>/newcards 10</code> lets them in."
        )
    if end.next_due is None:
        return "No more cards are scheduled. /decks to add a deck."
    text = f"Next card due {when(end.next_due, zone)}."
    if end.new_waiting:
        text += " Today's new-card limit is reached (/newcards changes it)."
    return text


def session_done(end: QueueEnd, zone: ZoneInfo) -> str:
    """The queue ran out after some study today: distinct cards reviewed, and what next."""
    head = f"Done for now — {counted(end.reviewed_today, 'card')} reviewed today."
    return f"{head}\n{_what_next(end, zone)}"


def nothing_due(end: QueueEnd, zone: ZoneInfo, studying: bool) -> str:
    if not studying:
        return NO_STUDY_DECKS
    return f"Nothing is due right now. {_what_next(end, zone)}"


def next_daily(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """When the next daily message or post comes, as a person says it: 'today at 20:00'."""
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    days = (local.date() - today).days
    day = {0: "today", 1: "tomorrow"}.get(days, local.strftime("on %a %d %b"))
    return f"{day} at {local:%H:%M}"


STALE_GRADED = "Already graded — this card has moved on."


STALE_NOT_DUE = "This card isn't due any more."


STALE_NOT_ENROLLED = "You're not studying this card's deck any more."


FORGED = "This button isn't valid. /review to study."


def grade_recorded(grade: Grade, interval) -> str:
    return f"Recorded: {grade.label} — next in {format_interval(interval)}"


def undone(question_plain_html: str, grade: Grade) -> str:
    return f"Undid your <b>{grade.label}</b> on:\n{question_plain_html}\n\nIt's back in your queue."


NOTHING_TO_UNDO = "There's nothing to undo."


def review_moved_on(question_html: str) -> str:
    """An older card message once a newer one has taken over (after /undo, a second /review)."""
    return f"{question_html}\n\n<i>Moved on — your current card is in the newest message.</i>"
