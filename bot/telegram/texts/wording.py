"""What every feature's texts share: counts with their noun, closed sentences, when something
comes, how many cards are left, excerpts of card text, the "no decks" hint."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.markup import to_plain_text
from bot.core.study import tile_label
from bot.telegram.html import HTML_TAG, esc

__all__ = [
    "NO_STUDY_DECKS",
    "counted",
    "end_sentence",
    "excerpt",
    "left",
    "when",
]


def end_sentence(html_text: str) -> str:
    """`html_text` closed as a sentence: a full stop is added unless its visible text already
    ends in one ('.', '!', '?' or '…'), so a card's text can be followed by another sentence."""
    visible = html.unescape(HTML_TAG.sub("", html_text)).rstrip()
    return html_text if visible.endswith((".", "!", "?", "…")) else f"{html_text}."


def counted(count: int, noun: str) -> str:
    """`count` with its noun, plural unless the count is one: '1 card', '3 cards', '1,204 cards'."""
    return f"{count:,} {noun}{'s' if count != 1 else ''}"


def left(title: str) -> str:
    return f"You left <b>{esc(title)}</b>. Your history is kept if you come back."


NO_STUDY_DECKS = "You're not studying any deck yet. /decks to pick one."


def when(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return local.strftime("%a %d %b, %H:%M") + f" ({esc(zone.key)})"


def excerpt(text: str, limit: int = 200) -> str:
    """Card markup as escaped plain text on one line, shortened to `limit` characters."""
    return esc(tile_label(to_plain_text(text), limit))
