"""Group study: joining a group, its admin-only setup, grading group posts, quizzes, progress.

One module per concern (membership, setup, studying; access holds what they share); the
handlers are importable from here, as app.py registers them.
"""

from __future__ import annotations

from bot.telegram.handlers.groups.membership import (
    on_bot_membership,
    on_group_error,
    on_group_migrated,
)
from bot.telegram.handlers.groups.setup import (
    on_group_cards_per_post,
    on_group_deck,
    on_group_deck_pick,
    on_group_help,
    on_group_pause,
    on_group_resume,
    on_group_settings,
    on_group_time,
    on_group_timezone,
)
from bot.telegram.handlers.groups.studying import (
    QUIZ_COOLDOWN,
    on_group_grade,
    on_group_progress,
    on_group_quiz,
)

__all__ = [
    "QUIZ_COOLDOWN",
    "on_bot_membership",
    "on_group_cards_per_post",
    "on_group_deck",
    "on_group_deck_pick",
    "on_group_error",
    "on_group_grade",
    "on_group_help",
    "on_group_migrated",
    "on_group_pause",
    "on_group_progress",
    "on_group_quiz",
    "on_group_resume",
    "on_group_settings",
    "on_group_time",
    "on_group_timezone",
]
