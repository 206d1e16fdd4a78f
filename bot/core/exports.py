"""Deck export: a deck (a `DeckDraft`, card text in Telegram HTML) in, the bytes of a file out.

- `export_apkg`: an Anki package written with genanki (schema 11 `collection.anki2`, JSON media
  index, zip deflated). Each card is one note of the "Flashtutor" note type (fields Question and
  Answer; a typed-answer card "Flashtutor (type in the answer)", with a Typed field) whose GUID is `note_guid(deck_identity, card.key)`, so importing a newer export of the
  same deck into Anki updates those notes instead of adding copies. Images and sounds go in as
  `<img src>` / `[sound:…]` with their bytes.
- `export_csv`: `Question,Answer,Tags` then one row per card, plain text (formatting and media
  left out, line breaks kept), UTF-8 with a BOM so Excel reads the accents right. A cell that
  Excel would run as a formula (starting `=`, `+`, `-`, `@`) gets a leading `'`; our CSV import
  takes it off again.
- `export_quizlet`: Quizlet's import format, tab between term and definition, newline between
  cards, plain text. A definition over several lines keeps its line breaks, as Quizlet's own
  export writes them; a question is one line (its line breaks become " / "); tabs become spaces.

Everything here is pure: no files, no clock (`now` is passed in).
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import itertools
import json
import sqlite3
import zipfile
from collections.abc import Iterable
from datetime import datetime

import genanki

from bot.core.imports.draft import CardKind, DeckDraft, MediaKind, MediaRef
from bot.core.imports.text import telegram_plain_text

__all__ = [
    "ANKI_MODEL_ID",
    "ANKI_TYPED_MODEL_ID",
    "CSV_HEADER",
    "anki_deck_id",
    "export_apkg",
    "export_csv",
    "export_quizlet",
    "note_guid",
]

# Never change: Anki matches an imported note type to the one it already has by this id.
ANKI_MODEL_ID = 1_719_604_211
CSV_HEADER = ("Question", "Answer", "Tags")
_FORMULA_STARTS = ("=", "+", "-", "@")

_MODEL = genanki.Model(
    ANKI_MODEL_ID,
    "Flashtutor",
    fields=[{"name": "Question"}, {"name": "Answer"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Question}}",
            "afmt": "{{FrontSide}}\n\n<hr id=answer>\n\n{{Answer}}",
        }
    ],
    css=(
        ".card { font-family: arial; font-size: 20px; text-align: center; color: black;"
        " background-color: white; }\n"
        "pre { text-align: left; }\n"
    ),
)


# Cards typed in (CardKind.TYPED): Anki asks for `Typed` in a box and shows `Answer` after.
ANKI_TYPED_MODEL_ID = 1_719_604_212
_TYPED_MODEL = genanki.Model(
    ANKI_TYPED_MODEL_ID,
    "Flashtutor (type in the answer)",
    fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Typed"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Question}}\n\n{{type:Typed}}",
            "afmt": "{{Question}}\n\n<hr id=answer>\n\n{{Answer}}",
        }
    ],
    css=_MODEL.css,
)


def note_guid(deck_identity: str, card_key: str) -> str:
    """The Anki note GUID of a card: stable for one card of one deck, distinct across decks."""
    return genanki.guid_for("flashtutor", deck_identity, card_key)


def anki_deck_id(deck_identity: str) -> int:
    """A stable Anki deck id for a deck (in genanki's recommended range, 2**30 … 2**31)."""
    digest = hashlib.sha256(f"flashtutor-deck:{deck_identity}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def export_apkg(deck: DeckDraft, *, deck_identity: str, now: datetime) -> bytes:
    """The deck as an Anki package; `deck_identity` names the deck for good (e.g. its id)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    media_names = _media_names(deck)
    anki_deck = genanki.Deck(anki_deck_id(deck_identity), deck.title, deck.description)
    for position, card in enumerate(deck.cards):
        fields = [
            _anki_side(card.question, card.question_media, media_names),
            _anki_side(card.answer, card.answer_media, media_names),
        ]
        typed = card.kind is CardKind.TYPED and card.typed_answer
        if typed:
            fields.append(html.escape(card.typed_answer, quote=False))
        anki_deck.add_note(
            genanki.Note(
                model=_TYPED_MODEL if typed else _MODEL,
                fields=fields,
                tags=_anki_tags(card.tags),
                guid=note_guid(deck_identity, card.key),
                due=position,  # Anki shows new cards in this order: the deck's own
            )
        )
    timestamp = now.timestamp()
    connection = sqlite3.connect(":memory:")
    try:
        genanki.Package(anki_deck).write_to_db(
            connection.cursor(), timestamp, itertools.count(int(timestamp * 1000))
        )
        connection.commit()
        collection = connection.serialize()
    finally:
        connection.close()

    used = list(media_names)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("collection.anki2", collection)
        index = {str(number): media_names[name] for number, name in enumerate(used)}
        package.writestr("media", json.dumps(index))
        for number, name in enumerate(used):
            package.writestr(str(number), deck.media[name])
    return buffer.getvalue()


def export_csv(deck: DeckDraft) -> bytes:
    """The deck as CSV: a `Question,Answer,Tags` header, then one row per card (UTF-8, BOM)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for card in deck.cards:
        writer.writerow(
            [
                _spreadsheet_cell(telegram_plain_text(card.question).strip()),
                _spreadsheet_cell(telegram_plain_text(card.answer).strip()),
                _spreadsheet_cell(" ".join(_anki_tags(card.tags))),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def export_quizlet(deck: DeckDraft) -> bytes:
    """The deck as Quizlet's import text: term, tab, definition; one card per line (UTF-8)."""
    rows = []
    for card in deck.cards:
        term = " / ".join(
            line.strip()
            for line in telegram_plain_text(card.question).replace("\t", " ").splitlines()
            if line.strip()
        )
        definition = "\n".join(
            line.rstrip()
            for line in telegram_plain_text(card.answer).replace("\t", " ").splitlines()
        ).strip("\n")
        rows.append(f"{term}\t{definition}")
    return "\n".join(rows).encode("utf-8")


def _spreadsheet_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _anki_tags(tags: Iterable[str]) -> list[str]:
    """Tags as Anki allows them: no spaces inside, no repeats."""
    cleaned = ("_".join(tag.split()) for tag in tags)
    return list(dict.fromkeys(tag for tag in cleaned if tag))


def _media_names(deck: DeckDraft) -> dict[str, str]:
    """Each media file the cards show and has bytes → its name in the package (flat, unique)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for card in deck.cards:
        for ref in (*card.question_media, *card.answer_media):
            if ref.name in names or ref.name not in deck.media:
                continue
            flat = ref.name.replace("/", "_").replace("\\", "_").strip() or "media"
            candidate, number = flat, 1
            while candidate in taken:
                number += 1
                stem, dot, suffix = flat.rpartition(".")
                candidate = f"{stem}-{number}.{suffix}" if dot and stem else f"{flat}-{number}"
            names[ref.name] = candidate
            taken.add(candidate)
    return names


def _anki_side(telegram_html: str, media: tuple[MediaRef, ...], media_names: dict[str, str]) -> str:
    """Telegram HTML as Anki field HTML: line breaks as <br> (kept raw inside <pre>), media."""
    parts = [_breaks_to_br(telegram_html)]
    for ref in media:
        name = media_names.get(ref.name)
        if name is None:
            continue
        if ref.kind is MediaKind.IMAGE:
            parts.append(f'<img src="{html.escape(name, quote=True)}">')
        else:
            parts.append(f"[sound:{name}]")
    return "<br>".join(part for part in parts if part)


def _breaks_to_br(telegram_html: str) -> str:
    # Telegram HTML is our own output (well-formed, lowercase tags), so finding <pre> blocks by
    # position is exact; their newlines stay, Anki shows <pre> as written.
    out: list[str] = []
    position = 0
    while True:
        start = telegram_html.find("<pre", position)
        if start < 0:
            out.append(telegram_html[position:].replace("\n", "<br>"))
            return "".join(out)
        out.append(telegram_html[position:start].replace("\n", "<br>"))
        end = telegram_html.find("</pre>", start)
        end = len(telegram_html) if end < 0 else end + len("</pre>")
        out.append(telegram_html[start:end])
        # <pre> is a block: the text after it starts a new line already, a <br> would add one.
        position = end + 1 if telegram_html.startswith("\n", end) else end
