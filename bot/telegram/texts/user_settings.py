"""A learner's settings and stats: /stats, /settings, /time, /timezone, /pause, /newcards."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.localtime import MAX_TIMEZONE_NAME, format_minute
from bot.core.mastery import Mastery
from bot.core.study import tile_label
from bot.services.parameters import PersonalParameters
from bot.services.review import DeckStats
from bot.telegram.html import esc
from bot.telegram.texts.leeches import leech_setting
from bot.telegram.texts.memory_model import fsrs_parameters
from bot.telegram.texts.review import next_daily
from bot.telegram.texts.wording import NO_STUDY_DECKS, counted, when

__all__ = [
    "ALREADY_PAUSED",
    "CHART_UNAVAILABLE",
    "NEWCARDS_USAGE",
    "PAUSED",
    "TIMEZONE_USAGE",
    "TIME_USAGE",
    "already_resumed",
    "mastery_counts",
    "newcards_current",
    "newcards_set",
    "resumed",
    "settings",
    "stats",
    "time_current",
    "time_set",
    "timezone_current",
    "timezone_set",
    "timezone_unknown",
]


def mastery_counts(m: Mastery) -> str:
    """The levels of a deck's cards, worded alike on /stats and /progress."""
    suspended = f" · suspended {m.suspended}" if m.suspended else ""
    return (
        f"Mastered {m.mastered} · learning {m.learning} · not studied {m.not_studied}"
        f"{suspended} of {counted(m.total, 'card')}"
    )


CHART_UNAVAILABLE = (
    "<i>(The chart could not be drawn this time; the numbers above are current.)</i>"
)


def stats(rows: list[DeckStats], streak: int) -> str:
    if not rows:
        return NO_STUDY_DECKS
    blocks = []
    for s in rows:
        status = s.status
        blocks.append(
            f"<b>{esc(s.deck.title)}</b>\n"
            f"{mastery_counts(status.mastery)}\n"
            f"Mastery {status.mastery.percent}%\n"
            f"Due now {status.due_now} · later today {status.due_later_today} · "
            f"tomorrow {status.due_tomorrow}\n"
            f"Reviews today {s.reviews_today}"
        )
    blocks.append(f"Streak: {counted(streak, 'day')} 🔥")
    return "\n\n".join(blocks)


def settings(
    *,
    timezone: str,
    review_minute: int,
    new_cards: int,
    retention: float,
    paused: bool,
    decks: list[str],
    next_push: datetime | None,
    fitted: PersonalParameters | None = None,
    leech_threshold: int = 8,
) -> str:
    zone = ZoneInfo(timezone)
    lines = [
        "<b>Your settings</b>",
        f"Daily review time: {format_minute(review_minute)} (/time HH:MM)",
        f"Timezone: {esc(timezone)} (/timezone Area/City)",
        f"New cards per day: {new_cards} (/newcards N)",
        f"Desired retention: {round(retention * 100)}% (/retention N)",
        fsrs_parameters(fitted, zone),
        f"Leeches: {leech_setting(leech_threshold)} (/leech N)",
        f"Daily message: {'paused (/resume)' if paused else 'on (/pause)'}",
        "Decks: " + (", ".join(esc(d) for d in decks) if decks else "none (/decks)"),
    ]
    if next_push is not None and not paused:
        lines.append(f"Next daily message: {when(next_push, zone)}")
    return "\n".join(lines)


TIME_USAGE = "Send the time as HH:MM in 24-hour form, e.g. <code>/time 07:30</code>."


def time_current(minute: int, timezone: str) -> str:
    return (
        f"Your daily review time is <b>{format_minute(minute)}</b> ({esc(timezone)}).\n{TIME_USAGE}"
    )


def _next_message(next_push: datetime | None, zone: ZoneInfo, now: datetime) -> str:
    if next_push is None:
        return "Daily messages are paused; /resume turns them back on."
    return f"Next message {next_daily(next_push, zone, now)}."


def time_set(minute: int, timezone: str, next_push: datetime | None, now: datetime) -> str:
    head = f"Daily review time set to {format_minute(minute)} ({esc(timezone)})"
    if next_push is None:
        return f"{head}. {_next_message(None, ZoneInfo(timezone), now)}"
    return f"{head} — next message {next_daily(next_push, ZoneInfo(timezone), now)}."


TIMEZONE_USAGE = (
    "Send an IANA timezone name, e.g. <code>/timezone Europe/Berlin</code> or "
    "<code>/timezone America/New_York</code>."
)


def timezone_unknown(name: str, suggestions: list[str]) -> str:
    """A name that is not an IANA timezone, with close names when there are any."""
    text = f"I don't know the timezone <code>{esc(tile_label(name, MAX_TIMEZONE_NAME))}</code>."
    if suggestions:
        text += "\nDid you mean: " + ", ".join(f"<code>{esc(s)}</code>" for s in suggestions) + "?"
    return f"{text}\n{TIMEZONE_USAGE}"


def timezone_current(timezone: str, local_now: datetime) -> str:
    return (
        f"Your timezone is <b>{esc(timezone)}</b>; your local time is {local_now:%H:%M}.\n"
        f"{TIMEZONE_USAGE}"
    )


def timezone_set(timezone: str, now: datetime, next_push: datetime | None) -> str:
    zone = ZoneInfo(timezone)
    return (
        f"Timezone set to {esc(timezone)}. Your local time is {now.astimezone(zone):%H:%M}. "
        + _next_message(next_push, zone, now)
    )


NEWCARDS_USAGE = "Send a number from 0 to 1000, e.g. <code>/newcards 10</code>."


def newcards_current(count: int) -> str:
    return f"You get up to <b>{counted(count, 'new card')}</b> a day.\n{NEWCARDS_USAGE}"


def newcards_set(count: int) -> str:
    return f"New cards per day: {count}."


PAUSED = "Daily messages paused. /resume to turn them back on; /review works any time."


def resumed(next_push: datetime | None, timezone: str, now: datetime) -> str:
    if next_push is None:  # cannot happen after /resume; said plainly all the same
        return "Daily messages are back on."
    return f"Daily messages are back on — next message {next_daily(next_push, ZoneInfo(timezone), now)}."


ALREADY_PAUSED = "Daily messages are already paused. /resume to turn them back on."


def already_resumed(next_push: datetime | None, timezone: str, now: datetime) -> str:
    if next_push is None:
        return "Daily messages are already on."
    return f"Daily messages are already on — next message {next_daily(next_push, ZoneInfo(timezone), now)}."
