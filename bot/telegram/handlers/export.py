"""/export: a deck the learner studies as an Anki package, a CSV and Quizlet text."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.constants import ParseMode

from bot.services.deck_export import export_deck
from bot.services.export_files import export_files
from bot.services.users import active_decks
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import ExportDeck
from bot.telegram.context import FlashContext
from bot.telegram.handlers.command_input import load_user
from bot.telegram.messages import send_html

__all__ = ["MAX_UPLOAD_BYTES", "on_export", "on_export_pick"]

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # the Bot API's limit for a file a bot sends


async def on_export(update: Update, context: FlashContext) -> None:
    """/export: the deck studied, or a picker when there are several."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        decks = await active_decks(session, user_id=user.id)
    chat_id = update.effective_chat.id
    if not decks:
        await send_html(context.bot, chat_id, texts.NO_STUDY_DECKS)
    elif len(decks) == 1:
        await _send_export(context, user.id, chat_id, decks[0].id)
    else:
        choices = [(deck.id, deck.title) for deck in decks]
        await send_html(
            context.bot, chat_id, texts.EXPORT_WHICH_DECK, keyboards.export_choice(choices)
        )


async def on_export_pick(update: Update, context: FlashContext, data: ExportDeck) -> None:
    """A deck picked for /export (or 📤 Export in a deck's menu)."""
    query = update.callback_query
    export, problem = await _load(context, update.effective_user.id, data.deck_id)
    await query.answer(problem)
    if export is not None:
        await _send_files(context, update.effective_chat.id, export)


async def _send_export(context: FlashContext, user_id: int, chat_id: int, deck_id: int) -> None:
    export, problem = await _load(context, user_id, deck_id)
    if export is None:
        await send_html(context.bot, chat_id, problem)
    else:
        await _send_files(context, chat_id, export)


async def _load(context: FlashContext, user_id: int, deck_id: int):
    """The deck's export data, or None and why not."""
    async with context.runtime.db.session() as session:
        export = await export_deck(session, user_id=user_id, deck_id=deck_id)
    if export is None:
        return None, texts.EXPORT_UNAVAILABLE
    if not export.cards:
        return None, texts.EXPORT_EMPTY
    return export, None


async def _send_files(context: FlashContext, chat_id: int, export) -> None:
    # genanki and zipping take a while for a big deck: off the event loop.
    files = await asyncio.to_thread(export_files, export, now=context.runtime.now())
    if any(len(file.data) > MAX_UPLOAD_BYTES for file in files):
        await send_html(context.bot, chat_id, texts.EXPORT_TOO_LARGE)
        return
    captions = texts.export_captions(export.title)
    for file, caption in zip(files, captions, strict=True):
        await context.bot.send_document(
            chat_id,
            document=InputFile(file.data, filename=file.name),
            caption=caption,
            parse_mode=ParseMode.HTML,
        )
