"""Match sessions: one board tapped in pairs; the time, with penalties, and the best per deck."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.study import (
    MatchGame,
    TapResult,
    new_match,
)
from bot.services.study.common import (
    ABANDONED,
    FINISHED,
    DeckCards,
    MoveStatus,
    finish,
    load_deck_cards,
    millis,
    open_session,
    restore_for_move,
    session_rng,
)
from bot.storage.models import StudySession

__all__ = [
    "MatchView",
    "start_match",
    "tap_match",
]


@dataclass(frozen=True)
class MatchView:
    """A Match board after a tap; `best_ms` is the best finished time on the deck so far."""

    session_id: int
    deck: DeckCards
    game: MatchGame
    status: str
    tap: TapResult | None = None
    elapsed_ms: int | None = None
    best_ms: int | None = None
    new_best: bool = False


async def _best_match_ms(session: AsyncSession, *, user_id: int, deck_id: int) -> int | None:
    return (
        await session.execute(
            select(func.min(StudySession.duration_ms)).where(
                StudySession.user_id == user_id,
                StudySession.deck_id == deck_id,
                StudySession.mode == "match",
                StudySession.status == FINISHED,
            )
        )
    ).scalar_one_or_none()


async def start_match(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    deck_id: int,
    seed: int,
    now: datetime,
    pairs: int = 6,
) -> MatchView | None:
    """A new board, its clock started now; None if the deck has too few distinct cards."""
    deck = await load_deck_cards(session, deck_id=deck_id)
    if deck is None:
        return None
    try:
        game = new_match(deck.pool, session_rng(seed, "match"), pairs=pairs, now=now)
    except ValueError:
        return None
    study = await open_session(
        session,
        user_id=user_id,
        chat_id=chat_id,
        deck_id=deck_id,
        mode="match",
        now=now,
        state={"seed": seed, "match": game.to_dict()},
        displace=ABANDONED,
    )
    study.score, study.total = 0, game.pairs
    best = await _best_match_ms(session, user_id=user_id, deck_id=deck_id)
    return MatchView(study.id, deck, game, study.status, best_ms=best)


async def _restore_match(
    session: AsyncSession, study: StudySession
) -> tuple[DeckCards, MatchGame] | None:
    """The board and its deck; None once a card on the board is deleted (it cannot finish)."""
    deck = await load_deck_cards(session, deck_id=study.deck_id)
    game = MatchGame.from_dict(study.state["match"])
    if deck is None or any(t.card_id not in deck.cards for t in game.tiles):
        return None
    return deck, game


async def tap_match(
    session: AsyncSession, *, session_id: int, user_id: int, tile: int, now: datetime
) -> tuple[MoveStatus, MatchView | None]:
    """One tap on a tile; the tap that completes the board records the time."""
    status, found = await restore_for_move(
        session, _restore_match, session_id=session_id, user_id=user_id, mode="match"
    )
    if found is None:
        return status, None
    study, (deck, game) = found
    tap = game.select(tile, now)
    study.state = {**study.state, "match": game.to_dict()}
    study.score = len(game.removed) // 2
    if not game.finished:
        best = await _best_match_ms(session, user_id=user_id, deck_id=study.deck_id)
        return MoveStatus.OK, MatchView(study.id, deck, game, study.status, tap, best_ms=best)
    elapsed = millis(game.elapsed(now))
    previous = await _best_match_ms(session, user_id=user_id, deck_id=study.deck_id)
    finish(study, now, score=game.pairs, total=game.pairs)
    study.duration_ms = elapsed  # the game's clock: penalties included
    best = elapsed if previous is None else min(previous, elapsed)
    new_best = previous is None or elapsed < previous
    return MoveStatus.OK, MatchView(
        study.id, deck, game, study.status, tap, elapsed, best, new_best
    )
