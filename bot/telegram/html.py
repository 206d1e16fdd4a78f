"""Telegram HTML: escaping, length as Telegram counts it, and splitting long texts into messages."""

from __future__ import annotations

import html
import re

__all__ = [
    "HTML_TAG",
    "MAX_MESSAGE_CHARS",
    "esc",
    "split_message",
    "visible_length",
]


MAX_MESSAGE_CHARS = 4096


HTML_TAG = re.compile(r"<[^>]+>")


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def visible_length(html_text: str) -> int:
    """Length as Telegram counts it: after entity parsing, in UTF-16 code units."""
    plain = html.unescape(HTML_TAG.sub("", html_text))
    return len(plain.encode("utf-16-le")) // 2


def split_message(blocks: list[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Join self-contained HTML blocks into as few messages as fit; never truncate.

    A block too long on its own is sent as escaped plain text in line-wise chunks, so
    no tag is ever cut in half.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if visible_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
            current = ""
        if visible_length(block) <= limit:
            current = block
            continue
        messages.extend(_split_plain(html.unescape(HTML_TAG.sub("", block)), limit))
    if current:
        messages.append(current)
    return messages


def _split_plain(text: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while visible_length(esc(line)) > limit:  # a single monster line: hard-wrap it
            head, line = line[: limit // 2], line[limit // 2 :]
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
        if visible_length(esc(current + line)) > limit:
            chunks.append(current)
            current = ""
        current += line
    if current:
        chunks.append(current)
    return [esc(chunk.strip("\n")) for chunk in chunks if chunk.strip()]
