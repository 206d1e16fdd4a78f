"""SQL twins of core rules, for queries that count or pick cards in the database, and the
shape of a query over a batch of rows."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, any_, bindparam, or_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.srs import REVIEW
from bot.storage.models import CardState

__all__ = ["due_by", "one_of"]


def due_by(now: datetime, day_end: datetime) -> ColumnElement[bool]:
    """Which card states can be studied at `now`, in SQL: bot.core.srs.is_due's rule
    (a suspended card is never due)."""
    return and_(
        CardState.suspended.is_(False),
        or_(CardState.due <= now, and_(CardState.state == int(REVIEW), CardState.due < day_end)),
    )


def one_of(session: AsyncSession, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """`column IN values`, for a batch of hundreds of ids. On Postgres it is `= ANY(array)`, one
    parameter: hundreds of placeholders make SQLAlchemy render each one on every run and
    psycopg parse the statement anew (too long for its cache), a third of a push claim's time."""
    if session.bind.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)
