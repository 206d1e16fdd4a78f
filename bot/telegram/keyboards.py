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
    "import_preview",
    "leech_notice",
    "leeches_list",
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
            buttons.append([_button(texts.leave_deck_button(title), cb.Leave(slug))])
        else:
            buttons.append(
                [_button(texts.study_deck_button(title), cb.Enrol(slug, from_list=True))]
            )
    return InlineKeyboardMarkup(buttons)


def show_answer(card_id: int, version: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(texts.SHOW_ANSWER_BUTTON, cb.ShowAnswer(card_id, version))]]
    )


def grades(
    card_id: int,
    version: int,
    intervals: dict[Grade, timedelta],
    shown_at: int = 0,
    *,
    editable: bool = False,
) -> InlineKeyboardMarkup:
    """The four grades with their intervals; ✏️ Edit below them for the deck's owner."""
    row = [
        _button(
            texts.grade_label(grade, intervals[grade]),
            cb.Grading(card_id, version, grade, shown_at),
        )
        for grade in Grade
    ]
    # Two rows of two: four labels with intervals do not fit one phone-width row.
    rows = [row[:2], row[2:]]
    if editable:
        rows.append(edit_button(card_id))
    return InlineKeyboardMarkup(rows)


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


def browse(session_id: int, step: int, *, edit_card_id: int | None = None) -> InlineKeyboardMarkup:
    """Flashcards: previous / flip / next, then shuffle and back to the first card; ✏️ Edit
    on the card shown when the learner owns the deck."""

    def move(name: str) -> InlineKeyboardButton:
        label = {
            "prev": texts.PREV_BUTTON,
            "flip": texts.FLIP_BUTTON,
            "next": texts.NEXT_BUTTON,
            "shuffle": texts.SHUFFLE_BUTTON,
            "first": texts.FIRST_BUTTON,
        }[name]
        return _button(label, cb.StudyMove("cards", session_id, step, name))

    rows = [[move("prev"), move("flip"), move("next")], [move("shuffle"), move("first")]]
    if edit_card_id is not None:
        rows.append(edit_button(edit_card_id))
    return InlineKeyboardMarkup(rows)


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
    """Bundled decks by slug; an admin's own decks come as `~<id>` and are marked 👤."""

    def button(slug: str, title: str) -> InlineKeyboardButton:
        if slug.startswith("~"):
            return _button(f"{texts.OWN_DECK_MARK} {title[:48]}", cb.GroupOwnDeck(int(slug[1:])))
        return _button(f"📚 {title[:48]}", cb.GroupDeck(slug))

    return InlineKeyboardMarkup([[button(slug, title)] for slug, title, _count in decks])


# --- your own decks -------------------------------------------------------------------------


def own_deck_choice(decks: list[tuple[int, str]], action: str) -> InlineKeyboardMarkup:
    """One button per deck (id, title) doing a deck-menu action, e.g. 'add' for /add."""
    return InlineKeyboardMarkup(
        [[_button(f"👤 {title[:48]}", cb.DeckMenu(deck_id, action))] for deck_id, title in decks]
    )


def export_choice(decks: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(f"📤 {title[:48]}", cb.ExportDeck(deck_id))] for deck_id, title in decks]
    )


def pasted_preview(draft: int, count: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(
                    f"{texts.SAVE_BUTTON} {texts.counted(count, 'card')}",
                    cb.BulkChoice(draft, True),
                ),
                _button(texts.CANCEL_BUTTON, cb.BulkChoice(draft, False)),
            ]
        ]
    )


def edit_button(card_id: int) -> list[InlineKeyboardButton]:
    """The ✏️ Edit row under a card its owner is looking at."""
    return [_button(texts.EDIT_BUTTON, cb.CardEdit(card_id))]


def card_edit_menu(card_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.EDIT_QUESTION_BUTTON, cb.CardEdit(card_id, "question")),
                _button(texts.EDIT_ANSWER_BUTTON, cb.CardEdit(card_id, "answer")),
            ],
            [_button(texts.DELETE_CARD_BUTTON, cb.CardEdit(card_id, "delete"))],
        ]
    )


def confirm_delete_card(card_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(texts.CONFIRM_DELETE_CARD_BUTTON, cb.CardEdit(card_id, "confirm"))],
            [_button(texts.BACK_BUTTON, cb.CardEdit(card_id))],
        ]
    )


def your_decks(decks: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(f"⚙️ {title[:48]}", cb.DeckMenu(deck_id))] for deck_id, title in decks]
    )


def deck_menu(deck_id: int, *, owned: bool, studying: bool) -> InlineKeyboardMarkup:
    def act(label: str, action: str) -> InlineKeyboardButton:
        return _button(label, cb.DeckMenu(deck_id, action))

    stay = act(texts.LEAVE_BUTTON, "leave") if studying else act(texts.STUDY_BUTTON, "study")
    export = _button(texts.EXPORT_BUTTON, cb.ExportDeck(deck_id))
    if not owned:
        return InlineKeyboardMarkup([[export, stay]])
    return InlineKeyboardMarkup(
        [
            [act(texts.ADD_CARDS_BUTTON, "add"), act(texts.LIST_CARDS_BUTTON, "cards")],
            [act(texts.RENAME_BUTTON, "rename"), act(texts.SHARE_BUTTON, "share")],
            [export, act(texts.DELETE_DECK_BUTTON, "delete")],
            [stay],
        ]
    )


def deck_cards_page(
    deck_id: int, card_ids: list[int], first: int, page: int, pages: int
) -> InlineKeyboardMarkup:
    """A numbered ✏️ button per card on the page (five a row), then paging and Back."""
    numbered = [
        _button(f"✏️ {first + i}", cb.CardEdit(card_id)) for i, card_id in enumerate(card_ids)
    ]
    rows = [numbered[i : i + 5] for i in range(0, len(numbered), 5)]
    paging = []
    if page > 0:
        paging.append(_button(texts.PREV_BUTTON, cb.DeckMenu(deck_id, "cards", page - 1)))
    if page + 1 < pages:
        paging.append(_button(texts.NEXT_BUTTON, cb.DeckMenu(deck_id, "cards", page + 1)))
    if paging:
        rows.append(paging)
    rows.append([_button(texts.BACK_BUTTON, cb.DeckMenu(deck_id, "back"))])
    return InlineKeyboardMarkup(rows)


def confirm_delete_deck(deck_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(texts.CONFIRM_DELETE_DECK_BUTTON, cb.DeckMenu(deck_id, "confirm"))],
            [_button(texts.BACK_BUTTON, cb.DeckMenu(deck_id, "back"))],
        ]
    )


def share_menu(deck_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.NEW_LINK_BUTTON, cb.DeckMenu(deck_id, "new_link")),
                _button(texts.STOP_SHARING_BUTTON, cb.DeckMenu(deck_id, "stop_sharing")),
            ],
            [_button(texts.BACK_BUTTON, cb.DeckMenu(deck_id, "back"))],
        ]
    )


def join_shared(code: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.STUDY_SHARED_BUTTON, cb.JoinShared(code))]])


def deck_back(deck_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.BACK_BUTTON, cb.DeckMenu(deck_id, "back"))]])


# A preview's re-read buttons: (action, separator); their labels are texts.SEPARATOR_LABELS.
_TERM_BUTTONS = (("term_tab", "\t"), ("term_comma", ","), ("term_dash", " - "))
_ROW_BUTTONS = (("row_newline", "\n"), ("row_semicolon", ";"))
_CSV_BUTTONS = (("csv_tab", "\t"), ("csv_comma", ","), ("csv_semicolon", ";"))


def import_preview(
    pending_id: int,
    *,
    card_count: int | None,
    separators: tuple[str, str] | None = None,
    delimiter: str | None = None,
) -> InlineKeyboardMarkup:
    """Import and Cancel under a preview, and the ways to re-read a text file.

    `card_count` None (the file could not be read this way) leaves only Cancel and the
    separators. The chosen separators are marked.
    """

    def choice(action: str, chosen: bool) -> InlineKeyboardButton:
        label = texts.SEPARATOR_LABELS[action]
        return _button(texts.separator_button(label, chosen), cb.ImportChoice(pending_id, action))

    rows = []
    if separators is not None:
        term, row = separators
        rows.append([choice(a, term == value) for a, value in _TERM_BUTTONS])
        rows.append([choice(a, row == value) for a, value in _ROW_BUTTONS])
    elif delimiter is not None:
        rows.append([choice(a, delimiter == value) for a, value in _CSV_BUTTONS])
    last = [_button(texts.IMPORT_CANCEL_BUTTON, cb.ImportChoice(pending_id, "cancel"))]
    if card_count:
        last.insert(
            0, _button(texts.import_button(card_count), cb.ImportChoice(pending_id, "import"))
        )
    rows.append(last)
    return InlineKeyboardMarkup(rows)


# --- leeches ---------------------------------------------------------------------------------


def leech_notice(card_id: int, *, editable: bool) -> InlineKeyboardMarkup:
    """Keep studying / leave suspended, and ✏️ Edit for the deck's owner."""
    rows = [
        [
            _button(texts.LEECH_KEEP_BUTTON, cb.Leech(card_id, "keep")),
            _button(texts.LEECH_LEAVE_BUTTON, cb.Leech(card_id, "leave")),
        ]
    ]
    if editable:
        rows.append(edit_button(card_id))
    return InlineKeyboardMarkup(rows)


def leeches_list(card_ids: list[int]) -> InlineKeyboardMarkup | None:
    """One ▶️ N button per listed suspended card, five to a row."""
    buttons = [
        _button(texts.unsuspend_button(number), cb.Leech(card_id, "unsuspend"))
        for number, card_id in enumerate(card_ids, start=1)
    ]
    if not buttons:
        return None
    return InlineKeyboardMarkup([buttons[i : i + 5] for i in range(0, len(buttons), 5)])
