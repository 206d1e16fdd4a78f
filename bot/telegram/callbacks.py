"""Callback data: the one place inline-button payloads are encoded and decoded.

Payloads are short ASCII strings `<kind>:<field>:...` that always fit Telegram's 64-byte
limit. Decoding is strict: anything that does not parse is `None` (a forged or foreign
button), and the handler answers it politely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.srs import Grade

__all__ = [
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
    "JoinShared",
    "Leave",
    "PickDeck",
    "ShowAnswer",
    "StartReview",
    "StudyMove",
    "decode",
    "encode",
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
)

_PATTERNS: list[tuple[re.Pattern[str], type]] = [
    (re.compile(r"r"), StartReview),
    (re.compile(rf"a:{_INT}:{_INT}"), ShowAnswer),
    (re.compile(rf"g:{_INT}:{_INT}:([1-4])(?::([1-9][0-9]{{0,10}}))?"), Grading),
    (re.compile(rf"e(l?):({_SLUG})"), Enrol),
    (re.compile(rf"l:({_SLUG})"), Leave),
    (re.compile(rf"gg:{_INT}:([1-4])"), GroupGrade),
    (re.compile(rf"gd:({_SLUG})"), GroupDeck),
    (re.compile(rf"sd([cltmqp]):{_INT}(?::(0|[1-9][0-9]{{0,2}}):([mtw]{{0,3}}))?"), PickDeck),
    (
        re.compile(rf"s([cltmq]):{_INT}:{_INT}:([fnpsbTFryxdqca]|o[0-5]|k(?:1[01]|[0-9]))"),
        StudyMove,
    ),
    (re.compile(rf"c([mqadD]):{_INT}"), CardEdit),
    (re.compile(rf"m([mcarsnodDlyb]):{_INT}(?::{_INT})?"), DeckMenu),
    (re.compile(rf"b([sc]):{_INT}"), BulkChoice),
    (re.compile(r"j:([A-Za-z0-9_-]{1,62})"), JoinShared),
    (re.compile(rf"go:{_INT}"), GroupOwnDeck),
    (re.compile(rf"x:{_INT}"), ExportDeck),
]


def encode(callback: Callback) -> str:
    """The payload for a button; raises if it would not fit Telegram's limit."""
    match callback:
        case StartReview():
            data = "r"
        case ShowAnswer(card_id, version):
            data = f"a:{card_id}:{version}"
        case Grading(card_id, version, grade, shown_at):
            data = f"g:{card_id}:{version}:{int(grade)}" + (f":{shown_at}" if shown_at else "")
        case Enrol(slug, from_list):
            data = f"e{'l' if from_list else ''}:{slug}"
        case Leave(slug):
            data = f"l:{slug}"
        case GroupGrade(post_id, grade):
            data = f"gg:{post_id}:{int(grade)}"
        case GroupDeck(slug):
            data = f"gd:{slug}"
        case PickDeck(mode, deck_id, length, kinds):
            data = f"sd{_MODE_CODES[mode]}:{deck_id}"
            if length or kinds:
                length_ok = 1 <= length <= MAX_PICK_LENGTH or (length == 0 and bool(kinds))
                if not length_ok or len(set(kinds)) != len(kinds):
                    raise ValueError(f"bad study options: {length}, {kinds}")
                data += f":{length}:" + "".join(TEST_KIND_CODES[k] for k in kinds)
        case StudyMove(mode, session_id, step, move, index):
            if mode == "progress" or not 0 <= index < _INDEXED_MOVES.get(move, 1):
                raise ValueError(f"bad study move: {callback!r}")
            suffix = str(index) if move in _INDEXED_MOVES else ""
            data = f"s{_MODE_CODES[mode]}:{session_id}:{step}:{STUDY_MOVES[move]}{suffix}"
        case CardEdit(card_id, action):
            data = f"c{CARD_ACTIONS[action]}:{card_id}"
        case DeckMenu(deck_id, action, page):
            if page and action != "cards":
                raise ValueError(f"only the card list has pages: {callback!r}")
            data = f"m{DECK_ACTIONS[action]}:{deck_id}" + (f":{page}" if page else "")
        case BulkChoice(draft, save):
            data = f"b{'s' if save else 'c'}:{draft}"
        case JoinShared(code):
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,62}", code):
                raise ValueError(f"not a share code: {code!r}")
            data = f"j:{code}"
        case GroupOwnDeck(deck_id):
            data = f"go:{deck_id}"
        case ExportDeck(deck_id):
            data = f"x:{deck_id}"
        case _:
            raise TypeError(f"not a callback: {callback!r}")
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Callback | None:
    """The callback a payload stands for, or None if it is not one of ours."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(data)
        if match is None:
            continue
        if kind is StartReview:
            return StartReview()
        if kind is ShowAnswer:
            return ShowAnswer(int(match.group(1)), int(match.group(2)))
        if kind is Grading:
            return Grading(
                int(match.group(1)),
                int(match.group(2)),
                Grade(int(match.group(3))),
                int(match.group(4) or 0),
            )
        if kind is GroupGrade:
            return GroupGrade(int(match.group(1)), Grade(int(match.group(2))))
        if kind is PickDeck:
            return _pick_deck(match)
        if kind is Enrol:
            return Enrol(match.group(2), from_list=match.group(1) == "l")
        if kind is CardEdit:
            return CardEdit(int(match.group(2)), _CARD_ACTIONS_BY_CODE[match.group(1)])
        if kind is DeckMenu:
            action, page = _DECK_ACTIONS_BY_CODE[match.group(1)], int(match.group(3) or 0)
            if match.group(3) is not None and (action != "cards" or page == 0):
                return None  # a page on another action, or an explicit page 0: never encoded
            return DeckMenu(int(match.group(2)), action, page)
        if kind is BulkChoice:
            return BulkChoice(int(match.group(2)), match.group(1) == "s")
        if kind in (GroupOwnDeck, ExportDeck):
            return kind(int(match.group(1)))
        if kind is StudyMove:
            code = match.group(4)
            move = _MOVES_BY_CODE[code[0]]
            index = int(code[1:]) if move in _INDEXED_MOVES else 0
            mode = _MODES_BY_CODE[match.group(1)]
            return StudyMove(mode, int(match.group(2)), int(match.group(3)), move, index)
        return kind(match.group(1))
    return None


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
