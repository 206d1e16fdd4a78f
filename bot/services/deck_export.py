"""What /export needs from the database: a deck's live cards as a `DeckDraft` for the exporters.

The file formats (.apkg, CSV, Quizlet text) are written by the pure exporters in
bot.core.exports, which take a draft in Telegram HTML and a stable `deck_identity`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.card_text import card_html
from bot.core.imports.draft import CardDraft, CardKind, DeckDraft, MediaKind, MediaRef
from bot.services.decks import deck_cards
from bot.services.media import load_media_many
from bot.services.sharing import studyable_deck
from bot.storage.models import Card

__all__ = ["DeckExport", "export_deck"]

_KINDS = {kind.value: kind for kind in CardKind}
_NOTE_TYPES = {
    CardKind.BASIC: "Basic",
    CardKind.REVERSED: "Basic (and reversed card)",
    CardKind.CLOZE: "Cloze",
    CardKind.TYPED: "Basic (type in the answer)",
}


@dataclass(frozen=True)
class DeckExport:
    """A deck ready for the exporters.

    `deck_identity` names the deck for good (its slug: a bundled deck's file slug, or `~<id>`),
    and each card's `key` is its stored key, so note GUIDs made from the two stay the same
    from one export to the next.
    """

    deck_identity: str
    draft: DeckDraft


def _refs(refs: list[dict]) -> tuple[MediaRef, ...]:
    return tuple(MediaRef(r["name"], MediaKind(r["kind"])) for r in refs)


def _card(card: Card) -> CardDraft:
    kind = _KINDS.get(card.kind, CardKind.BASIC)
    return CardDraft(
        key=card.key,
        note_key=card.note_key or card.key,
        note_type=_NOTE_TYPES[kind],
        kind=kind,
        question=card_html(card.question, card.text_format),
        answer=card_html(card.answer, card.text_format),
        tags=tuple(card.tags.split()),
        typed_answer=card.typed_answer,
        question_media=_refs(card.question_media),
        answer_media=_refs(card.answer_media),
    )


async def export_deck(session: AsyncSession, *, user_id: int, deck_id: int) -> DeckExport | None:
    """The deck's live cards (Telegram HTML) with their media; None if this person may not
    study it (bundled, their own, or joined by link)."""
    deck = await studyable_deck(session, user_id=user_id, deck_id=deck_id)
    if deck is None:
        return None
    cards = await deck_cards(session, deck.id)
    refs = {r["name"]: r["sha256"] for c in cards for r in (*c.question_media, *c.answer_media)}
    stored = await load_media_many(session, refs.values())
    media = {name: stored[digest].data for name, digest in refs.items() if digest in stored}
    draft = DeckDraft(
        title=deck.title,
        cards=tuple(_card(card) for card in cards),
        source_format="flashtutor",
        description=deck.description,
        media=MappingProxyType(media),
    )
    return DeckExport(deck.slug, draft)
