"""Import save benchmark: time to save a 10,000-card deck draft, and to save it again.

    .venv/bin/python bench/import_save.py [--cards 10000] [--images 200] [--backend sqlite|postgres]

The draft is generated in memory (what the parsers hand over): HTML cards with tags, one image
(30 KB of random bytes) on the back of `--images` cards and two past answers on every tenth
card. Three saves in one fresh database: the first import; the same draft again (nothing
changes: the re-import check); and a draft with a tenth of the answers edited, 100 cards
gone and 100 new. Each save is one transaction, as in the bot. Peak RSS is the process's.
The parse is benched separately (bench/import_anki.py); issue 10's target covers both:
≤ 10 s and ≤ 200 MB RSS on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from bot.core.imports.draft import (
    CardDraft,
    CardKind,
    DeckDraft,
    MediaKind,
    MediaRef,
    ReviewDraft,
    ReviewKind,
)
from bot.services.deck_imports import save_import
from bot.services.users import UserDefaults, ensure_user
from bot.storage.db import Database

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def make_draft(cards: int, images: int) -> DeckDraft:
    media = {f"img{i}.jpg": os.urandom(30_000) for i in range(images)}
    every = max(1, cards // images) if images else 0
    drafts = []
    for n in range(cards):
        image = n // every if every and n % every == 0 and n // every < images else None
        reviews = ()
        if n % 10 == 0:
            reviews = (
                ReviewDraft(NOW - timedelta(days=9), 3, ReviewKind.LEARN, 1, 0, 5000),
                ReviewDraft(NOW - timedelta(days=8), 3, ReviewKind.REVIEW, 4, 1, 4000),
            )
        drafts.append(
            CardDraft(
                key=f"guid{n:06d}:0",
                note_key=f"guid{n:06d}",
                note_type="Basic",
                kind=CardKind.BASIC,
                question=f"<b>word {n}</b>",
                answer=f"meaning {n}<br><i>example sentence number {n}</i>",
                tags=("bench", f"group{n % 50}"),
                answer_media=(MediaRef(f"img{image}.jpg", MediaKind.IMAGE),)
                if image is not None
                else (),
                reviews=reviews,
            )
        )
    return DeckDraft(title="Bench", cards=tuple(drafts), source_format="apkg", media=media)


def edited(draft: DeckDraft) -> DeckDraft:
    cards = list(draft.cards[100:])
    cards = [
        replace(c, answer=c.answer + " (edited)") if i % 10 == 0 else c for i, c in enumerate(cards)
    ]
    cards += [replace(draft.cards[0], key=f"new{n}:0", note_key=f"new{n}") for n in range(100)]
    return replace(draft, cards=tuple(cards))


async def run(url: str, draft: DeckDraft) -> list[tuple[str, float, object]]:
    db = Database(url)
    await db.migrate()
    async with db.session() as s:
        await ensure_user(
            s, user_id=1, first_name="b", username=None, now=NOW, defaults=UserDefaults()
        )
    results = []
    deck_id = None
    for label, version in (
        ("first import", draft),
        ("same file again", draft),
        ("edited file", edited(draft)),
    ):
        started = time.perf_counter()
        async with db.session() as s:
            result = await save_import(
                s, owner_id=1, draft=version, now=NOW, replace_deck_id=deck_id
            )
        results.append((label, time.perf_counter() - started, result))
        deck_id = result.deck.id
    await db.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    draft = make_draft(args.cards, args.images)
    schema = f"bench_import_save_{os.getpid()}"
    with tempfile.TemporaryDirectory() as folder:
        if args.backend == "sqlite":
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        else:
            with psycopg.connect(POSTGRES.replace("+psycopg", ""), autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                conn.execute(f'CREATE SCHEMA "{schema}"')
            url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
        try:
            results = asyncio.run(run(url, draft))
        finally:
            if args.backend == "postgres":
                with psycopg.connect(POSTGRES.replace("+psycopg", ""), autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{args.cards} cards, {args.images} images, backend {args.backend}")
    for label, seconds, r in results:
        print(
            f"  {label:16} {seconds:6.2f} s  added {r.added}, updated {r.updated}, "
            f"retired {r.retired}, media new {r.media_added}, with memory {r.with_memory}"
        )
    print(f"  peak RSS (draft + saves): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
