"""The import preview stays one Telegram message whatever a file holds."""

from __future__ import annotations

from bot.telegram import texts
from tests.fake_telegram import parse_html


def test_a_preview_of_a_sprawling_file_fits_one_message_and_counts_the_rest():
    note_types = {f"Note type {i} " + "x" * 250: 40 - i for i in range(40)}
    text = texts.import_preview(
        file_name="deck <1>.apkg" + "y" * 300,
        kind="anki",
        title="T & <b>" * 100,
        notes_by_type=note_types,
        cards_by_type={name: n * 2 for name, n in note_types.items()},
        cards_by_kind={"basic": 700, "cloze": 120},
        card_count=820,
        note_count=sum(note_types.values()),
        images=3,
        sounds=0,
        history=True,
        reviews=12,
        studied_cards=4,
        skipped=[(f"note {i} " + "w" * 500, "reason " + "z" * 2000) for i in range(100)],
        warnings=["line 3: " + "v" * 3000] * 100,
        separators=None,
        delimiter=None,
        updates_deck=None,
    )
    plain = parse_html(text).text  # valid Telegram HTML, or this raises
    assert texts.visible_length(text) <= texts.MAX_MESSAGE_CHARS
    assert "30 other note types" in plain
    assert "⚠️ Skipped: 100 items" in plain and "… and 95 more" in plain
    assert "Besides basic cards: 120 cloze." in plain
    assert "Media: 3 images" in plain
