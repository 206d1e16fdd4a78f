"""Inline keyboards; every payload goes through bot.telegram.callbacks."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.srs import Grade
from bot.telegram import callbacks as cb
from bot.telegram import texts

__all__ = [
    "deck_choice",
    "deck_manage",
    "grades",
    "group_deck_choice",
    "group_grades",
    "show_answer",
    "start_review",
]


def _button(text: str, callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cb.encode(callback))


def deck_choice(decks: list[tuple[str, str, int]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(f"📚 {title[:48]}", cb.Enrol(slug))] for slug, title, _count in decks]
    )


def deck_manage(rows: list[tuple[str, str, str, int, bool]]) -> InlineKeyboardMarkup:
    buttons = []
    for slug, title, _description, _count, enrolled in rows:
        if enrolled:
            buttons.append([_button(f"Leave {title[:40]}", cb.Leave(slug))])
        else:
            buttons.append([_button(f"Study {title[:40]}", cb.Enrol(slug))])
    return InlineKeyboardMarkup(buttons)


def show_answer(card_id: int, version: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(texts.SHOW_ANSWER_BUTTON, cb.ShowAnswer(card_id, version))]]
    )


def grades(card_id: int, version: int, intervals: dict[Grade, timedelta]) -> InlineKeyboardMarkup:
    row = [
        _button(texts.grade_label(grade, intervals[grade]), cb.Grading(card_id, version, grade))
        for grade in Grade
    ]
    # Two rows of two: four labels with intervals do not fit one phone-width row.
    return InlineKeyboardMarkup([row[:2], row[2:]])


def start_review() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.START_REVIEW_BUTTON, cb.StartReview())]])


def group_grades(post_id: int) -> InlineKeyboardMarkup:
    """Grade buttons of a group post: no intervals, since each member's differ."""
    return InlineKeyboardMarkup(
        [[_button(grade.label, cb.GroupGrade(post_id, grade)) for grade in Grade]]
    )


def group_deck_choice(decks: list[tuple[str, str, int]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(f"📚 {title[:48]}", cb.GroupDeck(slug))] for slug, title, _count in decks]
    )
