"""The three files /export sends, built from a `DeckExport` (pure: run it off the event loop)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from bot.core.card_text import card_html
from bot.core.exports import export_apkg, export_csv, export_quizlet
from bot.core.imports.draft import CardDraft, CardKind, DeckDraft, MediaKind, MediaRef
from bot.services.deck_export import DeckExport, ExportMedia

__all__ = ["ExportFile", "export_draft", "export_files"]


@dataclass(frozen=True, slots=True)
class ExportFile:
    name: str
    data: bytes
    kind: str  # apkg | csv | quizlet


def _refs(media: tuple[ExportMedia, ...]) -> tuple[MediaRef, ...]:
    return tuple(MediaRef(m.name, MediaKind(m.kind)) for m in media)


def export_draft(export: DeckExport) -> DeckDraft:
    """The stored deck as the core exporters take it: card text as Telegram HTML."""
    cards = tuple(
        CardDraft(
            key=card.stable_id,
            note_key=card.note_key or card.stable_id,
            note_type="Flashtutor",
            kind=CardKind(card.kind),
            question=card_html(card.question, card.text_format),
            answer=card_html(card.answer, card.text_format),
            tags=card.tags,
            typed_answer=card.typed_answer,
            question_media=_refs(card.question_media),
            answer_media=_refs(card.answer_media),
        )
        for card in export.cards
    )
    return DeckDraft(
        title=export.title,
        cards=cards,
        source_format="flashtutor",
        description=export.description,
        media=MappingProxyType(dict(export.media)),
    )


def _file_stem(title: str) -> str:
    """A file name from the title: letters, digits, '-' and '_' (Unicode letters kept)."""
    stem = re.sub(r"[^\w-]+", "-", title, flags=re.UNICODE).strip("-_")
    return stem[:60] or "deck"


def export_files(export: DeckExport, *, now: datetime) -> list[ExportFile]:
    """.apkg (a stable Anki deck and note GUIDs per stored deck and card), CSV, Quizlet text."""
    draft = export_draft(export)
    stem = _file_stem(export.title)
    return [
        ExportFile(
            f"{stem}.apkg",
            export_apkg(draft, deck_identity=f"flashtutor-deck-{export.deck_id}", now=now),
            "apkg",
        ),
        ExportFile(f"{stem}.csv", export_csv(draft), "csv"),
        ExportFile(f"{stem}-quizlet.txt", export_quizlet(draft), "quizlet"),
    ]
