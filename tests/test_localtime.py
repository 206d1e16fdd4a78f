"""Local-time maths for daily pushes across timezones and DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.localtime import (
    daily_slot_day,
    local_day_start,
    next_daily_at,
    parse_review_time,
    resolve_timezone,
    suggest_timezones,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def next_push_at(*, zone, review_minute, now, last_push_on):
    return next_daily_at(zone=zone, minute=review_minute, now=now, done_on=last_push_on)


def test_today_time_not_yet_passed():
    now = utc(2026, 6, 1, 5, 0)  # 07:00 in Berlin (CEST)
    assert next_push_at(zone=BERLIN, review_minute=9 * 60, now=now, last_push_on=None) == utc(
        2026, 6, 1, 7, 0
    )


def test_a_time_already_passed_today_is_tomorrow_never_at_once():
    # Joining (or setting the time) at 14:00 with a 09:00 time: no push right away.
    now = utc(2026, 6, 1, 12, 0)
    at = next_push_at(zone=BERLIN, review_minute=9 * 60, now=now, last_push_on=None)
    assert at == utc(2026, 6, 2, 7, 0)


def test_a_later_time_today_is_kept_for_today_unless_already_pushed():
    now = utc(2026, 6, 1, 10, 34)  # 12:34 in Berlin
    later = next_push_at(zone=BERLIN, review_minute=20 * 60, now=now, last_push_on=None)
    assert later == utc(2026, 6, 1, 18, 0)  # 20:00 today
    yesterday = next_push_at(
        zone=BERLIN, review_minute=20 * 60, now=now, last_push_on=date(2026, 5, 31)
    )
    assert yesterday == later
    pushed = next_push_at(
        zone=BERLIN, review_minute=20 * 60, now=now, last_push_on=date(2026, 6, 1)
    )
    assert pushed == utc(2026, 6, 2, 18, 0)


def test_a_time_missed_while_down_is_caught_up_for_its_own_day():
    # 09:00 Berlin on 1 June was missed; the bot is back at 15:00 the same day.
    day = daily_slot_day(
        zone=BERLIN, minute=540, scheduled=utc(2026, 6, 1, 7), now=utc(2026, 6, 1, 13)
    )
    assert day == date(2026, 6, 1)


def test_a_missed_day_is_not_sent_in_the_night_when_the_next_days_time_is_ahead():
    # Down from 08:00 on 1 June until 00:30 on 2 June (Berlin): nothing at 00:30; the
    # 2 June message comes at 09:00 as usual.
    now = utc(2026, 6, 1, 22, 30)
    assert daily_slot_day(zone=BERLIN, minute=540, scheduled=utc(2026, 6, 1, 7), now=now) is None
    assert next_push_at(zone=BERLIN, review_minute=540, now=now, last_push_on=None) == utc(
        2026, 6, 2, 7
    )


def test_down_for_days_catches_up_once_for_today():
    day = daily_slot_day(
        zone=BERLIN, minute=540, scheduled=utc(2026, 5, 28, 7), now=utc(2026, 6, 1, 13)
    )
    assert day == date(2026, 6, 1)


def test_a_sweep_running_late_past_midnight_still_sends_yesterdays_time():
    # 23:55 Berlin on 1 June, swept at 00:10 on 2 June: sent for 1 June; 2 June's comes too.
    now = utc(2026, 6, 1, 22, 10)
    day = daily_slot_day(
        zone=BERLIN, minute=23 * 60 + 55, scheduled=utc(2026, 6, 1, 21, 55), now=now
    )
    assert day == date(2026, 6, 1)
    following = next_push_at(zone=BERLIN, review_minute=23 * 60 + 55, now=now, last_push_on=day)
    assert following == utc(2026, 6, 2, 21, 55)


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


def test_the_current_minute_still_counts_as_ahead():
    now = utc(2026, 6, 1, 18, 0, 30)  # 20:00:30 in Berlin
    at = next_daily_at(zone=BERLIN, minute=20 * 60, now=now, done_on=None)
    assert at == utc(2026, 6, 1, 18, 0)
    later = next_daily_at(zone=BERLIN, minute=20 * 60, now=utc(2026, 6, 1, 18, 1), done_on=None)
    assert later == utc(2026, 6, 2, 18, 0)
