"""An import's preview: how a file is read (separators, delimiter), reading it off the event loop, the drafts kept for Import, and the preview text and buttons."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

from bot.core.imports.deck_file import DeckFileKind, ParsedDeckFile, parse_deck_file
from bot.core.imports.draft import (
    DeckImportError,
    ImportFailure,
    ImportLimits,
    MediaKind,
    ProgressState,
)
from bot.core.imports.text import QuizletSeparators, SeparatorChoice
from bot.services.pending_imports import (
    choose_reading,
)
from bot.storage.models import PendingImport
from bot.telegram import keyboards, texts
from bot.telegram.context import FlashContext

__all__ = [
    "DELIMITERS",
    "SEPARATOR_CHOICES",
    "Reading",
    "can_reread",
    "default_reading",
    "keep_draft",
    "kept_draft",
    "preview_keyboard",
    "preview_text",
    "read_file",
    "reading_from",
    "reading_of",
    "reading_payload",
    "remember_reading",
]


SEPARATOR_CHOICES = {
    "term_tab": SeparatorChoice.TAB,
    "term_comma": SeparatorChoice.COMMA,
    "term_dash": SeparatorChoice.DASH,
    "row_newline": SeparatorChoice.NEWLINE,
    "row_semicolon": SeparatorChoice.SEMICOLON,
}
DELIMITERS = {"csv_tab": "\t", "csv_comma": ",", "csv_semicolon": ";"}
_TEXT_SUFFIXES_CSV = (".csv", ".tsv", ".tab")


@dataclass(frozen=True)
class Reading:
    """How a held file is read: Quizlet separators or a CSV delimiter, None to detect."""

    separators: QuizletSeparators | None = None
    delimiter: str | None = None


async def read_file(
    context: FlashContext, data: bytes, name: str, reading: Reading
) -> ParsedDeckFile:
    """Read a deck file in a worker thread, a few at a time, so the bot keeps answering."""
    limits = ImportLimits(max_cards=context.runtime.settings.max_import_cards)
    async with context.imports.slots:
        return await asyncio.to_thread(
            parse_deck_file,
            data,
            filename=name,
            limits=limits,
            separators=reading.separators,
            delimiter=reading.delimiter,
        )


# Drafts read for a preview, kept in this process for its Import press so a big package is not
# read twice; the held bytes in the database stay the truth (a restart or another process reads
# them again). Only the newest few: each can hold megabytes of media.
_KEPT_DRAFTS = 2


def keep_draft(context: FlashContext, pending_id: int, reading: Reading, parsed) -> None:
    kept = context.imports.drafts
    kept.pop(pending_id, None)
    if parsed is not None:
        kept[pending_id] = (reading, parsed)
    while len(kept) > _KEPT_DRAFTS:
        kept.pop(next(iter(kept)))


def kept_draft(context: FlashContext, pending_id: int, reading: Reading) -> ParsedDeckFile | None:
    kept_reading, parsed = context.imports.drafts.pop(pending_id, (None, None))
    return parsed if kept_reading == reading else None


def reading_of(pending: PendingImport) -> Reading:
    return reading_from(
        {
            "term_separator": pending.term_separator,
            "row_separator": pending.row_separator,
            "delimiter": pending.delimiter,
        }
    )


def reading_payload(reading: Reading) -> dict[str, str | None]:
    """A reading as a job's payload carries it (JSON), read back by `reading_from`."""
    separators = reading.separators
    return {
        "term_separator": separators.term if separators is not None else None,
        "row_separator": separators.row if separators is not None else None,
        "delimiter": reading.delimiter,
    }


def reading_from(payload: dict[str, str | None]) -> Reading:
    if payload["term_separator"] and payload["row_separator"]:
        return Reading(QuizletSeparators(payload["term_separator"], payload["row_separator"]))
    return Reading(delimiter=payload["delimiter"])


def preview_text(
    parsed: ParsedDeckFile | None,
    *,
    file_name: str,
    reading: Reading,
    updates_deck: str | None,
    error: str | None = None,
) -> str:
    separators = reading.separators
    if parsed is not None and parsed.quizlet_separators is not None:
        separators = parsed.quizlet_separators
    delimiter = parsed.delimiter if parsed is not None else reading.delimiter
    shown = (separators.term, separators.row) if separators is not None else None
    if parsed is None:
        kind = DeckFileKind.QUIZLET if separators is not None else DeckFileKind.CSV
        return texts.import_preview(
            file_name=file_name,
            kind=kind,
            title=file_name,
            notes_by_type={},
            cards_by_type={},
            cards_by_kind={},
            card_count=0,
            note_count=0,
            images=0,
            sounds=0,
            history=False,
            reviews=0,
            studied_cards=0,
            skipped=(),
            warnings=(),
            separators=shown,
            delimiter=delimiter,
            updates_deck=None,
            error=error,
        )
    draft = parsed.draft
    media = Counter()
    for _name, kind in {
        (ref.name, ref.kind)
        for card in draft.cards
        for ref in (*card.question_media, *card.answer_media)
        if ref.name in draft.media
    }:
        media[kind] += 1
    return texts.import_preview(
        file_name=file_name,
        kind=parsed.kind,
        title=draft.title,
        notes_by_type=draft.notes_by_note_type(),
        cards_by_type=draft.cards_by_note_type(),
        cards_by_kind={str(k): n for k, n in draft.cards_by_kind().items()},
        card_count=len(draft.cards),
        note_count=draft.note_count,
        images=media[MediaKind.IMAGE],
        sounds=media[MediaKind.SOUND],
        history=draft.has_review_history or draft.has_progress,
        reviews=sum(len(card.reviews) for card in draft.cards),
        studied_cards=sum(
            1
            for card in draft.cards
            if card.progress is not None and card.progress.state != ProgressState.NEW
        ),
        skipped=[(item.where, item.reason) for item in draft.skipped],
        warnings=draft.warnings,
        separators=shown,
        delimiter=delimiter,
        updates_deck=updates_deck,
    )


def preview_keyboard(pending_id: int, parsed: ParsedDeckFile | None, reading: Reading):
    separators = reading.separators
    delimiter = reading.delimiter
    if parsed is not None:
        separators = parsed.quizlet_separators
        delimiter = parsed.delimiter
    return keyboards.import_preview(
        pending_id,
        card_count=len(parsed.draft.cards) if parsed is not None else None,
        separators=(separators.term, separators.row) if separators is not None else None,
        delimiter=delimiter,
    )


def can_reread(error: DeckImportError, data: bytes, name: str) -> bool:
    """Whether other separators might read the file: a text file that gave no cards."""
    return error.failure is ImportFailure.NO_CARDS and not data.startswith(b"PK")


def default_reading(name: str) -> Reading:
    if name.lower().endswith(_TEXT_SUFFIXES_CSV):
        return Reading(delimiter=",")
    return Reading(QuizletSeparators())


async def remember_reading(session, pending: PendingImport, reading: Reading) -> None:
    separators = reading.separators
    await choose_reading(
        session,
        pending=pending,
        term_separator=separators.term if separators is not None else None,
        row_separator=separators.row if separators is not None else None,
        delimiter=reading.delimiter,
    )
