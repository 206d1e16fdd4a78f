"""Quizlet exports: term and row separators detected (or chosen in the preview), rows to cards."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.imports.column_names import is_column_titles
from bot.core.imports.text_common import (
    DeckBuilder,
    QuizletSeparators,
    TextFormat,
    TextImport,
    escape_plain,
)

__all__ = [
    "detect_quizlet_separators",
    "parse_quizlet_text",
]


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


def parse_quizlet_text(
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
    builder = DeckBuilder(max_cards=max_cards, note_type="Quizlet")
    term_name = _separator_name(separators.term)
    for where, chunk in split.unsplit:
        builder.skip(where, f"no {term_name} between term and definition: {_excerpt(chunk)}")
    for index, row in enumerate(split.rows):
        term = " ".join(row.term.split())  # a term is one line
        if index == 0 and is_column_titles(term, row.definition):
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
        builder.add(row.where, escape_plain(term), escape_plain(definition))
    draft = builder.draft(title=title, source_format=TextFormat.QUIZLET)
    return TextImport(draft=draft, format=TextFormat.QUIZLET, quizlet_separators=separators)


def _excerpt(text: str, limit: int = 40) -> str:
    one_line = " ".join(text.split())
    return "“" + (one_line if len(one_line) <= limit else one_line[: limit - 1] + "…") + "”"
