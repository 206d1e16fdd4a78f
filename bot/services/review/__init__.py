"""Spaced review use cases: the queue (what to study next), grading and undo, statistics.

One module each; every public name is importable from here (`review.next_card`, ...).
"""

from __future__ import annotations

from bot.services.review.grading import (
    GradeOutcome,
    GradeStatus,
    card_to_study,
    grade_card,
    recorded_grade,
    undo_last,
)
from bot.services.review.queue import (
    QueueCounts,
    QueueEnd,
    ReviewCard,
    memory_of,
    next_card,
    queue_counts,
    queue_end,
)
from bot.services.review.stats import DeckStats, deck_stats, review_streak

__all__ = [
    "DeckStats",
    "GradeOutcome",
    "GradeStatus",
    "QueueCounts",
    "QueueEnd",
    "ReviewCard",
    "card_to_study",
    "deck_stats",
    "grade_card",
    "memory_of",
    "next_card",
    "queue_counts",
    "queue_end",
    "recorded_grade",
    "review_streak",
    "undo_last",
]
