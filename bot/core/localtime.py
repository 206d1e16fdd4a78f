"""Local-time maths for daily pushes: review times, local days, DST."""

from __future__ import annotations

import difflib
import functools
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

__all__ = [
    "MAX_TIMEZONE_NAME",
    "format_minute",
    "local_date",
    "local_day_start",
    "next_push_at",
    "parse_review_time",
    "resolve_timezone",
    "suggest_timezones",
]

_HHMM = re.compile(r"^\s*(\d{1,2})(?::|\.|h)?(\d{2})?\s*$")


def parse_review_time(text: str) -> int:
    """Minutes after midnight from 'HH:MM' (also '9', '0930', '9.30'); ValueError if invalid."""
    match = _HHMM.match(text)
    if not match:
        raise ValueError(f"not a time: {text!r}")
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise ValueError(f"not a time: {text!r}")
    return hours * 60 + minutes


def format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


MAX_TIMEZONE_NAME = 64  # the longest IANA name is 32 characters


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every IANA name the zone database has, by its case-folded form."""
    return {zone.casefold(): zone for zone in available_timezones()}


def resolve_timezone(name: str) -> ZoneInfo:
    """The IANA zone for `name`, accepting any letter case; ValueError if unknown.

    The name is looked up in the list of known zones before ZoneInfo opens anything, so
    user input never reaches the file system ('../etc/passwd', a 300-character name).
    """
    key = _zone_names().get(name.strip().casefold())
    if key is None:
        raise ValueError(f"unknown timezone {name[:MAX_TIMEZONE_NAME]!r}")
    return ZoneInfo(key)


def suggest_timezones(name: str, limit: int = 3) -> list[str]:
    """Close IANA names for a mistyped one ('berlin' -> 'Europe/Berlin')."""
    needle = name.strip().casefold().replace(" ", "_")
    if not needle or len(needle) > MAX_TIMEZONE_NAME:
        return []
    folded = _zone_names()
    by_city = sorted(z for z in folded.values() if z.rsplit("/", 1)[-1].casefold() == needle)
    if by_city:
        return by_city[:limit]
    close = difflib.get_close_matches(needle, sorted(folded), n=limit, cutoff=0.6)
    return [folded[c] for c in close]


def local_date(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def _instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    # fold=0: an ambiguous wall time (autumn) means its first occurrence; a missing one
    # (spring gap) resolves to the instant the clock would have shown had it not jumped.
    wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    return wall.astimezone(UTC)


def local_day_start(now: datetime, zone: ZoneInfo, *, days: int = 0) -> datetime:
    """UTC instant of local midnight of the local day of `now`, shifted by `days`."""
    day = local_date(now, zone) + timedelta(days=days)
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def next_push_at(
    *, zone: ZoneInfo, review_minute: int, now: datetime, last_push_on: date | None
) -> datetime:
    """When the timetable should next push: today's review time unless already pushed today.

    The result may lie in the past (today's time has passed and nobody pushed yet);
    the sweep then pushes at once, which is exactly "review time has passed today".
    """
    day = local_date(now, zone)
    if last_push_on is not None and last_push_on >= day:
        day = last_push_on + timedelta(days=1)
    return _instant(day, review_minute, zone)
