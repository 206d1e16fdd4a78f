"""What a deck reload logs after a small edit: only the cards whose content changed."""

from __future__ import annotations

import logging

from bot.services.decks import load_bundled_decks
from tests.harness import SEED_DECK, seed_decks_dir

SLUG = "deep-learning-tools"


def _deck_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.services.decks"]


async def test_a_one_line_edit_logs_one_updated_card(db, clock, tmp_path, caplog):
    decks = seed_decks_dir(tmp_path)
    path = decks / SEED_DECK
    await load_bundled_decks(db, decks, now=clock())
    # One more line in the answer of an early card: every card below moves down a line.
    text = path.read_text()
    marker = "## de-facto-language\n"
    question_end = text.index("\nA: ", text.index(marker)) + 1
    answer_end = text.index("\n\n", question_end)
    path.write_text(text[:answer_end] + "\nAnd a second line." + text[answer_end:])
    caplog.set_level(logging.INFO, logger="bot.services.decks")
    report = await load_bundled_decks(db, decks, now=clock())
    assert (report.added[SLUG], report.updated[SLUG], report.retired[SLUG]) == (0, 1, 0)
    assert _deck_lines(caplog) == [f"deck {SLUG}: 0 added, 1 updated, 0 retired"]


async def test_a_card_inserted_near_the_top_is_one_added_and_nothing_updated(
    db, clock, tmp_path, caplog
):
    decks = seed_decks_dir(tmp_path)
    path = decks / SEED_DECK
    await load_bundled_decks(db, decks, now=clock())
    text = path.read_text()
    first = text.index("\n## ") + 1
    path.write_text(text[:first] + "## a-new-card\nQ: New?\nA: Yes.\n\n" + text[first:])
    caplog.set_level(logging.INFO, logger="bot.services.decks")
    await load_bundled_decks(db, decks, now=clock())
    assert _deck_lines(caplog) == [f"deck {SLUG}: 1 added, 0 updated, 0 retired"]
