"""The daily push: what is due and when the next one comes."""

from __future__ import annotations

from bot.telegram.html import esc
from bot.telegram.texts.wording import counted

__all__ = [
    "SHOW_ANSWER_BUTTON",
    "START_REVIEW_BUTTON",
    "push",
]


def push(first_name: str, due: int, new: int) -> str:
    parts = []
    if due:
        parts.append(f"{counted(due, 'card')} due")
    if new:
        parts.append(counted(new, "new card"))
    return f"Good day, {esc(first_name)}! Time to review: {' and '.join(parts)}."


START_REVIEW_BUTTON = "Start review"


SHOW_ANSWER_BUTTON = "Show answer"
