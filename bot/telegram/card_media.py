"""Sending one side of a card with its images and sounds.

A side with a single image whose text fits a caption (1,024 characters) is one photo message
carrying the text and the buttons. Otherwise the media go first (photos, then sounds) and the
text follows as a message with the buttons. Each file is uploaded to Telegram once: its
file_id is kept per content hash (bot.services.media) and reused by every later send.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.runtime import Runtime
from bot.services.media import load_media_many, remember_file_id
from bot.storage.models import Media
from bot.telegram import texts
from bot.telegram.messages import send_html

__all__ = ["MAX_CAPTION_CHARS", "has_media", "is_media_message", "send_card_side"]

log = logging.getLogger(__name__)

MAX_CAPTION_CHARS = 1024
# Telegram shows these as photos (and refuses other bytes as one); 10 MB is its photo cap.
# Judged by the bytes, not the name: a damaged "x.png" goes as a file rather than failing.
_PHOTO_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
_MAX_PHOTO_BYTES = 10 * 1024 * 1024
# sendAudio plays MP3 and M4A; other sounds go as files.
_AUDIO_MIMES = frozenset({"audio/mpeg", "audio/mp3", "audio/mp4", "audio/x-m4a", "audio/m4a"})


def has_media(refs: Sequence[dict]) -> bool:
    return any(ref.get("kind") in ("image", "sound") for ref in refs)


def is_media_message(message: Message | None) -> bool:
    """Whether a message is a photo, audio or file (its text is a caption)."""
    if message is None:
        return False
    return bool(message.photo) or message.audio is not None or message.document is not None


def _method(media: Media, kind: str) -> str:
    photo = media.data.startswith(_PHOTO_SIGNATURES) and media.size <= _MAX_PHOTO_BYTES
    if kind == "image" and photo:
        return "photo"
    if kind == "sound" and media.mime in _AUDIO_MIMES:
        return "audio"
    return "document"


def _file_id_of(message: Message) -> str | None:
    if message.photo:
        return message.photo[-1].file_id
    if message.audio is not None:
        return message.audio.file_id
    if message.document is not None:
        return message.document.file_id
    return None


async def _send_file(
    bot: Bot,
    chat_id: int,
    media: Media,
    method: str,
    name: str,
    *,
    caption: str | None = None,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> tuple[Message, bool]:
    """Send one file by its known file_id, else by upload; returns (message, uploaded)."""
    send = {"photo": bot.send_photo, "audio": bot.send_audio, "document": bot.send_document}[method]
    options = {"caption": caption, "parse_mode": ParseMode.HTML, "reply_markup": reply_markup}
    if media.telegram_file_id:
        try:
            return await send(chat_id, media.telegram_file_id, **options), False
        except BadRequest as error:
            # A file_id from another bot token, or one Telegram forgot: upload again.
            log.warning("stored file_id of media %s refused: %s", media.sha256[:12], error)
    upload = InputFile(media.data, filename=name or f"{media.sha256[:12]}")
    return await send(chat_id, upload, **options), True


async def send_card_side(
    runtime: Runtime,
    bot: Bot,
    chat_id: int,
    html_text: str | list[str],
    refs: Sequence[dict],
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send a side's media and text; returns the message that carries `reply_markup`.

    `html_text` may be several blocks (send_html's way): then it never rides as a caption.
    """
    wanted = [ref for ref in refs if ref.get("kind") in ("image", "sound")]
    if not wanted:
        return await send_html(bot, chat_id, html_text, reply_markup)
    async with runtime.db.session() as session:
        stored = await load_media_many(session, hashes=[ref["sha256"] for ref in wanted])
    files = [(ref, stored[ref["sha256"]]) for ref in wanted if ref["sha256"] in stored]
    files.sort(key=lambda pair: pair[0]["kind"] != "image")  # images first, then sounds
    carrier = None
    if (
        len(files) == 1
        and files[0][0]["kind"] == "image"
        and isinstance(html_text, str)
        and texts.visible_length(html_text) <= MAX_CAPTION_CHARS
    ):
        carrier = files[0]
    learned: dict[str, str] = {}
    message = None
    for ref, media in files:
        carries = carrier is not None and ref is carrier[0]
        sent, uploaded = await _send_file(
            bot,
            chat_id,
            media,
            _method(media, ref["kind"]),
            ref.get("name") or "",
            caption=html_text if carries else None,
            reply_markup=reply_markup if carries else None,
        )
        if carries:
            message = sent
        if uploaded and (file_id := _file_id_of(sent)):
            learned[media.sha256] = file_id
    if learned:
        async with runtime.db.session() as session:
            for sha256, file_id in learned.items():
                await remember_file_id(session, sha256=sha256, file_id=file_id)
    if message is None:
        message = await send_html(bot, chat_id, html_text, reply_markup)
    return message
