"""Any deck file a learner sends: recognised by its name and first bytes, read by its parser.

Anki packages (.apkg/.colpkg, or any zip) go to anki.py; everything else to text.py (Quizlet,
CSV/TSV, Anki text, deck Markdown). A preview's choices (Quizlet separators, a CSV delimiter)
re-read the same bytes. Pure: bytes in, a `ParsedDeckFile` out, `DeckImportError` for a file
that cannot be imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from bot.core.imports.anki import read_anki_package
from bot.core.imports.draft import DeckDraft, DeckImportError, ImportFailure, ImportLimits
from bot.core.imports.text import QuizletSeparators, TextFormat, parse_text_deck

__all__ = ["ANKI_SUFFIXES", "DeckFileKind", "ParsedDeckFile", "parse_deck_file"]

ANKI_SUFFIXES = frozenset({".apkg", ".colpkg"})
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"


class DeckFileKind:
    """What a file was read as (`ParsedDeckFile.kind`)."""

    ANKI = "anki"
    QUIZLET = TextFormat.QUIZLET.value
    CSV = TextFormat.CSV.value
    ANKI_TEXT = TextFormat.ANKI_TEXT.value
    DECK_MARKDOWN = TextFormat.DECK_MARKDOWN.value


@dataclass(frozen=True, slots=True)
class ParsedDeckFile:
    """A deck file read into a draft, with the separators used (text files only)."""

    kind: str  # a DeckFileKind value
    draft: DeckDraft
    quizlet_separators: QuizletSeparators | None = None
    delimiter: str | None = None


def parse_deck_file(
    data: bytes,
    *,
    filename: str,
    limits: ImportLimits | None = None,
    separators: QuizletSeparators | None = None,
    delimiter: str | None = None,
) -> ParsedDeckFile:
    """Read a deck file of any supported kind; raise DeckImportError saying why not.

    A zip (by content) or an .apkg/.colpkg name is an Anki package; a package named .csv is
    still read as one, and a text file named .apkg is refused as not a package.
    """
    limits = limits or ImportLimits()
    if not data:
        raise DeckImportError(ImportFailure.EMPTY_FILE, "The file is empty.")
    suffix = PurePath(filename).suffix.lower()
    if data.startswith((_ZIP_MAGIC, _EMPTY_ZIP_MAGIC)) or suffix in ANKI_SUFFIXES:
        draft = read_anki_package(data, filename=filename, limits=limits)
        return ParsedDeckFile(DeckFileKind.ANKI, draft)
    parsed = parse_text_deck(
        data,
        filename=filename,
        max_cards=limits.max_cards,
        separators=separators,
        delimiter=delimiter,
    )
    return ParsedDeckFile(
        parsed.format.value, parsed.draft, parsed.quizlet_separators, parsed.delimiter
    )
