"""Zip and zstd decompression that counts every unpacked byte, and the package's protobuf metadata."""

from __future__ import annotations

import contextlib
import io
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterator
from typing import IO

import zstandard

from bot.core.imports.draft import (
    DeckImportError,
    ImportFailure,
    ImportLimits,
)

__all__ = [
    "Budget",
    "first_int",
    "first_text",
    "open_zip",
    "protobuf_fields",
    "read_bytes",
    "read_meta_version",
    "safe_entries",
    "unpack_entry",
]


_CHUNK = 64 * 1024
# A zstd frame may ask for a window this big at most (Anki's level-3 frames use 2 MiB): a
# frame asking for more is refused as damaged rather than allocated.
_ZSTD_MAX_WINDOW = 64 * 1024 * 1024


# Zip and decompression, never trusting a declared size.


class Budget:
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
def open_zip(data: bytes, limits: ImportLimits) -> Iterator[zipfile.ZipFile]:
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


def safe_entries(package: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
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


def unpack_entry(
    package: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    target: IO[bytes],
    budget: Budget,
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


def read_bytes(
    package: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    budget: Budget,
    limits: ImportLimits,
    *,
    zstd: bool,
) -> bytes:
    buffer = io.BytesIO()
    unpack_entry(package, info, buffer, budget, limits, zstd=zstd)
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


def protobuf_fields(data: bytes) -> dict[int, list[int | bytes]]:
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


def first_int(fields: dict[int, list[int | bytes]], number: int, default: int = 0) -> int:
    values = [v for v in fields.get(number, []) if isinstance(v, int)]
    return values[0] if values else default


def first_text(fields: dict[int, list[int | bytes]], number: int) -> str:
    values = [v for v in fields.get(number, []) if isinstance(v, bytes)]
    return values[0].decode("utf-8", errors="replace") if values else ""


def read_meta_version(
    package: zipfile.ZipFile,
    entries: dict[str, zipfile.ZipInfo],
    budget: Budget,
    limits: ImportLimits,
) -> int:
    """PackageMetadata.version (1, 2 legacy; 3 latest), 0 for packages without `meta`."""
    if "meta" not in entries:
        return 0
    raw = read_bytes(package, entries["meta"], budget, limits, zstd=False)
    try:
        return first_int(protobuf_fields(raw), 1)
    except ValueError as error:
        raise DeckImportError(
            ImportFailure.CORRUPT, "The package is damaged: its metadata cannot be read."
        ) from error
