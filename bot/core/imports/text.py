"""Text deck files: Quizlet exports, CSV/TSV (Anki's text export too) and our deck Markdown.

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

import codecs
import csv
import hashlib
import html
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from html.parser import HTMLParser
from pathlib import PurePath

from bot.core.deck_format import (
    ANSWER_MAX_CHARS,
    QUESTION_MAX_CHARS,
    TITLE_MAX_CHARS,
    DeckFormatError,
    parse_deck,
)
from bot.core.imports.anki_html import convert_anki_html
from bot.core.imports.anki_template import cloze_numbers, render_cloze
from bot.core.imports.draft import (
    DEFAULT_MAX_CARDS,
    CardDraft,
    CardKind,
    DeckDraft,
    DeckImportError,
    ImportFailure,
    SkippedItem,
)
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
    title = _title_from_filename(filename)
    suffix = PurePath(filename).suffix.lower()
    if separators is not None:
        return _parse_quizlet_text(text, title=title, separators=separators, max_cards=max_cards)
    if delimiter is not None or _anki_header_length(text):
        return _parse_delimited_text(
            text, title=title, delimiter=delimiter, max_cards=max_cards, tsv=suffix != ".csv"
        )
    if suffix in _MARKDOWN_SUFFIXES or _looks_like_deck_markdown(text):
        return _parse_markdown_text(text, filename=filename, max_cards=max_cards)
    if suffix in _CSV_SUFFIXES:
        return _parse_delimited_text(
            text, title=title, delimiter=None, max_cards=max_cards, tsv=suffix != ".csv"
        )
    return _parse_quizlet_text(text, title=title, separators=None, max_cards=max_cards)


def parse_quizlet(
    data: bytes,
    *,
    title: str,
    separators: QuizletSeparators | None = None,
    max_cards: int = DEFAULT_MAX_CARDS,
) -> TextImport:
    """Read a Quizlet export; `separators` None means detect them."""
    return _parse_quizlet_text(
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
    return _parse_delimited_text(
        decode_text(data), title=title, delimiter=delimiter, max_cards=max_cards, tsv=False
    )


def parse_deck_markdown(
    data: bytes, *, filename: str, max_cards: int = DEFAULT_MAX_CARDS
) -> TextImport:
    """Read a deck in our own `decks/` Markdown format (decks/FORMAT.md)."""
    return _parse_markdown_text(decode_text(data), filename=filename, max_cards=max_cards)


# ---------------------------------------------------------------------------------------------
# Bytes to text


_BINARY_MAGIC = (
    (b"PK\x03\x04", "a zip archive (an Anki package?)"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
_RESAVE = "Please save it as UTF-8 (e.g. in Excel: Save As → “CSV UTF-8”) and send it again."


def decode_text(data: bytes) -> str:
    """The text of a file: UTF-8 (BOM or not), or UTF-16/32 with a BOM; never a guess.

    Anything else (Latin-1, Windows-1252…) is refused rather than decoded wrongly: the bytes alone
    cannot tell those apart, and a wrong guess would import mojibake.
    """
    if not data.strip():
        raise DeckImportError(ImportFailure.EMPTY_FILE, "The file is empty.")
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as error:
                raise DeckImportError(
                    ImportFailure.ENCODING,
                    f"The file starts as {codec.upper().removesuffix('-SIG')} but is not valid "
                    f"{codec.upper().removesuffix('-SIG')} further on. {_RESAVE}",
                ) from error
            break
    else:
        for magic, what in _BINARY_MAGIC:
            if data.startswith(magic):
                raise DeckImportError(
                    ImportFailure.UNKNOWN_FORMAT,
                    f"This is {what}, not a text file of cards.",
                )
        text = _utf16_without_bom(data)
        try:
            text = text if text is not None else data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise DeckImportError(
                ImportFailure.ENCODING,
                f"The file is not UTF-8 text (line {line} has a byte 0x{data[error.start]:02x} "
                f"that UTF-8 does not allow). {_RESAVE}",
            ) from error
    if "\x00" in text:
        raise DeckImportError(
            ImportFailure.UNKNOWN_FORMAT, "This is a binary file, not a text file of cards."
        )
    if not text.strip():
        raise DeckImportError(ImportFailure.EMPTY_FILE, "The file is empty.")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a BOM: every other byte of Latin text is NUL."""
    sample = data[:4096]
    if len(data) % 2 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    codec = "utf-16-le" if odd > 2 * even else "utf-16-be" if even > 2 * odd else None
    if codec is None or max(even, odd) < len(sample) // 4:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def _title_from_filename(filename: str) -> str:
    stem = PurePath(filename.replace("\\", "/")).stem
    title = " ".join(stem.replace("_", " ").split()) or "Imported deck"
    return title[:TITLE_MAX_CHARS]


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


def _guid_key(guid: str) -> str:
    """The note part of a key from an Anki GUID, as the Anki package reader writes it."""
    guid = guid.strip()
    if _GUID_KEY_RE.fullmatch(guid):
        return guid
    return "g" + hashlib.sha256(guid.encode("utf-8")).hexdigest()[:16]


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass
class _DeckBuilder:
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


# ---------------------------------------------------------------------------------------------
# Quizlet


# Term separators tried when detecting, in order of preference (Quizlet's default first).
# " :: " is how people paste cards elsewhere in the bot.
_TERM_CANDIDATES = ("\t", " - ", ",", ";", " :: ", " — ", " – ", " = ", " | ", "|", ":")
_ROW_CANDIDATES = ("\n", ";")
_DETECT_SAMPLE_CHARS = 256 * 1024


@dataclass(frozen=True, slots=True)
class _QuizletRow:
    where: str
    term: str
    definition: str
    extra_separators: int  # separators beyond the first: the split may be wrong
    continuation_lines: int  # lines without a separator joined to the definition


@dataclass(frozen=True, slots=True)
class _QuizletSplit:
    rows: tuple[_QuizletRow, ...]
    unsplit: tuple[tuple[str, str], ...]  # (where, text) of rows without a term separator


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_quizlet(text: str, separators: QuizletSeparators) -> _QuizletSplit:
    term_sep, row_sep = separators.term, separators.row
    rows: list[_QuizletRow] = []
    unsplit: list[tuple[str, str]] = []
    if row_sep == "\n":
        # Quizlet writes a multi-line definition with raw newlines: a line without the term
        # separator continues the definition above it.
        current: list = []  # [where, term, definition lines, extra, continuations]
        for number, line in enumerate(text.split("\n"), start=1):
            if term_sep in line:
                if current:
                    rows.append(_finish_row(current))
                term, definition = line.split(term_sep, 1)
                current = [f"line {number}", term, [definition], line.count(term_sep) - 1, 0]
            elif current:
                current[2].append(line)
                if line.strip():
                    current[4] += 1
            elif line.strip():
                unsplit.append((f"line {number}", line))
        if current:
            rows.append(_finish_row(current))
    else:
        line = 1
        for index, chunk in enumerate(text.split(row_sep), start=1):
            where = f"card {index} (line {line})"
            line += chunk.count("\n")
            if not chunk.strip():
                continue
            if term_sep not in chunk:
                unsplit.append((where, chunk))
                continue
            term, definition = chunk.split(term_sep, 1)
            rows.append(_QuizletRow(where, term, definition, chunk.count(term_sep) - 1, 0))
    return _QuizletSplit(tuple(rows), tuple(unsplit))


def _finish_row(current: list) -> _QuizletRow:
    where, term, lines, extra, continuations = current
    definition = "\n".join(lines).rstrip()
    return _QuizletRow(where, term, definition, extra, continuations)


def _problems(split: _QuizletSplit) -> tuple[int, int, int]:
    """Rows split cleanly, rows split doubtfully (extra separators, an empty side), and lines
    continuing a definition."""
    clean = sum(
        1
        for row in split.rows
        if row.extra_separators == 0 and row.term.strip() and row.definition.strip()
    )
    continuations = sum(row.continuation_lines for row in split.rows)
    return clean, len(split.rows) - clean, continuations


def detect_quizlet_separators(text: str) -> QuizletSeparators:
    """The separators that split this Quizlet export cleanly, Quizlet's defaults first.

    The first candidate (in preference order) that splits every row cleanly wins; lines
    without a separator may continue a definition only with Tab (Quizlet's own multi-line
    export). Otherwise the one with the most clean rows, fewest doubtful ones, wins.
    """
    text = _normalise_newlines(text.removeprefix("\ufeff"))
    if len(text) > _DETECT_SAMPLE_CHARS:  # the start tells; cut at a line end
        sample = text[:_DETECT_SAMPLE_CHARS]
        text = sample[: sample.rfind("\n")] if "\n" in sample else sample
    best: tuple[float, QuizletSeparators] | None = None
    for row in _ROW_CANDIDATES:
        if row != "\n" and row not in text:
            continue
        for term in _TERM_CANDIDATES:
            if term == row or term not in text:
                continue
            separators = QuizletSeparators(term, row)
            split = _split_quizlet(text, separators)
            if not split.rows:
                continue
            clean, doubtful, continuations = _problems(split)
            if not doubtful and not split.unsplit and (term == "\t" or not continuations):
                return separators
            score = clean + 0.25 * doubtful - len(split.unsplit) - 0.1 * continuations
            if best is None or score > best[0]:
                best = (score, separators)
    return best[1] if best is not None else QuizletSeparators()


def _separator_name(separator: str) -> str:
    return {"\t": "tab", "\n": "line break", ",": "comma", ";": "semicolon"}.get(
        separator, repr(separator)
    )


def _parse_quizlet_text(
    text: str,
    *,
    title: str,
    separators: QuizletSeparators | None,
    max_cards: int,
) -> TextImport:
    text = _normalise_newlines(text.removeprefix("\ufeff"))
    if separators is None:
        separators = detect_quizlet_separators(text)
    split = _split_quizlet(text, separators)
    builder = _DeckBuilder(max_cards=max_cards, note_type="Quizlet")
    term_name = _separator_name(separators.term)
    for where, chunk in split.unsplit:
        builder.skip(where, f"no {term_name} between term and definition: {_excerpt(chunk)}")
    for index, row in enumerate(split.rows):
        term = " ".join(row.term.split())  # a term is one line
        if index == 0 and _is_header(term, row.definition):
            builder.skip(row.where, "column names, not a card")
            continue
        definition = row.definition.strip()
        if row.extra_separators:
            s = "s" if row.extra_separators > 1 else ""
            builder.warnings.append(
                f"{row.where}: {row.extra_separators} more {term_name}{s} after the first; "
                f"the definition keeps {'them' if s else 'it'}: {_excerpt(term)}"
            )
        if row.continuation_lines:
            builder.warnings.append(
                f"{row.where}: the definition of {_excerpt(term)} runs over "
                f"{row.continuation_lines + 1} lines"
            )
        builder.add(row.where, _escape(term), _escape(definition))
    draft = builder.draft(title=title, source_format=TextFormat.QUIZLET)
    return TextImport(draft=draft, format=TextFormat.QUIZLET, quizlet_separators=separators)


def _excerpt(text: str, limit: int = 40) -> str:
    one_line = " ".join(text.split())
    return "“" + (one_line if len(one_line) <= limit else one_line[: limit - 1] + "…") + "”"


# ---------------------------------------------------------------------------------------------
# CSV / TSV and Anki's text export


_DELIMITERS = (",", ";", "\t", "|")
_ANKI_SEPARATORS = {
    "comma": ",",
    "semicolon": ";",
    "tab": "\t",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
_EXCEL_SEP_RE = re.compile(r"sep=(?P<sep>[^\r\n])\r?\n")
_ANKI_HEADER_RE = re.compile(r"#(?P<name>[a-z ]+):(?P<value>.*)")
_ANKI_HEADER_NAMES = frozenset(
    {
        "separator",
        "html",
        "tags",
        "columns",
        "deck",
        "notetype",
        "guid column",
        "notetype column",
        "deck column",
        "tags column",
        "if matches",
    }
)

# Header cells naming a column, compared case-insensitively without surrounding punctuation.


def _names(text: str) -> frozenset[str]:
    return frozenset(name.strip() for name in text.split("|") if name.strip())


_QUESTION_NAMES = _names(
    "front|question|term|word|prompt|side 1|side a|q|recto|expression|phrase|"
    "vorderseite|frage|begriff|wort|vokabel|"
    "pregunta|término|termino|anverso|frente|palabra|"
    "terme|mot|domanda|termine|parola|pergunta|termo|"
    "vraag|voorkant|woord|pytanie|słowo|pojęcie|"
    "вопрос|термин|слово|лицевая сторона|問題|表面|単語|问题|正面|单词|术语"
)
_ANSWER_NAMES = _names(
    "back|answer|definition|meaning|translation|side 2|side b|a|verso|"
    "rückseite|antwort|definition|bedeutung|übersetzung|"
    "respuesta|definición|definicion|reverso|significado|traducción|traduccion|"
    "réponse|reponse|définition|traduction|risposta|definizione|traduzione|"
    "resposta|definição|tradução|antwoord|achterkant|betekenis|vertaling|"
    "odpowiedź|definicja|tłumaczenie|"
    "ответ|определение|перевод|значение|оборотная сторона|答え|裏面|意味|答案|背面|释义|翻译"
)
_TAGS_NAMES = _names(
    "tags|tag|labels|etiquetas|etiqueta|schlagwörter|schlagworte|étiquettes|etichette|"
    "tags anki|теги|метки|タグ|标签"
)
# A first row of two language names titles the columns ("English;Deutsch").
_LANGUAGE_NAMES = _names(
    "english|spanish|french|german|italian|portuguese|russian|ukrainian|polish|dutch|"
    "swedish|norwegian|danish|finnish|czech|greek|turkish|arabic|hebrew|hindi|chinese|"
    "mandarin|japanese|korean|vietnamese|thai|indonesian|latin|"
    "inglés|ingles|español|espanol|francés|frances|alemán|aleman|italiano|portugués|"
    "englisch|spanisch|französisch|deutsch|italienisch|russisch|"
    "anglais|espagnol|français|allemand|italien|russe|inglese|spagnolo|francese|tedesco|"
    "inglês|espanhol|francês|alemão|português|"
    "английский|испанский|французский|немецкий|русский|українська|англійська|"
    "polski|angielski|nederlands|engels|svenska|engelska|türkçe|ingilizce|"
    "中文|英语|日本語|英語|한국어|영어"
)
_GUID_NAMES = _names("guid|note id|anki guid")


def _column_role(name: str) -> str | None:
    cleaned = name.strip().strip(":#*\"'").strip().casefold()
    for role, names in (
        ("question", _QUESTION_NAMES),
        ("answer", _ANSWER_NAMES),
        ("tags", _TAGS_NAMES),
        ("guid", _GUID_NAMES),
    ):
        if cleaned in names:
            return role
    return None


def _is_header(first: str, second: str) -> bool:
    if _column_role(first) == "question" and _column_role(second) == "answer":
        return True
    return _language(first) is not None and _language(second) not in (None, _language(first))


def _language(cell: str) -> str | None:
    cleaned = cell.strip().strip(":#*\"'").strip().casefold()
    return cleaned if cleaned in _LANGUAGE_NAMES else None


def _names_languages(row: list[str], columns: _Columns) -> bool:
    """Whether a first row is two language names ("English,Spanish"): column titles."""
    if max(columns.question, columns.answer) >= len(row):
        return False
    return _is_header(row[columns.question], row[columns.answer])


@dataclass
class _AnkiHeader:
    lines: int = 0
    separator: str | None = None
    html: bool = False
    tags: tuple[str, ...] = ()
    columns: tuple[str, ...] | None = None
    deck: str | None = None
    notetype: str | None = None
    special: dict[str, int] = field(default_factory=dict)  # role → 0-based column


def _anki_header_length(text: str) -> int:
    return _read_anki_header(text).lines


def _read_anki_header(text: str) -> _AnkiHeader:
    header = _AnkiHeader()
    for line in text.removeprefix("\ufeff").splitlines():
        match = _ANKI_HEADER_RE.fullmatch(line.strip())
        if match is None or match["name"] not in _ANKI_HEADER_NAMES:
            break
        header.lines += 1
        name, value = match["name"], match["value"]
        if name == "separator":
            header.separator = _ANKI_SEPARATORS.get(value.strip().casefold(), value[:1] or None)
        elif name == "html":
            header.html = value.strip().casefold() == "true"
        elif name == "tags":
            header.tags = tuple(value.split())
        elif name == "columns":
            header.columns = (value,)  # split once the separator is known
        elif name == "deck":
            header.deck = value.strip()
        elif name == "notetype":
            header.notetype = value.strip()
        elif name.endswith(" column"):
            role = name.removesuffix(" column")
            if value.strip().isdigit() and int(value) >= 1:
                header.special[role] = int(value) - 1
    return header


@dataclass(frozen=True, slots=True)
class _Columns:
    question: int
    answer: int
    tags: int | None
    guid: int | None
    ignored: tuple[int, ...]  # other columns (notetype, deck …) never imported
    names: tuple[str, ...] = ()


def _columns_from_names(names: list[str], special: dict[str, int]) -> _Columns | None:
    """Column roles from header cells; None if they do not name a question and an answer."""
    roles: dict[str, int] = {}
    for index, name in enumerate(names):
        role = _column_role(name)
        if role is not None and role not in roles and index not in special.values():
            roles[role] = index
    if "question" not in roles or "answer" not in roles:
        return None
    return _Columns(
        question=roles["question"],
        answer=roles["answer"],
        tags=special.get("tags", roles.get("tags")),
        guid=special.get("guid", roles.get("guid")),
        ignored=tuple(index for role, index in special.items() if role not in ("tags", "guid")),
        names=tuple(names),
    )


def _default_columns(width: int, special: dict[str, int], names: list[str]) -> _Columns:
    """The first two ordinary columns are question and answer, as in Anki's Basic note type."""
    ordinary = [index for index in range(max(width, 2)) if index not in special.values()]
    ordinary += [max([width, *special.values()]) + 1, max([width, *special.values()]) + 2]
    return _Columns(
        question=ordinary[0],
        answer=ordinary[1],
        tags=special.get("tags"),
        guid=special.get("guid"),
        ignored=tuple(index for role, index in special.items() if role not in ("tags", "guid")),
        names=tuple(names),
    )


def _read_rows(body: str, delimiter: str, first_line: int) -> Iterator[tuple[int, list[str]]]:
    """Rows with the file line each starts on; csv handles quotes and newlines in fields."""
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, strict=False)
    start = first_line
    try:
        for row in reader:
            yield start, row
            start = first_line + reader.line_num
    except csv.Error as error:
        raise DeckImportError(
            ImportFailure.CORRUPT,
            f"The file cannot be read as CSV near line {first_line + reader.line_num}: {error}.",
        ) from error


def _quote_problem(body: str, delimiter: str, first_line: int) -> str | None:
    """Where quotes do not pair up as CSV wants (lenient reading may merge rows from there)."""
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, strict=True)
    start = first_line
    try:
        for _ in reader:
            start = first_line + reader.line_num
    except csv.Error:
        return (
            f'line {start}: a quote (") there does not pair up as CSV expects; '
            "check that card and the ones after it"
        )
    return None


def _detect_delimiter(body: str, *, prefer_tab: bool) -> str:
    """The delimiter giving the most rows of one common width of at least two columns."""
    sample = body[:200_000]
    order = ("\t", ",", ";", "|") if prefer_tab else _DELIMITERS
    best: tuple[int, str] | None = None
    for delimiter in order:
        if delimiter not in sample:
            continue
        widths: dict[int, int] = {}
        try:
            for _, row in _read_rows(sample, delimiter, 1):
                if any(cell.strip() for cell in row):
                    widths[len(row)] = widths.get(len(row), 0) + 1
        except DeckImportError:
            continue
        score = max((count for width, count in widths.items() if width >= 2), default=0)
        if best is None or score > best[0]:
            best = (score, delimiter)
    if best is None or best[0] == 0:
        return order[0] if prefer_tab else ","
    return best[1]


def _split_tags(value: str) -> list[str]:
    return [tag for tag in re.split(r"[\s,;]+", value) if tag]


def _html_to_telegram(value: str) -> tuple[str, tuple[str, ...]]:
    """Anki field HTML as Telegram HTML, and the media files it names (a text file has none)."""
    converted = convert_anki_html(value)
    return converted.html, (*converted.images, *converted.sounds)


def _plain_to_telegram(value: str) -> tuple[str, tuple[str, ...]]:
    # A spreadsheet cell our CSV export protected from running as a formula: take the ' off.
    if value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
        value = value[1:]
    return _escape(value), ()


@dataclass(frozen=True, slots=True)
class _NoteCard:
    question: tuple[str, tuple[str, ...]]
    answer: tuple[str, tuple[str, ...]]
    key: str | None
    note_key: str | None
    kind: CardKind
    typed_answer: str | None = None


def _note_cards(
    question: str,
    answer: str,
    convert: Callable[[str], tuple[str, tuple[str, ...]]],
    guid: str | None,
    note_type: str,
) -> list[_NoteCard]:
    """The cards of one row: one, two for a reversed note type, one per cloze number.

    Anki's note types decide: "… and reversed card" adds back → front (the optional-reverse
    type only when its "Add Reverse" field is filled, which a two-column file cannot say);
    "… type in the answer" makes the answer typed; cloze markers make cloze cards.

    Keys follow the Anki package reader (`<guid>:<card ordinal>`) when the row has a GUID, so
    Anki's text export and its .apkg of one deck give the same keys; otherwise the first card
    takes the question's hash, the others that hash plus `:<ordinal>`.
    """
    numbers = sorted(cloze_numbers(question)) if "{{c" in question else []
    if numbers:
        note_key = guid or card_key(convert(question)[0])
        extra = convert(answer)
        cards = []
        for number in numbers:
            front = _render_cloze_side(question, number, convert, answer=False)
            back = _render_cloze_side(question, number, convert, answer=True)
            if extra[0].strip():
                back = (back[0] + "\n" + extra[0], back[1] + extra[1])
            cards.append(
                _NoteCard(front, back, f"{note_key}:{number - 1}", note_key, CardKind.CLOZE)
            )
        return cards
    front, back = convert(question), convert(answer)
    note_key = guid or card_key(front[0])
    kind_name = note_type.casefold()
    first_key = f"{guid}:0" if guid else None
    if "type in the answer" in kind_name:
        typed = " ".join(telegram_plain_text(back[0]).split())
        return [_NoteCard(front, back, first_key, note_key, CardKind.TYPED, typed or None)]
    cards = [_NoteCard(front, back, first_key, note_key, CardKind.BASIC)]
    if "and reversed" in kind_name:
        cards.append(_NoteCard(back, front, f"{note_key}:1", note_key, CardKind.REVERSED))
    return cards


def _render_cloze_side(
    text: str,
    number: int,
    convert: Callable[[str], tuple[str, tuple[str, ...]]],
    *,
    answer: bool,
) -> tuple[str, tuple[str, ...]]:
    if convert is _plain_to_telegram:
        # Plain text: escape first, so the <b> the cloze renderer adds stays markup.
        return render_cloze(convert(text)[0], number, answer=answer), ()
    return convert(render_cloze(text, number, answer=answer))


def _parse_delimited_text(
    text: str,
    *,
    title: str,
    delimiter: str | None,
    max_cards: int,
    tsv: bool,
) -> TextImport:
    text = text.removeprefix("\ufeff")
    header = _read_anki_header(text)
    lines = text.splitlines(keepends=True)
    body = "".join(lines[header.lines :])
    first_line = header.lines + 1
    excel_hint = _EXCEL_SEP_RE.match(body)
    if excel_hint is not None:  # Excel's "sep=;" first line names the delimiter
        body = body[excel_hint.end() :]
        first_line += 1
        delimiter = delimiter or excel_hint["sep"]
    if delimiter is None:
        delimiter = header.separator or _detect_delimiter(body, prefer_tab=tsv)
    fmt = TextFormat.ANKI_TEXT if header.lines else TextFormat.CSV
    note_type = header.notetype or ("Anki text" if header.lines else "CSV")
    convert: Callable[[str], tuple[str, tuple[str, ...]]] = (
        _html_to_telegram if header.html else _plain_to_telegram
    )
    missing_media: dict[str, None] = {}

    rows = (
        (line, row)
        for line, row in _read_rows(body, delimiter, first_line)
        if any(cell.strip() for cell in row)
    )
    columns: _Columns | None = None
    if header.columns is not None:
        names = next(csv.reader([header.columns[0]], delimiter=delimiter), [])
        columns = _columns_from_names(names, header.special) or _default_columns(
            len(names), header.special, names
        )
    builder = _DeckBuilder(max_cards=max_cards, note_type=note_type)
    problem = _quote_problem(body, delimiter, first_line)
    if problem is not None:
        builder.warnings.append(problem)
    unused: set[int] = set()
    for line, row in rows:
        if columns is None:
            # The first row: column names (not a card) if it names a question and an answer.
            columns = _columns_from_names(row, header.special)
            if columns is not None:
                continue
            columns = _default_columns(len(row), header.special, [])
            if _names_languages(row, columns):
                columns = replace(columns, names=tuple(row))
                builder.skip(f"line {line}", "column names, not a card")
                continue
        where = f"line {line}"
        cells = [cell.replace("\r\n", "\n").replace("\r", "\n") for cell in row]
        used = {columns.question, columns.answer, columns.tags, columns.guid, *columns.ignored}
        unused.update(
            index for index, cell in enumerate(cells) if index not in used and cell.strip()
        )
        question = cells[columns.question] if columns.question < len(cells) else ""
        answer = cells[columns.answer] if columns.answer < len(cells) else ""
        tags = list(header.tags)
        if columns.tags is not None and columns.tags < len(cells):
            tags += _split_tags(cells[columns.tags])
        guid = None
        if columns.guid is not None and columns.guid < len(cells) and cells[columns.guid].strip():
            guid = _guid_key(cells[columns.guid])
        row_note_type = note_type
        notetype_column = header.special.get("notetype")
        if notetype_column is not None and notetype_column < len(cells):
            row_note_type = cells[notetype_column].strip() or note_type
        for card in _note_cards(question, answer, convert, guid, row_note_type):
            question_html, question_media = card.question
            answer_html, answer_media = card.answer
            missing_media.update(dict.fromkeys((*question_media, *answer_media)))
            builder.add(
                where,
                question_html,
                answer_html,
                tags=tags,
                key=card.key,
                note_key=card.note_key,
                kind=card.kind,
                note_type=row_note_type,
                typed_answer=card.typed_answer,
            )
    if unused and columns is not None:
        described = ", ".join(
            f"{index + 1} ({columns.names[index]})"
            if index < len(columns.names) and columns.names[index].strip()
            else str(index + 1)
            for index in sorted(unused)
        )
        s = "s" if len(unused) > 1 else ""
        builder.warnings.append(f"column{s} {described} not imported (only question, answer, tags)")
    if missing_media:
        names = ", ".join(list(missing_media)[:3]) + (", …" if len(missing_media) > 3 else "")
        builder.warnings.append(
            f"{len(missing_media)} media file(s) named in the cards are not in a text file "
            f"and are left out ({names}); export an Anki package (.apkg) to bring them"
        )
    deck_title = header.deck.split("::")[-1].strip()[:TITLE_MAX_CHARS] if header.deck else title
    draft = builder.draft(title=deck_title or title, source_format=fmt)
    return TextImport(draft=draft, format=fmt, delimiter=delimiter)


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
    builder = _DeckBuilder(max_cards=max_cards, note_type="Flashtutor")
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
