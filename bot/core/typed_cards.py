"""Cards typed in chat: a message's formatting back into deck markup, and pasted card lists.

Telegram clients turn ``` fences and `backticks` into message entities and send the text
without them; `markup_from_entities` puts the deck markup back (bot.core.markup), so a card
typed in chat renders exactly like the same text in a deck file. Text the client left alone
(a client that sends backticks as typed) is deck markup already and passes through.

`parse_pasted_cards` reads a pasted list, one card per line: `question :: answer` (the `::`
with a space or tab on both sides, so `std::vector` stays whole) or `question<Tab>answer`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "PastedCard",
    "PastedCards",
    "SkippedLine",
    "TextEntity",
    "has_card_separator",
    "markup_from_entities",
    "parse_pasted_cards",
]

_SEPARATOR = re.compile(r"\t|(?:^|[ \t])::(?:[ \t]|$)")
_BACKTICKS = re.compile(r"`+")


@dataclass(frozen=True, slots=True)
class TextEntity:
    """A Telegram MessageEntity: kind, and where it is in UTF-16 code units."""

    type: str
    offset: int
    length: int
    language: str | None = None


def markup_from_entities(text: str, entities: Sequence[TextEntity]) -> str:
    """The message as deck markup: code, pre, bold and italic entities written as markup.

    Other entities (links, mentions, …) keep their text. An entity inside another one is
    taken as part of the outer one's text.
    """
    units = text.encode("utf-16-le")

    def piece(start: int, end: int) -> str:
        return units[start * 2 : end * 2].decode("utf-16-le")

    out: list[str] = []
    cursor = 0
    for entity in sorted(entities, key=lambda e: (e.offset, -e.length)):
        start, end = entity.offset, entity.offset + entity.length
        if start < cursor or entity.length <= 0 or end * 2 > len(units):
            continue  # nested in the previous entity, or malformed
        out.append(piece(cursor, start))
        inner = piece(start, end)
        if entity.type == "pre":
            out.append(
                _fenced(inner, entity.language, before="".join(out), after=piece(end, end + 1))
            )
        elif entity.type == "code":
            out.append(_code_span(inner))
        elif entity.type in ("bold", "italic"):
            out.append(_emphasis(inner, "*" if entity.type == "bold" else "_"))
        else:
            out.append(inner)
        cursor = end
    out.append(piece(cursor, len(units) // 2))
    return "".join(out)


def _fenced(code: str, language: str | None, *, before: str, after: str) -> str:
    runs = [len(run) for run in _BACKTICKS.findall(code)]
    ticks = "`" * max(3, max(runs, default=0) + 1)
    lang = language if language and re.fullmatch(r"[A-Za-z0-9_+#.-]{1,32}", language) else ""
    lead = "" if not before or before.endswith("\n") else "\n"
    tail = "" if not after or after.startswith("\n") else "\n"
    return f"{lead}{ticks}{lang}\n{code.strip(chr(10))}\n{ticks}{tail}"


def _code_span(code: str) -> str:
    if "\n" in code:
        return code  # a code entity over several lines has no inline markup: keep the text
    runs = [len(run) for run in _BACKTICKS.findall(code)]
    ticks = "`" * (max(runs, default=0) + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def _emphasis(text: str, marker: str) -> str:
    core = text.strip()
    if not core or "\n" in core or marker in core:
        return text  # markup emphasis cannot say this: keep the words
    lead = text[: len(text) - len(text.lstrip())]
    tail = text[len(text.rstrip()) :]
    return f"{lead}{marker}{core}{marker}{tail}"


@dataclass(frozen=True, slots=True)
class PastedCard:
    line: int  # 1-based line number in the pasted text
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class SkippedLine:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class PastedCards:
    cards: tuple[PastedCard, ...]
    skipped: tuple[SkippedLine, ...]


def has_card_separator(text: str) -> bool:
    """Whether any line holds a card separator (` :: ` or a tab): the text is a pasted list."""
    return any(_SEPARATOR.search(line) for line in text.splitlines())


def parse_pasted_cards(text: str, *, question_limit: int, answer_limit: int) -> PastedCards:
    """One card per non-blank line, split at its first separator; other lines are skipped
    with a reason (no separator, an empty side, a side over its limit)."""
    cards: list[PastedCard] = []
    skipped: list[SkippedLine] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        match = _SEPARATOR.search(line)
        if match is None:
            skipped.append(SkippedLine(number, "no ' :: ' or tab between question and answer"))
            continue
        question, answer = line[: match.start()].strip(), line[match.end() :].strip()
        if not question or not answer:
            skipped.append(
                SkippedLine(number, f"the {'question' if not question else 'answer'} is empty")
            )
        elif len(question) > question_limit:
            skipped.append(SkippedLine(number, f"the question is over {question_limit} characters"))
        elif len(answer) > answer_limit:
            skipped.append(SkippedLine(number, f"the answer is over {answer_limit} characters"))
        else:
            cards.append(PastedCard(number, question, answer))
    return PastedCards(tuple(cards), tuple(skipped))
