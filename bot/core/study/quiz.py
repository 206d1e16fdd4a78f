"""Quiz mode: a short run of multiple-choice questions, sent as Telegram quiz polls when they fit.

Telegram quiz polls take a question of 1-300 characters and 2-10 options of 1-100 characters
each. Lengths are counted in UTF-16 code units, which is what Telegram counts and never less
than the number of characters, so a text that passes here is accepted there. Questions that do
not fit are shown as a message with A-F buttons instead (the Telegram layer decides).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from .cards import StudyCard, cards_by_id
from .questions import MultipleChoice, make_multiple_choice

__all__ = [
    "POLL_MAX_OPTIONS",
    "POLL_MIN_OPTIONS",
    "POLL_OPTION_MAX_CHARS",
    "POLL_QUESTION_MAX_CHARS",
    "build_quiz",
    "fits_quiz_poll",
]

POLL_QUESTION_MAX_CHARS = 300
POLL_OPTION_MAX_CHARS = 100
POLL_MIN_OPTIONS = 2
POLL_MAX_OPTIONS = 10


def _telegram_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fits_quiz_poll(question_text: str, option_texts: Sequence[str]) -> bool:
    """Whether Telegram would accept these texts as a quiz poll."""
    if not 1 <= _telegram_length(question_text.strip()) <= POLL_QUESTION_MAX_CHARS:
        return False
    if not POLL_MIN_OPTIONS <= len(option_texts) <= POLL_MAX_OPTIONS:
        return False
    return all(
        1 <= _telegram_length(option.strip()) <= POLL_OPTION_MAX_CHARS for option in option_texts
    )


def build_quiz(
    cards: Sequence[StudyCard], rng: random.Random, *, length: int = 5, n_options: int = 4
) -> list[MultipleChoice]:
    """Up to `length` multiple-choice questions about distinct cards, in random order.

    Cards that cannot get a question (no distinct distractor) are skipped, so the list can be
    shorter; ValueError if the deck has fewer than two cards.
    """
    if length < 1:
        raise ValueError("length must be at least 1")
    index = cards_by_id(cards)
    if len(index) < 2:
        raise ValueError("a quiz needs at least two cards")
    pool = sorted(index.values(), key=lambda c: c.card_id)
    quiz: list[MultipleChoice] = []
    for target in rng.sample(pool, len(pool)):
        try:
            quiz.append(make_multiple_choice(target, pool, rng, n_options=n_options))
        except ValueError:
            continue
        if len(quiz) == length:
            break
    return quiz
