"""Inline keyboards; every payload goes through bot.telegram.callbacks."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.srs import Grade
from bot.core.study import AskedQuestion, MultipleChoice, TrueFalse, option_label
from bot.telegram import callbacks as cb
from bot.telegram import texts

__all__ = [
    "browse",
    "deck_choice",
    "deck_manage",
    "grades",
    "group_deck_choice",
    "group_grades",
    "match_board",
    "play_again",
    "resume_or_restart",
    "show_answer",
    "start_review",
    "study_deck_choice",
    "study_question",
]


def _button(text: str, callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cb.encode(callback))


def deck_choice(
    decks: list[tuple[str, str, int]], studying: Collection[str] = ()
) -> InlineKeyboardMarkup:
    """The /start picker: a button per deck, ✅ on those already studied."""
    return InlineKeyboardMarkup(
        [
            [_button(f"{'✅' if slug in studying else '📚'} {title[:48]}", cb.Enrol(slug))]
            for slug, title, _count in decks
        ]
    )


def deck_manage(rows: list[tuple[str, str, str, int, bool]]) -> InlineKeyboardMarkup:
    buttons = []
    for slug, title, _description, _count, enrolled in rows:
        if enrolled:
            buttons.append([_button(f"Leave {title[:40]}", cb.Leave(slug))])
        else:
            buttons.append([_button(f"Study {title[:40]}", cb.Enrol(slug, from_list=True))])
    return InlineKeyboardMarkup(buttons)


def show_answer(card_id: int, version: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(texts.SHOW_ANSWER_BUTTON, cb.ShowAnswer(card_id, version))]]
    )


def grades(
    card_id: int, version: int, intervals: dict[Grade, timedelta], shown_at: int = 0
) -> InlineKeyboardMarkup:
    row = [
        _button(
            texts.grade_label(grade, intervals[grade]),
            cb.Grading(card_id, version, grade, shown_at),
        )
        for grade in Grade
    ]
    # Two rows of two: four labels with intervals do not fit one phone-width row.
    return InlineKeyboardMarkup([row[:2], row[2:]])


def start_review() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.START_REVIEW_BUTTON, cb.StartReview())]])


# --- study modes ---------------------------------------------------------------------------


def study_deck_choice(
    mode: str, decks: list[tuple[int, str]], length: int = 0, kinds: tuple[str, ...] = ()
) -> InlineKeyboardMarkup:
    """One button per enrolled deck (id, title); the mode's options ride along."""
    return InlineKeyboardMarkup(
        [
            [_button(f"📚 {title[:48]}", cb.PickDeck(mode, deck_id, length, kinds))]
            for deck_id, title in decks
        ]
    )


def browse(session_id: int, step: int) -> InlineKeyboardMarkup:
    """Flashcards: previous / flip / next, then shuffle and back to the first card."""

    def move(name: str) -> InlineKeyboardButton:
        label = {
            "prev": texts.PREV_BUTTON,
            "flip": texts.FLIP_BUTTON,
            "next": texts.NEXT_BUTTON,
            "shuffle": texts.SHUFFLE_BUTTON,
            "first": texts.FIRST_BUTTON,
        }[name]
        return _button(label, cb.StudyMove("cards", session_id, step, name))

    return InlineKeyboardMarkup(
        [[move("prev"), move("flip"), move("next")], [move("shuffle"), move("first")]]
    )


def study_question(
    mode: str, session_id: int, asked: AskedQuestion, *, revealed: bool = False, stop: bool = False
) -> InlineKeyboardMarkup:
    """Answer buttons for a Learn, Test or Quiz question: A–F, True/False, or recall."""
    question, no = asked.question, asked.question_no

    def move(name: str, index: int = 0) -> cb.StudyMove:
        return cb.StudyMove(mode, session_id, no, name, index)

    if isinstance(question, MultipleChoice):
        row = [_button(option_label(i), move("choose", i)) for i in range(len(question.options))]
    elif isinstance(question, TrueFalse):
        row = [_button(texts.TRUE_BUTTON, move("true")), _button(texts.FALSE_BUTTON, move("false"))]
    elif question.mode == "typed":
        row = [_button(texts.DUNNO_BUTTON, move("dunno"))]
    elif revealed:
        row = [
            _button(texts.KNEW_BUTTON, move("knew")),
            _button(texts.MISSED_BUTTON, move("missed")),
        ]
    else:
        row = [_button(texts.SHOW_ANSWER_BUTTON, move("reveal"))]
    rows = [row]
    if stop:
        rows.append([_button(texts.STOP_BUTTON, move("stop"))])
    return InlineKeyboardMarkup(rows)


def resume_or_restart(mode: str, session_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.CONTINUE_BUTTON, cb.StudyMove(mode, session_id, 0, "continue")),
                _button(texts.START_OVER_BUTTON, cb.StudyMove(mode, session_id, 0, "restart")),
            ]
        ]
    )


def match_board(session_id: int, labels: list[str], removed: set[int], selected: int | None):
    """One button per tile still on the board, one per row so long labels stay readable."""
    rows = []
    for i, label in enumerate(labels):
        if i in removed:
            continue
        text = f"👉 {label}" if i == selected else label
        rows.append([_button(text, cb.StudyMove("match", session_id, 0, "tile", i))])
    return InlineKeyboardMarkup(rows)


def play_again(mode: str, deck_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.PLAY_AGAIN_BUTTON, cb.PickDeck(mode, deck_id))]])


def group_grades(post_id: int) -> InlineKeyboardMarkup:
    """Grade buttons of a group post: no intervals, since each member's differ."""
    return InlineKeyboardMarkup(
        [[_button(grade.label, cb.GroupGrade(post_id, grade)) for grade in Grade]]
    )


def group_deck_choice(decks: list[tuple[str, str, int]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(f"📚 {title[:48]}", cb.GroupDeck(slug))] for slug, title, _count in decks]
    )
