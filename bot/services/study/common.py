"""What every study mode shares: statuses, decks as the engines see them, opening sessions
and checking that a move may act on its session.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.card_text import card_plain
from bot.core.study import StudyCard
from bot.storage.models import (
    Card,
    Deck,
    Enrolment,
    StudySession,
)

__all__ = [
    "ABANDONED",
    "ACTIVE",
    "FINISHED",
    "PAUSED",
    "DeckCards",
    "Mode",
    "MoveStatus",
    "deck_for_fresh_session",
    "displace_others",
    "enrolled_deck",
    "finish",
    "load_deck_cards",
    "load_for_move",
    "millis",
    "open_session",
    "plain_card",
    "reactivate",
    "restore_for_move",
    "resumable_session",
    "session_rng",
    "set_message",
]


Mode = Literal["cards", "learn", "test", "match", "quiz", "spaced"]

ACTIVE, PAUSED, FINISHED, ABANDONED = "active", "paused", "finished", "abandoned"

Restored = TypeVar("Restored")


class MoveStatus(enum.Enum):
    """Whether a button press may act on its session."""

    OK = "ok"
    STALE = "stale"  # the session is over or the question has moved on
    PAUSED = "paused"  # a Learn/Test session left for later: resume it first
    FOREIGN = "foreign"  # someone else's session
    UNKNOWN = "unknown"  # no such session (forged data) or a deck emptied meanwhile


def plain_card(card: Card) -> StudyCard:
    """A stored card as the study engines see it: markup stripped."""
    return StudyCard(
        card.id,
        card_plain(card.question, card.text_format),
        card_plain(card.answer, card.text_format),
    )


@dataclass(frozen=True)
class DeckCards:
    """A deck's live cards: the stored rows (for HTML) and their plain forms (for engines)."""

    deck: Deck
    cards: dict[int, Card]
    plain: dict[int, StudyCard]

    @property
    def pool(self) -> list[StudyCard]:
        return list(self.plain.values())


async def load_deck_cards(session: AsyncSession, *, deck_id: int) -> DeckCards | None:
    """The deck and its live cards in file order; None if the deck does not exist."""
    deck = await session.get(Deck, deck_id)
    if deck is None:
        return None
    rows = await session.execute(
        select(Card).where(Card.deck_id == deck_id, Card.retired.is_(False)).order_by(Card.position)
    )
    cards = {card.id: card for card in rows.scalars()}
    return DeckCards(deck, cards, {i: plain_card(c) for i, c in cards.items()})


async def enrolled_deck(session: AsyncSession, *, user_id: int, deck_id: int) -> Deck | None:
    """The deck if the user actively studies it (and it is live), else None."""
    return (
        await session.execute(
            select(Deck)
            .join(Enrolment, Enrolment.deck_id == Deck.id)
            .where(
                Deck.id == deck_id,
                Deck.retired.is_(False),
                Enrolment.user_id == user_id,
                Enrolment.active.is_(True),
            )
        )
    ).scalar_one_or_none()


def session_rng(seed: int, label: str) -> random.Random:
    # String seeds hash deterministically (not with PYTHONHASHSEED), so each draw of a session
    # is a pure function of its stored seed and what it is for: restarts regenerate identically.
    return random.Random(f"{seed}:{label}")


def millis(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() * 1000))


async def open_session(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    deck_id: int,
    mode: Mode,
    now: datetime,
    state: dict[str, Any],
    displace: str,
) -> StudySession:
    """A new active session; the user's other active sessions of the mode in this chat are
    paused or abandoned (`displace`), so one chat runs one session per mode at a time."""
    await displace_others(session, user_id=user_id, chat_id=chat_id, mode=mode, to=displace)
    study = StudySession(
        user_id=user_id,
        deck_id=deck_id,
        chat_id=chat_id,
        mode=mode,
        status=ACTIVE,
        started_at=now,
        state=state,
    )
    session.add(study)
    await session.flush()
    return study


async def displace_others(
    session: AsyncSession, *, user_id: int, chat_id: int, mode: Mode, to: str, keep: int = 0
) -> None:
    rows = await session.execute(
        select(StudySession).where(
            StudySession.user_id == user_id,
            StudySession.chat_id == chat_id,
            StudySession.mode == mode,
            StudySession.status == ACTIVE,
            StudySession.id != keep,
        )
    )
    for other in rows.scalars():
        other.status = to


async def reactivate(session: AsyncSession, *, study: StudySession) -> None:
    """Make a resumed session the running one of its mode in its chat; others are paused."""
    await displace_others(
        session,
        user_id=study.user_id,
        chat_id=study.chat_id,
        mode=study.mode,
        to=PAUSED,
        keep=study.id,
    )
    study.status = ACTIVE


async def load_for_move(
    session: AsyncSession, *, session_id: int, user_id: int, mode: Mode
) -> tuple[MoveStatus, StudySession | None]:
    """The session a button names, locked for this update, or why it may not be touched."""
    study = (
        await session.execute(
            select(StudySession).where(StudySession.id == session_id).with_for_update()
        )
    ).scalar_one_or_none()
    if study is None or study.mode != mode:
        return MoveStatus.UNKNOWN, None
    if study.user_id != user_id:
        return MoveStatus.FOREIGN, None
    if study.status == PAUSED:
        return MoveStatus.PAUSED, study
    if study.status != ACTIVE:
        return MoveStatus.STALE, study
    return MoveStatus.OK, study


async def resumable_session(
    session: AsyncSession, *, user_id: int, chat_id: int, deck_id: int, mode: Mode
) -> StudySession | None:
    """The user's newest unfinished (active or paused) session of `mode` on this deck."""
    return (
        await session.execute(
            select(StudySession)
            .where(
                StudySession.user_id == user_id,
                StudySession.chat_id == chat_id,
                StudySession.deck_id == deck_id,
                StudySession.mode == mode,
                StudySession.status.in_((ACTIVE, PAUSED)),
            )
            .order_by(StudySession.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def restore_for_move(
    session: AsyncSession,
    restore: Callable[[AsyncSession, StudySession], Awaitable[Restored | None]],
    *,
    session_id: int,
    user_id: int,
    mode: Mode,
    resuming: bool = False,
) -> tuple[MoveStatus, tuple[StudySession, Restored] | None]:
    """The session a button names with its engine restored, or why the move may not act on it."""
    status, study = await load_for_move(session, session_id=session_id, user_id=user_id, mode=mode)
    allowed = (MoveStatus.OK, MoveStatus.PAUSED) if resuming else (MoveStatus.OK,)
    if status not in allowed or study is None:
        return status, None
    restored = await restore(session, study)
    if restored is None:
        study.status = ABANDONED  # its deck or cards are gone: it can never go on
        return MoveStatus.UNKNOWN, None
    return MoveStatus.OK, (study, restored)


async def deck_for_fresh_session(
    session: AsyncSession, *, user_id: int, chat_id: int, deck_id: int, mode: Mode
) -> DeckCards | None:
    """The deck for a new session (None if it has no cards), abandoning the unfinished one on it."""
    deck = await load_deck_cards(session, deck_id=deck_id)
    if deck is None or not deck.cards:
        return None
    old = await resumable_session(
        session, user_id=user_id, chat_id=chat_id, deck_id=deck_id, mode=mode
    )
    if old is not None:
        old.status = ABANDONED
    return deck


def finish(study: StudySession, now: datetime, *, score: int, total: int) -> None:
    study.status = FINISHED
    study.finished_at = now
    study.score, study.total = score, total
    study.duration_ms = millis(now - study.started_at)


async def set_message(session: AsyncSession, *, session_id: int, message_id: int) -> None:
    """Remember the message that shows a session's current question (or board)."""
    study = await session.get(StudySession, session_id)
    if study is not None:
        study.message_id = message_id
