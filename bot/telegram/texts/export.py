"""Exporting a deck: choosing it, captions, and why an export cannot be made."""

from __future__ import annotations

from bot.telegram.html import esc

__all__ = [
    "EXPORT_BUTTON",
    "EXPORT_EMPTY",
    "EXPORT_TOO_LARGE",
    "EXPORT_UNAVAILABLE",
    "EXPORT_WHICH_DECK",
    "export_captions",
]


EXPORT_BUTTON = "📤 Export"


EXPORT_WHICH_DECK = "Export which deck?"


EXPORT_UNAVAILABLE = "You can only export a deck you study. /decks lists them."


EXPORT_TOO_LARGE = (
    "This deck's export is over 50 MB, more than Telegram lets a bot send. Its media make it "
    "that big; nothing was sent."
)


EXPORT_EMPTY = "This deck has no cards to export yet. /add adds some."


def export_captions(title: str) -> tuple[str, str, str]:
    """Captions of the three export files: .apkg, CSV, Quizlet text."""
    return (
        f"<b>{esc(title)}</b> for Anki: File → Import. Importing a newer export updates "
        "these cards instead of adding copies. Images and sounds are included.",
        "The same cards as CSV (Question, Answer, Tags; UTF-8) for spreadsheets.",
        "For Quizlet: Import, paste this text (Tab between term and definition, new line "
        "between cards).",
    )
