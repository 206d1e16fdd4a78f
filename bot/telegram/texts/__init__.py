"""Every user-facing string, rendered as Telegram HTML with all deck and user text escaped.

One module per feature, named like its handlers (review, the study modes, groups,
user_settings, onboarding, imports, authoring, own_decks, export, ...); `wording` holds what
they share, and escaping and splitting live in bot.telegram.html. Every public name is
importable from here (`texts.X`): each module's `__all__` is complete.
"""

from __future__ import annotations

from bot.telegram import html
from bot.telegram.html import *  # noqa: F403
from bot.telegram.texts import (
    authoring,
    browse,
    daily_push,
    exam,
    export,
    general,
    groups,
    imports,
    learn,
    leeches,
    match,
    memory_model,
    onboarding,
    own_decks,
    progress,
    quiz,
    review,
    study,
    user_settings,
    wording,
)
from bot.telegram.texts.authoring import *  # noqa: F403
from bot.telegram.texts.browse import *  # noqa: F403
from bot.telegram.texts.daily_push import *  # noqa: F403
from bot.telegram.texts.exam import *  # noqa: F403
from bot.telegram.texts.export import *  # noqa: F403
from bot.telegram.texts.general import *  # noqa: F403
from bot.telegram.texts.groups import *  # noqa: F403
from bot.telegram.texts.imports import *  # noqa: F403
from bot.telegram.texts.learn import *  # noqa: F403
from bot.telegram.texts.leeches import *  # noqa: F403
from bot.telegram.texts.match import *  # noqa: F403
from bot.telegram.texts.memory_model import *  # noqa: F403
from bot.telegram.texts.onboarding import *  # noqa: F403
from bot.telegram.texts.own_decks import *  # noqa: F403
from bot.telegram.texts.progress import *  # noqa: F403
from bot.telegram.texts.quiz import *  # noqa: F403
from bot.telegram.texts.review import *  # noqa: F403
from bot.telegram.texts.study import *  # noqa: F403
from bot.telegram.texts.user_settings import *  # noqa: F403
from bot.telegram.texts.wording import *  # noqa: F403

__all__ = [
    *html.__all__,
    *authoring.__all__,
    *browse.__all__,
    *daily_push.__all__,
    *exam.__all__,
    *export.__all__,
    *general.__all__,
    *groups.__all__,
    *imports.__all__,
    *learn.__all__,
    *leeches.__all__,
    *match.__all__,
    *memory_model.__all__,
    *onboarding.__all__,
    *own_decks.__all__,
    *progress.__all__,
    *quiz.__all__,
    *review.__all__,
    *study.__all__,
    *user_settings.__all__,
    *wording.__all__,
]
