"""The collection's SQLite: note types, decks, cards and review log (as review drafts), from schema 11 (JSON columns) and schema 18 (tables)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.core.imports.anki.unpack import first_int, first_text, protobuf_fields
from bot.core.imports.draft import (
    DeckImportError,
    ImportFailure,
    ImportLimits,
    ReviewDraft,
    ReviewKind,
)

__all__ = [
    "FIELD_SEPARATOR",
    "Collection",
    "open_collection",
    "read_collection",
    "review_draft",
]


_SQLITE_HEADER = b"SQLite format 3\x00"


FIELD_SEPARATOR = "\x1f"
_REVIEW_KINDS = {
    0: ReviewKind.LEARN,
    1: ReviewKind.REVIEW,
    2: ReviewKind.RELEARN,
    3: ReviewKind.FILTERED,
    4: ReviewKind.MANUAL,
    5: ReviewKind.RESCHEDULED,
}


# The collection.


@contextlib.contextmanager
def open_collection(path: Path) -> Iterator[sqlite3.Connection]:
    with path.open("r+b") as file:
        header = file.read(100)
        if not header.startswith(_SQLITE_HEADER):
            raise DeckImportError(
                ImportFailure.NOT_ANKI, "The package's collection is not an Anki database."
            )
        if len(header) >= 20 and header[18:20] == b"\x02\x02":
            # A WAL-mode database: mark it rollback-journal so a read-only open needs no -wal.
            file.seek(18)
            file.write(b"\x01\x01")
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as error:
        raise DeckImportError(
            ImportFailure.CORRUPT, "The package's collection cannot be opened."
        ) from error
    try:
        # Schema 18 declares name columns COLLATE unicase; SQLite refuses them without it.
        connection.create_collation("unicase", _unicase)
        yield connection
    except sqlite3.DatabaseError as error:
        raise DeckImportError(
            ImportFailure.CORRUPT, "The package's collection is damaged and cannot be read."
        ) from error
    finally:
        connection.close()


def _unicase(left: str, right: str) -> int:
    a, b = left.casefold(), right.casefold()
    return (a > b) - (a < b)


@dataclass(slots=True)
class _NoteType:
    name: str
    is_cloze: bool
    fields: list[str]
    templates: dict[int, tuple[str, str, str]]  # ord → (name, question, answer)


@dataclass(slots=True)
class Collection:
    created: datetime  # col.crt: day 0 of review due dates
    note_types: dict[int, _NoteType]
    decks: dict[int, tuple[str, str]]  # id → (name with "::", description HTML)
    cards: list[tuple[Any, ...]]
    reviews: dict[int, list[ReviewDraft]] = field(default_factory=dict)
    reviews_dropped: int = 0  # revlog rows past ImportLimits.max_reviews (the oldest)


_CARD_QUERY = """
SELECT c.id, c.ord, c.did, c.odid, c.type, c.queue, c.due, c.odue, c.ivl, c.reps, c.lapses,
       c.data, n.guid, n.mid, n.tags, n.flds
FROM cards AS c JOIN notes AS n ON n.id = c.nid
ORDER BY n.id, c.ord
"""
_REVLOG_COUNT = "SELECT count(*) FROM revlog WHERE cid IN (SELECT id FROM cards)"
_REVLOG_QUERY = """
SELECT id, cid, ease, ivl, lastIvl, time, type FROM revlog
WHERE cid IN (SELECT id FROM cards) ORDER BY id DESC LIMIT ?
"""


def read_collection(connection: sqlite3.Connection, limits: ImportLimits) -> Collection:
    tables = {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    if not {"col", "notes", "cards"} <= tables:
        raise DeckImportError(
            ImportFailure.NOT_ANKI, "The package's collection is not an Anki database."
        )
    card_count = connection.execute("SELECT count(*) FROM cards").fetchone()[0]
    if card_count > limits.max_cards:
        raise DeckImportError(
            ImportFailure.TOO_MANY_CARDS,
            f"The deck has {card_count:,} cards; at most {limits.max_cards:,} can be imported.",
        )
    row = connection.execute("SELECT crt, models, decks FROM col").fetchone()
    if row is None:
        raise DeckImportError(
            ImportFailure.NOT_ANKI, "The package's collection is not an Anki database."
        )
    created = datetime.fromtimestamp(int(row[0] or 0), UTC)
    try:
        if "notetypes" in tables:
            note_types = _note_types_v18(connection)
            decks = _decks_v18(connection)
        else:
            note_types = _note_types_v11(row[1])
            decks = _decks_v11(row[2])
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise DeckImportError(
            ImportFailure.CORRUPT, "The package's note types or decks cannot be read."
        ) from error
    cards = connection.execute(_CARD_QUERY).fetchall()
    reviews: dict[int, list[ReviewDraft]] = defaultdict(list)
    dropped = 0
    if "revlog" in tables:
        # Newest first up to the cap: a long history is cut at its old end.
        total = connection.execute(_REVLOG_COUNT).fetchone()[0]
        dropped = max(0, total - limits.max_reviews)
        for rid, cid, ease, ivl, last_ivl, duration, kind in connection.execute(
            _REVLOG_QUERY, (limits.max_reviews,)
        ):
            review = review_draft(rid, ease, ivl, last_ivl, duration, kind)
            if review is not None:
                reviews[cid].append(review)
        for history in reviews.values():
            history.reverse()
    return Collection(created, note_types, decks, cards, dict(reviews), dropped)


def _note_types_v11(models_json: str) -> dict[int, _NoteType]:
    models = json.loads(models_json or "{}")
    note_types: dict[int, _NoteType] = {}
    for model in models.values():
        fields = [f["name"] for f in sorted(model["flds"], key=lambda f: f.get("ord", 0))]
        templates = {
            int(t.get("ord", i)): (t.get("name", ""), t.get("qfmt", ""), t.get("afmt", ""))
            for i, t in enumerate(model["tmpls"])
        }
        note_types[int(model["id"])] = _NoteType(
            name=str(model.get("name", "")),
            is_cloze=int(model.get("type", 0)) == 1,
            fields=fields,
            templates=templates,
        )
    return note_types


def _note_types_v18(connection: sqlite3.Connection) -> dict[int, _NoteType]:
    note_types: dict[int, _NoteType] = {}
    for ntid, name, config in connection.execute("SELECT id, name, config FROM notetypes"):
        kind = first_int(protobuf_fields(bytes(config)), 1)  # Notetype.Config.kind
        note_types[ntid] = _NoteType(name=name, is_cloze=kind == 1, fields=[], templates={})
    for ntid, _ord, name in connection.execute(
        "SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"
    ):
        if ntid in note_types:
            note_types[ntid].fields.append(name)
    for ntid, ord_, name, config in connection.execute(
        "SELECT ntid, ord, name, config FROM templates ORDER BY ntid, ord"
    ):
        if ntid in note_types:
            fields = protobuf_fields(bytes(config))  # CardTemplate.Config: q 1, a 2
            note_types[ntid].templates[ord_] = (
                name,
                first_text(fields, 1),
                first_text(fields, 2),
            )
    return note_types


def _decks_v11(decks_json: str) -> dict[int, tuple[str, str]]:
    decks = json.loads(decks_json or "{}")
    return {int(d["id"]): (str(d["name"]), str(d.get("desc") or "")) for d in decks.values()}


def _decks_v18(connection: sqlite3.Connection) -> dict[int, tuple[str, str]]:
    decks: dict[int, tuple[str, str]] = {}
    for did, name, kind in connection.execute("SELECT id, name, kind FROM decks"):
        description = ""
        normal = protobuf_fields(bytes(kind)).get(1, [])  # KindContainer.normal
        if normal and isinstance(normal[0], bytes):
            description = first_text(protobuf_fields(normal[0]), 4)  # Normal.description
        decks[did] = (name.replace("\x1f", "::"), description)
    return decks


def _days(value: int) -> float:
    """An Anki interval: positive days, or negative seconds (learning steps)."""
    return float(value) if value >= 0 else -value / 86400


def review_draft(
    rid: int, ease: int, ivl: int, last_ivl: int, duration: int, kind: int
) -> ReviewDraft | None:
    if not 0 <= ease <= 4 or kind not in _REVIEW_KINDS:
        return None
    try:
        reviewed_at = datetime.fromtimestamp(rid / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return ReviewDraft(
        reviewed_at=reviewed_at,
        rating=ease,
        kind=_REVIEW_KINDS[kind],
        interval_days=_days(ivl),
        last_interval_days=_days(last_ivl),
        duration_ms=max(0, duration),
    )
