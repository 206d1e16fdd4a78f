"""Text deck files: Quizlet exports, CSV/TSV (Anki's text export too) and our deck Markdown.

This module chooses the reader and reads our deck Markdown; the others live beside it
(`quizlet`, `delimited` with `column_names`, `text_decode` for bytes to text, and
`text_common` for the result types, card keys and card building), and every public name is
importable from here.

Bytes in, a `TextImport` out (the `DeckDraft` plus the separators that were used, so a preview
can show them and offer others); a file that cannot be imported raises `DeckImportError`.

Card text in the draft is Telegram HTML: plain-text sources are escaped (`<`, `>`, `&`), Anki
text exports marked `#html:true` go through the Anki HTML converter, deck Markdown through
`bot.core.markup`.

Card keys (what a re-import of the same file matches on; see `card_key`):
- deck Markdown: the card's own `## key`;
- a row with a GUID (Anki's `#guid column:N`, or a header cell "GUID"): `<guid>:<ordinal>`, as
  the Anki package reader keys a note's cards, so Anki's text export and .apkg of one deck agree;
- otherwise `q` + 16 hex digits of SHA-256 over the question's text (tags taken out, entities
  decoded, Unicode NFC, runs of whitespace made one space). So editing an answer updates that
  card in place, while editing a question makes a new card and retires the old one. A note's
  further cards (reversed, cloze 2, 3…) are `<first key>:<ordinal>`; a cloze note's cards are
  all `<hash of the cloze text>:<number - 1>`. A key repeated within a file gets `-2`, `-3`…
  appended, in file order (and the preview is warned).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import PurePath

from bot.core.deck_format import (
    DeckFormatError,
    parse_deck,
)
from bot.core.imports.delimited import anki_header_length, parse_delimited_text
from bot.core.imports.draft import (
    DEFAULT_MAX_CARDS,
    CardDraft,
    CardKind,
    DeckImportError,
    ImportFailure,
)
from bot.core.imports.quizlet import detect_quizlet_separators, parse_quizlet_text
from bot.core.imports.text_common import (
    QUIZLET_ROW_CHOICES,
    QUIZLET_TERM_CHOICES,
    DeckBuilder,
    QuizletSeparators,
    SeparatorChoice,
    TextFormat,
    TextImport,
    card_key,
    telegram_plain_text,
)
from bot.core.imports.text_decode import decode_text, title_from_filename
from bot.core.markup import to_telegram_html

__all__ = [
    "QUIZLET_ROW_CHOICES",
    "QUIZLET_TERM_CHOICES",
    "QuizletSeparators",
    "SeparatorChoice",
    "TextFormat",
    "TextImport",
    "card_key",
    "decode_text",
    "detect_quizlet_separators",
    "parse_deck_markdown",
    "parse_delimited",
    "parse_quizlet",
    "parse_text_deck",
    "telegram_plain_text",
]


# ---------------------------------------------------------------------------------------------
# Entry point


_CSV_SUFFIXES = frozenset({".csv", ".tsv", ".tab"})
_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})


def parse_text_deck(
    data: bytes,
    *,
    filename: str,
    max_cards: int = DEFAULT_MAX_CARDS,
    separators: QuizletSeparators | None = None,
    delimiter: str | None = None,
) -> TextImport:
    """Read a text deck file of any supported kind, chosen by its content and name.

    Anki's header lines (`#separator:` …) mean Anki's text format whatever the name; `.md` or a
    deck-file header (`---` then `slug:`) means our deck Markdown; `.csv`/`.tsv` mean CSV;
    anything else (Quizlet exports are `.txt`) is read as a Quizlet export, its separators
    detected. A preview's choice re-reads the file: `separators` as a Quizlet export,
    `delimiter` (",", ";", "\t", "|") as CSV.
    """
    text = decode_text(data)
    title = title_from_filename(filename)
    suffix = PurePath(filename).suffix.lower()
    if separators is not None:
        return parse_quizlet_text(text, title=title, separators=separators, max_cards=max_cards)
    if delimiter is not None or anki_header_length(text):
        return parse_delimited_text(
            text, title=title, delimiter=delimiter, max_cards=max_cards, tsv=suffix != ".csv"
        )
    if suffix in _MARKDOWN_SUFFIXES or _looks_like_deck_markdown(text):
        return _parse_markdown_text(text, filename=filename, max_cards=max_cards)
    if suffix in _CSV_SUFFIXES:
        return parse_delimited_text(
            text, title=title, delimiter=None, max_cards=max_cards, tsv=suffix != ".csv"
        )
    return parse_quizlet_text(text, title=title, separators=None, max_cards=max_cards)


def parse_quizlet(
    data: bytes,
    *,
    title: str,
    separators: QuizletSeparators | None = None,
    max_cards: int = DEFAULT_MAX_CARDS,
) -> TextImport:
    """Read a Quizlet export; `separators` None means detect them."""
    return parse_quizlet_text(
        decode_text(data), title=title, separators=separators, max_cards=max_cards
    )


def parse_delimited(
    data: bytes,
    *,
    title: str,
    delimiter: str | None = None,
    max_cards: int = DEFAULT_MAX_CARDS,
) -> TextImport:
    """Read a CSV/TSV file (or Anki's text export); `delimiter` None means detect it."""
    return parse_delimited_text(
        decode_text(data), title=title, delimiter=delimiter, max_cards=max_cards, tsv=False
    )


def parse_deck_markdown(
    data: bytes, *, filename: str, max_cards: int = DEFAULT_MAX_CARDS
) -> TextImport:
    """Read a deck in our own `decks/` Markdown format (decks/FORMAT.md)."""
    return _parse_markdown_text(decode_text(data), filename=filename, max_cards=max_cards)


# ---------------------------------------------------------------------------------------------
# Our deck Markdown


_DECK_HEADER_RE = re.compile(
    r"\A\ufeff?[ \t]*---[ \t]*\r?\n(?:[ \t]*\r?\n)*[ \t]*(slug|title)[ \t]*:"
)


def _looks_like_deck_markdown(text: str) -> bool:
    return _DECK_HEADER_RE.match(text) is not None


def _parse_markdown_text(text: str, *, filename: str, max_cards: int) -> TextImport:
    try:
        spec = parse_deck(text, source=PurePath(filename).name or "deck.md")
    except DeckFormatError as error:
        raise DeckImportError(
            ImportFailure.CORRUPT, f"This deck file has an error: {error}"
        ) from error
    if len(spec.cards) > max_cards:
        raise DeckImportError(
            ImportFailure.TOO_MANY_CARDS,
            f"The file has more than {max_cards:,} cards, the most one deck can import.",
        )
    builder = DeckBuilder(max_cards=max_cards, note_type="Flashtutor")
    cards = [
        CardDraft(
            key=card.key,
            note_key=card.key,
            note_type="Flashtutor",
            kind=CardKind.BASIC,
            question=to_telegram_html(card.question),
            answer=to_telegram_html(card.answer),
        )
        for card in spec.cards
    ]
    builder.cards = cards
    draft = replace(
        builder.draft(title=spec.title, source_format=TextFormat.DECK_MARKDOWN),
        description=spec.description,
    )
    return TextImport(draft=draft, format=TextFormat.DECK_MARKDOWN)
