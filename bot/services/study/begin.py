"""Beginning a study mode on a deck: a new session in any mode (with the mode's defaults for
what the learner left out), an unfinished one to offer instead, or the progress table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.study import TEST_KINDS
from bot.services.study.browse import BrowseView, start_cards
from bot.services.study.common import enrolled_deck, resumable_session
from bot.services.study.exam import DEFAULT_TEST_LENGTH, TestView, start_test
from bot.services.study.learn import LearnView, start_learn
from bot.services.study.match import MatchView, start_match
from bot.services.study.practice import unfinished_progress
from bot.services.study.progress import ProgressRow, progress_rows
from bot.services.study.quiz import DEFAULT_QUIZ_LENGTH, QuizView, start_quiz
from bot.storage.models import Deck, StudySession

__all__ = ["Begun", "begin_mode", "start_session"]

SessionView = BrowseView | LearnView | TestView | MatchView | QuizView


async def start_session(
    session: AsyncSession,
    *,
    mode: str,
    user_id: int,
    chat_id: int,
    deck_id: int,
    seed: int,
    now: datetime,
    length: int = 0,
    kinds: tuple[str, ...] = (),
) -> SessionView | None:
    """A new session of `mode` through its service; None when the deck cannot support it.

    `length` 0 and no `kinds` mean the mode's defaults.
    """
    common = {"user_id": user_id, "chat_id": chat_id, "deck_id": deck_id, "seed": seed, "now": now}
    if mode == "cards":
        return await start_cards(session, **common)
    if mode == "learn":
        return await start_learn(session, **common, size=length or None)
    if mode == "test":
        return await start_test(
            session, **common, length=length or DEFAULT_TEST_LENGTH, kinds=kinds or TEST_KINDS
        )
    if mode == "match":
        return await start_match(session, **common)
    return await start_quiz(session, **common, length=length or DEFAULT_QUIZ_LENGTH)


@dataclass(frozen=True)
class Begun:
    """What beginning a mode on a deck came to: exactly one of `rows` (mode 'progress'),
    `offer` (an unfinished Learn/Test, `done` of `total` so far) or `view` (a new session;
    None there too when the deck is too small), unless `deck` is None (not studied)."""

    deck: Deck | None
    rows: list[ProgressRow] | None = None
    offer: StudySession | None = None
    done: int = 0
    total: int = 0
    view: SessionView | None = None


async def begin_mode(
    session: AsyncSession,
    *,
    mode: str,
    user_id: int,
    chat_id: int,
    deck_id: int,
    new_seed: Callable[[], int],
    now: datetime,
    length: int = 0,
    kinds: tuple[str, ...] = (),
    start_over: bool = False,
) -> Begun:
    """Begin `mode` on a deck the user studies; a bare Learn or Test (no options, not
    `start_over`) first offers the unfinished session of that mode, if there is one."""
    deck = await enrolled_deck(session, user_id=user_id, deck_id=deck_id)
    if deck is None:
        return Begun(None)
    if mode == "progress":
        return Begun(
            deck, rows=await progress_rows(session, deck_id=deck.id, user_ids=[user_id], now=now)
        )
    if mode in ("learn", "test") and not (start_over or length or kinds):
        offer = await resumable_session(
            session, user_id=user_id, chat_id=chat_id, deck_id=deck.id, mode=mode
        )
        if offer is not None:
            done, total = unfinished_progress(offer)
            return Begun(deck, offer=offer, done=done, total=total)
    view = await start_session(
        session,
        mode=mode,
        user_id=user_id,
        chat_id=chat_id,
        deck_id=deck.id,
        seed=new_seed(),
        now=now,
        length=length,
        kinds=kinds,
    )
    return Begun(deck, view=view)
