"""Flashcards sessions: leaf through a deck, flipping cards; FSRS scheduling is never touched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.study import BrowseState
from bot.services.study.common import (
    ABANDONED,
    DeckCards,
    MoveStatus,
    load_deck_cards,
    load_for_move,
    open_session,
    session_rng,
)
from bot.storage.models import Card

__all__ = [
    "BROWSE_MOVES",
    "BrowseMove",
    "BrowseView",
    "move_cards",
    "start_cards",
]


BrowseMove = Literal["flip", "next", "prev", "shuffle", "first"]
BROWSE_MOVES: frozenset[str] = frozenset(get_args(BrowseMove))


@dataclass(frozen=True)
class BrowseView:
    """A flashcard on screen: the session, the step its buttons carry, the card and side."""

    session_id: int
    step: int
    deck: DeckCards
    browse: BrowseState
    at_edge: bool = False  # a 'prev' on the first card or a 'next' on the last: nowhere to go

    @property
    def card(self) -> Card:
        return self.deck.cards[self.browse.card_id]


async def start_cards(
    session: AsyncSession, *, user_id: int, chat_id: int, deck_id: int, seed: int, now: datetime
) -> BrowseView | None:
    """Browse a deck from its first card, in file order; None if it has no cards."""
    deck = await load_deck_cards(session, deck_id=deck_id)
    if deck is None or not deck.cards:
        return None
    browse = BrowseState.start(deck.cards)
    study = await open_session(
        session,
        user_id=user_id,
        chat_id=chat_id,
        deck_id=deck_id,
        mode="cards",
        now=now,
        state={"seed": seed, "step": 0, "shuffles": 0, "browse": browse.to_dict()},
        displace=ABANDONED,
    )
    return BrowseView(study.id, 0, deck, browse)


async def move_cards(
    session: AsyncSession,
    *,
    session_id: int,
    user_id: int,
    step: int,
    move: BrowseMove,
    now: datetime,
) -> tuple[MoveStatus, BrowseView | None]:
    """Flip, go forward or back, shuffle or go back to the first card. FSRS is not touched."""
    status, study = await load_for_move(
        session, session_id=session_id, user_id=user_id, mode="cards"
    )
    if status is not MoveStatus.OK or study is None:
        return status, None
    state = dict(study.state or {})
    if state.get("step") != step:
        return MoveStatus.STALE, None
    deck = await load_deck_cards(session, deck_id=study.deck_id)
    browse = BrowseState.from_dict(state["browse"]).retain(deck.cards if deck else ())
    if deck is None or browse is None:
        study.status = ABANDONED
        return MoveStatus.UNKNOWN, None
    before = browse
    if move == "flip":
        browse = browse.flip()
    elif move == "next":
        browse = browse.next()
    elif move == "prev":
        browse = browse.prev()
    elif move == "shuffle":
        state["shuffles"] = int(state.get("shuffles", 0)) + 1
        browse = browse.shuffle(session_rng(int(state["seed"]), f"shuffle{state['shuffles']}"))
    elif move == "first":
        browse = browse.restart()
    else:
        raise ValueError(f"unknown browse move {move!r}")
    at_edge = move in ("next", "prev") and browse == before
    if at_edge and browse.to_dict() == state["browse"]:
        return MoveStatus.OK, BrowseView(study.id, step, deck, browse, at_edge=True)  # unchanged
    state["step"] = step + 1
    state["browse"] = browse.to_dict()
    study.state = state  # a new dict: JSON columns do not track in-place changes
    study.finished_at = now  # last activity, so the history shows how long browsing went on
    return MoveStatus.OK, BrowseView(study.id, step + 1, deck, browse, at_edge=at_edge)
