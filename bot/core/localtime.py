"""Local-time maths for daily pushes: review times, local days, DST."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

__all__ = [
    "LATE_SWEEP_GRACE",
    "MAX_TIMEZONE_NAME",
    "DailySlot",
    "daily_slot_day",
    "format_minute",
    "local_date",
    "local_day_start",
    "next_daily_at",
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


def next_daily_at(*, zone: ZoneInfo, minute: int, now: datetime, done_on: date | None) -> datetime:
    """The next daily time still ahead of `now`, on a local day after `done_on`.

    Today's time if it has not passed yet and nothing was sent today, else tomorrow's. Used
    whenever someone joins or changes a setting, so a change never sends a message at once:
    joining at 12:34 with a 09:00 time waits for tomorrow, `/time 20:00` at 12:34 is today.
    """
    day = local_date(now, zone)
    if done_on is not None and done_on >= day:
        day = done_on + timedelta(days=1)
    at = _instant(day, minute, zone)
    if at + timedelta(minutes=1) <= now:  # still ahead while its minute lasts: `/time 20:00`
        at = _instant(day + timedelta(days=1), minute, zone)  # sent at 20:00:30 is today
    return at


# A sweep that runs late (a long batch of pushes, a slow database) still sends a daily time
# for its own local day, even just past midnight.
LATE_SWEEP_GRACE = timedelta(hours=1)


def daily_slot_day(
    *,
    zone: ZoneInfo,
    minute: int,
    scheduled: datetime,
    now: datetime,
    grace: timedelta = LATE_SWEEP_GRACE,
) -> date | None:
    """The local day a daily time that has come (`scheduled` <= `now`) is sent for; None: drop it.

    A time that passed while the bot was down is caught up when it comes back. If the bot
    comes back on a later local day, before that day's own time (at 00:30, say), the missed
    one is dropped rather than sent in the night, and that day's comes at its time. Either
    way at most one message per local day.
    """
    today = local_date(now, zone)
    meant = local_date(scheduled, zone)
    if meant >= today or now - scheduled <= grace:
        return meant
    if _instant(today, minute, zone) <= now:
        return today  # today's time has passed as well: this is today's message, late
    return None


@dataclass(frozen=True, slots=True)
class DailySlot:
    """One daily time in a local zone (a learner's push, a group's post) and when it is next.

    `done_on` is the last local day it was sent for; an inactive slot (paused, blocked, a group
    that cannot post) is never scheduled.
    """

    zone: ZoneInfo
    minute: int
    done_on: date | None
    active: bool = True

    def next_at(self, now: datetime) -> datetime | None:
        """When the timetable next considers it: today's time if still ahead and not done
        today, else tomorrow's (`next_daily_at`); None while inactive. Joining or changing a
        setting never sends at once (joining after today's time waits for tomorrow)."""
        if not self.active:
            return None
        return next_daily_at(zone=self.zone, minute=self.minute, now=now, done_on=self.done_on)

    def day_of(self, scheduled: datetime, now: datetime) -> date | None:
        """The local day a time that has come is sent for; None: drop it (`daily_slot_day`)."""
        return daily_slot_day(zone=self.zone, minute=self.minute, scheduled=scheduled, now=now)

    def after_considering(self, day: date | None, now: datetime) -> datetime:
        """The next time after a sweep considered `day` (None: a dropped one) and sent nothing:
        considered once per local day, not marked done, so a later time chosen that same day
        still brings that day's message."""
        considered = max((d for d in (day, self.done_on) if d is not None), default=None)
        return next_daily_at(zone=self.zone, minute=self.minute, now=now, done_on=considered)
