"""Every button press answered exactly once, within a second, whatever its handler does.

A callback query may be answered once; a second answer is refused by Telegram. Three parties may
want to answer the same press — its handler (with the toast it chose), a watchdog that stops the
spinner when the handler is slow, and the error handler when it fails — so the bot remembers
which queries it answered and makes any later answer a no-op.

Telegram also refuses an answer to a press it no longer waits on: one another process answered
before it died (the update then reaches this one again), or one older than Telegram's answer
window. The toast is lost then, but never the press: the refusal is logged and the handler goes
on to do its work (record the grade, show the next card).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

from telegram import CallbackQuery
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

__all__ = ["ANSWER_WITHIN_SECONDS", "AnsweringBot", "answer_if_slow", "was_answered"]

log = logging.getLogger(__name__)

# Telegram shows a spinner on the button until the query is answered; answer before a person
# wonders whether the tap registered.
ANSWER_WITHIN_SECONDS = 0.8
_REMEMBERED = 10_000  # queries older than a few minutes can no longer be answered anyway


class AnsweringBot(ExtBot):
    """ExtBot whose answer_callback_query answers each query at most once."""

    __slots__ = ("_answered",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answered: OrderedDict[str, None] = OrderedDict()

    def was_answered(self, query_id: str) -> bool:
        return query_id in self._answered

    async def answer_callback_query(self, callback_query_id: str, *args: Any, **kwargs: Any):
        if callback_query_id in self._answered:
            return True  # already answered (the first answer stands)
        # Marked before the call: a concurrent answer must not go out while this one is in flight.
        self._answered[callback_query_id] = None
        if len(self._answered) > _REMEMBERED:
            self._answered.popitem(last=False)
        try:
            return await super().answer_callback_query(callback_query_id, *args, **kwargs)
        except BadRequest as error:
            if not _query_gone(error):
                self._answered.pop(callback_query_id, None)
                raise
            log.info("press %s could not be answered any more: %s", callback_query_id, error)
            return False
        except BaseException:
            self._answered.pop(callback_query_id, None)
            raise


def _query_gone(error: BadRequest) -> bool:
    """Telegram no longer takes an answer for this query (answered already, or too old)."""
    return "query is too old" in error.message.lower()


def was_answered(query: CallbackQuery) -> bool:
    """Whether this bot already answered the query (False for a bot that does not track it)."""
    bot = query.get_bot()
    return isinstance(bot, AnsweringBot) and bot.was_answered(query.id)


async def answer_if_slow(query: CallbackQuery, text: str) -> None:
    """After ANSWER_WITHIN_SECONDS, answer the query with `text` unless it has been answered."""
    await asyncio.sleep(ANSWER_WITHIN_SECONDS)
    if was_answered(query):
        return
    try:
        # Shielded: the handler finishing meanwhile must not cut the answer off half sent.
        await asyncio.shield(query.answer(text))
    except TelegramError as error:
        log.info("could not answer a slow callback query: %s", error)
