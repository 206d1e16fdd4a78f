"""Importing a deck file sent in private chat: download, read off the event loop, preview,
then Import (one transaction) or Cancel; a text file's separators can be switched first.

The handlers answer at once; downloading, reading and saving are jobs (handlers/import_jobs,
run by the job worker) that edit the same message, so a webhook request never waits for them.
The preview itself (reading a file, its text and buttons) is in import_preview."""

from __future__ import annotations

from telegram import Update

from bot.core.imports.text import QuizletSeparators
from bot.services.jobs import enqueue_job, unfinished_in_chat
from bot.services.pending_imports import PendingStatus, finish_pending, pending_for
from bot.storage.models import PendingImport
from bot.telegram import texts
from bot.telegram.callbacks import ImportChoice
from bot.telegram.context import FlashContext
from bot.telegram.handlers.command_input import load_user
from bot.telegram.handlers.import_jobs import IMPORT_HELD_FILE, READ_UPLOAD, REREAD_HELD_FILE
from bot.telegram.handlers.import_preview import (
    DELIMITERS,
    SEPARATOR_CHOICES,
    Reading,
    keep_draft,
    reading_of,
    reading_payload,
)
from bot.telegram.messages import edit_html, send_html, strip_buttons

__all__ = [
    "on_document",
    "on_group_document",
    "on_import_choice",
]


async def on_document(update: Update, context: FlashContext) -> None:
    """A file in private chat: say it is being read; a job reads it into a preview."""
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
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        await enqueue_job(
            session,
            kind=READ_UPLOAD,
            chat_id=chat_id,
            user_id=user.id,
            payload={
                "file_id": document.file_id,
                "file_name": name,
                "file_size": document.file_size,
                "message_id": status.message_id,
            },
            now=runtime.now(),
        )
    runtime.wake_jobs()


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
        busy = await unfinished_in_chat(session, chat_id=update.effective_chat.id)
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
    if busy:
        # A job of this chat (a re-read, an import) is not done: this press may not match
        # what it will show. Nothing is lost: the buttons work once it is done.
        await query.answer(texts.IMPORT_STILL_WORKING)
        return
    if data.action == "import":
        await _import(update, context, pending)
    elif data.action == "cancel":
        await _cancel(update, context, pending)
    else:
        await _reread(update, context, pending, data.action)


async def _enqueue(update: Update, context: FlashContext, kind: str, payload: dict) -> None:
    """Leave the held file's work to a job that edits the pressed message."""
    runtime = context.runtime
    async with runtime.db.session() as session:
        await enqueue_job(
            session,
            kind=kind,
            chat_id=update.effective_chat.id,
            user_id=update.effective_user.id,
            payload=payload | {"message_id": update.callback_query.message.message_id},
            now=runtime.now(),
        )
    runtime.wake_jobs()


async def _import(update: Update, context: FlashContext, pending: PendingImport) -> None:
    query = update.callback_query
    await query.answer()
    await edit_html(query, texts.IMPORTING)
    payload = {"pending_id": pending.id, "reading": reading_payload(reading_of(pending))}
    await _enqueue(update, context, IMPORT_HELD_FILE, payload)


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
    current = reading_of(pending)
    if action in DELIMITERS:
        reading = Reading(delimiter=DELIMITERS[action])
    else:
        reading = Reading(
            (current.separators or QuizletSeparators()).switched(SEPARATOR_CHOICES[action])
        )
    await update.callback_query.answer()
    payload = {"pending_id": pending.id, "reading": reading_payload(reading)}
    await _enqueue(update, context, REREAD_HELD_FILE, payload)
