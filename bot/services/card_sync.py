"""The one rule for bringing a deck's stored cards in line with a source (file or import).

Cards are matched by `key`: a known key is updated in place (its id, and so everyone's review
history, stays), a new key is added, and a stored card whose key is gone is retired, never
deleted. Bundled decks and re-imported decks both go through `sync_cards`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Card

__all__ = ["CardContent", "SyncCounts", "sync_cards"]


@dataclass(frozen=True, slots=True)
class CardContent:
    """Everything a source says about one card (the stored row adds id, deck and `retired`)."""

    key: str
    position: int
    question: str
    answer: str
    kind: str = "basic"
    text_format: str = "markup"
    typed_answer: str | None = None
    tags: str = ""
    question_media: tuple[dict, ...] = ()
    answer_media: tuple[dict, ...] = ()
    note_key: str | None = None
    external_key: str | None = None

    def values(self) -> dict:
        """The stored columns this content sets."""
        return {
            "position": self.position,
            "question": self.question,
            "answer": self.answer,
            "kind": self.kind,
            "text_format": self.text_format,
            "typed_answer": self.typed_answer,
            "tags": self.tags,
            "question_media": list(self.question_media),
            "answer_media": list(self.answer_media),
            "note_key": self.note_key,
            "external_key": self.external_key,
        }


@dataclass
class SyncCounts:
    """What a sync did; `cards` maps each source key to its stored card.

    `updated` counts cards whose content changed or that came back; a card that only moved
    is saved without counting.
    """

    added: int = 0
    updated: int = 0
    retired: int = 0
    cards: dict[str, Card] = field(default_factory=dict)


def _retire_all(_card: Card) -> bool:
    return True


async def sync_cards(
    session: AsyncSession,
    *,
    deck_id: int,
    cards: Sequence[CardContent],
    retire_missing: Callable[[Card], bool] = _retire_all,
) -> SyncCounts:
    """Upsert `cards` into the deck by key; stored cards missing from `cards` are retired
    when `retire_missing(card)` says so (an imported deck keeps the cards typed into it).
    """
    existing = {
        c.key: c
        for c in (await session.execute(select(Card).where(Card.deck_id == deck_id))).scalars()
    }
    counts = SyncCounts()
    fresh: list[dict] = []
    for content in cards:
        values = content.values()
        card = existing.pop(content.key, None)
        if card is None:
            fresh.append({"deck_id": deck_id, "key": content.key, "retired": False, **values})
            counts.added += 1
            continue
        changed = [name for name, value in values.items() if getattr(card, name) != value]
        if card.retired or changed:
            for name in changed:
                setattr(card, name, values[name])
            # A card that only moved (others added or removed before it) is not news.
            if card.retired or changed != ["position"]:
                counts.updated += 1
            card.retired = False
        counts.cards[content.key] = card
    for card in existing.values():
        if not card.retired and retire_missing(card):
            card.retired = True
            counts.retired += 1
    await session.flush()
    if fresh:
        # One multi-row INSERT per batch, then one SELECT for the ids: far faster than the
        # ORM's insert-with-RETURNING per object for a 10,000-card import.
        await session.execute(insert(Card), fresh)
        added = {row["key"] for row in fresh}
        rows = await session.execute(select(Card).where(Card.deck_id == deck_id))
        counts.cards |= {card.key: card for card in rows.scalars() if card.key in added}
    return counts
