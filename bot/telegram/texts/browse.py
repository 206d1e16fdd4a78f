"""Flashcards (browsing a deck)."""

from __future__ import annotations

from bot.services.study import BrowseView
from bot.telegram.html import MAX_MESSAGE_CHARS, esc, visible_length
from bot.telegram.texts.study import side_brief, side_html

__all__ = [
    "FIRST_CARD",
    "LAST_CARD",
    "browse_card",
]


FIRST_CARD = "This is the first card."


LAST_CARD = "This is the last card — ⏮ to start again, or 🔀 to shuffle."


def browse_card(view: BrowseView) -> str:
    """A flashcard, question side or answer side; the answer side shows the question above it
    in full (code blocks and lines kept), shortened to one line only if both would not fit.
    The side's images and sounds are sent with it (handlers.browse), so they are not named."""
    browse, card = view.browse, view.card
    head = f"<b>{esc(view.deck.deck.title)}</b> · {browse.position}"
    tail = ""
    if browse.at_end and len(browse.order) > 1:
        tail = "\n\n<i>Last card — ⏮ to start again, or 🔀 to shuffle.</i>"
    if not browse.showing_answer:
        return f"{head}\n\n{side_html(card, 'question', marks=False)}{tail}"
    answer = f"\n\n<b>Answer</b>\n{side_html(card, 'answer', marks=False)}{tail}"
    text = f"{head} · answer\n\n{side_html(card, 'question', marks=False)}{answer}"
    if visible_length(text) <= MAX_MESSAGE_CHARS:
        return text
    return f"{head} · answer\n\n<i>{side_brief(card, 'question', 150)}</i>{answer}"
