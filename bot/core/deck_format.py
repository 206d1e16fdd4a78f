"""Deck files: the human-edited text format of one deck (decks/FORMAT.md), parsed into specs.

Parsing is pure: `parse_deck` takes text and returns a `DeckSpec` or raises `DeckFormatError`
naming the file and line. `load_deck_file` and `load_deck_dir` only add reading bytes from disk.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.markup import Fence, closes_fence, open_fence

__all__ = [
    "ANSWER_MAX_CHARS",
    "DECK_FILE_SUFFIX",
    "DESCRIPTION_MAX_CHARS",
    "QUESTION_MAX_CHARS",
    "TITLE_MAX_CHARS",
    "CardSpec",
    "DeckFormatError",
    "DeckSpec",
    "deck_file_slugs",
    "deck_folder_modified",
    "is_deck_file_slug",
    "load_deck_dir",
    "load_deck_file",
    "parse_deck",
]

# The slug goes into 64-byte callback data and /start deep-link payloads, so it stays short.
_SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,40}")
_KEY_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,23}")
# A card is shown in one message (4096 characters) together with its buttons' chrome.
QUESTION_MAX_CHARS = 1000
ANSWER_MAX_CHARS = 3500
TITLE_MAX_CHARS = 80
DESCRIPTION_MAX_CHARS = 300

DECK_FILE_SUFFIX = ".md"
# Documentation that lives next to the decks and is not a deck.
_NOT_DECKS = frozenset({"FORMAT.md", "README.md"})

_HEADER_FIELDS = ("slug", "title", "description")
_HEADER_FENCE = "---"
_HEADER_LINE_RE = re.compile(r"^(?P<name>[^:\s]+)[ \t]*:(?P<value>.*)$")
_CARD_HEADING_RE = re.compile(r"^##(?!#)(?P<key>.*)$")
_QUESTION_MARK = "Q:"
_ANSWER_MARK = "A:"
_UTF8_BOM = "\ufeff"


class DeckFormatError(ValueError):
    """A deck file that cannot be loaded; str() reads "decks/x.md:12: what is wrong"."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        super().__init__(source, line, message)
        self.source = source
        self.line = line
        self.message = message

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.source}: {self.message}"
        return f"{self.source}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class CardSpec:
    """One card as written in the file; `key` is its identity, `position` its 0-based order."""

    key: str
    question: str
    answer: str
    position: int


@dataclass(frozen=True, slots=True)
class DeckSpec:
    """One deck as written in the file named by `source`."""

    slug: str
    title: str
    description: str
    cards: tuple[CardSpec, ...]
    source: str


def parse_deck(text: str, *, source: str) -> DeckSpec:
    """Parse the text of one deck file; `source` names it in error messages."""
    deck, _ = _parse(text, source)
    return deck


def load_deck_file(path: str | os.PathLike[str]) -> DeckSpec:
    """Read and parse one deck file, which must be UTF-8."""
    deck, _ = _load(Path(path))
    return deck


def _deck_files(folder: Path) -> list[Path]:
    return sorted(
        entry
        for entry in folder.iterdir()
        if entry.suffix == DECK_FILE_SUFFIX
        and entry.name not in _NOT_DECKS
        and not entry.name.startswith(".")
        and entry.is_file()
    )


_SLUG_LINE = re.compile(r"^slug:[ \t]*(\S+)[ \t]*$", re.MULTILINE)


def is_deck_file_slug(slug: str) -> bool:
    """Whether a deck file could carry this slug (a learner's own deck never does)."""
    return _SLUG_RE.fullmatch(slug) is not None


def deck_file_slugs(path: str | os.PathLike[str]) -> set[str]:
    """Every slug the deck files of a folder claim, whether they load or not.

    A file's name and the `slug:` lines near its top both count, so a deck whose file is
    merely broken for now (or clashes with a copy) is never taken for a deleted one.
    """
    slugs: set[str] = set()
    for file in _deck_files(Path(path)):
        slugs.add(file.stem.lower())
        try:
            head = file.read_text(encoding="utf-8", errors="replace")[:4096]
        except OSError:
            continue
        slugs.update(match.group(1).lower() for match in _SLUG_LINE.finditer(head))
    return slugs


def deck_folder_modified(path: str | os.PathLike[str]) -> datetime | None:
    """When the deck folder last changed: its newest deck file, or a file added or removed.

    This orders two copies of the folder (an old replica's and a new deploy's) without any
    version number to keep: an edit, a new file or a deletion makes the folder newer.
    None for a folder with no deck files.
    """
    folder = Path(path)
    files = _deck_files(folder)
    if not files:
        return None
    newest_ns = max(entry.stat().st_mtime_ns for entry in [folder, *files])
    # Microseconds: what the database keeps, so a folder compares equal to its own record.
    seconds, nanoseconds = divmod(newest_ns, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=nanoseconds // 1000)


def load_deck_dir(path: str | os.PathLike[str]) -> tuple[list[DeckSpec], list[DeckFormatError]]:
    """Every deck file in a folder, sorted by name, and the errors of those that failed.

    One bad file never stops the others. Two files claiming one slug are both rejected: picking
    either would attach everyone's review history to an arbitrary file.
    """
    folder = Path(path)
    files = _deck_files(folder)
    loaded: list[tuple[DeckSpec, int]] = []
    errors: list[DeckFormatError] = []
    for file in files:
        # Named as the person editing the folder sees it: 'decks/x.md', not an absolute path.
        source = f"{folder.resolve().name}/{file.name}"
        try:
            loaded.append(_load(file, source))
        except DeckFormatError as error:
            errors.append(error)
        except OSError as error:
            errors.append(DeckFormatError(source, None, f"cannot read: {error.strerror}"))

    by_slug: dict[str, list[tuple[DeckSpec, int]]] = defaultdict(list)
    for deck, slug_line in loaded:
        by_slug[deck.slug].append((deck, slug_line))
    decks: list[DeckSpec] = []
    for deck, slug_line in loaded:
        claimants = by_slug[deck.slug]
        if len(claimants) == 1:
            decks.append(deck)
            continue
        others = ", ".join(other.source for other, _ in claimants if other is not deck)
        errors.append(
            DeckFormatError(
                deck.source, slug_line, f"duplicate deck slug '{deck.slug}' (also in {others})"
            )
        )
    errors.sort(key=lambda error: (error.source, error.line or 0))
    return decks, errors


def _load(path: Path, source: str | None = None) -> tuple[DeckSpec, int]:
    source = source or str(path)
    return _parse(_decode(path.read_bytes(), source), source)


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - line_start + 1
        raise DeckFormatError(
            source,
            line,
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at byte {column} of the line); "
            "save the file as UTF-8",
        ) from error


def _parse(text: str, source: str) -> tuple[DeckSpec, int]:
    """The deck, and the line its slug is on (for errors found across files)."""
    lines = text.removeprefix(_UTF8_BOM).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header = _parse_header(lines, source)
    cards = _CardParser(source).parse(lines, header.end)
    if not cards:
        raise DeckFormatError(
            source,
            header.end,
            "the deck has no cards; a card is a '## key' line, then 'Q:' and 'A:'",
        )
    deck = DeckSpec(
        slug=header.values["slug"],
        title=header.values["title"],
        description=header.values["description"],
        cards=tuple(cards),
        source=source,
    )
    return deck, header.lines["slug"]


@dataclass
class _Header:
    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    end: int = 0  # the 1-based number of the closing '---' line; cards start after it


def _parse_header(lines: list[str], source: str) -> _Header:
    if lines[0].strip() != _HEADER_FENCE:
        raise DeckFormatError(
            source, 1, "a deck file starts with a '---' line, then slug, title and description"
        )
    header = _Header()
    for index in range(1, len(lines)):
        number, line = index + 1, lines[index]
        if line.strip() == _HEADER_FENCE:
            header.end = number
            break
        if not line.strip():
            continue
        if _CARD_HEADING_RE.match(line):
            raise DeckFormatError(
                source, number, "the header is not closed with '---' before this card"
            )
        match = _HEADER_LINE_RE.match(line.strip())
        if match is None:
            raise DeckFormatError(
                source, number, f"expected 'field: value' in the header, got {line.strip()!r}"
            )
        name, value = match["name"], match["value"].strip()
        if name not in _HEADER_FIELDS:
            raise DeckFormatError(
                source,
                number,
                f"unknown header field '{name}' (expected {', '.join(_HEADER_FIELDS)})",
            )
        if name in header.values:
            raise DeckFormatError(
                source,
                number,
                f"duplicate header field '{name}' (first on line {header.lines[name]})",
            )
        _check_header_value(name, value, source, number)
        header.values[name], header.lines[name] = value, number
    else:
        raise DeckFormatError(source, 1, "the header opened here is never closed with '---'")
    missing = [name for name in _HEADER_FIELDS if name not in header.values]
    if missing:
        raise DeckFormatError(
            source, header.end, f"the header is missing {', '.join(repr(m) for m in missing)}"
        )
    return header


def _check_header_value(name: str, value: str, source: str, number: int) -> None:
    if not value:
        raise DeckFormatError(source, number, f"header field '{name}' is empty")
    if name == "slug" and not _SLUG_RE.fullmatch(value):
        raise DeckFormatError(
            source,
            number,
            f"bad slug {value!r}: use 1-41 lowercase letters, digits and '-', "
            "starting with a letter or digit",
        )
    limit = {"title": TITLE_MAX_CHARS, "description": DESCRIPTION_MAX_CHARS}.get(name)
    if limit is not None and len(value) > limit:
        raise DeckFormatError(
            source, number, f"{name} is {len(value)} characters; the limit is {limit}"
        )


@dataclass
class _CardDraft:
    key: str
    line: int
    question_line: int | None = None
    answer_line: int | None = None
    question: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)


class _CardParser:
    """Line-by-line state machine over the card section of one file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.cards: list[CardSpec] = []
        self.key_lines: dict[str, int] = {}
        self.draft: _CardDraft | None = None
        self.fence: Fence | None = None
        self.fence_line = 0

    def error(self, line: int, message: str) -> DeckFormatError:
        return DeckFormatError(self.source, line, message)

    def parse(self, lines: list[str], start: int) -> list[CardSpec]:
        for index in range(start, len(lines)):
            self.feed(index + 1, lines[index])
        if self.fence is not None:
            raise self.error(self.fence_line, "code fence opened here is never closed")
        self.finish_card()
        return self.cards

    def feed(self, number: int, line: str) -> None:
        draft = self.draft
        if self.fence is not None:
            # Inside a code block nothing is syntax: '## x', 'Q:' and 'A:' are just code.
            assert draft is not None
            self.add(draft, line)
            if closes_fence(line, self.fence):
                self.fence = None
            return
        heading = _CARD_HEADING_RE.match(line)
        if heading is not None:
            self.finish_card()
            self.draft = _CardDraft(key=self.check_key(heading["key"].strip(), number), line=number)
            return
        if draft is None:
            if line.strip():
                raise self.error(number, "text before the first card; a card starts with '## key'")
            return
        if draft.question_line is None:
            if line.startswith(_QUESTION_MARK):
                draft.question_line = number
                self.add(draft, line.removeprefix(_QUESTION_MARK).lstrip(), number)
            elif line.strip():
                raise self.error(
                    number, f"expected 'Q:' to start the question of card '{draft.key}'"
                )
            return
        if line.startswith(_QUESTION_MARK):
            if draft.answer_line is None:
                raise self.error(number, f"second 'Q:' in card '{draft.key}'")
            raise self.error(
                number,
                f"'Q:' inside the answer of card '{draft.key}'; start a new card with '## key'",
            )
        if line.startswith(_ANSWER_MARK):
            if draft.answer_line is not None:
                raise self.error(number, f"second 'A:' in card '{draft.key}'")
            draft.answer_line = number
            self.add(draft, line.removeprefix(_ANSWER_MARK).lstrip(), number)
            return
        self.add(draft, line, number)

    def add(self, draft: _CardDraft, content: str, number: int | None = None) -> None:
        """Append a line to the part being written, noticing code fences that open on it."""
        (draft.question if draft.answer_line is None else draft.answer).append(content)
        if number is not None:
            self.fence = open_fence(content)
            self.fence_line = number

    def check_key(self, key: str, number: int) -> str:
        if not key:
            raise self.error(number, "missing card key after '##'")
        if not _KEY_RE.fullmatch(key):
            raise self.error(
                number,
                f"bad card key {key!r}: use 1-24 lowercase letters, digits and '-', "
                "starting with a letter or digit",
            )
        if key in self.key_lines:
            raise self.error(
                number, f"duplicate card key '{key}' (first used on line {self.key_lines[key]})"
            )
        self.key_lines[key] = number
        return key

    def finish_card(self) -> None:
        draft, self.draft = self.draft, None
        if draft is None:
            return
        if draft.question_line is None:
            raise self.error(draft.line, f"card '{draft.key}' has no 'Q:' line")
        if draft.answer_line is None:
            raise self.error(
                draft.question_line,
                f"the question of card '{draft.key}' has no 'A:' line after it",
            )
        question = _tidy(draft.question)
        answer = _tidy(draft.answer)
        for part, text, line, limit in (
            ("question", question, draft.question_line, QUESTION_MAX_CHARS),
            ("answer", answer, draft.answer_line, ANSWER_MAX_CHARS),
        ):
            if not text:
                raise self.error(line, f"card '{draft.key}' has an empty {part}")
            if len(text) > limit:
                raise self.error(
                    line,
                    f"the {part} of card '{draft.key}' is {len(text)} characters; "
                    f"the limit is {limit}",
                )
        self.cards.append(
            CardSpec(key=draft.key, question=question, answer=answer, position=len(self.cards))
        )


def _tidy(lines: list[str]) -> str:
    """Lines joined, trailing blanks stripped, leading and trailing empty lines dropped."""
    return "\n".join(line.rstrip() for line in lines).strip("\n")
