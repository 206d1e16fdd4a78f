"""Files waiting between their import preview and the learner's Import or Cancel.

The bytes are held in the database so a restart, another process or a separator choice made an
hour later can read them again; each row is finished once (Import or Cancel), and a double tap
or a stale button finds it finished.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.imports.draft import DeckDraft
from bot.services.deck_imports import ImportResult, reimport_candidate, save_import
from bot.storage.models import PendingImport

__all__ = [
    "PENDING_TTL",
    "PendingStatus",
    "choose_reading",
    "finish_pending",
    "hold_file",
    "pending_for",
    "save_held_file",
]

# How long a preview's buttons work; after that the file must be sent again.
PENDING_TTL = timedelta(hours=24)


class PendingStatus(enum.StrEnum):
    PENDING = "pending"
    IMPORTED = "imported"
    CANCELLED = "cancelled"


async def hold_file(
    session: AsyncSession, *, user_id: int, file_name: str, data: bytes, now: datetime
) -> PendingImport:
    """Keep a sent file for its preview; forget expired ones (anyone's) on the way."""
    await session.execute(delete(PendingImport).where(PendingImport.expires_at < now))
    pending = PendingImport(
        user_id=user_id,
        file_name=file_name[:255],
        data=data,
        created_at=now,
        expires_at=now + PENDING_TTL,
    )
    session.add(pending)
    await session.flush()
    return pending


async def pending_for(
    session: AsyncSession, *, user_id: int, pending_id: int
) -> PendingImport | None:
    """The learner's held file by id (any status), None if unknown or someone else's."""
    pending = await session.get(PendingImport, pending_id)
    if pending is None or pending.user_id != user_id:
        return None
    return pending


async def choose_reading(
    session: AsyncSession,
    *,
    pending: PendingImport,
    term_separator: str | None,
    row_separator: str | None,
    delimiter: str | None,
) -> None:
    """Remember how the learner wants the file read (Quizlet separators or a CSV delimiter)."""
    pending.term_separator = term_separator
    pending.row_separator = row_separator
    pending.delimiter = delimiter
    await session.flush()


async def finish_pending(
    session: AsyncSession,
    *,
    pending_id: int,
    status: PendingStatus,
    now: datetime,
    deck_id: int | None = None,
) -> bool:
    """Mark a held file imported or cancelled, once; False if it was finished or expired.

    The conditional update is the claim: of two taps racing, one wins. The bytes are dropped.
    """
    result = await session.execute(
        update(PendingImport)
        .where(
            PendingImport.id == pending_id,
            PendingImport.status == PendingStatus.PENDING,
            PendingImport.expires_at >= now,
        )
        .values(status=status, data=b"", deck_id=deck_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def save_held_file(
    session: AsyncSession, *, pending: PendingImport, draft: DeckDraft, now: datetime
) -> tuple[ImportResult | None, bool]:
    """Finish a held file as imported and save its deck (a new one, or the owner's deck it
    updates), in the caller's transaction; returns (result, whether a deck was updated), or
    (None, False) when the file was finished meanwhile (a racing tap, Cancel, expiry)."""
    if not await finish_pending(
        session, pending_id=pending.id, status=PendingStatus.IMPORTED, now=now
    ):
        return None, False
    target = await reimport_candidate(session, owner_id=pending.user_id, draft=draft)
    result = await save_import(
        session,
        owner_id=pending.user_id,
        draft=draft,
        now=now,
        replace_deck_id=target.id if target is not None else None,
    )
    await session.execute(
        update(PendingImport).where(PendingImport.id == pending.id).values(deck_id=result.deck.id)
    )
    return result, target is not None
