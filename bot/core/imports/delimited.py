"""CSV/TSV files and Anki's text export: delimiter and header detection, columns, notes to cards."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from bot.core.deck_format import (
    TITLE_MAX_CHARS,
)
from bot.core.imports.anki_html import convert_anki_html
from bot.core.imports.anki_template import cloze_numbers, render_cloze
from bot.core.imports.column_names import column_role, is_column_titles
from bot.core.imports.draft import (
    CardKind,
    DeckImportError,
    ImportFailure,
)
from bot.core.imports.text_common import (
    DeckBuilder,
    TextFormat,
    TextImport,
    card_key,
    escape_plain,
    guid_key,
    telegram_plain_text,
)

__all__ = [
    "anki_header_length",
    "parse_delimited_text",
]


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


def _names_languages(row: list[str], columns: _Columns) -> bool:
    """Whether a first row is two language names ("English,Spanish"): column titles."""
    if max(columns.question, columns.answer) >= len(row):
        return False
    return is_column_titles(row[columns.question], row[columns.answer])


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


def anki_header_length(text: str) -> int:
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
        role = column_role(name)
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
    return escape_plain(value), ()


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


def parse_delimited_text(
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
    builder = DeckBuilder(max_cards=max_cards, note_type=note_type)
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
            guid = guid_key(cells[columns.guid])
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
