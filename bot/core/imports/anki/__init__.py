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

One module per step: `package` (the entry point), `unpack` (zip, zstd, protobuf metadata),
`collection` (schema 11 and 18 SQLite), `notes` (rows to cards), `progress` (scheduling) and
`media`.
"""

from __future__ import annotations

from bot.core.imports.anki.package import ANKI_PACKAGE_SUFFIXES, read_anki_package

__all__ = ["ANKI_PACKAGE_SUFFIXES", "read_anki_package"]
