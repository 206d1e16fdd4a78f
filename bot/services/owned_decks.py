"""Learners' own decks: creating, writing and editing cards, renaming and deleting.

Every change checks ownership first and raises a `DeckAccessError` subclass when the deck or
card is gone (`DeckNotFound`, `CardNotFound`) or belongs to someone else (`NotDeckOwner`);
bad text raises `CardTextError`. Nothing is ever deleted: a deleted card or deck is retired,
so review history stays (and grades already given keep their card).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.card_text import TextFormat, card_html
from bot.core.deck_format import (
    ANSWER_MAX_CHARS,
    DESCRIPTION_MAX_CHARS,
    QUESTION_MAX_CHARS,
    TITLE_MAX_CHARS,
)
from bot.services.groups import reschedule_group
from bot.services.users import enrol
from bot.storage.models import Card, Deck, Enrolment, Group

__all__ = [
    "CardNotFound",
    "CardTextError",
    "DeckAccessError",
    "DeckNotFound",
    "DeckSource",
    "NotDeckOwner",
    "add_cards",
    "create_deck",
    "delete_card",
    "delete_deck",
    "edit_card",
    "fitted_description",
    "fitted_title",
    "new_owned_deck",
    "owned_card",
    "owned_deck",
    "owned_decks",
    "rename_deck",
]


class DeckSource(StrEnum):
    """Where a deck's cards came from (`Deck.source`)."""

    BUNDLED = "bundled"
    ANKI = "anki"
    QUIZLET = "quizlet"
    CSV = "csv"
    MARKDOWN = "markdown"
    TYPED = "typed"


class DeckAccessError(Exception):
    """A deck or card that this person may not change."""


class DeckNotFound(DeckAccessError):
    """No such live deck (never existed, deleted, or a bundled deck)."""


class NotDeckOwner(DeckAccessError):
    """The deck exists but belongs to someone else."""


class CardNotFound(DeckAccessError):
    """No such live card in a live deck."""


class CardTextError(ValueError):
    """Text that cannot make a card or deck: empty or too long; str() says which."""


def fitted_title(text: str, fallback: str = "Imported deck") -> str:
    """A title from a file (an Anki deck path can be long): shortened to fit, never refused."""
    title = " ".join(text.split()) or fallback
    if len(title) > TITLE_MAX_CHARS:
        title = title[: TITLE_MAX_CHARS - 1].rstrip() + "…"
    return title


def fitted_description(text: str) -> str:
    description = text.strip()
    if len(description) > DESCRIPTION_MAX_CHARS:
        description = description[: DESCRIPTION_MAX_CHARS - 1].rstrip() + "…"
    return description


def _title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise CardTextError("The deck needs a title.")
    if len(title) > TITLE_MAX_CHARS:
        raise CardTextError(f"A deck title is at most {TITLE_MAX_CHARS} characters.")
    return title


def _side(text: str, limit: int, name: str) -> str:
    text = text.strip()
    if not text:
        raise CardTextError(f"The {name} is empty.")
    if len(text) > limit:
        raise CardTextError(f"The {name} is {len(text)} characters; the limit is {limit}.")
    return text


async def owned_deck(session: AsyncSession, *, owner_id: int, deck_id: int) -> Deck:
    """The owner's live deck, or DeckNotFound / NotDeckOwner."""
    deck = await session.get(Deck, deck_id)
    if deck is None or deck.retired:
        raise DeckNotFound(deck_id)
    if deck.owner_id != owner_id:
        raise NotDeckOwner(deck_id)
    return deck


async def owned_card(session: AsyncSession, *, owner_id: int, card_id: int) -> Card:
    """The owner's live card (for ✏️ Edit), or CardNotFound / NotDeckOwner."""
    card = await session.get(Card, card_id)
    if card is None or card.retired:
        raise CardNotFound(card_id)
    try:
        await owned_deck(session, owner_id=owner_id, deck_id=card.deck_id)
    except DeckNotFound as exc:
        raise CardNotFound(card_id) from exc
    return card


async def owned_decks(session: AsyncSession, *, owner_id: int) -> list[tuple[Deck, int]]:
    """The owner's live decks with their live card counts (empty decks too), by title."""
    rows = await session.execute(
        select(Deck, func.count(Card.id))
        .outerjoin(Card, (Card.deck_id == Deck.id) & Card.retired.is_(False))
        .where(Deck.owner_id == owner_id, Deck.retired.is_(False))
        .group_by(Deck.id)
        .order_by(Deck.title, Deck.id)
    )
    return [(deck, count) for deck, count in rows.all()]


async def new_owned_deck(
    session: AsyncSession,
    *,
    owner_id: int,
    title: str,
    description: str,
    source: DeckSource,
    now: datetime,
) -> Deck:
    """Insert a deck of `owner_id` (slug `~<id>`) and enrol the owner in it."""
    deck = Deck(
        slug=f"~new-{secrets.token_hex(8)}",  # the id is not known before the insert
        title=_title(title),
        description=fitted_description(description),
        owner_id=owner_id,
        source=source,
        updated_at=now,
    )
    session.add(deck)
    await session.flush()
    deck.slug = f"~{deck.id}"
    await enrol(session, user_id=owner_id, deck_id=deck.id, now=now)
    await session.flush()
    return deck


async def create_deck(
    session: AsyncSession, *, owner_id: int, title: str, now: datetime, description: str = ""
) -> Deck:
    """/newdeck: an empty deck of the owner's, which they study from now on."""
    return await new_owned_deck(
        session,
        owner_id=owner_id,
        title=title,
        description=description,
        source=DeckSource.TYPED,
        now=now,
    )


async def add_cards(
    session: AsyncSession,
    *,
    owner_id: int,
    deck_id: int,
    cards: Sequence[tuple[str, str]],
    now: datetime,
) -> list[Card]:
    """/add: (question, answer) pairs in deck markup, appended in order; all or nothing."""
    deck = await owned_deck(session, owner_id=owner_id, deck_id=deck_id)
    sides = [
        (_side(q, QUESTION_MAX_CHARS, "question"), _side(a, ANSWER_MAX_CHARS, "answer"))
        for q, a in cards
    ]
    last = (
        await session.execute(select(func.max(Card.position)).where(Card.deck_id == deck.id))
    ).scalar_one()
    start = 0 if last is None else last + 1
    added = [
        Card(
            deck_id=deck.id,
            key=f"t:{secrets.token_hex(8)}",
            position=start + i,
            question=question,
            answer=answer,
            text_format=TextFormat.MARKUP,
        )
        for i, (question, answer) in enumerate(sides)
    ]
    session.add_all(added)
    deck.updated_at = now
    await session.flush()
    return added


async def edit_card(
    session: AsyncSession,
    *,
    owner_id: int,
    card_id: int,
    now: datetime,
    question: str | None = None,
    answer: str | None = None,
) -> Card:
    """✏️ Edit: new text (deck markup) for either side; learners see it at once.

    An imported card stores Telegram HTML, so the new text is rendered to HTML for it and
    both sides stay in one format. A later re-import of the source overwrites the edit.
    """
    card = await owned_card(session, owner_id=owner_id, card_id=card_id)
    sides = {}
    if question is not None:
        sides["question"] = _side(question, QUESTION_MAX_CHARS, "question")
    if answer is not None:
        sides["answer"] = _side(answer, ANSWER_MAX_CHARS, "answer")
    for name, text in sides.items():
        if card.text_format == TextFormat.HTML:
            text = card_html(text, TextFormat.MARKUP)
        setattr(card, name, text)
    if sides:
        deck = await session.get(Deck, card.deck_id)
        deck.updated_at = now
    await session.flush()
    return card


async def delete_card(session: AsyncSession, *, owner_id: int, card_id: int, now: datetime) -> Card:
    """Retire a card: it leaves every learner's queue; its history stays."""
    card = await owned_card(session, owner_id=owner_id, card_id=card_id)
    card.retired = True
    deck = await session.get(Deck, card.deck_id)
    deck.updated_at = now
    await session.flush()
    return card


async def rename_deck(
    session: AsyncSession, *, owner_id: int, deck_id: int, title: str, now: datetime
) -> Deck:
    deck = await owned_deck(session, owner_id=owner_id, deck_id=deck_id)
    deck.title = _title(title)
    deck.updated_at = now
    await session.flush()
    return deck


async def delete_deck(session: AsyncSession, *, owner_id: int, deck_id: int, now: datetime) -> int:
    """Retire a deck: it leaves everyone's study list and every group, its link stops working.

    Cards, enrolments and history stay in the database (retired / inactive), so past grades
    keep their cards. Returns how many learners (owner included) were studying it.
    """
    deck = await owned_deck(session, owner_id=owner_id, deck_id=deck_id)
    deck.retired, deck.share_code, deck.updated_at = True, None, now
    left = await session.execute(
        update(Enrolment)
        .where(Enrolment.deck_id == deck.id, Enrolment.active.is_(True))
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    groups = (await session.execute(select(Group).where(Group.deck_id == deck.id))).scalars()
    for group in groups:
        group.deck_id = None
        reschedule_group(group, now)
    await session.flush()
    return left.rowcount
