"""The typed CallbackContext every handler receives."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.runtime import Runtime

__all__ = ["FlashContext", "ImportWork"]

# Deck files read at once per process: the machine's cores, and memory for a few 20 MB packages.
_PARSE_SLOTS = 2


@dataclass
class ImportWork:
    """Deck-file reads of this process: a cap on reads at once, and the drafts read for open
    previews (newest last), kept for their Import press."""

    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(_PARSE_SLOTS))
    drafts: dict[int, Any] = field(default_factory=dict)


class FlashContext(CallbackContext[ExtBot, dict, dict, dict]):
    """Adds `runtime` (database, settings, clock) to PTB's context."""

    def __init__(self, application: Application, chat_id=None, user_id=None) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def runtime(self) -> Runtime:
        return self.application.bot_data["runtime"]

    @property
    def imports(self) -> ImportWork:
        return self.application.bot_data.setdefault("imports", ImportWork())
