"""Reading an Anki package: the newest collection it holds, its metadata and media index, to a draft."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.core.imports.anki.collection import open_collection, read_collection
from bot.core.imports.anki.media import media_index
from bot.core.imports.anki.notes import build_draft
from bot.core.imports.anki.unpack import (
    Budget,
    open_zip,
    read_meta_version,
    safe_entries,
    unpack_entry,
)
from bot.core.imports.draft import (
    DeckDraft,
    DeckImportError,
    ImportFailure,
    ImportLimits,
)

__all__ = [
    "ANKI_PACKAGE_SUFFIXES",
    "read_anki_package",
]


ANKI_PACKAGE_SUFFIXES = (".apkg", ".colpkg")
# Newest first: a package is read from the first of these it holds.
_COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
_ZSTD_COLLECTION = "collection.anki21b"


_META_VERSION_LATEST = 3  # PackageMetadata.Version.LATEST: zstd media and protobuf index


def read_anki_package(
    data: bytes, *, filename: str = "", limits: ImportLimits | None = None
) -> DeckDraft:
    """Parse an .apkg/.colpkg; raise DeckImportError with a reason if it cannot be imported."""
    limits = limits or ImportLimits()
    if not data:
        raise DeckImportError(ImportFailure.EMPTY_FILE, "The file is empty.")
    source_format = "colpkg" if filename.lower().endswith(".colpkg") else "apkg"
    with (
        open_zip(data, limits) as package,
        tempfile.TemporaryDirectory(prefix="flashtutor-import-") as workdir,
    ):
        budget = Budget(limits.max_unpacked_bytes)
        entries = safe_entries(package)
        name = next((n for n in _COLLECTIONS if n in entries), None)
        if name is None:
            raise DeckImportError(
                ImportFailure.NO_COLLECTION,
                "This zip holds no Anki collection: export the deck from Anki as an .apkg.",
            )
        database = Path(workdir) / "collection.sqlite"
        with database.open("wb") as target:
            unpack_entry(
                package, entries[name], target, budget, limits, zstd=name == _ZSTD_COLLECTION
            )
        with open_collection(database) as connection:
            collection = read_collection(connection, limits)
        meta_version = read_meta_version(package, entries, budget, limits)
        # Without `meta`, a zstd collection still implies Anki's latest media layout.
        modern_media = meta_version >= _META_VERSION_LATEST or (
            meta_version == 0 and name == _ZSTD_COLLECTION
        )
        media_names = media_index(package, entries, budget, limits, modern=modern_media)
        return build_draft(
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
