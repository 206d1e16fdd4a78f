"""What the text formats share: the import's result types, card keys, and building a draft's cards."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from html.parser import HTMLParser

from bot.core.deck_format import (
    ANSWER_MAX_CHARS,
    QUESTION_MAX_CHARS,
)
from bot.core.imports.draft import (
    CardDraft,
    CardKind,
    DeckDraft,
    DeckImportError,
    ImportFailure,
    SkippedItem,
)

__all__ = [
    "DeckBuilder",
    "QuizletSeparators",
    "SeparatorChoice",
    "TextFormat",
    "TextImport",
    "card_key",
    "escape_plain",
    "guid_key",
    "telegram_plain_text",
]


class TextFormat(StrEnum):
    """Which text format a file was read as; also the draft's `source_format`."""

    QUIZLET = "quizlet"
    CSV = "csv"
    ANKI_TEXT = "anki_text"  # CSV/TSV with Anki's `#separator:`/`#html:`/… header lines
    DECK_MARKDOWN = "deck_markdown"


class SeparatorChoice(StrEnum):
    """The separators a preview offers as buttons; short values fit in callback data."""

    TAB = "tab"  # between term and definition
    COMMA = "comma"  # between term and definition
    DASH = "dash"  # " - " between term and definition
    NEWLINE = "newline"  # between cards
    SEMICOLON = "semicolon"  # between cards (Quizlet's "Semicolon" row option)


QUIZLET_TERM_CHOICES: dict[SeparatorChoice, str] = {
    SeparatorChoice.TAB: "\t",
    SeparatorChoice.COMMA: ",",
    SeparatorChoice.DASH: " - ",
}
QUIZLET_ROW_CHOICES: dict[SeparatorChoice, str] = {
    SeparatorChoice.NEWLINE: "\n",
    SeparatorChoice.SEMICOLON: ";",
}


@dataclass(frozen=True, slots=True)
class QuizletSeparators:
    """Quizlet's two export settings: between term and definition, and between cards."""

    term: str = "\t"
    row: str = "\n"

    def __post_init__(self) -> None:
        if not self.term or not self.row:
            raise ValueError("separators must not be empty")
        if self.term == self.row:
            raise ValueError("the term and row separators must differ")

    @property
    def term_choice(self) -> SeparatorChoice | None:
        """The button naming the term separator, or None for a custom one."""
        return _choice_of(QUIZLET_TERM_CHOICES, self.term)

    @property
    def row_choice(self) -> SeparatorChoice | None:
        """The button naming the row separator, or None for a custom one."""
        return _choice_of(QUIZLET_ROW_CHOICES, self.row)

    def switched(self, choice: SeparatorChoice) -> QuizletSeparators:
        """These separators with the one `choice` names replaced (term or row, as it says).

        Choosing a row separator equal to the term one (Semicolon rows after a ";" term) or the
        reverse resets the other to Quizlet's default.
        """
        if choice in QUIZLET_TERM_CHOICES:
            term = QUIZLET_TERM_CHOICES[choice]
            return QuizletSeparators(term, self.row if self.row != term else "\n")
        row = QUIZLET_ROW_CHOICES[choice]
        return QuizletSeparators(self.term if self.term != row else "\t", row)


def _choice_of(choices: dict[SeparatorChoice, str], value: str) -> SeparatorChoice | None:
    return next((choice for choice, text in choices.items() if text == value), None)


@dataclass(frozen=True, slots=True)
class TextImport:
    """A parsed text file: the draft, its format, and the separators used to read it."""

    draft: DeckDraft
    format: TextFormat
    quizlet_separators: QuizletSeparators | None = None  # Quizlet files
    delimiter: str | None = None  # CSV/TSV files: ",", ";", "\t" or "|"


# ---------------------------------------------------------------------------------------------
# Card keys and card building


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def telegram_plain_text(telegram_html: str) -> str:
    """What a reader sees of Telegram HTML: tags taken out, entities decoded, newlines kept."""
    if "<" not in telegram_html and "&" not in telegram_html:
        return telegram_html
    parser = _TextOf()
    parser.feed(telegram_html)
    parser.close()
    return "".join(parser.parts)


def card_key(question_html: str) -> str:
    """The key of a card without an identity of its own: `q` + 64 bits of its question's hash."""
    text = " ".join(unicodedata.normalize("NFC", telegram_plain_text(question_html)).split())
    return "q" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


_GUID_KEY_RE = re.compile(r"[!-~]{1,60}")  # printable ASCII without spaces: Anki's GUID alphabet


def guid_key(guid: str) -> str:
    """The note part of a key from an Anki GUID, as the Anki package reader writes it."""
    guid = guid.strip()
    if _GUID_KEY_RE.fullmatch(guid):
        return guid
    return "g" + hashlib.sha256(guid.encode("utf-8")).hexdigest()[:16]


def escape_plain(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass
class DeckBuilder:
    """Collects cards, skipped rows and warnings, enforcing limits and unique keys."""

    max_cards: int
    note_type: str
    cards: list[CardDraft] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    key_counts: dict[str, int] = field(default_factory=dict)
    first_where: dict[str, str] = field(default_factory=dict)

    def skip(self, where: str, reason: str) -> None:
        self.skipped.append(SkippedItem(where=where, reason=reason))

    def add(
        self,
        where: str,
        question: str,
        answer: str,
        *,
        tags: Iterable[str] = (),
        key: str | None = None,
        note_key: str | None = None,
        kind: CardKind = CardKind.BASIC,
        note_type: str | None = None,
        typed_answer: str | None = None,
    ) -> None:
        """Add one card from Telegram HTML sides, or skip it saying why.

        `key` None means the question's `card_key`; a repeated key gets `-2`, `-3`… appended.
        """
        question, answer = question.strip(), answer.strip()
        plain_q, plain_a = (
            telegram_plain_text(question).strip(),
            telegram_plain_text(answer).strip(),
        )
        if not plain_q and not plain_a:
            self.skip(where, "both sides are empty")
            return
        if not plain_q:
            self.skip(where, "the question is empty")
            return
        if not plain_a:
            self.skip(where, "the answer is empty")
            return
        for part, text, limit in (
            ("question", plain_q, QUESTION_MAX_CHARS),
            ("answer", plain_a, ANSWER_MAX_CHARS),
        ):
            if len(text) > limit:
                self.skip(where, f"the {part} is {len(text)} characters; the limit is {limit}")
                return
        base = key or card_key(question)
        seen = self.key_counts.get(base, 0) + 1
        self.key_counts[base] = seen
        if seen > 1:
            what = "key" if key else "question"
            self.warnings.append(f"{where} repeats the {what} of {self.first_where[base]}")
        else:
            self.first_where[base] = where
        final_key = base if seen == 1 else f"{base}-{seen}"
        if len(self.cards) >= self.max_cards:
            raise DeckImportError(
                ImportFailure.TOO_MANY_CARDS,
                f"The file has more than {self.max_cards:,} cards, the most one deck can import.",
            )
        self.cards.append(
            CardDraft(
                key=final_key,
                note_key=note_key or final_key,
                note_type=note_type or self.note_type,
                kind=kind,
                question=question,
                answer=answer,
                tags=tuple(dict.fromkeys(tags)),
                typed_answer=typed_answer,
            )
        )

    def draft(self, *, title: str, source_format: TextFormat, description: str = "") -> DeckDraft:
        if not self.cards:
            reasons = "; ".join(f"{item.where}: {item.reason}" for item in self.skipped[:3])
            raise DeckImportError(
                ImportFailure.NO_CARDS,
                "No usable cards in the file" + (f" ({reasons})." if reasons else "."),
            )
        return DeckDraft(
            title=title,
            cards=tuple(self.cards),
            source_format=str(source_format),
            description=description,
            skipped=tuple(self.skipped),
            warnings=tuple(self.warnings),
        )
