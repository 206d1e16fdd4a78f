"""What the study modes share: titles, usage, refusals, resuming a session, the deck picker."""

from __future__ import annotations

from bot.core.card_text import card_html, card_plain
from bot.core.study import (
    MultipleChoice,
    Question,
    TrueFalse,
    option_label,
    tile_label,
)
from bot.services.study import DeckCards
from bot.telegram.html import esc
from bot.telegram.texts.review import attempt_block

__all__ = [
    "ANSWERED_TOAST",
    "CONTINUE_BUTTON",
    "CORRECT_TOAST",
    "DECK_TOO_SMALL",
    "DUNNO_BUTTON",
    "FALSE_BUTTON",
    "FIRST_BUTTON",
    "FLIP_BUTTON",
    "KNEW_BUTTON",
    "MISSED_BUTTON",
    "MODE_TITLES",
    "NEXT_BUTTON",
    "PLAY_AGAIN_BUTTON",
    "PREV_BUTTON",
    "SHUFFLE_BUTTON",
    "START_OVER_BUTTON",
    "STOP_BUTTON",
    "STUDY_FOREIGN",
    "STUDY_STALE",
    "STUDY_UNKNOWN",
    "TRUE_BUTTON",
    "WRONG_TOAST",
    "choose_study_deck",
    "format_duration",
    "question_body",
    "resume_offer",
    "right_option",
    "side_brief",
    "side_html",
    "study_deck_chosen",
    "study_paused",
]


MODE_TITLES = {
    "cards": "Flashcards",
    "learn": "Learn",
    "test": "Test",
    "match": "Match",
    "quiz": "Quiz",
    "progress": "Progress",
}


DECK_TOO_SMALL = "This deck has too few distinct cards for that. Try /cards or /learn."


STUDY_STALE = "That has moved on — use the newest message."


STUDY_FOREIGN = "That isn't your session."


STUDY_UNKNOWN = "This button isn't valid any more."


FLIP_BUTTON = "↻ Flip"


PREV_BUTTON = "◀ Prev"


NEXT_BUTTON = "Next ▶"


SHUFFLE_BUTTON = "🔀 Shuffle"


FIRST_BUTTON = "⏮ Start"


TRUE_BUTTON = "True"


FALSE_BUTTON = "False"


KNEW_BUTTON = "✅ I knew it"


MISSED_BUTTON = "❌ I didn't"


DUNNO_BUTTON = "I don't know"


STOP_BUTTON = "⏸ Stop"


CONTINUE_BUTTON = "▶ Continue"


START_OVER_BUTTON = "↺ Start over"


PLAY_AGAIN_BUTTON = "Play again"


CORRECT_TOAST = "✅ Correct"


WRONG_TOAST = "❌ Not quite"


ANSWERED_TOAST = "Answer recorded"


def choose_study_deck(mode: str) -> str:
    return f"<b>{MODE_TITLES[mode]}</b> — which deck?"


def study_deck_chosen(mode: str, deck_label: str) -> str:
    """A mode's deck picker once a deck is chosen: the question with the choice marked."""
    return f"{choose_study_deck(mode)} ✅ {esc(deck_label)}"


def study_paused(mode: str) -> str:
    return f"This {MODE_TITLES[mode]} session is paused — /{mode} to continue it."


def format_duration(ms: int, *, compact: bool = False) -> str:
    """'23.4 s' under a minute, else '2:05' (or '1:02:05'); compact drops the space."""
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}{'' if compact else ' '}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}:{secs:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def side_html(card, side: str, *, marks: bool = True) -> str:
    """One side of a stored card as Telegram HTML (deck markup or imported HTML alike).

    Learn, Test, Match and Quiz show text only: a side's images and sounds are named there
    (`marks`); /review and Flashcards send them (bot.telegram.card_media).
    """
    text = card_html(getattr(card, side), card.text_format)
    if not marks:
        return text
    kinds = {ref.get("kind") for ref in getattr(card, f"{side}_media", None) or ()}
    marks = [mark for kind, mark in (("image", "🖼 image"), ("sound", "🔊 sound")) if kind in kinds]
    if marks:
        text += f"\n<i>{' · '.join(marks)} (shown in /review)</i>"
    return text


def side_brief(card, side: str, limit: int) -> str:
    """One side of a stored card as escaped plain text on one line, at most `limit` chars."""
    return esc(tile_label(card_plain(getattr(card, side), card.text_format), limit))


def _options(options: list[tuple[object, str]]) -> str:
    return "\n".join(
        f"<b>{option_label(i)}.</b> {side_html(card, side)}"
        for i, (card, side) in enumerate(options)
    )


def _option_texts(deck: DeckCards, question: MultipleChoice) -> list[tuple[object, str]]:
    """The options' cards and the side each shows."""
    side = "answer" if question.prompt_side == "question" else "question"
    return [(deck.cards[i], side) for i in question.options]


def question_body(
    deck: DeckCards, question: Question, *, revealed: bool = False, attempt: str | None = None
) -> str:
    """A Learn/Test/Quiz question with its options in full; the buttons carry only A–F.

    `attempt` is what the learner typed to a self-checked question: shown above the answer.
    """
    card = deck.cards[question.card_id]
    if isinstance(question, MultipleChoice):
        options = _options(_option_texts(deck, question))
        if question.prompt_side == "question":
            return f"{side_html(card, 'question')}\n\n<i>Choose the answer:</i>\n{options}"
        return (
            f"<i>Which question does this answer?</i>\n\n{side_html(card, 'answer')}\n\n{options}"
        )
    if isinstance(question, TrueFalse):
        shown = deck.cards[question.shown_card_id]
        return (
            f"<i>True or false?</i>\n\n{side_html(card, 'question')}\n\n"
            f"<b>Answer:</b> {side_html(shown, 'answer')}"
        )
    if question.mode == "typed":
        return f"{side_html(card, 'question')}\n\n<i>Type your answer.</i>"
    if revealed or attempt is not None:
        return (
            f"{side_html(card, 'question')}\n\n{attempt_block(attempt)}<b>Answer</b>\n"
            f"{side_html(card, 'answer')}\n\n<i>Did you know it?</i>"
        )
    return f"{side_html(card, 'question')}\n\n<i>Think of the answer, then reveal it.</i>"


def right_option(deck: DeckCards, question: MultipleChoice, index: int, limit: int = 300) -> str:
    card, side = _option_texts(deck, question)[index]
    return f"<b>{option_label(index)}.</b> {side_brief(card, side, limit)}"


def resume_offer(mode: str, deck_title: str, done: int, total: int) -> str:
    what = f"{done}/{total} learned" if mode == "learn" else f"{done} of {total} answered"
    return (
        f"You have an unfinished <b>{MODE_TITLES[mode]}</b> session on <b>{esc(deck_title)}</b> "
        f"({what}). Continue where you left off, or start over?"
    )
