"""What /export needs from the database: a deck's live cards, tags and media bytes.

The file formats (.apkg, CSV, Quizlet text) are written by the pure exporters in core from
the `DeckExport` returned here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.decks import deck_cards
from bot.services.media import load_media_many
from bot.services.sharing import studyable_deck

__all__ = ["DeckExport", "ExportCard", "ExportMedia", "export_deck"]


@dataclass(frozen=True, slots=True)
class ExportMedia:
    """One media file shown with a card side; `name` is its file name inside the export."""

    name: str
    kind: str  # image | sound
    sha256: str


@dataclass(frozen=True, slots=True)
class ExportCard:
    """One live card. `stable_id` never changes for the card (deck id + card key), so a GUID
    made from it lets Anki update instead of duplicating on a second export.
    `text_format` is "markup" or "html" (render with bot.core.card_text).
    """

    stable_id: str
    note_key: str | None  # the source note (an Anki GUID) when imported
    kind: str
    question: str
    answer: str
    text_format: str
    typed_answer: str | None
    tags: tuple[str, ...]
    question_media: tuple[ExportMedia, ...]
    answer_media: tuple[ExportMedia, ...]


@dataclass(frozen=True, slots=True)
class DeckExport:
    deck_id: int
    title: str
    description: str
    cards: tuple[ExportCard, ...]
    media: dict[str, bytes]  # file name → bytes, for every name the cards use


def _refs(refs: list[dict]) -> tuple[ExportMedia, ...]:
    return tuple(ExportMedia(r["name"], r["kind"], r["sha256"]) for r in refs)


async def export_deck(session: AsyncSession, *, user_id: int, deck_id: int) -> DeckExport | None:
    """The deck as the exporters want it; None if this person may not study it."""
    deck = await studyable_deck(session, user_id=user_id, deck_id=deck_id)
    if deck is None:
        return None
    cards = await deck_cards(session, deck_id=deck.id)
    exported = tuple(
        ExportCard(
            stable_id=f"{deck.id}:{card.key}",
            note_key=card.note_key,
            kind=card.kind,
            question=card.question,
            answer=card.answer,
            text_format=card.text_format,
            typed_answer=card.typed_answer,
            tags=tuple(card.tags.split()),
            question_media=_refs(card.question_media),
            answer_media=_refs(card.answer_media),
        )
        for card in cards
    )
    refs = {m.name: m.sha256 for c in exported for m in (*c.question_media, *c.answer_media)}
    stored = await load_media_many(session, hashes=refs.values())
    media = {name: stored[digest].data for name, digest in refs.items() if digest in stored}
    return DeckExport(deck.id, deck.title, deck.description, exported, media)
