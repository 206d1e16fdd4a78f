"""Leeches: the notice, the /leeches list and the threshold."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.srs import Grade
from bot.core.study import tile_label
from bot.telegram.html import esc
from bot.telegram.texts.review import grade_recorded
from bot.telegram.texts.wording import counted

__all__ = [
    "LEECHES_SHOWN",
    "LEECH_KEEP_BUTTON",
    "LEECH_LEAVE_BUTTON",
    "LEECH_UNKNOWN",
    "LEECH_USAGE",
    "LEFT_SUSPENDED_TOAST",
    "STALE_SUSPENDED",
    "UNSUSPENDED_TOAST",
    "group_leech_toast",
    "leech_current",
    "leech_kept",
    "leech_left",
    "leech_notice",
    "leech_set",
    "leech_setting",
    "leeches_list",
    "no_leeches",
    "unsuspend_button",
]


def leech_setting(threshold: int) -> str:
    return f"suspended after {counted(threshold, 'lapse')}" if threshold else "off"


LEECH_USAGE = (
    "Send how many lapses (forgetting a card you knew) suspend it as a leech, 0 to 99, "
    "e.g. <code>/leech 8</code>; <code>/leech 0</code> turns leeches off."
)


def leech_current(threshold: int) -> str:
    if not threshold:
        return "Leeches are off: no card is suspended however often you forget it. " + (
            "<code>/leech 8</code> turns them on."
        )
    return (
        f"A card you forget {counted(threshold, 'time')} is suspended as a leech, and again "
        f"every {counted(max(1, threshold // 2), 'lapse')} after. <code>/leech N</code> "
        "changes it."
    )


def leech_set(threshold: int) -> str:
    if not threshold:
        return "Leeches off: cards you keep forgetting stay in your reviews."
    return (
        f"Done: a card you forget {counted(threshold, 'time')} will be suspended as a leech. "
        "/leeches lists suspended cards."
    )


def leech_notice(question_html: str, deck_title: str, lapses: int) -> str:
    """A grade made a card a leech: it is suspended; the buttons below say what next."""
    return (
        f"🩸 <b>Leech</b> — you have forgotten this card {counted(lapses, 'time')}, so I "
        "suspended it: it stays out of reviews until you bring it back.\n\n"
        f"<b>{esc(deck_title)}</b>\n{question_html}\n\n"
        "Rewriting it, or splitting it into smaller cards, usually helps more than drilling."
    )


def leech_kept(question_html: str, lapses: int, next_at: int | None) -> str:
    warn = f" I'll warn you again at {counted(next_at, 'lapse')}." if next_at else ""
    return f"▶️ Back in your reviews (lapses so far: {lapses}).{warn}\n\n{question_html}"


def leech_left(question_html: str) -> str:
    return f"⏸ Left suspended. /leeches brings it back any time.\n\n{question_html}"


LEECH_KEEP_BUTTON = "▶️ Keep studying it"


LEECH_LEAVE_BUTTON = "⏸ Leave it suspended"


LEECH_UNKNOWN = "You haven't studied that card."


UNSUSPENDED_TOAST = "Back in your reviews"


LEFT_SUSPENDED_TOAST = "Left suspended"


STALE_SUSPENDED = "This card is suspended (a leech). /leeches brings it back."


LEECHES_SHOWN = 20  # suspended cards listed with their buttons; the rest are counted


def no_leeches(threshold: int) -> str:
    return "No suspended cards. " + (
        f"A card you forget {counted(threshold, 'time')} is suspended as a leech "
        "(/leech N changes when)."
        if threshold
        else "Leeches are off (/leech 8 turns them on)."
    )


def leeches_list(rows: Sequence[tuple[str, str, int]], total: int) -> str:
    """Suspended cards as (deck title, question plain text, lapses), numbered for buttons."""
    lines = [f"<b>Suspended cards</b> ({total}) — ▶️ N brings card N back into your reviews."]
    for number, (deck_title, question, lapses) in enumerate(rows, start=1):
        lines.append(
            f"{number}. {esc(tile_label(question, 90))} — <i>{esc(tile_label(deck_title, 40))}</i>, "
            f"{counted(lapses, 'lapse')}"
        )
    if total > len(rows):
        lines.append(f"…and {total - len(rows)} more; bring some back to see them.")
    return "\n".join(lines)


def unsuspend_button(number: int) -> str:
    return f"▶️ {number}"


def group_leech_toast(grade: Grade, interval, lapses: int) -> str:
    """A member's grade of a group post made the card a leech for them (a toast ≤ 200)."""
    return (
        f"{grade_recorded(grade, interval)}. You have forgotten this card "
        f"{counted(lapses, 'time')}: it is suspended for you (a leech) — see /leeches in your "
        "chat with me."
    )
