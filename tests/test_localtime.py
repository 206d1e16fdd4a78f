"""Local-time maths for daily pushes across timezones and DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.localtime import (
    local_day_start,
    next_push_at,
    parse_review_time,
    resolve_timezone,
    suggest_timezones,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_today_time_not_yet_passed():
    now = utc(2026, 6, 1, 5, 0)  # 07:00 in Berlin (CEST)
    assert next_push_at(zone=BERLIN, review_minute=9 * 60, now=now, last_push_on=None) == utc(
        2026, 6, 1, 7, 0
    )


def test_today_time_passed_and_not_pushed_is_due_now():
    now = utc(2026, 6, 1, 12, 0)
    at = next_push_at(zone=BERLIN, review_minute=9 * 60, now=now, last_push_on=None)
    assert at == utc(2026, 6, 1, 7, 0) and at <= now


def test_already_pushed_today_moves_to_tomorrow():
    now = utc(2026, 6, 1, 12, 0)
    at = next_push_at(zone=BERLIN, review_minute=9 * 60, now=now, last_push_on=date(2026, 6, 1))
    assert at == utc(2026, 6, 2, 7, 0)


def test_local_day_differs_from_utc_day():
    # 23:30 UTC on 1 June is already 2 June 08:30 in Tokyo.
    now = utc(2026, 6, 1, 23, 30)
    at = next_push_at(zone=TOKYO, review_minute=9 * 60, now=now, last_push_on=date(2026, 6, 1))
    assert at == utc(2026, 6, 2, 0, 0)  # 09:00 JST on 2 June


def test_spring_forward_keeps_wall_clock_time():
    # New York springs forward on 8 March 2026: 09:00 is EDT (UTC-4) that day, EST the day before.
    before = next_push_at(zone=NY, review_minute=540, now=utc(2026, 3, 7, 10), last_push_on=None)
    after = next_push_at(zone=NY, review_minute=540, now=utc(2026, 3, 8, 10), last_push_on=None)
    assert before == utc(2026, 3, 7, 14) and after == utc(2026, 3, 8, 13)


def test_time_inside_the_spring_gap_still_fires_once_that_day():
    # 02:30 does not exist on 8 March 2026 in New York; it fires at 03:30 EDT (07:30 UTC).
    at = next_push_at(zone=NY, review_minute=150, now=utc(2026, 3, 8, 5), last_push_on=None)
    assert at == utc(2026, 3, 8, 7, 30)
    assert at.astimezone(NY).date() == date(2026, 3, 8)


def test_time_inside_the_autumn_overlap_fires_at_the_first_occurrence():
    # 01:30 happens twice on 1 November 2026 in New York; the first is EDT (05:30 UTC).
    at = next_push_at(zone=NY, review_minute=90, now=utc(2026, 11, 1, 4), last_push_on=None)
    assert at == utc(2026, 11, 1, 5, 30)


def test_local_day_start_on_a_23_hour_day():
    start = local_day_start(utc(2026, 3, 29, 12), BERLIN)
    end = local_day_start(utc(2026, 3, 29, 12), BERLIN, days=1)
    assert (start, (end - start).total_seconds() / 3600) == (utc(2026, 3, 28, 23), 23)


@pytest.mark.parametrize(
    ("text", "minute"), [("07:30", 450), ("7:30", 450), ("0930", 570), ("9", 540), ("23:59", 1439)]
)
def test_parse_review_time(text, minute):
    assert parse_review_time(text) == minute


@pytest.mark.parametrize("text", ["", "24:00", "12:60", "noon", "7:5", "-1:00"])
def test_parse_review_time_rejects(text):
    with pytest.raises(ValueError):
        parse_review_time(text)


def test_timezones_resolve_case_insensitively_and_suggest():
    assert resolve_timezone("europe/berlin").key == "Europe/Berlin"
    with pytest.raises(ValueError):
        resolve_timezone("Mars/Olympus")
    with pytest.raises(ValueError):
        resolve_timezone("../../etc/passwd")
    assert suggest_timezones("berlin") == ["Europe/Berlin"]
    assert "America/New_York" in suggest_timezones("America/NewYork")


@pytest.mark.parametrize("name", ["A" * 300, "Europe/" + "B" * 300, "Etc/../../x", "UTC\x00"])
def test_names_the_zone_database_lacks_are_unknown_without_touching_files(name):
    # ZoneInfo('A' * 300) raises OSError (file name too long), which reads as a database
    # outage to the error handler: names are checked against the known list first.
    with pytest.raises(ValueError, match="unknown timezone"):
        resolve_timezone(name)


def test_no_suggestions_for_a_name_longer_than_any_zone():
    assert suggest_timezones("Europe/Berlin" + "n" * 300) == []
