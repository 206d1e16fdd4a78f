"""A card's text in either of the two forms cards are stored in, rendered for a reader.

Bundled and typed cards are written in deck markup (bot.core.markup); imported cards arrive
as Telegram HTML already (the importers sanitise it). `Card.text_format` says which, and these
two functions are the one place that tells them apart.
"""

from __future__ import annotations

from enum import StrEnum
from html.parser import HTMLParser

from bot.core.markup import to_plain_text, to_telegram_html

__all__ = ["TextFormat", "card_html", "card_plain"]


class TextFormat(StrEnum):
    MARKUP = "markup"  # deck markup: decks/FORMAT.md
    HTML = "html"  # Telegram HTML (parse_mode="HTML")


def card_html(text: str, text_format: str) -> str:
    """The text as Telegram HTML."""
    if text_format == TextFormat.HTML:
        return text
    return to_telegram_html(text)


def card_plain(text: str, text_format: str) -> str:
    """The text as plain characters (for buttons, polls, answer matching)."""
    if text_format == TextFormat.HTML:
        parser = _PlainText()
        parser.feed(text)
        parser.close()
        return "".join(parser.parts).strip()
    return to_plain_text(text)


class _PlainText(HTMLParser):
    """Telegram HTML to text: tags dropped, entities decoded (the parser does that)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
