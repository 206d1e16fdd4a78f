"""The slow half of an import, run by the job worker after the update was answered: reading a
sent file into its preview, saving an import, reading a held file again with other separators.

Each edits the status message its handler sent or pressed (handlers/imports), so the learner
sees the same messages as when the handler did the work itself. A job's database writes and its
finish commit together, before the message shows the result: a job claimed again after a crash
never holds a file or imports twice, and a button under a result never meets its job unfinished.
When a job is given up (bot.services.jobs.MAX_ATTEMPTS), its `*_gave_up` says so in the same
message; a held file stays pending, so the same buttons try again.
"""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.core.imports.deck_file import ParsedDeckFile
from bot.core.imports.draft import DeckImportError
from bot.runtime import Runtime
from bot.services.deck_imports import reimport_candidate
from bot.services.jobs import ClaimedJob, LeaseLost, finish_job
from bot.services.pending_imports import (
    PendingStatus,
    hold_file,
    pending_for,
    save_held_file,
)
from bot.storage.models import PendingImport
from bot.telegram import keyboards, texts
from bot.telegram.context import FlashContext
from bot.telegram.handlers.import_preview import (
    Reading,
    can_reread,
    default_reading,
    keep_draft,
    kept_draft,
    preview_keyboard,
    preview_text,
    read_file,
    reading_from,
    remember_reading,
)

__all__ = [
    "IMPORT_HELD_FILE",
    "READ_UPLOAD",
    "REREAD_HELD_FILE",
    "import_held_file",
    "import_held_file_gave_up",
    "read_upload",
    "read_upload_gave_up",
    "reread_held_file",
    "reread_held_file_gave_up",
]

log = logging.getLogger(__name__)

# Job kinds (bot.services.jobs): what each payload holds is written where it is enqueued.
READ_UPLOAD = "import.read"  # file_id, file_name, file_size, message_id ("Reading…")
IMPORT_HELD_FILE = "import.save"  # pending_id, message_id (the preview), reading
REREAD_HELD_FILE = "import.reread"  # pending_id, message_id (the preview), reading


async def _edit(context: FlashContext, job: ClaimedJob, html_text: str, markup=None) -> None:
    """Edit the job's status message; an edit a retaken job repeats exactly is no error."""
    try:
        await context.bot.edit_message_text(
            html_text,
            job.chat_id,
            job.payload["message_id"],
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=True,
        )
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def read_upload(context: FlashContext, job: ClaimedJob) -> None:
    """Download a sent file, read it as a deck, hold it and turn the status into its preview."""
    runtime = context.runtime
    name = job.payload["file_name"]
    limit = runtime.settings.max_import_bytes
    try:
        file = await context.bot.get_file(job.payload["file_id"])
        data = bytes(await file.download_as_bytearray())
    except BadRequest as error:
        too_big = "too big" in str(error).lower()
        log.info("could not fetch import file %r: %s", name, error)
        size = job.payload["file_size"] or limit + 1
        text = texts.import_too_big(name, size, limit) if too_big else texts.IMPORT_DOWNLOAD_FAILED
        await _edit(context, job, text)
        return
    except TelegramError as error:
        log.warning("could not download import file %r: %s", name, error)
        await _edit(context, job, texts.IMPORT_DOWNLOAD_FAILED)
        return
    if len(data) > limit:
        await _edit(context, job, texts.import_too_big(name, len(data), limit))
        return
    reading = Reading()
    parsed: ParsedDeckFile | None = None
    error_text: str | None = None
    try:
        parsed = await read_file(context, data, name, reading)
    except DeckImportError as error:
        if not can_reread(error, data, name):
            await _edit(context, job, texts.import_failed(name, str(error)))
            return
        # No cards as the separators were guessed: keep the file and let them pick others.
        error_text = str(error)
        reading = default_reading(name)
    except Exception:
        # The parser failed on this file: trying again reads it the same way.
        log.exception("reading import file %r failed", name)
        await _edit(context, job, texts.IMPORT_CRASHED)
        return
    if parsed is not None:
        reading = Reading(parsed.quizlet_separators, parsed.delimiter)
    now = runtime.now()
    async with runtime.db.session() as session:
        pending = await hold_file(session, user_id=job.user_id, file_name=name, data=data, now=now)
        await remember_reading(session, pending, reading)
        target = None
        if parsed is not None:
            target = await reimport_candidate(session, owner_id=job.user_id, draft=parsed.draft)
        pending_id, target_title = pending.id, target.title if target is not None else None
        if not await finish_job(session, job=job, now=now):
            raise LeaseLost(job.id)
    keep_draft(context, pending_id, reading, parsed)
    text = preview_text(
        parsed, file_name=name, reading=reading, updates_deck=target_title, error=error_text
    )
    await _edit(context, job, text, preview_keyboard(pending_id, parsed, reading))


async def read_upload_gave_up(context: FlashContext, job: ClaimedJob) -> None:
    await _edit(context, job, texts.import_read_gave_up(job.payload["file_name"]))


async def _held(runtime: Runtime, job: ClaimedJob) -> PendingImport | None:
    """The job's held file if it is still waiting for Import (not imported, cancelled, gone)."""
    async with runtime.db.session() as session:
        pending = await pending_for(
            session, user_id=job.user_id, pending_id=job.payload["pending_id"]
        )
    if pending is None or pending.status != PendingStatus.PENDING:
        return None
    return pending


async def import_held_file(context: FlashContext, job: ClaimedJob) -> None:
    """Import: save the held file's deck (one transaction) and say what was saved."""
    runtime = context.runtime
    pending = await _held(runtime, job)
    if pending is None:
        return  # a tap racing this one imported it, or Cancel came first
    reading = reading_from(job.payload["reading"])
    parsed = kept_draft(context, pending.id, reading) or await read_file(
        context, pending.data, pending.file_name, reading
    )
    result, updated_deck = await _save(runtime, job, pending, parsed)
    if result is None:
        return  # finished meanwhile (a racing tap, Cancel, or the preview expired)
    await _edit(
        context,
        job,
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


async def _save(runtime: Runtime, job: ClaimedJob, pending: PendingImport, parsed):
    """The claim on the held file, the deck and the job's finish, in one transaction;
    (None, False) if the file was finished meanwhile."""
    now = runtime.now()
    async with runtime.db.session() as session:
        if not await finish_job(session, job=job, now=now):
            raise LeaseLost(job.id)
        return await save_held_file(session, pending=pending, draft=parsed.draft, now=now)


async def import_held_file_gave_up(context: FlashContext, job: ClaimedJob) -> None:
    # Rolled back each time: the file is still pending, so the same buttons can try again.
    reading = reading_from(job.payload["reading"])
    keyboard = keyboards.import_preview(
        job.payload["pending_id"],
        card_count=1,
        separators=(
            (reading.separators.term, reading.separators.row) if reading.separators else None
        ),
        delimiter=reading.delimiter,
    )
    await _edit(context, job, texts.IMPORT_SAVE_FAILED, keyboard)


async def reread_held_file(context: FlashContext, job: ClaimedJob) -> None:
    """Read the held file again the way the learner picked and show the new preview."""
    runtime = context.runtime
    pending = await _held(runtime, job)
    if pending is None:
        return
    reading = reading_from(job.payload["reading"])
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
        if not await finish_job(session, job=job, now=runtime.now()):
            raise LeaseLost(job.id)
    keep_draft(context, pending.id, reading, parsed)
    text = preview_text(
        parsed,
        file_name=pending.file_name,
        reading=reading,
        updates_deck=target_title,
        error=error_text,
    )
    await _edit(context, job, text, preview_keyboard(pending.id, parsed, reading))


async def reread_held_file_gave_up(context: FlashContext, job: ClaimedJob) -> None:
    reading = reading_from(job.payload["reading"])
    keyboard = preview_keyboard(job.payload["pending_id"], None, reading)
    await _edit(context, job, texts.IMPORT_REREAD_FAILED, keyboard)
