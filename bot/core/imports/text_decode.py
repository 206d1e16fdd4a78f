"""Text deck bytes to text: UTF-8 (with or without BOM), UTF-16, legacy encodings; binaries refused."""

from __future__ import annotations

import codecs
from pathlib import PurePath

from bot.core.deck_format import (
    TITLE_MAX_CHARS,
)
from bot.core.imports.draft import (
    DeckImportError,
    ImportFailure,
)

__all__ = [
    "decode_text",
    "title_from_filename",
]


# ---------------------------------------------------------------------------------------------
# Bytes to text


_BINARY_MAGIC = (
    (b"PK\x03\x04", "a zip archive (an Anki package?)"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
_RESAVE = "Please save it as UTF-8 (e.g. in Excel: Save As → “CSV UTF-8”) and send it again."


def decode_text(data: bytes) -> str:
    """The text of a file: UTF-8 (BOM or not), or UTF-16/32 with a BOM; never a guess.

    Anything else (Latin-1, Windows-1252…) is refused rather than decoded wrongly: the bytes alone
    cannot tell those apart, and a wrong guess would import mojibake.
    """
    if not data.strip():
        raise DeckImportError(ImportFailure.EMPTY_FILE, "The file is empty.")
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as error:
                raise DeckImportError(
                    ImportFailure.ENCODING,
                    f"The file starts as {codec.upper().removesuffix('-SIG')} but is not valid "
                    f"{codec.upper().removesuffix('-SIG')} further on. {_RESAVE}",
                ) from error
            break
    else:
        for magic, what in _BINARY_MAGIC:
            if data.startswith(magic):
                raise DeckImportError(
                    ImportFailure.UNKNOWN_FORMAT,
                    f"This is {what}, not a text file of cards.",
                )
        text = _utf16_without_bom(data)
        try:
            text = text if text is not None else data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise DeckImportError(
                ImportFailure.ENCODING,
                f"The file is not UTF-8 text (line {line} has a byte 0x{data[error.start]:02x} "
                f"that UTF-8 does not allow). {_RESAVE}",
            ) from error
    if "\x00" in text:
        raise DeckImportError(
            ImportFailure.UNKNOWN_FORMAT, "This is a binary file, not a text file of cards."
        )
    if not text.strip():
        raise DeckImportError(ImportFailure.EMPTY_FILE, "The file is empty.")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a BOM: every other byte of Latin text is NUL."""
    sample = data[:4096]
    if len(data) % 2 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    codec = "utf-16-le" if odd > 2 * even else "utf-16-be" if even > 2 * odd else None
    if codec is None or max(even, odd) < len(sample) // 4:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def title_from_filename(filename: str) -> str:
    stem = PurePath(filename.replace("\\", "/")).stem
    title = " ".join(stem.replace("_", " ").split()) or "Imported deck"
    return title[:TITLE_MAX_CHARS]
