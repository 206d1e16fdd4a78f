"""Importing a deck file sent in private chat: download, read off the event loop, preview,
then Import (one transaction) or Cancel; a text file's separators can be switched first.

The preview itself (reading a file, its text and buttons) is in import_preview."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.core.imports.deck_file import ParsedDeckFile
from bot.core.imports.draft import (
    DeckImportError,
)
from bot.core.imports.text import QuizletSeparators
from bot.runtime import Runtime
from bot.services.deck_imports import reimport_candidate, save_import
from bot.services.pending_imports import (
    PendingStatus,
    finish_pending,
    hold_file,
    pending_for,
)
from bot.storage.models import PendingImport
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import ImportChoice
from bot.telegram.context import FlashContext
from bot.telegram.handlers.command_input import load_user
from bot.telegram.handlers.import_preview import (
    DELIMITERS,
    SEPARATOR_CHOICES,
    Reading,
    can_reread,
    default_reading,
    keep_draft,
    kept_draft,
    preview_keyboard,
    preview_text,
    read_file,
    reading_of,
    remember_reading,
)
from bot.telegram.messages import edit_html, send_html, strip_buttons

__all__ = [
    "on_document",
    "on_group_document",
    "on_import_choice",
]


log = logging.getLogger(__name__)


async def _edit(context: FlashContext, message: Message, html_text: str, markup=None) -> None:
    await context.bot.edit_message_text(
        html_text,
        message.chat_id,
        message.message_id,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        disable_web_page_preview=True,
    )


async def on_document(update: Update, context: FlashContext) -> None:
    """A file in private chat: read it as a deck and preview what importing it would save."""
    runtime = context.runtime
    document = update.effective_message.document
    chat_id = update.effective_chat.id
    name = (document.file_name or "file").strip() or "file"
    limit = runtime.settings.max_import_bytes
    if document.file_size is not None and document.file_size > limit:
        # Refused by the declared size: no getFile, no download.
        await send_html(context.bot, chat_id, texts.import_too_big(name, document.file_size, limit))
        return
    status = await send_html(
        context.bot, chat_id, texts.IMPORT_READING.format(name=texts.esc(name))
    )
    try:
        file = await context.bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
    except BadRequest as error:
        too_big = "too big" in str(error).lower()
        log.info("could not fetch import file %r: %s", name, error)
        size = document.file_size or limit + 1
        text = texts.import_too_big(name, size, limit) if too_big else texts.IMPORT_DOWNLOAD_FAILED
        await _edit(context, status, text)
        return
    except TelegramError as error:
        log.warning("could not download import file %r: %s", name, error)
        await _edit(context, status, texts.IMPORT_DOWNLOAD_FAILED)
        return
    if len(data) > limit:
        await _edit(context, status, texts.import_too_big(name, len(data), limit))
        return
    reading = Reading()
    parsed: ParsedDeckFile | None = None
    error_text: str | None = None
    try:
        parsed = await read_file(context, data, name, reading)
    except DeckImportError as error:
        if not can_reread(error, data, name):
            await _edit(context, status, texts.import_failed(name, str(error)))
            return
        # No cards as the separators were guessed: keep the file and let them pick others.
        error_text = str(error)
        reading = default_reading(name)
    except Exception:
        log.exception("reading import file %r failed", name)
        await _edit(context, status, texts.IMPORT_CRASHED)
        return
    if parsed is not None:
        separators = parsed.quizlet_separators
        reading = Reading(separators, parsed.delimiter)
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        pending = await hold_file(
            session, user_id=user.id, file_name=name, data=data, now=runtime.now()
        )
        await remember_reading(session, pending, reading)
        target = None
        if parsed is not None:
            target = await reimport_candidate(session, owner_id=user.id, draft=parsed.draft)
        pending_id, target_title = pending.id, target.title if target is not None else None
    keep_draft(context, pending_id, reading, parsed)
    text = preview_text(
        parsed, file_name=name, reading=reading, updates_deck=target_title, error=error_text
    )
    await _edit(context, status, text, preview_keyboard(pending_id, parsed, reading))


async def on_group_document(update: Update, context: FlashContext) -> None:
    """A file sent in a group: imports happen in private chat."""
    await update.effective_message.reply_html(texts.IMPORT_IN_GROUP, do_quote=True)


async def on_import_choice(update: Update, context: FlashContext, data: ImportChoice) -> None:
    """A preview's button: Import, Cancel, or read the file with other separators."""
    runtime = context.runtime
    query = update.callback_query
    async with runtime.db.session() as session:
        pending = await pending_for(
            session, user_id=update.effective_user.id, pending_id=data.pending_id
        )
    if pending is None:
        await query.answer(texts.FORGED)
        return
    if pending.status != PendingStatus.PENDING or pending.expires_at < runtime.now():
        await query.answer(
            {
                PendingStatus.IMPORTED: texts.IMPORT_ALREADY_DONE,
                PendingStatus.CANCELLED: texts.IMPORT_ALREADY_CANCELLED,
            }.get(pending.status, texts.IMPORT_STALE)
        )
        if query.message is not None:
            await strip_buttons(context.bot, update.effective_chat.id, query.message.message_id)
        return
    if data.action == "import":
        await _import(update, context, pending)
    elif data.action == "cancel":
        await _cancel(update, context, pending)
    else:
        await _reread(update, context, pending, data.action)


async def _import(update: Update, context: FlashContext, pending: PendingImport) -> None:
    query = update.callback_query
    await query.answer()
    await edit_html(query, texts.IMPORTING)
    reading = reading_of(pending)
    try:
        parsed = kept_draft(context, pending.id, reading) or await read_file(
            context, pending.data, pending.file_name, reading
        )
        result, updated_deck = await _save(context.runtime, pending, parsed)
    except Exception:
        # Rolled back: the file is still pending, so the same buttons can try again.
        log.exception("import of held file %s failed", pending.id)
        keyboard = keyboards.import_preview(
            pending.id,
            card_count=1,
            separators=(
                (reading.separators.term, reading.separators.row) if reading.separators else None
            ),
            delimiter=reading.delimiter,
        )
        await edit_html(query, texts.IMPORT_SAVE_FAILED, keyboard)
        return
    if result is None:
        return  # a tap racing this one imported it
    await edit_html(
        query,
        texts.import_done(
            result.deck.title,
            cards=result.cards,
            added=result.added,
            updated=result.updated,
            retired=result.retired,
            media=result.media_added,
            updated_deck=updated_deck,
        ),
    )


async def _save(runtime: Runtime, pending: PendingImport, parsed: ParsedDeckFile):
    """The claim on the held file and the deck, in one transaction; (None, False) if taken."""
    now = runtime.now()
    async with runtime.db.session() as session:
        if not await finish_pending(
            session, pending_id=pending.id, status=PendingStatus.IMPORTED, now=now
        ):
            return None, False
        target = await reimport_candidate(session, owner_id=pending.user_id, draft=parsed.draft)
        result = await save_import(
            session,
            owner_id=pending.user_id,
            draft=parsed.draft,
            now=now,
            replace_deck_id=target.id if target is not None else None,
        )
        held = await session.get(PendingImport, pending.id)
        held.deck_id = result.deck.id
    return result, target is not None


async def _cancel(update: Update, context: FlashContext, pending: PendingImport) -> None:
    runtime = context.runtime
    query = update.callback_query
    async with runtime.db.session() as session:
        done = await finish_pending(
            session, pending_id=pending.id, status=PendingStatus.CANCELLED, now=runtime.now()
        )
    keep_draft(context, pending.id, Reading(), None)
    await query.answer(texts.IMPORT_CANCELLED if done else texts.IMPORT_STALE)
    if done:
        await edit_html(query, texts.IMPORT_CANCELLED)


async def _reread(
    update: Update, context: FlashContext, pending: PendingImport, action: str
) -> None:
    """Read the held file again with the separator or delimiter the learner picked."""
    runtime = context.runtime
    query = update.callback_query
    current = reading_of(pending)
    if action in DELIMITERS:
        reading = Reading(delimiter=DELIMITERS[action])
    else:
        reading = Reading(
            (current.separators or QuizletSeparators()).switched(SEPARATOR_CHOICES[action])
        )
    await query.answer()
    parsed: ParsedDeckFile | None = None
    error_text = None
    try:
        parsed = await read_file(context, pending.data, pending.file_name, reading)
    except DeckImportError as error:
        error_text = str(error)
    async with runtime.db.session() as session:
        held = await session.get(PendingImport, pending.id)
        await remember_reading(session, held, reading)
        target = None
        if parsed is not None:
            target = await reimport_candidate(session, owner_id=pending.user_id, draft=parsed.draft)
        target_title = target.title if target is not None else None
    keep_draft(context, pending.id, reading, parsed)
    text = preview_text(
        parsed,
        file_name=pending.file_name,
        reading=reading,
        updates_deck=target_title,
        error=error_text,
    )
    await edit_html(query, text, preview_keyboard(pending.id, parsed, reading))
