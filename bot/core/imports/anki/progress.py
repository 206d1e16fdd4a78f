"""A card's scheduling in Anki (type, due, interval, FSRS memory in cards.data) to our progress draft."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.imports.anki.collection import Collection
from bot.core.imports.draft import (
    CardProgress,
    ProgressState,
    ReviewDraft,
)

__all__ = [
    "card_progress",
]


_CARD_STATES = {
    1: ProgressState.LEARNING,
    2: ProgressState.REVIEW,
    3: ProgressState.RELEARNING,
}
_MAX_DAYS = 100 * 365  # a due date further than this is garbage, not a schedule


def card_progress(
    collection: Collection,
    ctype: int,
    queue: int,
    due: int,
    ivl: int,
    reps: int,
    lapses: int,
    data: str,
    reviews: list[ReviewDraft],
) -> CardProgress:
    state = _CARD_STATES.get(ctype, ProgressState.NEW)
    suspended = queue == -1
    memory = _card_data(data)
    stability, difficulty = memory.get("s"), memory.get("d")
    last_review: datetime | None = None
    if isinstance(memory.get("lrt"), int | float) and memory["lrt"] > 0:
        with contextlib.suppress(OverflowError, OSError, ValueError):
            last_review = datetime.fromtimestamp(memory["lrt"], UTC)
    if last_review is None and reviews:
        last_review = reviews[-1].reviewed_at
    return CardProgress(
        state=state,
        due=_due(collection.created, state, due),
        interval_days=max(0, ivl),
        reps=max(0, reps),
        lapses=max(0, lapses),
        suspended=suspended,
        stability=float(stability) if isinstance(stability, int | float) else None,
        difficulty=float(difficulty) if isinstance(difficulty, int | float) else None,
        last_review=last_review,
    )


def _card_data(data: str) -> dict[str, Any]:
    try:
        parsed = json.loads(data) if data else {}
    except (json.JSONDecodeError, TypeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _due(created: datetime, state: ProgressState, due: int) -> datetime | None:
    """Anki's due: days since the collection's creation day, or (intraday learning) seconds."""
    if state == ProgressState.NEW:
        return None
    try:
        # Intraday learning (queue 1, or buried) counts in epoch seconds, the rest in days.
        if state in (ProgressState.LEARNING, ProgressState.RELEARNING) and due > _MAX_DAYS:
            return datetime.fromtimestamp(due, UTC)
        if abs(due) > _MAX_DAYS:
            return None
        return created + timedelta(days=due)
    except (OverflowError, OSError, ValueError):
        return None
