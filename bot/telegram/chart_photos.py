"""Sending a chart: drawn in the chart worker process, sent as a photo captioned with its text.

The event loop only waits: drawing holds the GIL (bot.core.charts), so it happens in
`runtime.chart_pool`'s process. A chart that cannot be drawn (a crashed worker, a time-out)
costs the picture, never the answer: the text goes alone, with a line saying so, and the
cause is logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from telegram import InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.telegram import texts
from bot.telegram.card_media import MAX_CAPTION_CHARS
from bot.telegram.context import FlashContext
from bot.telegram.messages import send_html

__all__ = ["CHART_TIMEOUT_SECONDS", "send_with_chart"]

log = logging.getLogger(__name__)

# A chart draws in well under a second; a first one also starts the worker (a second or two).
CHART_TIMEOUT_SECONDS = 30.0

D = TypeVar("D")


async def send_with_chart(
    context: FlashContext,
    chat_id: int,
    text: str,
    render: Callable[[D], bytes],
    data: D | None,
) -> None:
    """Send `text` with the chart `render(data)` draws: one photo captioned with the text when
    it fits a caption, else the photo then the text; `data` None sends the text alone."""
    if data is None:
        await send_html(context.bot, chat_id, text)
        return
    try:
        png = await asyncio.wait_for(
            context.runtime.chart_pool.run(render, data), timeout=CHART_TIMEOUT_SECONDS
        )
    except Exception:  # the answer must still go out: logged with its cause, said in words
        log.exception("could not draw the %s chart", render.__name__)
        await send_html(context.bot, chat_id, [text, texts.CHART_UNAVAILABLE])
        return
    photo = InputFile(png, filename="chart.png")
    captioned = texts.visible_length(text) <= MAX_CAPTION_CHARS
    try:
        if captioned:
            await context.bot.send_photo(chat_id, photo, caption=text, parse_mode=ParseMode.HTML)
            return
        await context.bot.send_photo(chat_id, photo)
    except BadRequest as error:
        if "not enough rights" not in error.message.lower():
            raise
        # A group that lets members send text but not photos: the text still goes.
        log.info("no right to send photos in %s: the chart's text goes alone", chat_id)
    await send_html(context.bot, chat_id, text)
