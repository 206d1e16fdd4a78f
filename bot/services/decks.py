"""Deck catalogue: loading bundled deck files into the database, and looking decks up."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.deck_format import (
    DeckFormatError,
    DeckSpec,
    deck_file_slugs,
    deck_folder_modified,
    is_deck_file_slug,
    load_deck_dir,
)
from bot.services.card_sync import CardContent, sync_cards
from bot.storage.db import Database
from bot.storage.models import Card, Deck, DeckFolder, Enrolment

__all__ = [
    "DeckSync",
    "deck_by_id",
    "deck_by_slug",
    "deck_cards",
    "list_decks",
    "load_bundled_decks",
    "retire_missing_decks",
    "sync_deck",
]

log = logging.getLogger(__name__)


@dataclass
class DeckSync:
    """What one start-up load did, for the log and for tests."""

    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    retired: dict[str, int] = field(default_factory=dict)
    errors: list[DeckFormatError] = field(default_factory=list)
    # Decks whose file left the folder: slug -> learners studying it (told on their /decks).
    retired_decks: dict[str, int] = field(default_factory=dict)
    # Set when the folder was not loaded: when the newer folder already loaded last changed.
    newer_loaded: datetime | None = None


# The bundled catalogue's row in deck_folders.
_BUNDLED = "bundled"


async def sync_deck(
    session: AsyncSession, *, spec: DeckSpec, now: datetime
) -> tuple[int, int, int]:
    """Upsert one deck by slug and its cards by key; cards gone from the file are retired.

    Returns (added, updated, retired) card counts. Review history hangs off card ids,
    which never change for a key, so editing text keeps everyone's progress.
    """
    deck = (
        await session.execute(select(Deck).where(Deck.slug == spec.slug, Deck.owner_id.is_(None)))
    ).scalar_one_or_none()
    if deck is None:
        deck = Deck(slug=spec.slug, title=spec.title, description=spec.description, updated_at=now)
        session.add(deck)
        await session.flush()
    else:
        deck.title, deck.description, deck.retired = spec.title, spec.description, False
        deck.updated_at = now
    counts = await sync_cards(
        session,
        deck_id=deck.id,
        cards=[
            CardContent(key=c.key, position=c.position, question=c.question, answer=c.answer)
            for c in spec.cards
        ],
    )
    return counts.added, counts.updated, counts.retired


async def load_bundled_decks(db: Database, decks_dir: Path, *, now: datetime) -> DeckSync:
    """Load every deck file; each deck in its own transaction so a bad one harms no other.

    A folder older than the one loaded last (a process of the previous deploy restarting
    beside newer ones) is not loaded at all: it would retire the cards the newer one added.
    """
    modified = deck_folder_modified(decks_dir)
    if modified is not None:
        async with db.session() as session:
            newer = await _record_folder(session, modified=modified, now=now)
        if newer is not None:
            log.warning(
                "%s was last changed at %s, before the deck folder already loaded (changed at "
                "%s): not loaded, so no newer card is retired; this process serves the decks "
                "in the database",
                decks_dir,
                f"{modified:%Y-%m-%d %H:%M:%S}",
                f"{newer:%Y-%m-%d %H:%M:%S}",
            )
            return DeckSync(newer_loaded=newer)
    specs, errors = load_deck_dir(decks_dir)
    report = DeckSync(errors=list(errors))
    for error in errors:
        log.error("deck not loaded: %s", error)
    for spec in specs:
        async with db.session() as session:
            added, updated, retired = await sync_deck(session, spec=spec, now=now)
        report.added[spec.slug], report.updated[spec.slug] = added, updated
        report.retired[spec.slug] = retired
        log.info("deck %s: %d added, %d updated, %d retired", spec.slug, added, updated, retired)
    claimed = deck_file_slugs(decks_dir)
    if not claimed:
        # An empty or wrongly mounted folder must not retire the whole catalogue.
        log.error("no deck files in %s: keeping the decks already loaded", decks_dir)
        return report
    async with db.session() as session:
        report.retired_decks = await retire_missing_decks(session, claimed=claimed, now=now)
    for slug, learners in report.retired_decks.items():
        log.warning(
            "deck %s: its file is gone from %s; retired (history kept; %d learners are told "
            "on their next /decks)",
            slug,
            decks_dir,
            learners,
        )
    return report


async def _record_folder(
    session: AsyncSession, *, modified: datetime, now: datetime
) -> datetime | None:
    """Note a folder about to be loaded; returns the newer one's time instead if it is older."""
    record = await session.get(DeckFolder, _BUNDLED, with_for_update=True)
    if record is None:
        session.add(DeckFolder(name=_BUNDLED, modified_at=modified, loaded_at=now))
    elif modified < record.modified_at:
        return record.modified_at
    else:
        record.modified_at, record.loaded_at = modified, now
    return None


async def retire_missing_decks(
    session: AsyncSession, *, claimed: set[str], now: datetime
) -> dict[str, int]:
    """Retire the live file decks no deck file claims any more; returns slug -> learners.

    Cards, enrolments and history stay: the deck is no longer listed or studied, its
    learners are told on their next /decks, and a file bringing it back revives it.
    """
    live = (
        await session.execute(select(Deck).where(Deck.retired.is_(False), Deck.owner_id.is_(None)))
    ).scalars()
    gone = [d for d in live if is_deck_file_slug(d.slug) and d.slug not in claimed]
    retired: dict[str, int] = {}
    for deck in gone:
        deck.retired, deck.updated_at = True, now
        retired[deck.slug] = (
            await session.execute(
                select(func.count()).where(Enrolment.deck_id == deck.id, Enrolment.active.is_(True))
            )
        ).scalar_one()
    return retired


async def list_decks(session: AsyncSession) -> list[tuple[Deck, int]]:
    """The catalogue: live bundled decks with their live card counts, by title.

    Learners' own decks are private: they are reached by id or a share code, never listed.
    """
    rows = await session.execute(
        select(Deck, func.count(Card.id))
        .join(Card, (Card.deck_id == Deck.id) & (Card.retired.is_(False)))
        .where(Deck.retired.is_(False), Deck.owner_id.is_(None))
        .group_by(Deck.id)
        .order_by(Deck.title)
    )
    return [(deck, count) for deck, count in rows.all()]


async def deck_by_id(session: AsyncSession, *, deck_id: int | None) -> Deck | None:
    """A deck by id, retired or not (None for no id or no such deck)."""
    return await session.get(Deck, deck_id) if deck_id is not None else None


async def deck_by_slug(session: AsyncSession, *, slug: str) -> Deck | None:
    """A live bundled deck by slug (a learner's own deck is never found by slug)."""
    return (
        await session.execute(
            select(Deck).where(Deck.slug == slug, Deck.retired.is_(False), Deck.owner_id.is_(None))
        )
    ).scalar_one_or_none()


async def deck_cards(session: AsyncSession, *, deck_id: int) -> list[Card]:
    """The deck's live cards in file order."""
    rows = await session.execute(
        select(Card).where(Card.deck_id == deck_id, Card.retired.is_(False)).order_by(Card.position)
    )
    return list(rows.scalars())
