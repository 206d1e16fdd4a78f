"""SQL twins of core rules, for queries that count or pick cards in the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_

from bot.core.srs import REVIEW
from bot.storage.models import CardState

__all__ = ["due_by"]


def due_by(now: datetime, day_end: datetime) -> ColumnElement[bool]:
    """Which card states can be studied at `now`, in SQL: bot.core.srs.is_due's rule
    (a suspended card is never due)."""
    return and_(
        CardState.suspended.is_(False),
        or_(CardState.due <= now, and_(CardState.state == int(REVIEW), CardState.due < day_end)),
    )
