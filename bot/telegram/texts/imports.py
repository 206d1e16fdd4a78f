"""Importing a deck file: preview, separators, results and failures."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.study import tile_label
from bot.telegram.html import esc
from bot.telegram.texts.wording import counted

__all__ = [
    "IMPORTING",
    "IMPORT_ALREADY_CANCELLED",
    "IMPORT_ALREADY_DONE",
    "IMPORT_CANCELLED",
    "IMPORT_CANCEL_BUTTON",
    "IMPORT_CRASHED",
    "IMPORT_DOWNLOAD_FAILED",
    "IMPORT_FORMATS",
    "IMPORT_IN_GROUP",
    "IMPORT_READING",
    "IMPORT_REREAD_FAILED",
    "IMPORT_SAVE_FAILED",
    "IMPORT_STALE",
    "IMPORT_STILL_WORKING",
    "PREVIEW_NOTE_TYPES",
    "PREVIEW_REASONS",
    "PREVIEW_REASON_CHARS",
    "SEPARATOR_LABELS",
    "import_button",
    "import_done",
    "import_failed",
    "import_preview",
    "import_read_gave_up",
    "import_too_big",
    "separator_button",
]


IMPORT_FORMATS = {
    "anki": "Anki package",
    "quizlet": "Quizlet export",
    "csv": "CSV/TSV table",
    "anki_text": "Anki text export",
    "deck_markdown": "Flashtutor deck file",
}


_KIND_NAMES = {"basic": "basic", "reversed": "reversed", "cloze": "cloze", "typed": "typed-answer"}


_SEPARATOR_NAMES = {"\t": "Tab", ",": "Comma", ";": "Semicolon", " - ": "“ - ”", "\n": "New line"}


PREVIEW_REASONS = 5  # skipped items and flagged rows shown in a preview; the rest are counted


PREVIEW_NOTE_TYPES = 10  # note types listed in a preview; the rest are summed up


PREVIEW_REASON_CHARS = (
    150  # a skipped item's reason or a flagged row, shortened: the preview is one message
)


IMPORT_READING = "📥 Reading <b>{name}</b>…"


IMPORT_IN_GROUP = (
    "Send deck files to me in a private chat: I import them for one person, "
    "who can then share the deck."
)


IMPORT_DOWNLOAD_FAILED = (
    "I couldn't download that file from Telegram. Nothing was saved — please send it again."
)


IMPORT_CRASHED = (
    "I couldn't read that file (the problem has been logged). Nothing was saved. "
    "Anki packages (.apkg, .colpkg), Quizlet exports (.txt) and CSV/TSV files work."
)


IMPORT_STALE = "This preview is no longer open — send the file again to import it."


IMPORT_ALREADY_DONE = "Already imported."


IMPORT_ALREADY_CANCELLED = "Already cancelled."


IMPORT_CANCELLED = "Import cancelled — nothing was saved."


IMPORTING = "⏳ Importing…"


IMPORT_SAVE_FAILED = (
    "Saving the deck failed on my side (it has been logged); nothing was saved. "
    "Press Import to try again."
)


IMPORT_REREAD_FAILED = (
    "Reading the file again failed on my side (it has been logged); nothing was saved. "
    "Pick the separators again to retry."
)


# A toast: a button pressed while the file is still being read, re-read or imported.
IMPORT_STILL_WORKING = "⏳ Still working on your file — try again in a moment."


def import_read_gave_up(name: str) -> str:
    """Reading a sent file failed on our side, again and again (not the file's fault)."""
    return (
        f"I couldn't finish reading <b>{esc(name)}</b> — the problem is on my side and has "
        "been logged. Nothing was saved; please send the file again in a few minutes."
    )


def _separator_name(separator: str) -> str:
    return _SEPARATOR_NAMES.get(separator, f"“{esc(separator)}”")


def import_too_big(name: str, size: int, limit: int) -> str:
    return (
        f"❌ <b>{esc(name)}</b> is {size / 1024 / 1024:.1f} MB; I can import files up to "
        f"{limit // (1024 * 1024)} MB (Telegram lets bots download no more). Nothing was saved. "
        "Split the deck, or export it from Anki without media."
    )


def import_failed(name: str, reason: str) -> str:
    """A file that cannot be imported: the parser's one-sentence reason, and nothing saved."""
    return f"❌ I can't import <b>{esc(name)}</b>: {esc(reason)} Nothing was saved."


def _media_line(images: int, sounds: int) -> str | None:
    found = [counted(n, noun) for n, noun in ((images, "image"), (sounds, "sound")) if n]
    if not found:
        return None
    return "🖼 Media: " + " and ".join(found) + " — shown with their cards."


def import_preview(
    *,
    file_name: str,
    kind: str,
    title: str,
    notes_by_type: dict[str, int],
    cards_by_type: dict[str, int],
    cards_by_kind: dict[str, int],
    card_count: int,
    note_count: int,
    images: int,
    sounds: int,
    history: bool,
    reviews: int,
    studied_cards: int,
    skipped: Sequence[tuple[str, str]],
    warnings: Sequence[str],
    separators: tuple[str, str] | None,
    delimiter: str | None,
    updates_deck: str | None,
    error: str | None = None,
) -> str:
    """What an import would save, before anything is: deck, cards by note type, media,
    scheduling, what is skipped and why. `error` replaces the body when a re-read failed."""
    lines = [
        f"📦 <b>{esc(tile_label(title, 200))}</b>",
        f"<i>{esc(tile_label(file_name, 200))} · {IMPORT_FORMATS.get(kind, kind)}</i>",
    ]
    if separators is not None:
        term, row = separators
        lines.append(
            f"Read with {_separator_name(term)} between term and definition, "
            f"{_separator_name(row)} between cards — wrong? Switch below."
        )
    elif delimiter is not None:
        lines.append(f"Columns split by {_separator_name(delimiter)} — wrong? Switch below.")
    lines.append("")
    if error is not None:
        lines.append(f"❌ {esc(error)}")
        return "\n".join(lines)
    lines.append(f"<b>{counted(card_count, 'card')}</b> from {counted(note_count, 'note')}:")
    by_size = sorted(notes_by_type.items(), key=lambda item: -item[1])
    for note_type, notes in by_size[:PREVIEW_NOTE_TYPES]:
        cards = cards_by_type.get(note_type, 0)
        name = esc(tile_label(note_type, 60))
        lines.append(f"• {name}: {counted(notes, 'note')} → {counted(cards, 'card')}")
    if len(by_size) > PREVIEW_NOTE_TYPES:
        rest = by_size[PREVIEW_NOTE_TYPES:]
        notes = sum(n for _t, n in rest)
        lines.append(f"• {counted(len(rest), 'other note type')}: {counted(notes, 'note')}")
    kinds = [f"{n} {_KIND_NAMES.get(k, k)}" for k, n in cards_by_kind.items() if n and k != "basic"]
    if kinds:
        lines.append("Besides basic cards: " + ", ".join(kinds) + ".")
    media = _media_line(images, sounds)
    if media:
        lines.append(media)
    if history:
        lines.append(
            f"🗓 Scheduling: your Anki history is kept ({counted(reviews, 'past answer')}); "
            f"{counted(studied_cards, 'card')} continue where you left off, the rest start new."
        )
    else:
        lines.append("🗓 Scheduling: every card starts new.")
    if skipped:
        lines.append("")
        lines.append(f"⚠️ Skipped: {counted(len(skipped), 'item')}")
        for where, reason in skipped[:PREVIEW_REASONS]:
            place = tile_label(where, 60)
            lines.append(f"• {esc(place)}: {esc(tile_label(reason, PREVIEW_REASON_CHARS))}")
        if len(skipped) > PREVIEW_REASONS:
            lines.append(f"… and {len(skipped) - PREVIEW_REASONS} more")
    if warnings:
        lines.append("")
        lines.append("🔎 Please check:")
        lines += [
            f"• {esc(tile_label(warning, PREVIEW_REASON_CHARS))}"
            for warning in warnings[:PREVIEW_REASONS]
        ]
        if len(warnings) > PREVIEW_REASONS:
            lines.append(f"… and {len(warnings) - PREVIEW_REASONS} more")
    lines.append("")
    if updates_deck is not None:
        lines.append(
            f"This updates your deck <b>{esc(updates_deck)}</b>: changed cards are updated, "
            "new ones added, removed ones retired; your progress is kept."
        )
    lines.append("Nothing is saved until you press <b>Import</b>.")
    return "\n".join(lines)


def import_button(card_count: int) -> str:
    return f"✅ Import {counted(card_count, 'card')}"


IMPORT_CANCEL_BUTTON = "✖️ Cancel"


def separator_button(label: str, chosen: bool) -> str:
    return f"• {label} •" if chosen else label


def import_done(
    title: str,
    *,
    cards: int,
    added: int,
    updated: int,
    retired: int,
    media: int,
    updated_deck: bool,
) -> str:
    """After Import: what was saved and what to do next."""
    if updated_deck:
        changes = f"{added} added, {updated} updated, {retired} retired"
        head = f"✅ Updated <b>{esc(title)}</b>: {counted(cards, 'card')} now ({changes})."
    else:
        head = f"✅ Imported <b>{esc(title)}</b>: {counted(cards, 'card')}."
    if media:
        head += f" {counted(media, 'new media file')} stored."
    return (
        f"{head}\n\nYou're studying it now: /review starts its cards, /cards leafs through "
        "them, /decks lists your decks."
    )


# The labels of a preview's re-read buttons, by action (bot.telegram.callbacks.IMPORT_ACTIONS).
SEPARATOR_LABELS = {
    "term_tab": "Tab",
    "term_comma": "Comma",
    "term_dash": "“ - ”",
    "row_newline": "New line",
    "row_semicolon": "Semicolon",
    "csv_tab": "Tab",
    "csv_comma": "Comma",
    "csv_semicolon": "Semicolon",
}
