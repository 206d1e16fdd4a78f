"""Importing a deck file sent in private chat: download, read off the event loop, preview,
then Import (one transaction) or Cancel; a text file's separators can be switched first."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.core.imports.deck_file import DeckFileKind, ParsedDeckFile, parse_deck_file
from bot.core.imports.draft import (
    DeckImportError,
    ImportFailure,
    ImportLimits,
    MediaKind,
    ProgressState,
)
from bot.core.imports.text import QuizletSeparators, SeparatorChoice
from bot.runtime import Runtime
from bot.services.deck_imports import reimport_candidate, save_import
from bot.services.pending_imports import (
    PendingStatus,
    choose_reading,
    finish_pending,
    hold_file,
    pending_for,
)
from bot.storage.models import PendingImport
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import ImportChoice
from bot.telegram.context import FlashContext
from bot.telegram.handlers.common import load_user, send_html
from bot.telegram.handlers.sessions import edit_html, strip_buttons

__all__ = ["on_document", "on_group_document", "on_import_choice"]

log = logging.getLogger(__name__)

_SEPARATOR_CHOICES = {
    "term_tab": SeparatorChoice.TAB,
    "term_comma": SeparatorChoice.COMMA,
    "term_dash": SeparatorChoice.DASH,
    "row_newline": SeparatorChoice.NEWLINE,
    "row_semicolon": SeparatorChoice.SEMICOLON,
}
_DELIMITERS = {"csv_tab": "\t", "csv_comma": ",", "csv_semicolon": ";"}
_TEXT_SUFFIXES_CSV = (".csv", ".tsv", ".tab")


@dataclass(frozen=True)
class _Reading:
    """How a held file is read: Quizlet separators or a CSV delimiter, None to detect."""

    separators: QuizletSeparators | None = None
    delimiter: str | None = None


async def _parse(
    context: FlashContext, data: bytes, name: str, reading: _Reading
) -> ParsedDeckFile:
    """Read a deck file in a worker thread, a few at a time, so the bot keeps answering."""
    limits = ImportLimits(max_cards=context.runtime.settings.max_import_cards)
    async with context.imports.slots:
        return await asyncio.to_thread(
            parse_deck_file,
            data,
            filename=name,
            limits=limits,
            separators=reading.separators,
            delimiter=reading.delimiter,
        )


# Drafts read for a preview, kept in this process for its Import press so a big package is not
# read twice; the held bytes in the database stay the truth (a restart or another process reads
# them again). Only the newest few: each can hold megabytes of media.
_KEPT_DRAFTS = 2


def _keep_draft(context: FlashContext, pending_id: int, reading: _Reading, parsed) -> None:
    kept = context.imports.drafts
    kept.pop(pending_id, None)
    if parsed is not None:
        kept[pending_id] = (reading, parsed)
    while len(kept) > _KEPT_DRAFTS:
        kept.pop(next(iter(kept)))


def _kept_draft(context: FlashContext, pending_id: int, reading: _Reading) -> ParsedDeckFile | None:
    kept_reading, parsed = context.imports.drafts.pop(pending_id, (None, None))
    return parsed if kept_reading == reading else None


def _reading_of(pending: PendingImport) -> _Reading:
    if pending.term_separator and pending.row_separator:
        return _Reading(QuizletSeparators(pending.term_separator, pending.row_separator))
    return _Reading(delimiter=pending.delimiter)


def _preview(
    parsed: ParsedDeckFile | None,
    *,
    file_name: str,
    reading: _Reading,
    updates_deck: str | None,
    error: str | None = None,
) -> str:
    separators = reading.separators
    if parsed is not None and parsed.quizlet_separators is not None:
        separators = parsed.quizlet_separators
    delimiter = parsed.delimiter if parsed is not None else reading.delimiter
    shown = (separators.term, separators.row) if separators is not None else None
    if parsed is None:
        kind = DeckFileKind.QUIZLET if separators is not None else DeckFileKind.CSV
        return texts.import_preview(
            file_name=file_name,
            kind=kind,
            title=file_name,
            notes_by_type={},
            cards_by_type={},
            cards_by_kind={},
            card_count=0,
            note_count=0,
            images=0,
            sounds=0,
            history=False,
            reviews=0,
            studied_cards=0,
            skipped=(),
            warnings=(),
            separators=shown,
            delimiter=delimiter,
            updates_deck=None,
            error=error,
        )
    draft = parsed.draft
    media = Counter()
    for _name, kind in {
        (ref.name, ref.kind)
        for card in draft.cards
        for ref in (*card.question_media, *card.answer_media)
        if ref.name in draft.media
    }:
        media[kind] += 1
    return texts.import_preview(
        file_name=file_name,
        kind=parsed.kind,
        title=draft.title,
        notes_by_type=draft.notes_by_note_type(),
        cards_by_type=draft.cards_by_note_type(),
        cards_by_kind={str(k): n for k, n in draft.cards_by_kind().items()},
        card_count=len(draft.cards),
        note_count=draft.note_count,
        images=media[MediaKind.IMAGE],
        sounds=media[MediaKind.SOUND],
        history=draft.has_review_history or draft.has_progress,
        reviews=sum(len(card.reviews) for card in draft.cards),
        studied_cards=sum(
            1
            for card in draft.cards
            if card.progress is not None and card.progress.state != ProgressState.NEW
        ),
        skipped=[(item.where, item.reason) for item in draft.skipped],
        warnings=draft.warnings,
        separators=shown,
        delimiter=delimiter,
        updates_deck=updates_deck,
    )


def _keyboard(pending_id: int, parsed: ParsedDeckFile | None, reading: _Reading):
    separators = reading.separators
    delimiter = reading.delimiter
    if parsed is not None:
        separators = parsed.quizlet_separators
        delimiter = parsed.delimiter
    return keyboards.import_preview(
        pending_id,
        card_count=len(parsed.draft.cards) if parsed is not None else None,
        separators=(separators.term, separators.row) if separators is not None else None,
        delimiter=delimiter,
    )


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
    reading = _Reading()
    parsed: ParsedDeckFile | None = None
    error_text: str | None = None
    try:
        parsed = await _parse(context, data, name, reading)
    except DeckImportError as error:
        if not _can_reread(error, data, name):
            await _edit(context, status, texts.import_failed(name, str(error)))
            return
        # No cards as the separators were guessed: keep the file and let them pick others.
        error_text = str(error)
        reading = _default_reading(name)
    except Exception:
        log.exception("reading import file %r failed", name)
        await _edit(context, status, texts.IMPORT_CRASHED)
        return
    if parsed is not None:
        separators = parsed.quizlet_separators
        reading = _Reading(separators, parsed.delimiter)
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        pending = await hold_file(
            session, user_id=user.id, file_name=name, data=data, now=runtime.now()
        )
        await _remember_reading(session, pending, reading)
        target = None
        if parsed is not None:
            target = await reimport_candidate(session, owner_id=user.id, draft=parsed.draft)
        pending_id, target_title = pending.id, target.title if target is not None else None
    _keep_draft(context, pending_id, reading, parsed)
    text = _preview(
        parsed, file_name=name, reading=reading, updates_deck=target_title, error=error_text
    )
    await _edit(context, status, text, _keyboard(pending_id, parsed, reading))


def _can_reread(error: DeckImportError, data: bytes, name: str) -> bool:
    """Whether other separators might read the file: a text file that gave no cards."""
    return error.failure is ImportFailure.NO_CARDS and not data.startswith(b"PK")


def _default_reading(name: str) -> _Reading:
    if name.lower().endswith(_TEXT_SUFFIXES_CSV):
        return _Reading(delimiter=",")
    return _Reading(QuizletSeparators())


async def _remember_reading(session, pending: PendingImport, reading: _Reading) -> None:
    separators = reading.separators
    await choose_reading(
        session,
        pending=pending,
        term_separator=separators.term if separators is not None else None,
        row_separator=separators.row if separators is not None else None,
        delimiter=reading.delimiter,
    )


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
    reading = _reading_of(pending)
    try:
        parsed = _kept_draft(context, pending.id, reading) or await _parse(
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
    _keep_draft(context, pending.id, _Reading(), None)
    await query.answer(texts.IMPORT_CANCELLED if done else texts.IMPORT_STALE)
    if done:
        await edit_html(query, texts.IMPORT_CANCELLED)


async def _reread(
    update: Update, context: FlashContext, pending: PendingImport, action: str
) -> None:
    """Read the held file again with the separator or delimiter the learner picked."""
    runtime = context.runtime
    query = update.callback_query
    current = _reading_of(pending)
    if action in _DELIMITERS:
        reading = _Reading(delimiter=_DELIMITERS[action])
    else:
        reading = _Reading(
            (current.separators or QuizletSeparators()).switched(_SEPARATOR_CHOICES[action])
        )
    await query.answer()
    parsed: ParsedDeckFile | None = None
    error_text = None
    try:
        parsed = await _parse(context, pending.data, pending.file_name, reading)
    except DeckImportError as error:
        error_text = str(error)
    async with runtime.db.session() as session:
        held = await session.get(PendingImport, pending.id)
        await _remember_reading(session, held, reading)
        target = None
        if parsed is not None:
            target = await reimport_candidate(session, owner_id=pending.user_id, draft=parsed.draft)
        target_title = target.title if target is not None else None
    _keep_draft(context, pending.id, reading, parsed)
    text = _preview(
        parsed,
        file_name=pending.file_name,
        reading=reading,
        updates_deck=target_title,
        error=error_text,
    )
    await edit_html(query, text, _keyboard(pending.id, parsed, reading))
