"""The typed CallbackContext every handler receives."""

from __future__ import annotations

from telegram.ext import Application, CallbackContext, ExtBot

from bot.runtime import Runtime

__all__ = ["FlashContext"]


class FlashContext(CallbackContext[ExtBot, dict, dict, dict]):
    """Adds `runtime` (database, settings, clock) to PTB's context."""

    def __init__(self, application: Application, chat_id=None, user_id=None) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def runtime(self) -> Runtime:
        return self.application.bot_data["runtime"]
