"""Card media (images, sounds) stored by content: one row and one Telegram upload per sha256."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Media

__all__ = [
    "content_hash",
    "guess_mime",
    "load_media",
    "load_media_many",
    "remember_file_id",
    "store_media",
    "store_media_many",
]

# What a file's first bytes say it is, when its name says nothing useful.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"ID3", "audio/mpeg"),
    (b"\xff\xfb", "audio/mpeg"),
    (b"\xff\xf3", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def guess_mime(name: str | None, data: bytes) -> str:
    """The MIME type from the file name, else from its first bytes."""
    if name:
        guessed, _encoding = mimetypes.guess_type(name, strict=False)
        if guessed:
            return guessed
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    return "application/octet-stream"


async def store_media_many(
    session: AsyncSession, *, files: Mapping[str, bytes], now: datetime
) -> tuple[dict[str, str], int]:
    """Store files named in `files` once per content; returns ({name: sha256}, rows added).

    Identical bytes under two names, in two decks or two imports share one row.
    """
    hashes = {name: content_hash(data) for name, data in files.items()}
    known = set()
    wanted = list(set(hashes.values()))
    for start in range(0, len(wanted), 500):  # stay under every backend's bind-parameter cap
        chunk = wanted[start : start + 500]
        known |= set(
            (await session.execute(select(Media.sha256).where(Media.sha256.in_(chunk)))).scalars()
        )
    rows = []
    for name, data in files.items():
        digest = hashes[name]
        if digest in known:
            continue
        known.add(digest)
        rows.append(
            {
                "sha256": digest,
                "mime": guess_mime(name, data),
                "size": len(data),
                "data": data,
                "created_at": now,
            }
        )
    for row in rows:
        # Another import may store the same file at the same moment: theirs is as good.
        await session.execute(_insert_new(session, row))
    return hashes, len(rows)


def _insert_new(session: AsyncSession, row: dict):
    """INSERT … ON CONFLICT DO NOTHING in the session's dialect."""
    dialect = session.bind.dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return insert(Media).values(**row).on_conflict_do_nothing(index_elements=["sha256"])


async def store_media(
    session: AsyncSession, *, data: bytes, now: datetime, name: str | None = None
) -> str:
    """Store one file (a photo sent while writing a card, say); returns its sha256."""
    hashes, _added = await store_media_many(session, files={name or "": data}, now=now)
    return hashes[name or ""]


async def load_media(session: AsyncSession, *, sha256: str) -> Media | None:
    return await session.get(Media, sha256)


async def load_media_many(session: AsyncSession, *, hashes: Iterable[str]) -> dict[str, Media]:
    wanted = list(set(hashes))
    found: dict[str, Media] = {}
    for start in range(0, len(wanted), 500):
        rows = await session.execute(
            select(Media).where(Media.sha256.in_(wanted[start : start + 500]))
        )
        found |= {m.sha256: m for m in rows.scalars()}
    return found


async def remember_file_id(session: AsyncSession, *, sha256: str, file_id: str) -> bool:
    """Keep Telegram's file_id after the first upload; False if the media is unknown.

    The first id stays: two processes racing to upload the same file both get valid ids,
    and keeping one is enough.
    """
    result = await session.execute(
        update(Media)
        .where(Media.sha256 == sha256, Media.telegram_file_id.is_(None))
        .values(telegram_file_id=file_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        return True
    return await session.get(Media, sha256) is not None
