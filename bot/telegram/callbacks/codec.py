"""Payloads to text and back: each kind's prefix, pattern and parser written once, in one table."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.srs import Grade
from bot.telegram.callbacks.kinds import (
    CARD_ACTIONS,
    CARD_ACTIONS_BY_CODE,
    DECK_ACTIONS,
    DECK_ACTIONS_BY_CODE,
    IMPORT_ACTIONS,
    IMPORT_ACTIONS_BY_CODE,
    INDEXED_MOVES,
    LEECH_ACTIONS,
    LEECH_ACTIONS_BY_CODE,
    MAX_CALLBACK_BYTES,
    MAX_PICK_LENGTH,
    MODE_CODES,
    MODES_BY_CODE,
    MOVES_BY_CODE,
    STUDY_MOVES,
    TEST_KIND_CODES,
    BulkChoice,
    Callback,
    CardEdit,
    DeckMenu,
    Enrol,
    ExportDeck,
    Grading,
    GroupDeck,
    GroupGrade,
    GroupOwnDeck,
    ImportChoice,
    JoinShared,
    Leave,
    Leech,
    PickDeck,
    ShowAnswer,
    StartReview,
    StudyMove,
)

__all__ = [
    "decode",
    "encode",
    "parse",
    "pattern",
]


_SLUG = r"[a-z0-9][a-z0-9-]{0,40}"
_INT = r"(0|[1-9][0-9]{0,17})"


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
    mode = MODES_BY_CODE[match.group(1)]
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
    move = MOVES_BY_CODE[code[0]]
    index = int(code[1:]) if move in INDEXED_MOVES else 0
    return StudyMove(MODES_BY_CODE[match[1]], int(match[2]), int(match[3]), move, index)


def _deck_menu(match: re.Match[str]) -> DeckMenu | None:
    action, page = DECK_ACTIONS_BY_CODE[match[1]], int(match[3] or 0)
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
        "c", rf"([mqadD]):{_INT}", lambda m: CardEdit(int(m[2]), CARD_ACTIONS_BY_CODE[m[1]])
    ),
    DeckMenu: _Kind("m", rf"([mcarsnodDlyb]):{_INT}(?::{_INT})?", _deck_menu),
    BulkChoice: _Kind("b", rf"([sc]):{_INT}", lambda m: BulkChoice(int(m[2]), m[1] == "s")),
    JoinShared: _Kind("j:", rf"({_SHARE_CODE})", lambda m: JoinShared(m[1])),
    GroupOwnDeck: _Kind("go:", _INT, lambda m: GroupOwnDeck(int(m[1]))),
    ExportDeck: _Kind("x:", _INT, lambda m: ExportDeck(int(m[1]))),
    ImportChoice: _Kind(
        "i:",
        rf"{_INT}:(i|x|T[tcd]|R[ns]|C[tcs])",
        lambda m: ImportChoice(int(m[1]), IMPORT_ACTIONS_BY_CODE[m[2]]),
    ),
    Leech: _Kind("L", rf"([klu]):{_INT}", lambda m: Leech(int(m[2]), LEECH_ACTIONS_BY_CODE[m[1]])),
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
            data = f"{_prefix(PickDeck)}{MODE_CODES[mode]}:{deck_id}"
            if length or kinds:
                length_ok = 1 <= length <= MAX_PICK_LENGTH or (length == 0 and bool(kinds))
                if not length_ok or len(set(kinds)) != len(kinds):
                    raise ValueError(f"bad study options: {length}, {kinds}")
                data += f":{length}:" + "".join(TEST_KIND_CODES[k] for k in kinds)
        case StudyMove(mode, session_id, step, move, index):
            if mode == "progress" or not 0 <= index < INDEXED_MOVES.get(move, 1):
                raise ValueError(f"bad study move: {callback!r}")
            suffix = str(index) if move in INDEXED_MOVES else ""
            data = f"{_prefix(StudyMove)}{MODE_CODES[mode]}:{session_id}:{step}:{STUDY_MOVES[move]}{suffix}"
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
