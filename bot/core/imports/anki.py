"""Anki packages (.apkg, .colpkg) → a `DeckDraft`: pure, no DB, no Telegram.

Reads the newest collection a package holds (collection.anki21b, a zstd-compressed SQLite of
schema 18; else collection.anki21 or collection.anki2, plain SQLite of schema 11) — modern
packages also carry a decoy collection.anki2 asking to update Anki. Cards are the package's own
cards (not regenerated from templates), rendered through anki_template and anki_html, with
their media, review history (revlog) and FSRS memory (cards.data s/d) where present.

Untrusted input: every unpacked byte is counted while streaming (zip deflate and zstd alike)
against `ImportLimits`, declared sizes are only used to refuse early, entry names that are not
plain file names are ignored, the SQLite is copied to a temporary file opened read-only, and
the temporary directory is always removed.
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import tempfile
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any
from urllib.parse import unquote

import zstandard

from bot.core.imports.anki_html import ConvertedHtml, convert_anki_html, html_to_plain_text
from bot.core.imports.anki_template import (
    NoteFields,
    TemplateError,
    cloze_numbers,
    render_card,
    render_cloze,
)
from bot.core.imports.draft import (
    CardDraft,
    CardKind,
    CardProgress,
    DeckDraft,
    DeckImportError,
    ImportFailure,
    ImportLimits,
    MediaKind,
    MediaRef,
    ProgressState,
    ReviewDraft,
    ReviewKind,
    SkippedItem,
)

__all__ = ["ANKI_PACKAGE_SUFFIXES", "read_anki_package"]

ANKI_PACKAGE_SUFFIXES = (".apkg", ".colpkg")
# Newest first: a package is read from the first of these it holds.
_COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
_ZSTD_COLLECTION = "collection.anki21b"
_SQLITE_HEADER = b"SQLite format 3\x00"
_META_VERSION_LATEST = 3  # PackageMetadata.Version.LATEST: zstd media and protobuf index
_CHUNK = 64 * 1024
# A zstd frame may ask for a window this big at most (Anki's level-3 frames use 2 MiB): a
# frame asking for more is refused as damaged rather than allocated.
_ZSTD_MAX_WINDOW = 64 * 1024 * 1024
_STUB_TEXT = "please update to the latest anki version"
_FIELD_SEPARATOR = "\x1f"
_REVIEW_KINDS = {
    0: ReviewKind.LEARN,
    1: ReviewKind.REVIEW,
    2: ReviewKind.RELEARN,
    3: ReviewKind.FILTERED,
    4: ReviewKind.MANUAL,
    5: ReviewKind.RESCHEDULED,
}
_CARD_STATES = {
    1: ProgressState.LEARNING,
    2: ProgressState.REVIEW,
    3: ProgressState.RELEARNING,
}
_MAX_DAYS = 100 * 365  # a due date further than this is garbage, not a schedule


def read_anki_package(
    data: bytes, *, filename: str = "", limits: ImportLimits | None = None
) -> DeckDraft:
    """Parse an .apkg/.colpkg; raise DeckImportError with a reason if it cannot be imported."""
    limits = limits or ImportLimits()
    if not data:
        raise DeckImportError(ImportFailure.EMPTY_FILE, "The file is empty.")
    source_format = "colpkg" if filename.lower().endswith(".colpkg") else "apkg"
    with (
        _open_zip(data, limits) as package,
        tempfile.TemporaryDirectory(prefix="flashtutor-import-") as workdir,
    ):
        budget = _Budget(limits.max_unpacked_bytes)
        entries = _safe_entries(package)
        name = next((n for n in _COLLECTIONS if n in entries), None)
        if name is None:
            raise DeckImportError(
                ImportFailure.NO_COLLECTION,
                "This zip holds no Anki collection: export the deck from Anki as an .apkg.",
            )
        database = Path(workdir) / "collection.sqlite"
        with database.open("wb") as target:
            _unpack(package, entries[name], target, budget, limits, zstd=name == _ZSTD_COLLECTION)
        with _open_collection(database) as connection:
            collection = _read_collection(connection, limits)
        meta_version = _meta_version(package, entries, budget, limits)
        # Without `meta`, a zstd collection still implies Anki's latest media layout.
        modern_media = meta_version >= _META_VERSION_LATEST or (
            meta_version == 0 and name == _ZSTD_COLLECTION
        )
        media_names = _media_index(package, entries, budget, limits, modern=modern_media)
        return _build_draft(
            collection,
            package,
            entries,
            media_names,
            budget,
            limits,
            modern_media=modern_media,
            source_format=source_format,
            filename=filename,
        )


# Zip and decompression, never trusting a declared size.


class _Budget:
    """Unpacked bytes left for the whole package."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise _too_large()


def _too_large() -> DeckImportError:
    return DeckImportError(
        ImportFailure.TOO_LARGE,
        "The package unpacks to more than the import limit allows (or is a zip bomb).",
    )


@contextlib.contextmanager
def _open_zip(data: bytes, limits: ImportLimits) -> Iterator[zipfile.ZipFile]:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise DeckImportError(
            ImportFailure.NOT_A_PACKAGE,
            "This is not an Anki package: an .apkg or .colpkg file is a zip archive.",
        ) from error
    with package:
        if len(package.infolist()) > limits.max_zip_entries:
            raise DeckImportError(
                ImportFailure.TOO_LARGE, "The package holds too many files to import."
            )
        yield package


def _safe_entries(package: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Entries by name, leaving out directories and any name that is not a plain file name."""
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in package.infolist():
        name = info.filename
        if (
            not name
            or info.is_dir()
            or "/" in name
            or "\\" in name
            or name in (".", "..")
            or ":" in name
            or "\x00" in name
        ):
            continue  # path traversal or a folder: Anki packages are flat
        entries.setdefault(name, info)
    return entries


def _unpack(
    package: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    target: IO[bytes],
    budget: _Budget,
    limits: ImportLimits,
    *,
    zstd: bool,
) -> int:
    """Stream one entry (zstd-decompressed if asked) into `target`, counting every byte."""
    cap = min(limits.max_entry_bytes, budget.left)
    if info.file_size > cap:  # declared size: only ever used to refuse early
        raise _too_large()
    written = 0
    try:
        with package.open(info) as raw:
            stream: IO[bytes] = raw
            if zstd:
                decompressor = zstandard.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW)
                stream = decompressor.stream_reader(raw, read_across_frames=True)
            with stream:
                while chunk := stream.read(_CHUNK):
                    written += len(chunk)
                    if written > cap:
                        raise _too_large()
                    target.write(chunk)
    except DeckImportError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        zstandard.ZstdError,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,
    ) as error:
        raise DeckImportError(
            ImportFailure.CORRUPT, f"The package is damaged: {info.filename} cannot be unpacked."
        ) from error
    budget.take(written)
    return written


def _read_bytes(
    package: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    budget: _Budget,
    limits: ImportLimits,
    *,
    zstd: bool,
) -> bytes:
    buffer = io.BytesIO()
    _unpack(package, info, buffer, budget, limits, zstd=zstd)
    return buffer.getvalue()


# Package metadata and media index (protobuf read by hand: two tiny messages).


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if position >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def _protobuf_fields(data: bytes) -> dict[int, list[int | bytes]]:
    """A protobuf message's fields: number → values (ints, or bytes for length-delimited)."""
    fields: dict[int, list[int | bytes]] = defaultdict(list)
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = _varint(data, position)
            fields[number].append(value)
        elif wire == 2:
            length, position = _varint(data, position)
            if position + length > len(data):
                raise ValueError("truncated field")
            fields[number].append(data[position : position + length])
            position += length
        elif wire == 1:
            position += 8
        elif wire == 5:
            position += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
    if position != len(data):
        raise ValueError("truncated message")
    return fields


def _first_int(fields: dict[int, list[int | bytes]], number: int, default: int = 0) -> int:
    values = [v for v in fields.get(number, []) if isinstance(v, int)]
    return values[0] if values else default


def _first_text(fields: dict[int, list[int | bytes]], number: int) -> str:
    values = [v for v in fields.get(number, []) if isinstance(v, bytes)]
    return values[0].decode("utf-8", errors="replace") if values else ""


def _meta_version(
    package: zipfile.ZipFile,
    entries: dict[str, zipfile.ZipInfo],
    budget: _Budget,
    limits: ImportLimits,
) -> int:
    """PackageMetadata.version (1, 2 legacy; 3 latest), 0 for packages without `meta`."""
    if "meta" not in entries:
        return 0
    raw = _read_bytes(package, entries["meta"], budget, limits, zstd=False)
    try:
        return _first_int(_protobuf_fields(raw), 1)
    except ValueError as error:
        raise DeckImportError(
            ImportFailure.CORRUPT, "The package is damaged: its metadata cannot be read."
        ) from error


def _media_index(
    package: zipfile.ZipFile,
    entries: dict[str, zipfile.ZipInfo],
    budget: _Budget,
    limits: ImportLimits,
    *,
    modern: bool,
) -> dict[str, str]:
    """Media file name → the zip entry holding it."""
    if "media" not in entries:
        return {}
    raw = _read_bytes(package, entries["media"], budget, limits, zstd=modern)
    damaged = DeckImportError(
        ImportFailure.CORRUPT, "The package is damaged: its media list cannot be read."
    )
    names: dict[str, str] = {}
    if modern:  # MediaEntries { repeated MediaEntry entries = 1 }
        try:
            for index, entry in enumerate(_protobuf_fields(raw).get(1, [])):
                if not isinstance(entry, bytes):
                    raise damaged
                fields = _protobuf_fields(entry)
                name = _first_text(fields, 1)
                zip_name = str(_first_int(fields, 255, index))
                if name:
                    names.setdefault(name, zip_name)
        except ValueError as error:
            raise damaged from error
        return names
    try:
        index = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise damaged from error
    if not isinstance(index, dict):
        raise damaged
    for zip_name, name in index.items():
        if isinstance(name, str) and name:
            names.setdefault(name, str(zip_name))
    return names


# The collection.


@contextlib.contextmanager
def _open_collection(path: Path) -> Iterator[sqlite3.Connection]:
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
class _Collection:
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


def _read_collection(connection: sqlite3.Connection, limits: ImportLimits) -> _Collection:
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
            review = _review(rid, ease, ivl, last_ivl, duration, kind)
            if review is not None:
                reviews[cid].append(review)
        for history in reviews.values():
            history.reverse()
    return _Collection(created, note_types, decks, cards, dict(reviews), dropped)


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
        kind = _first_int(_protobuf_fields(bytes(config)), 1)  # Notetype.Config.kind
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
            fields = _protobuf_fields(bytes(config))  # CardTemplate.Config: q 1, a 2
            note_types[ntid].templates[ord_] = (
                name,
                _first_text(fields, 1),
                _first_text(fields, 2),
            )
    return note_types


def _decks_v11(decks_json: str) -> dict[int, tuple[str, str]]:
    decks = json.loads(decks_json or "{}")
    return {int(d["id"]): (str(d["name"]), str(d.get("desc") or "")) for d in decks.values()}


def _decks_v18(connection: sqlite3.Connection) -> dict[int, tuple[str, str]]:
    decks: dict[int, tuple[str, str]] = {}
    for did, name, kind in connection.execute("SELECT id, name, kind FROM decks"):
        description = ""
        normal = _protobuf_fields(bytes(kind)).get(1, [])  # KindContainer.normal
        if normal and isinstance(normal[0], bytes):
            description = _first_text(_protobuf_fields(normal[0]), 4)  # Normal.description
        decks[did] = (name.replace("\x1f", "::"), description)
    return decks


def _days(value: int) -> float:
    """An Anki interval: positive days, or negative seconds (learning steps)."""
    return float(value) if value >= 0 else -value / 86400


def _review(
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


# From rows to a draft.


def _deck_title(names: list[str]) -> list[str]:
    """The deepest deck path shared by all decks holding cards ([] if they share no root)."""
    paths = [name.split("::") for name in names]
    common: list[str] = []
    for parts in zip(*paths, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return common


def _build_draft(
    collection: _Collection,
    package: zipfile.ZipFile,
    entries: dict[str, zipfile.ZipInfo],
    media_names: dict[str, str],
    budget: _Budget,
    limits: ImportLimits,
    *,
    modern_media: bool,
    source_format: str,
    filename: str,
) -> DeckDraft:
    if _is_update_stub(collection):
        raise DeckImportError(
            ImportFailure.UNSUPPORTED,
            "This package only says “please update Anki”: its real collection is missing.",
        )
    skipped: list[SkippedItem] = []
    cards: list[CardDraft] = []
    media_wanted: dict[str, None] = {}
    deck_ids: set[int] = set()
    keys: set[str] = set()
    for row in collection.cards:
        card, reasons = _card(row, collection)
        skipped.extend(reasons)
        if card is None:
            continue
        if card.key in keys:  # Anki keeps GUIDs unique; a hand-made package may not
            skipped.append(SkippedItem(f"note {card.note_key}", "its GUID repeats another note's"))
            continue
        keys.add(card.key)
        deck_ids.add(row[3] or row[2])  # a card in a filtered deck belongs to its home deck
        for ref in (*card.question_media, *card.answer_media):
            media_wanted[ref.name] = None
        cards.append(card)
    media, stored_names = _resolve_media(
        media_wanted, media_names, package, entries, budget, limits, modern=modern_media
    )
    if stored_names != {name: name for name in media_wanted}:
        cards = [_with_stored_media(card, stored_names) for card in cards]
    skipped.extend(
        SkippedItem(f"media {name}", "not in the package")
        for name, stored in stored_names.items()
        if stored is None
    )
    if collection.reviews_dropped:
        skipped.append(
            SkippedItem(
                "review history",
                f"the oldest {collection.reviews_dropped:,} answers are over the limit of "
                f"{limits.max_reviews:,}",
            )
        )
    if not cards:
        first = f" ({skipped[0].reason})" if skipped else ""
        raise DeckImportError(ImportFailure.NO_CARDS, f"The package has no cards to import{first}.")
    names = [collection.decks.get(did, ("", ""))[0] for did in sorted(deck_ids)]
    root = _deck_title([n for n in names if n])
    title = root[-1] if root else (Path(filename).stem or "Anki deck")
    description = collection.decks.get(_deck_id(collection, "::".join(root)), ("", ""))[1]
    return DeckDraft(
        title=title.strip() or "Anki deck",
        cards=tuple(cards),
        source_format=source_format,
        description=html_to_plain_text(description) if description else "",
        skipped=tuple(skipped),
        media=MappingProxyType(media),
    )


def _deck_id(collection: _Collection, name: str) -> int:
    return next((did for did, (n, _d) in collection.decks.items() if n == name), -1)


def _is_update_stub(collection: _Collection) -> bool:
    notes = {row[12] for row in collection.cards}
    return len(notes) == 1 and html_to_plain_text(
        collection.cards[0][15].split(_FIELD_SEPARATOR)[0]
    ).casefold().startswith(_STUB_TEXT)


def _skipped(card_id: int, flds: str, reason: str) -> SkippedItem:
    """A skipped card, named by its note's first field as read (cloze markers taken out)."""
    first = render_cloze(flds.split(_FIELD_SEPARATOR)[0], 0, answer=True)
    text = html_to_plain_text(first).replace("\n", " ")[:60]
    return SkippedItem(f"note “{text}”" if text else f"card {card_id}", reason)


def _card(
    row: tuple[Any, ...], collection: _Collection
) -> tuple[CardDraft | None, list[SkippedItem]]:
    (
        card_id,
        ord_,
        did,
        odid,
        ctype,
        queue,
        due,
        odue,
        ivl,
        reps,
        lapses,
        data,
        guid,
        mid,
        tags,
        flds,
    ) = row
    note_type = collection.note_types.get(mid)
    if note_type is None:
        return None, [_skipped(card_id, flds, "its note type is missing from the package")]
    template = note_type.templates.get(0 if note_type.is_cloze else ord_)
    if template is None:
        return None, [
            _skipped(card_id, flds, f"card {ord_ + 1} of “{note_type.name}” has no template")
        ]
    template_name, question_template, answer_template = template
    if "image-occlusion" in question_template:
        return None, [_skipped(card_id, flds, "Image Occlusion cards need Anki's image masks")]
    values = flds.split(_FIELD_SEPARATOR)
    values += [""] * (len(note_type.fields) - len(values))
    fields = dict(zip(note_type.fields, values, strict=False))
    deck_name = collection.decks.get(odid or did, ("", ""))[0]
    tag_list = tuple(tags.split())
    note = NoteFields(fields, tag_list, note_type.name, deck_name, template_name)
    if note_type.is_cloze and ord_ + 1 not in set().union(*map(cloze_numbers, values)):
        return None, [_skipped(card_id, flds, f"cloze c{ord_ + 1} is no longer in the note")]
    try:
        rendered = render_card(question_template, answer_template, note, card_ord=ord_)
    except TemplateError as error:
        return None, [_skipped(card_id, flds, f"its card template is broken: {error}")]
    question = convert_anki_html(rendered.question)
    answer = convert_anki_html(rendered.answer, after_answer_marker=True)
    if not (question.text.strip() or question.images or question.sounds):
        return None, [_skipped(card_id, flds, "its question is empty")]
    typed = rendered.typed_answer.strip() if rendered.typed_answer else None
    if typed:
        kind = CardKind.TYPED
    elif note_type.is_cloze:
        kind = CardKind.CLOZE
    elif ord_ > 0:
        kind = CardKind.REVERSED
    else:
        kind = CardKind.BASIC
    progress = _progress(
        collection,
        ctype,
        queue,
        odue if odid else due,
        ivl,
        reps,
        lapses,
        data,
        collection.reviews.get(card_id, []),
    )
    return CardDraft(
        key=f"{guid}:{ord_}",
        note_key=guid,
        note_type=note_type.name,
        kind=kind,
        question=question.html,
        answer=answer.html,
        tags=tag_list,
        typed_answer=typed,
        question_media=_refs(question),
        answer_media=_refs(answer),
        progress=progress,
        reviews=tuple(collection.reviews.get(card_id, ())),
    ), []


def _refs(side: ConvertedHtml) -> tuple[MediaRef, ...]:
    return (
        *(MediaRef(name, MediaKind.IMAGE) for name in side.images),
        *(MediaRef(name, MediaKind.SOUND) for name in side.sounds),
    )


def _progress(
    collection: _Collection,
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


def _resolve_media(
    wanted: dict[str, None],
    media_names: dict[str, str],
    package: zipfile.ZipFile,
    entries: dict[str, zipfile.ZipInfo],
    budget: _Budget,
    limits: ImportLimits,
    *,
    modern: bool,
) -> tuple[dict[str, bytes], dict[str, str | None]]:
    """Bytes of each media file the cards use, and each reference's stored name (None: the
    package lacks it). A `src` may be URL-encoded ("a%20b.png" for "a b.png")."""
    media: dict[str, bytes] = {}
    stored_names: dict[str, str | None] = {}
    for name in wanted:
        stored = name if name in media_names else unquote(name)
        zip_name = media_names.get(stored)
        if zip_name is None or zip_name not in entries:
            stored_names[name] = None
            continue
        stored_names[name] = stored
        if stored not in media:
            media[stored] = _read_bytes(package, entries[zip_name], budget, limits, zstd=modern)
    return media, stored_names


def _with_stored_media(card: CardDraft, stored_names: dict[str, str | None]) -> CardDraft:
    def fix(refs: tuple[MediaRef, ...]) -> tuple[MediaRef, ...]:
        fixed: list[MediaRef] = []
        for ref in refs:
            stored = stored_names.get(ref.name)
            if stored is not None and all(r.name != stored for r in fixed):
                fixed.append(MediaRef(stored, ref.kind))
        return tuple(fixed)

    return replace(
        card, question_media=fix(card.question_media), answer_media=fix(card.answer_media)
    )
