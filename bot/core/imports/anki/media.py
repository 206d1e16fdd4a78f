"""The package's media: its index (legacy JSON or protobuf), card references, and stored names."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from urllib.parse import unquote

from bot.core.imports.anki.unpack import Budget, first_int, first_text, protobuf_fields, read_bytes
from bot.core.imports.anki_html import ConvertedHtml
from bot.core.imports.draft import (
    CardDraft,
    DeckImportError,
    ImportFailure,
    ImportLimits,
    MediaKind,
    MediaRef,
)

__all__ = [
    "media_index",
    "media_refs",
    "resolve_media",
    "with_stored_media",
]


def media_index(
    package: zipfile.ZipFile,
    entries: dict[str, zipfile.ZipInfo],
    budget: Budget,
    limits: ImportLimits,
    *,
    modern: bool,
) -> dict[str, str]:
    """Media file name → the zip entry holding it."""
    if "media" not in entries:
        return {}
    raw = read_bytes(package, entries["media"], budget, limits, zstd=modern)
    damaged = DeckImportError(
        ImportFailure.CORRUPT, "The package is damaged: its media list cannot be read."
    )
    names: dict[str, str] = {}
    if modern:  # MediaEntries { repeated MediaEntry entries = 1 }
        try:
            for index, entry in enumerate(protobuf_fields(raw).get(1, [])):
                if not isinstance(entry, bytes):
                    raise damaged
                fields = protobuf_fields(entry)
                name = first_text(fields, 1)
                zip_name = str(first_int(fields, 255, index))
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


def media_refs(side: ConvertedHtml) -> tuple[MediaRef, ...]:
    return (
        *(MediaRef(name, MediaKind.IMAGE) for name in side.images),
        *(MediaRef(name, MediaKind.SOUND) for name in side.sounds),
    )


def resolve_media(
    wanted: dict[str, None],
    media_names: dict[str, str],
    package: zipfile.ZipFile,
    entries: dict[str, zipfile.ZipInfo],
    budget: Budget,
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
            media[stored] = read_bytes(package, entries[zip_name], budget, limits, zstd=modern)
    return media, stored_names


def with_stored_media(card: CardDraft, stored_names: dict[str, str | None]) -> CardDraft:
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
