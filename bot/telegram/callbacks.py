"""Callback data: the one place inline-button payloads are encoded and decoded.

Payloads are short ASCII strings `<kind>:<field>:...` that always fit Telegram's 64-byte
limit. Decoding is strict: anything that does not parse is `None` (a forged or foreign
button), and the handler answers it politely.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.srs import Grade

__all__ = [
    "IMPORT_ACTIONS",
    "LEECH_ACTIONS",
    "MAX_CALLBACK_BYTES",
    "MAX_PICK_LENGTH",
    "STUDY_MODES",
    "STUDY_MOVES",
    "TEST_KIND_CODES",
    "BulkChoice",
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
    "decode",
    "encode",
    "parse",
    "pattern",
]

MAX_CALLBACK_BYTES = 64
# The largest count a deck button carries: /learn takes up to 999 cards (/test and /quiz fewer).
MAX_PICK_LENGTH = 999
_SLUG = r"[a-z0-9][a-z0-9-]{0,40}"
_INT = r"(0|[1-9][0-9]{0,17})"


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
_CARD_ACTIONS_BY_CODE = {code: action for action, code in CARD_ACTIONS.items()}


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
_DECK_ACTIONS_BY_CODE = {code: action for action, code in DECK_ACTIONS.items()}


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
_MODE_CODES = dict(zip(STUDY_MODES, "cltmqp", strict=True))
_MODES_BY_CODE = {code: mode for mode, code in _MODE_CODES.items()}
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
_MOVES_BY_CODE = {code: move for move, code in STUDY_MOVES.items()}
_INDEXED_MOVES = {"choose": 6, "tile": 12}  # how many indices each takes (options A-F, tiles)
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
_IMPORT_ACTIONS_BY_CODE = {code: action for action, code in IMPORT_ACTIONS.items()}


@dataclass(frozen=True)
class ImportChoice:
    """A press on the preview of a held file (`pending_id`: bot.services.pending_imports)."""

    pending_id: int
    action: str


# What a learner does with a leech: keep studying it (from the leech notice), leave it
# suspended, or bring it back from the /leeches list (which is then redrawn).
LEECH_ACTIONS = {"keep": "k", "leave": "l", "unsuspend": "u"}
_LEECH_ACTIONS_BY_CODE = {code: action for action, code in LEECH_ACTIONS.items()}


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


@dataclass(frozen=True)
class _Kind:
    """How one kind of payload reads: its prefix, the pattern of the rest, and its parser."""

    prefix: str
    rest: str
    parse: Callable[[re.Match[str]], Callback | None]

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(re.escape(self.prefix) + self.rest)


def _pick_deck(match: re.Match[str]) -> PickDeck | None:
    mode = _MODES_BY_CODE[match.group(1)]
    if match.group(3) is None:
        return PickDeck(mode, int(match.group(2)))
    letters = match.group(4)
    if len(set(letters)) != len(letters) or (match.group(3) == "0" and not letters):
        return None  # a kind named twice, or a default length with default kinds: never encoded
    by_code = {code: kind for kind, code in TEST_KIND_CODES.items()}
    return PickDeck(
        mode, int(match.group(2)), int(match.group(3)), tuple(by_code[c] for c in letters)
    )


def _study_move(match: re.Match[str]) -> StudyMove:
    code = match[4]
    move = _MOVES_BY_CODE[code[0]]
    index = int(code[1:]) if move in _INDEXED_MOVES else 0
    return StudyMove(_MODES_BY_CODE[match[1]], int(match[2]), int(match[3]), move, index)


def _deck_menu(match: re.Match[str]) -> DeckMenu | None:
    action, page = _DECK_ACTIONS_BY_CODE[match[1]], int(match[3] or 0)
    if match[3] is not None and (action != "cards" or page == 0):
        return None  # a page on another action, or an explicit page 0: never encoded
    return DeckMenu(int(match[2]), action, page)


_SHARE_CODE = r"[A-Za-z0-9_-]{1,62}"
_KINDS: dict[type, _Kind] = {
    StartReview: _Kind("r", "", lambda m: StartReview()),
    ShowAnswer: _Kind("a:", rf"{_INT}:{_INT}", lambda m: ShowAnswer(int(m[1]), int(m[2]))),
    Grading: _Kind(
        "g:",
        rf"{_INT}:{_INT}:([1-4])(?::([1-9][0-9]{{0,10}}))?",
        lambda m: Grading(int(m[1]), int(m[2]), Grade(int(m[3])), int(m[4] or 0)),
    ),
    Enrol: _Kind("e", rf"(l?):({_SLUG})", lambda m: Enrol(m[2], from_list=m[1] == "l")),
    Leave: _Kind("l:", rf"({_SLUG})", lambda m: Leave(m[1])),
    GroupGrade: _Kind("gg:", rf"{_INT}:([1-4])", lambda m: GroupGrade(int(m[1]), Grade(int(m[2])))),
    GroupDeck: _Kind("gd:", rf"({_SLUG})", lambda m: GroupDeck(m[1])),
    PickDeck: _Kind(
        "sd", rf"([cltmqp]):{_INT}(?::(0|[1-9][0-9]{{0,2}}):([mtw]{{0,3}}))?", _pick_deck
    ),
    StudyMove: _Kind(
        "s", rf"([cltmq]):{_INT}:{_INT}:([fnpsbTFryxdqca]|o[0-5]|k(?:1[01]|[0-9]))", _study_move
    ),
    CardEdit: _Kind(
        "c", rf"([mqadD]):{_INT}", lambda m: CardEdit(int(m[2]), _CARD_ACTIONS_BY_CODE[m[1]])
    ),
    DeckMenu: _Kind("m", rf"([mcarsnodDlyb]):{_INT}(?::{_INT})?", _deck_menu),
    BulkChoice: _Kind("b", rf"([sc]):{_INT}", lambda m: BulkChoice(int(m[2]), m[1] == "s")),
    JoinShared: _Kind("j:", rf"({_SHARE_CODE})", lambda m: JoinShared(m[1])),
    GroupOwnDeck: _Kind("go:", _INT, lambda m: GroupOwnDeck(int(m[1]))),
    ExportDeck: _Kind("x:", _INT, lambda m: ExportDeck(int(m[1]))),
    ImportChoice: _Kind(
        "i:",
        rf"{_INT}:(i|x|T[tcd]|R[ns]|C[tcs])",
        lambda m: ImportChoice(int(m[1]), _IMPORT_ACTIONS_BY_CODE[m[2]]),
    ),
    Leech: _Kind("L", rf"([klu]):{_INT}", lambda m: Leech(int(m[2]), _LEECH_ACTIONS_BY_CODE[m[1]])),
}
_PATTERNS = {kind: spec.pattern for kind, spec in _KINDS.items()}


def _prefix(kind: type) -> str:
    return _KINDS[kind].prefix


def encode(callback: Callback) -> str:
    """The payload for a button; raises if it would not fit Telegram's limit."""
    match callback:
        case StartReview():
            data = _prefix(StartReview)
        case ShowAnswer(card_id, version):
            data = f"{_prefix(ShowAnswer)}{card_id}:{version}"
        case Grading(card_id, version, grade, shown_at):
            data = f"{_prefix(Grading)}{card_id}:{version}:{int(grade)}" + (
                f":{shown_at}" if shown_at else ""
            )
        case Enrol(slug, from_list):
            data = f"{_prefix(Enrol)}{'l' if from_list else ''}:{slug}"
        case Leave(slug):
            data = f"{_prefix(Leave)}{slug}"
        case GroupGrade(post_id, grade):
            data = f"{_prefix(GroupGrade)}{post_id}:{int(grade)}"
        case GroupDeck(slug):
            data = f"{_prefix(GroupDeck)}{slug}"
        case PickDeck(mode, deck_id, length, kinds):
            data = f"{_prefix(PickDeck)}{_MODE_CODES[mode]}:{deck_id}"
            if length or kinds:
                length_ok = 1 <= length <= MAX_PICK_LENGTH or (length == 0 and bool(kinds))
                if not length_ok or len(set(kinds)) != len(kinds):
                    raise ValueError(f"bad study options: {length}, {kinds}")
                data += f":{length}:" + "".join(TEST_KIND_CODES[k] for k in kinds)
        case StudyMove(mode, session_id, step, move, index):
            if mode == "progress" or not 0 <= index < _INDEXED_MOVES.get(move, 1):
                raise ValueError(f"bad study move: {callback!r}")
            suffix = str(index) if move in _INDEXED_MOVES else ""
            data = f"{_prefix(StudyMove)}{_MODE_CODES[mode]}:{session_id}:{step}:{STUDY_MOVES[move]}{suffix}"
        case CardEdit(card_id, action):
            data = f"{_prefix(CardEdit)}{CARD_ACTIONS[action]}:{card_id}"
        case DeckMenu(deck_id, action, page):
            if page and action != "cards":
                raise ValueError(f"only the card list has pages: {callback!r}")
            data = f"{_prefix(DeckMenu)}{DECK_ACTIONS[action]}:{deck_id}" + (
                f":{page}" if page else ""
            )
        case BulkChoice(draft, save):
            data = f"{_prefix(BulkChoice)}{'s' if save else 'c'}:{draft}"
        case JoinShared(code):
            if not re.fullmatch(_SHARE_CODE, code):
                raise ValueError(f"not a share code: {code!r}")
            data = f"{_prefix(JoinShared)}{code}"
        case GroupOwnDeck(deck_id):
            data = f"{_prefix(GroupOwnDeck)}{deck_id}"
        case ExportDeck(deck_id):
            data = f"{_prefix(ExportDeck)}{deck_id}"
        case ImportChoice(pending_id, action):
            data = f"{_prefix(ImportChoice)}{pending_id}:{IMPORT_ACTIONS[action]}"
        case Leech(card_id, action):
            data = f"{_prefix(Leech)}{LEECH_ACTIONS[action]}:{card_id}"
        case _:
            raise TypeError(f"not a callback: {callback!r}")
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Callback | None:
    """The callback a payload stands for, or None if it is not one of ours."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    for kind, pattern in _PATTERNS.items():
        match = pattern.fullmatch(data)
        if match is not None:  # the kinds' prefixes never overlap: the first match is it
            return _KINDS[kind].parse(match)
    return None


def parse(kind: type, data: str | None) -> Callback | None:
    """`data` read as one kind of payload (what `pattern(kind)` routed here); None if not."""
    decoded = decode(data)
    return decoded if isinstance(decoded, kind) else None


def pattern(kind: type) -> re.Pattern[str]:
    """The pattern a CallbackQueryHandler for one kind matches its payloads with."""
    return re.compile(f"(?:{_PATTERNS[kind].pattern})\\Z")
