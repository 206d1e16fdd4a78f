"""Anki import benchmark: parse time and peak memory for a generated 10,000-card .apkg.

    .venv/bin/python bench/import_anki.py [--cards 10000] [--images 200]

The package is Anki's current default format (zstd-compressed schema-18 collection, protobuf
media index, zstd media), built from the deck_modern.apkg fixture's collection with notes
added: three Basic notes for every "Basic (and reversed card)" note (two cards), HTML in the
fields, one image on the back of `--images` notes (30 KB of incompressible bytes each) and a
revlog row on every tenth card. The parse runs in a fresh process so its peak RSS is its own.
Targets from issue 10: ≤ 10 s and ≤ 200 MB RSS on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import zstandard

FIXTURE = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "import" / "deck_modern.apkg"
)
BASIC, REVERSED, DECK = 1796130940911, 1796130940912, 1796130941020


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _media_entry(name: str, size: int) -> bytes:
    body = b"\x0a" + _varint(len(name.encode())) + name.encode() + b"\x10" + _varint(size)
    return b"\x0a" + _varint(len(body)) + body


def build_package(cards: int, images: int) -> bytes:
    with zipfile.ZipFile(FIXTURE) as fixture:
        raw = (
            zstandard.ZstdDecompressor()
            .decompressobj()
            .decompress(fixture.read("collection.anki21b"))
        )
        meta, stub = fixture.read("meta"), fixture.read("collection.anki2")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.sqlite"
        path.write_bytes(raw)
        db = sqlite3.connect(path)
        db.execute("DELETE FROM cards")
        db.execute("DELETE FROM notes")
        db.execute("DELETE FROM revlog")
        nid = cid = 1
        made = 0
        note = 0
        while made < cards:
            reversed_note = note % 4 == 3 and made + 2 <= cards
            image = f'<br><img src="img{note}.png">' if note < images else ""
            front = f"<b>word {note}</b> &amp; friends"
            back = f"<div>meaning {note}</div><div><i>example</i> sentence&nbsp;{note}</div>{image}"
            db.execute(
                "INSERT INTO notes VALUES (?, ?, ?, 0, -1, ' bench ', ?, '', 0, 0, '')",
                (nid, f"g{note}", REVERSED if reversed_note else BASIC, f"{front}\x1f{back}"),
            )
            for ord_ in range(2 if reversed_note else 1):
                reviewed = cid % 10 == 0
                db.execute(
                    "INSERT INTO cards VALUES (?, ?, ?, ?, 0, -1, ?, ?, ?, ?, 2500, ?, 0, 0, 0, 0, 0, ?)",
                    (
                        cid,
                        nid,
                        DECK,
                        ord_,
                        2 if reviewed else 0,
                        2 if reviewed else 0,
                        5 if reviewed else cid,
                        3 if reviewed else 0,
                        1 if reviewed else 0,
                        '{"s": 3.1, "d": 5.2, "lrt": 1796130941}' if reviewed else "{}",
                    ),
                )
                if reviewed:
                    db.execute(
                        "INSERT INTO revlog VALUES (?, ?, -1, 3, 3, 0, 2500, 4000, 0)",
                        (1796130941000 + cid, cid),
                    )
                cid += 1
                made += 1
            nid += 1
            note += 1
        db.commit()
        db.close()
        collection = path.read_bytes()
    compressor = zstandard.ZstdCompressor()
    buffer = io.BytesIO()
    index = b""
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as package:
        package.writestr("meta", meta)
        package.writestr("collection.anki21b", compressor.compress(collection))
        package.writestr("collection.anki2", stub)
        for number in range(images):
            image = b"\x89PNG\r\n\x1a\n" + os.urandom(30_000)
            package.writestr(str(number), compressor.compress(image))
            index += _media_entry(f"img{number}.png", len(image))
        package.writestr("media", compressor.compress(index))
    return buffer.getvalue()


def parse(path: str) -> None:
    from bot.core.imports.anki import read_anki_package

    data = Path(path).read_bytes()
    started = time.perf_counter()
    draft = read_anki_package(data, filename="bench.apkg")
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reviews = sum(len(card.reviews) for card in draft.cards)
    print(
        f"parsed {len(draft.cards):,} cards from {draft.note_count:,} notes, "
        f"{len(draft.media)} media ({sum(map(len, draft.media.values())) / 1e6:.1f} MB), "
        f"{reviews:,} reviews in {elapsed:.2f} s; peak RSS {peak_mb:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--parse", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse:
        parse(args.parse)
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.apkg"
        path.write_bytes(build_package(args.cards, args.images))
        print(
            f"package: {path.stat().st_size / 1e6:.1f} MB, {args.cards:,} cards, {args.images} images"
        )
        subprocess.run([sys.executable, __file__, "--parse", str(path)], check=True)


if __name__ == "__main__":
    main()
