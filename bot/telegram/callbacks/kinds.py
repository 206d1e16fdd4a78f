"""Each kind of inline-button payload as a value: what a press carries, and the codes its fields use."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.srs import Grade

__all__ = [
    "CARD_ACTIONS",
    "CARD_ACTIONS_BY_CODE",
    "DECK_ACTIONS",
    "DECK_ACTIONS_BY_CODE",
    "IMPORT_ACTIONS",
    "IMPORT_ACTIONS_BY_CODE",
    "INDEXED_MOVES",
    "LEECH_ACTIONS",
    "LEECH_ACTIONS_BY_CODE",
    "MAX_CALLBACK_BYTES",
    "MAX_PICK_LENGTH",
    "MODES_BY_CODE",
    "MODE_CODES",
    "MOVES_BY_CODE",
    "STUDY_MODES",
    "STUDY_MOVES",
    "TEST_KIND_CODES",
    "BulkChoice",
    "Callback",
    "CardEdit",
    "DeckMenu",
    "Enrol",
    "ExportDeck",
    "Grading",
    "GroupDeck",
    "GroupGrade",
    "GroupOwnDeck",
    "ImportChoice",
    "JoinShared",
    "Leave",
    "Leech",
    "PickDeck",
    "ShowAnswer",
    "StartReview",
    "StudyMove",
]


MAX_CALLBACK_BYTES = 64
# The largest count a deck button carries: /learn takes up to 999 cards (/test and /quiz fewer).
MAX_PICK_LENGTH = 999


@dataclass(frozen=True)
class StartReview:
    pass


@dataclass(frozen=True)
class ShowAnswer:
    card_id: int
    version: int


@dataclass(frozen=True)
class Grading:
    """A grade on a card; `shown_at` is when its question appeared (Unix seconds, 0 unknown)."""

    card_id: int
    version: int
    grade: Grade
    shown_at: int = 0


@dataclass(frozen=True)
class Enrol:
    """Study a deck, from the /start picker or (`from_list`) the /decks list, which the
    handler then redraws with the choice marked."""

    slug: str
    from_list: bool = False


@dataclass(frozen=True)
class Leave:
    slug: str


@dataclass(frozen=True)
class GroupGrade:
    """A member's grade on a group post; the handler checks the post belongs to the chat."""

    post_id: int
    grade: Grade


@dataclass(frozen=True)
class GroupDeck:
    """An admin picks the deck a group studies."""

    slug: str


# --- learners' own decks: authoring, sharing, export ------------------------------------------

CARD_ACTIONS = {"menu": "m", "question": "q", "answer": "a", "delete": "d", "confirm": "D"}
CARD_ACTIONS_BY_CODE = {code: action for action, code in CARD_ACTIONS.items()}


@dataclass(frozen=True)
class CardEdit:
    """✏️ Edit on a card and what follows: the menu, a side to rewrite, delete then confirm.

    The handler checks the presser owns the card's deck; the id alone grants nothing.
    """

    card_id: int
    action: str = "menu"


DECK_ACTIONS = {
    "menu": "m",
    "cards": "c",
    "add": "a",
    "rename": "r",
    "share": "s",
    "new_link": "n",
    "stop_sharing": "o",
    "delete": "d",
    "confirm": "D",
    "leave": "l",
    "study": "y",
    "back": "b",  # the menu again, drawn over the message pressed (menu: a new message)
}
DECK_ACTIONS_BY_CODE = {code: action for action, code in DECK_ACTIONS.items()}


@dataclass(frozen=True)
class DeckMenu:
    """A learner's own or joined deck: its menu and actions (`page` numbers the card list).

    Leave, Study and the menu are for anyone who studies the deck; the rest for its owner.
    """

    deck_id: int
    action: str = "menu"
    page: int = 0


@dataclass(frozen=True)
class BulkChoice:
    """Save or Cancel under a pasted-cards preview; `draft` names the preview shown."""

    draft: int
    save: bool


@dataclass(frozen=True)
class JoinShared:
    """ "Study this deck" under a share link's preview; the code is checked again on press."""

    code: str


@dataclass(frozen=True)
class GroupOwnDeck:
    """A group admin picks one of their own decks for the group."""

    deck_id: int


@dataclass(frozen=True)
class ExportDeck:
    deck_id: int


STUDY_MODES = ("cards", "learn", "test", "match", "quiz", "progress")
MODE_CODES = dict(zip(STUDY_MODES, "cltmqp", strict=True))
MODES_BY_CODE = {code: mode for mode, code in MODE_CODES.items()}
# A move inside a study session, and its one-letter code; 'choose' and 'tile' carry an index.
STUDY_MOVES = {
    "flip": "f",
    "next": "n",
    "prev": "p",
    "shuffle": "s",
    "first": "b",
    "choose": "o",
    "tile": "k",
    "true": "T",
    "false": "F",
    "reveal": "r",
    "knew": "y",
    "missed": "x",
    "dunno": "d",
    "stop": "q",
    "continue": "c",
    "restart": "a",
}
MOVES_BY_CODE = {code: move for move, code in STUDY_MOVES.items()}
INDEXED_MOVES = {"choose": 6, "tile": 12}  # how many indices each takes (options A-F, tiles)
TEST_KIND_CODES = {"mc": "m", "tf": "t", "written": "w"}


@dataclass(frozen=True)
class PickDeck:
    """A deck chosen for a study mode; `length` and `kinds` carry /learn, /test, /quiz options.

    `length` 0 means the mode's default, else 1 to MAX_PICK_LENGTH; `kinds` is a tuple of
    test kinds ('mc', 'tf', 'written'), empty for the default. Kinds without a count
    (`/test mc`) ride with length 0; a payload with neither is the bare `sd<mode>:<deck>`.
    """

    mode: str
    deck_id: int
    length: int = 0
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class StudyMove:
    """A button inside a study session: the session, the step it was shown at, and the move.

    The step is the question number (Learn, Test, Quiz) or the browse counter (Flashcards);
    Match tiles carry 0, since a tile index stays valid for the whole game.
    """

    mode: str
    session_id: int
    step: int
    move: str
    index: int = 0


# A button on an import preview, and its code: Import, Cancel, or a way to re-read the file
# (Quizlet term separators T*, card separators R*, CSV column delimiters C*).
IMPORT_ACTIONS = {
    "import": "i",
    "cancel": "x",
    "term_tab": "Tt",
    "term_comma": "Tc",
    "term_dash": "Td",
    "row_newline": "Rn",
    "row_semicolon": "Rs",
    "csv_tab": "Ct",
    "csv_comma": "Cc",
    "csv_semicolon": "Cs",
}
IMPORT_ACTIONS_BY_CODE = {code: action for action, code in IMPORT_ACTIONS.items()}


@dataclass(frozen=True)
class ImportChoice:
    """A press on the preview of a held file (`pending_id`: bot.services.pending_imports)."""

    pending_id: int
    action: str


# What a learner does with a leech: keep studying it (from the leech notice), leave it
# suspended, or bring it back from the /leeches list (which is then redrawn).
LEECH_ACTIONS = {"keep": "k", "leave": "l", "unsuspend": "u"}
LEECH_ACTIONS_BY_CODE = {code: action for action, code in LEECH_ACTIONS.items()}


@dataclass(frozen=True)
class Leech:
    """A button about one suspended card of the presser's (their own state: the id grants
    nothing about anyone else's)."""

    card_id: int
    action: str


Callback = (
    StartReview
    | ShowAnswer
    | Grading
    | Enrol
    | Leave
    | GroupGrade
    | GroupDeck
    | PickDeck
    | StudyMove
    | CardEdit
    | DeckMenu
    | BulkChoice
    | JoinShared
    | GroupOwnDeck
    | ExportDeck
    | ImportChoice
    | Leech
)
