"""Two copies of the deck folder on one database (a replica of the last deploy restarting
beside a new one): the older copy never undoes the newer, on SQLite and Postgres."""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.core.deck_format import deck_folder_modified
from bot.services.decks import load_bundled_decks
from bot.storage.models import Card, Deck
from tests.harness import SEED_DECK, seed_decks_dir

SLUG = "deep-learning-tools"
EXTRA_DECK = (
    "---\nslug: extra\ntitle: Extra\ndescription: Added later.\n---\n\n## one\nQ: 1?\nA: 1.\n"
)


def _set_changed(folder, when: datetime) -> None:
    """Give the folder and every file in it this modification time."""
    stamp = int(when.replace(microsecond=0).timestamp()) * 10**9 + when.microsecond * 1000
    for entry in [*folder.iterdir(), folder]:
        os.utime(entry, ns=(stamp, stamp))


def _two_deploys(tmp_path):
    """The old deploy's folder (yesterday) and the new one's: a card and a deck more."""
    (tmp_path / "old").mkdir()
    old = seed_decks_dir(tmp_path / "old")
    new = tmp_path / "new"
    shutil.copytree(old, new)
    deck = new / SEED_DECK
    deck.write_text(deck.read_text() + "\n## added-later\nQ: New here?\nA: Yes.\n")
    (new / "extra.md").write_text(EXTRA_DECK)
    today = datetime.now(UTC).replace(microsecond=0)
    _set_changed(old, today - timedelta(days=1))
    _set_changed(new, today)
    return old, new


async def _live_keys(db) -> set[str]:
    async with db.session() as s:
        rows = await s.execute(
            select(Deck.slug, Card.key)
            .join(Card, Card.deck_id == Deck.id)
            .where(Deck.retired.is_(False), Card.retired.is_(False))
        )
        return {f"{slug}/{key}" for slug, key in rows}


async def test_an_older_folder_loaded_after_a_newer_one_changes_nothing(
    db, clock, tmp_path, caplog
):
    old, new = _two_deploys(tmp_path)
    await load_bundled_decks(db, new, now=clock())
    loaded = await _live_keys(db)
    assert {f"{SLUG}/added-later", "extra/one"} <= loaded

    caplog.set_level(logging.WARNING, logger="bot.services.decks")
    report = await load_bundled_decks(db, old, now=clock())
    assert report.newer_loaded == deck_folder_modified(new)
    assert (report.retired, report.retired_decks, report.added) == ({}, {}, {})
    assert await _live_keys(db) == loaded  # the newer card and deck are still live
    assert "before the deck folder already loaded" in caplog.text

    # The same (newest) folder again loads as usual: nothing to do.
    report = await load_bundled_decks(db, new, now=clock())
    assert report.newer_loaded is None
    assert (report.added[SLUG], report.retired[SLUG]) == (0, 0)


async def test_an_old_folder_edited_since_is_the_newest_and_loads(db, clock, tmp_path):
    # What an operator does on purpose (take a card out) is newer, so it wins.
    old, new = _two_deploys(tmp_path)
    await load_bundled_decks(db, new, now=clock())
    _set_changed(old, datetime.now(UTC) + timedelta(minutes=1))
    report = await load_bundled_decks(db, old, now=clock())
    assert report.retired[SLUG] == 1
    assert report.retired_decks == {"extra": 0}
    live = await _live_keys(db)
    assert f"{SLUG}/added-later" not in live and "extra/one" not in live


def test_a_folder_is_as_new_as_its_newest_change_a_deletion_included(tmp_path):
    folder = seed_decks_dir(tmp_path)
    (folder / "extra.md").write_text(EXTRA_DECK)
    then = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    _set_changed(folder, then)
    assert deck_folder_modified(folder) == then
    (folder / "extra.md").unlink()  # a deletion changes the folder, not any file left
    assert deck_folder_modified(folder) > then
    (folder / SEED_DECK).unlink()
    assert deck_folder_modified(folder) is None  # no deck files: nothing to order
