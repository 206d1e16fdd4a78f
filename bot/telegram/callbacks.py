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
    "Enrol",
    "Grading",
    "GroupDeck",
    "GroupGrade",
    "Leave",
    "ShowAnswer",
    "StartReview",
    "decode",
    "encode",
]

MAX_CALLBACK_BYTES = 64
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
    card_id: int
    version: int
    grade: Grade


@dataclass(frozen=True)
class Enrol:
    slug: str


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


Callback = StartReview | ShowAnswer | Grading | Enrol | Leave | GroupGrade | GroupDeck

_PATTERNS: list[tuple[re.Pattern[str], type]] = [
    (re.compile(r"r"), StartReview),
    (re.compile(rf"a:{_INT}:{_INT}"), ShowAnswer),
    (re.compile(rf"g:{_INT}:{_INT}:([1-4])"), Grading),
    (re.compile(rf"e:({_SLUG})"), Enrol),
    (re.compile(rf"l:({_SLUG})"), Leave),
    (re.compile(rf"gg:{_INT}:([1-4])"), GroupGrade),
    (re.compile(rf"gd:({_SLUG})"), GroupDeck),
]


def encode(callback: Callback) -> str:
    """The payload for a button; raises if it would not fit Telegram's limit."""
    match callback:
        case StartReview():
            data = "r"
        case ShowAnswer(card_id, version):
            data = f"a:{card_id}:{version}"
        case Grading(card_id, version, grade):
            data = f"g:{card_id}:{version}:{int(grade)}"
        case Enrol(slug):
            data = f"e:{slug}"
        case Leave(slug):
            data = f"l:{slug}"
        case GroupGrade(post_id, grade):
            data = f"gg:{post_id}:{int(grade)}"
        case GroupDeck(slug):
            data = f"gd:{slug}"
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
            return Grading(int(match.group(1)), int(match.group(2)), Grade(int(match.group(3))))
        if kind is GroupGrade:
            return GroupGrade(int(match.group(1)), Grade(int(match.group(2))))
        return kind(match.group(1))
    return None
