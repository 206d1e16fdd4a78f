"""Saving an imported deck (a `DeckDraft` from bot.core.imports) for its importer.

The whole deck is written in the caller's one transaction (`Database.session()`): any error
rolls everything back, so a failed import leaves no half-deck and touches no other deck.
Importing the same source again into the deck it made updates it through the same keyed sync
as bundled decks (bot.services.card_sync): changed cards in place, new ones added, those gone
from the source retired, history kept; cards typed into the deck by hand are left alone.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from fsrs import Scheduler
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.card_text import TextFormat
from bot.core.imported_memory import imported_memory
from bot.core.imports.draft import CardDraft, DeckDraft, MediaRef
from bot.core.srs import make_scheduler
from bot.services.card_sync import CardContent, sync_cards
from bot.services.media import store_media_many
from bot.services.owned_decks import (
    DeckSource,
    fitted_description,
    fitted_title,
    new_owned_deck,
    owned_deck,
)
from bot.services.users import enrol
from bot.storage.models import Card, CardState, Deck, ImportedReview

__all__ = [
    "ImportResult",
    "card_key",
    "deck_source",
    "reimport_candidate",
    "save_import",
]

# DeckDraft.source_format → Deck.source; anything else is a text table (CSV, TSV, Anki text).
_SOURCES = {
    "apkg": DeckSource.ANKI,
    "colpkg": DeckSource.ANKI,
    "anki": DeckSource.ANKI,
    "quizlet": DeckSource.QUIZLET,
    "deck_markdown": DeckSource.MARKDOWN,
    "markdown": DeckSource.MARKDOWN,
}


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the deck and its card counts, for the answer to the learner."""

    deck: Deck
    added: int
    updated: int
    retired: int
    cards: int  # live cards in the deck now
    media_added: int  # files not stored before (others were already known by content)
    with_memory: int  # cards that continue from imported history instead of starting new
    reviews_added: int  # past answers kept in imported_reviews


def deck_source(source_format: str) -> DeckSource:
    return _SOURCES.get(source_format.lower(), DeckSource.CSV)


def card_key(source_key: str) -> str:
    """The stored card key for a source key (namespaced `x:`; long keys hashed to fit 64)."""
    if len(source_key) <= 62:
        return f"x:{source_key}"
    return "h:" + hashlib.sha256(source_key.encode()).hexdigest()[:40]


def _tags(tags: Iterable[str]) -> str:
    # Anki's rule: a tag is one word; spaces inside one become underscores.
    words = ("_".join(tag.split()) for tag in tags)
    return " ".join(dict.fromkeys(word for word in words if word))


def _media(refs: tuple[MediaRef, ...], hashes: dict[str, str]) -> tuple[dict, ...]:
    return tuple(
        {"sha256": hashes[ref.name], "kind": str(ref.kind), "name": ref.name}
        for ref in refs
        if ref.name in hashes
    )


def _content(card: CardDraft, position: int, hashes: dict[str, str]) -> CardContent:
    key = card_key(card.key)
    return CardContent(
        key=key,
        position=position,
        question=card.question,
        answer=card.answer,
        kind=str(card.kind),
        text_format=TextFormat.HTML,
        typed_answer=card.typed_answer,
        tags=_tags(card.tags),
        question_media=_media(card.question_media, hashes),
        answer_media=_media(card.answer_media, hashes),
        note_key=card.note_key[:255] or None,
        external_key=card.key if len(card.key) <= 255 else key,
    )


async def reimport_candidate(
    session: AsyncSession, *, owner_id: int, draft: DeckDraft
) -> Deck | None:
    """The owner's live deck this draft would update: the one sharing most of its card keys.

    None when no deck of theirs holds any of them; the preview offers "update" for a match.
    """
    keys = [card_key(card.key) for card in draft.cards]
    shared: Counter[int] = Counter()
    for start in range(0, len(keys), 500):  # stay under every backend's bind-parameter cap
        rows = await session.execute(
            select(Card.deck_id, func.count(Card.id))
            .join(Deck, Deck.id == Card.deck_id)
            .where(
                Deck.owner_id == owner_id,
                Deck.retired.is_(False),
                Card.external_key.is_not(None),
                Card.key.in_(keys[start : start + 500]),
            )
            .group_by(Card.deck_id)
        )
        shared.update(dict(rows.all()))
    if not shared:
        return None
    deck_id, _count = max(shared.items(), key=lambda item: (item[1], item[0]))
    return await session.get(Deck, deck_id)


async def save_import(
    session: AsyncSession,
    *,
    owner_id: int,
    draft: DeckDraft,
    now: datetime,
    replace_deck_id: int | None = None,
    scheduler: Scheduler | None = None,
) -> ImportResult:
    """Save the draft as a new deck of `owner_id`, or update their deck `replace_deck_id`.

    The owner is enrolled. Imported history (Anki revlog, FSRS memory) becomes theirs: the
    answers go to imported_reviews and a card with usable history gets a memory state
    (rules in bot.core.imported_memory) unless they already study it here. A re-import keeps
    the deck's title (the owner may have renamed it) and takes the new description.
    `scheduler` replays history; by default FSRS-6 defaults without fuzz.
    Raises DeckNotFound / NotDeckOwner for a `replace_deck_id` that is not theirs, and
    ValueError for a draft without cards (a re-import would otherwise retire them all).
    """
    if not draft.cards:
        raise ValueError("an import needs at least one card")
    if replace_deck_id is None:
        deck = await new_owned_deck(
            session,
            owner_id=owner_id,
            title=fitted_title(draft.title),
            description=draft.description,
            source=deck_source(draft.source_format),
            now=now,
        )
    else:
        deck = await owned_deck(session, owner_id=owner_id, deck_id=replace_deck_id)
        deck.description, deck.updated_at = fitted_description(draft.description), now
        await enrol(session, user_id=owner_id, deck_id=deck.id, now=now)
    cards: dict[str, CardDraft] = {}
    for card in draft.cards:  # a key seen twice is one card: the first wins
        cards.setdefault(card_key(card.key), card)
    used = {
        ref.name
        for card in cards.values()
        for ref in (*card.question_media, *card.answer_media)
        if ref.name in draft.media
    }
    hashes, media_added = await store_media_many(
        session, files={name: draft.media[name] for name in sorted(used)}, now=now
    )
    counts = await sync_cards(
        session,
        deck_id=deck.id,
        cards=[_content(card, i, hashes) for i, card in enumerate(cards.values())],
        retire_missing=lambda card: card.external_key is not None,
    )
    with_memory, reviews_added = await _import_history(
        session,
        owner_id=owner_id,
        deck_id=deck.id,
        cards={counts.cards[key].id: card for key, card in cards.items()},
        scheduler=scheduler or make_scheduler(fuzzing=False),
        now=now,
    )
    live = (
        await session.execute(
            select(func.count(Card.id)).where(Card.deck_id == deck.id, Card.retired.is_(False))
        )
    ).scalar_one()
    return ImportResult(
        deck=deck,
        added=counts.added,
        updated=counts.updated,
        retired=counts.retired,
        cards=live,
        media_added=media_added,
        with_memory=with_memory,
        reviews_added=reviews_added,
    )


def _suspended_new(owner_id: int, card_id: int, deck_id: int, now: datetime) -> dict:
    """The state of a card Anki had suspended before it was ever studied: what FSRS makes of
    a new card (Learning, step 0, no stability, so mastery calls it not studied), suspended."""
    return {
        "user_id": owner_id,
        "card_id": card_id,
        "deck_id": deck_id,
        "state": 1,
        "step": 0,
        "stability": None,
        "difficulty": None,
        "due": now,
        "last_review": None,
        "reps": 0,
        "lapses": 0,
        "suspended": True,
    }


async def _import_history(
    session: AsyncSession,
    *,
    owner_id: int,
    deck_id: int,
    cards: dict[int, CardDraft],
    scheduler: Scheduler,
    now: datetime,
) -> tuple[int, int]:
    """Past answers and memory states for the importer; returns (states made, answers added)."""
    with_history = {cid: c for cid, c in cards.items() if c.reviews or c.progress is not None}
    if not with_history:
        return 0, 0
    studied = set(
        (
            await session.execute(
                select(CardState.card_id).where(
                    CardState.user_id == owner_id, CardState.deck_id == deck_id
                )
            )
        ).scalars()
    )
    seen = set(
        (
            await session.execute(
                select(ImportedReview.card_id, ImportedReview.reviewed_at).where(
                    ImportedReview.user_id == owner_id, ImportedReview.deck_id == deck_id
                )
            )
        ).all()
    )
    answers: list[dict] = []
    states: list[dict] = []
    for card_id, card in with_history.items():
        for answer in card.reviews:
            if (card_id, answer.reviewed_at) in seen:
                continue
            seen.add((card_id, answer.reviewed_at))
            answers.append(
                {
                    "user_id": owner_id,
                    "card_id": card_id,
                    "deck_id": deck_id,
                    "reviewed_at": answer.reviewed_at,
                    "rating": answer.rating,
                    "kind": str(answer.kind),
                    "interval_days": answer.interval_days,
                    "duration_ms": answer.duration_ms,
                }
            )
        if card_id in studied:
            continue  # studied here already: our own state is newer than the file's
        imported = imported_memory(card, scheduler)
        suspended = card.progress is not None and card.progress.suspended
        if imported is None:
            if suspended:  # suspended while new: a fresh learning state holds the suspension
                states.append(_suspended_new(owner_id, card_id, deck_id, now))
            continue
        memory = imported.memory
        states.append(
            {
                "user_id": owner_id,
                "card_id": card_id,
                "deck_id": deck_id,
                "state": memory.state,
                "step": memory.step,
                "stability": memory.stability,
                "difficulty": memory.difficulty,
                "due": memory.due,
                "last_review": memory.last_review,
                "reps": imported.reps,
                "lapses": imported.lapses,
                "suspended": suspended,  # suspended in Anki (a leech, or by hand): kept so
            }
        )
    # Multi-row inserts: a big Anki deck brings tens of thousands of answers.
    for model, rows in ((ImportedReview, answers), (CardState, states)):
        if rows:
            await session.execute(insert(model), rows)
    return len(states), len(answers)
