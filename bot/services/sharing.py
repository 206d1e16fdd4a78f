"""Sharing a learner's deck by deep link, opening a link, and who may study which deck.

A share code is `s_` + `secrets.token_urlsafe(16)` (128 random bits, 24 characters of
`[A-Za-z0-9_-]`, so it fits a `t.me/<bot>?start=<code>` payload). The `_` never appears in a
bundled slug, so `/start` can tell a code from a slug; codes are case-sensitive.

Learners of a shared deck study the owner's cards themselves (the owner's edits reach them);
their memory states and grades are their own rows. Stopping sharing (or a new link) only
closes the door to newcomers: whoever already studies the deck keeps it, because their
schedule and history are theirs and would otherwise be stranded mid-way. Deleting the deck
is how an owner takes it away from everyone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.groups import set_group_deck
from bot.services.owned_decks import DeckNotFound, owned_deck
from bot.services.users import enrol
from bot.storage.models import Card, Deck, Enrolment, Group

__all__ = [
    "SHARE_CODE_PREFIX",
    "DeckSummary",
    "enrol_shared",
    "is_share_code",
    "open_shared",
    "set_group_deck_for_admin",
    "share_link_code",
    "stop_sharing",
    "studyable_deck",
]

SHARE_CODE_PREFIX = "s_"


def is_share_code(text: str) -> bool:
    """Whether a /start payload is a share code rather than a bundled deck's slug."""
    return text.startswith(SHARE_CODE_PREFIX)


@dataclass(frozen=True)
class DeckSummary:
    """What a share link shows before anyone joins."""

    deck_id: int
    title: str
    description: str
    card_count: int
    owner_id: int


async def share_link_code(
    session: AsyncSession, *, owner_id: int, deck_id: int, now: datetime, regenerate: bool = False
) -> str:
    """The deck's share code, made on first use; `regenerate` replaces it (the old one dies)."""
    deck = await owned_deck(session, owner_id=owner_id, deck_id=deck_id)
    if deck.share_code is None or regenerate:
        deck.share_code = SHARE_CODE_PREFIX + secrets.token_urlsafe(16)
        deck.updated_at = now
        await session.flush()
    return deck.share_code


async def stop_sharing(
    session: AsyncSession, *, owner_id: int, deck_id: int, now: datetime
) -> bool:
    """The link stops working (learners already in keep studying); False if it was not shared."""
    deck = await owned_deck(session, owner_id=owner_id, deck_id=deck_id)
    if deck.share_code is None:
        return False
    deck.share_code, deck.updated_at = None, now
    await session.flush()
    return True


async def _shared_deck(session: AsyncSession, code: str) -> Deck | None:
    if not is_share_code(code):
        return None
    return (
        await session.execute(select(Deck).where(Deck.share_code == code, Deck.retired.is_(False)))
    ).scalar_one_or_none()


async def _summary(session: AsyncSession, deck: Deck) -> DeckSummary:
    count = (
        await session.execute(
            select(func.count(Card.id)).where(Card.deck_id == deck.id, Card.retired.is_(False))
        )
    ).scalar_one()
    return DeckSummary(deck.id, deck.title, deck.description, count, deck.owner_id)


async def open_shared(session: AsyncSession, *, code: str) -> DeckSummary | None:
    """The deck a share link opens, or None for an unknown, replaced or stopped link."""
    deck = await _shared_deck(session, code)
    return None if deck is None else await _summary(session, deck)


async def enrol_shared(
    session: AsyncSession, *, user_id: int, code: str, now: datetime
) -> DeckSummary | None:
    """ "Study this deck" from a share link; None if the link no longer works."""
    deck = await _shared_deck(session, code)
    if deck is None:
        return None
    await enrol(session, user_id=user_id, deck_id=deck.id, now=now)
    await session.flush()
    return await _summary(session, deck)


async def studyable_deck(session: AsyncSession, *, user_id: int, deck_id: int) -> Deck | None:
    """A live deck this person may study or export: bundled, their own, or one they joined.

    Having joined once (an enrolment row, active or left) is enough, so a learner who left
    a shared deck can come back after its link changed.
    """
    deck = await session.get(Deck, deck_id)
    if deck is None or deck.retired:
        return None
    if deck.owner_id is None or deck.owner_id == user_id:
        return deck
    joined = await session.get(Enrolment, (user_id, deck_id))
    return deck if joined is not None else None


async def set_group_deck_for_admin(
    session: AsyncSession,
    *,
    group: Group,
    admin_id: int,
    now: datetime,
    deck_id: int | None = None,
    share_code: str | None = None,
) -> Deck:
    """Set a group's deck to one the admin owns (`deck_id`) or can open by link (`share_code`).

    Raises DeckNotFound (unknown, deleted, or a dead link) or NotDeckOwner.
    """
    if (deck_id is None) == (share_code is None):
        raise ValueError("give exactly one of deck_id and share_code")
    if deck_id is not None:
        deck = await owned_deck(session, owner_id=admin_id, deck_id=deck_id)
    else:
        deck = await _shared_deck(session, share_code)
        if deck is None:
            raise DeckNotFound(share_code)
    set_group_deck(group, deck=deck, now=now)
    await session.flush()
    return deck
