"""Study-mode adapters without a network: callback data and the progress table's rendering."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.mastery import Mastery
from bot.services.study import ProgressRow
from bot.telegram import callbacks as cb
from bot.telegram import texts
from tests.fake_telegram import parse_html

BIG = 10**18 - 1  # the largest id the payload patterns accept (18 digits)
MOVES = sorted(cb.STUDY_MOVES)


@pytest.mark.parametrize("mode", ["cards", "learn", "test", "match", "quiz"])
@pytest.mark.parametrize("move", MOVES)
def test_study_moves_round_trip_within_64_bytes(mode: str, move: str):
    index = {"choose": 5, "tile": 11}.get(move, 0)
    callback = cb.StudyMove(mode, BIG, BIG, move, index)
    data = cb.encode(callback)
    assert len(data.encode()) <= cb.MAX_CALLBACK_BYTES
    assert cb.decode(data) == callback


@pytest.mark.parametrize("mode", cb.STUDY_MODES)
def test_deck_picks_round_trip_with_and_without_options(mode: str):
    for callback in (
        cb.PickDeck(mode, BIG),
        cb.PickDeck(mode, BIG, cb.MAX_PICK_LENGTH, ("mc", "tf", "written")),
        cb.PickDeck(mode, 3, 5, ()),
        cb.PickDeck(mode, 3, 0, ("mc",)),  # `/test mc`: kinds with the default length
        cb.PickDeck(mode, 3, 0, ("tf", "written")),
    ):
        data = cb.encode(callback)
        assert len(data.encode()) <= cb.MAX_CALLBACK_BYTES
        assert cb.decode(data) == callback


@pytest.mark.parametrize(
    "data",
    [
        "sl:1:1:o6",  # only options A-F
        "sm:1:0:k12",  # only tiles 0-11
        "sp:1:1:f",  # progress has no session moves
        "sl:01:1:o0",  # no leading zeros
        "sl:1:1:o0x",
        "sdl:1:0:",  # a length of 0 is only encoded with kinds
        "sdl:1:1000:",  # nor one over MAX_PICK_LENGTH
        "sdl:1:012:",
        "sdt:1:5:mm",  # a kind named twice
        "sdz:1",
        "sl:1:1:" + "o" * 60,
    ],
)
def test_malformed_study_payloads_are_refused(data: str):
    assert cb.decode(data) is None


def test_encode_refuses_what_decode_would_refuse():
    for bad in (
        cb.StudyMove("learn", 1, 1, "choose", 6),
        cb.StudyMove("match", 1, 0, "tile", 12),
        cb.StudyMove("progress", 1, 1, "flip"),
        cb.PickDeck("test", 1, cb.MAX_PICK_LENGTH + 1, ()),
        cb.PickDeck("test", 1, 0, ("mc", "mc")),
    ):
        with pytest.raises(ValueError):
            cb.encode(bad)


def _row(name: str, **fields) -> ProgressRow:
    values = {
        "user_id": 1,
        "name": name,
        "mastery": Mastery(total=16, not_studied=10, learning=4, mastered=2, percent=12),
        "learn": (5, 16),
        "test_percent": 83,
        "match_ms": 13_000,
        "spaced_reviews": 42,
        "quiz": (4, 5),
        "last_studied": datetime(2026, 3, 2, tzinfo=UTC),
    }
    return ProgressRow(**(values | fields))


def test_no_rows_is_exactly_the_source_pages_sentence():
    assert texts.progress_table("Deep Learning Tools", []) == "No study sessions yet."


def test_progress_table_is_a_narrow_pre_block_with_escaped_truncated_names():
    rows = [
        _row("Ada"),
        _row("Bartholomew the Third", learn=None, test_percent=None, match_ms=None),
        _row("<b>&amp;", spaced_reviews=0, match_ms=75_500),
    ]
    html = texts.progress_table("Deck <1>", rows)
    parsed = parse_html(html)  # valid Telegram HTML
    lines = parsed.text.splitlines()
    assert lines[0] == "Deck <1>"
    assert lines[1].split() == ["Name", "Mastery", "Learn", "Test", "Matching", "Spaced"]
    assert lines[2].split() == ["Ada", "12%", "5/16", "83%", "13.0s", "42"]
    assert lines[3].split() == ["Bartholom…", "12%", "-", "-", "-", "42"]
    assert lines[4].split() == ["<b>&amp;", "12%", "5/16", "83%", "1:16", "-"]
    assert all(len(line) <= 45 for line in lines[1:])
    assert len({len(line) for line in lines[1:]}) <= 2  # aligned columns (last may be shorter)


def test_a_crowd_is_cut_to_fit_one_message():
    rows = [_row(f"Member number {i}") for i in range(200)]
    html = texts.progress_table("Deck", rows)
    assert texts.visible_length(html) <= texts.MAX_MESSAGE_CHARS
    assert html.endswith(f"…and {200 - texts.PROGRESS_MAX_ROWS} more.")
    parse_html(html)


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "0.0 s"),
        (13_000, "13.0 s"),
        (59_949, "59.9 s"),
        (60_000, "1:00"),
        (3_725_000, "1:02:05"),
    ],
)
def test_durations(ms: int, text: str):
    assert texts.format_duration(ms) == text
