"""Deck export (.apkg, CSV, Quizlet text) and the round trip back through our importers."""

from __future__ import annotations

import csv
import html
import io
import json
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import pytest

from bot.core.exports import (
    ANKI_MODEL_ID,
    ANKI_TYPED_MODEL_ID,
    anki_deck_id,
    export_apkg,
    export_csv,
    export_quizlet,
    note_guid,
)
from bot.core.imports.anki import read_anki_package
from bot.core.imports.draft import CardDraft, CardKind, DeckDraft, MediaKind, MediaRef
from bot.core.imports.text import parse_text_deck, telegram_plain_text

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
MP3 = b"ID3" + b"\x01" * 40


def _card(key: str, question: str, answer: str, **extra) -> CardDraft:
    return CardDraft(
        key=key,
        note_key=key,
        note_type="Flashtutor",
        kind=CardKind.BASIC,
        question=question,
        answer=answer,
        **extra,
    )


def _deck() -> DeckDraft:
    cards = (
        _card("perro", "el perro", "the dog", tags=("animals", "spanish a1")),
        _card("colores", "los colores", "rojo — red\nazul — blue\nverde — green"),
        _card("cafe", "<b>el café</b>", "coffee &amp; churros (&lt;2 €)", tags=("food",)),
        _card(
            "code",
            "Force the CPU?",
            "Use:\n<pre><code class=\"language-python\">with tf.device('CPU:0'):\n"
            "    run()</code></pre>\ndone",
        ),
        _card(
            "manzana",
            "la manzana",
            "the apple",
            answer_media=(MediaRef("manzana.png", MediaKind.IMAGE),),
        ),
        _card("hola", "hola", "hello", question_media=(MediaRef("hola.mp3", MediaKind.SOUND),)),
        _card("formula", "=1+1", "-2 is wrong; +2 is right"),
        CardDraft(
            key="typed",
            note_key="typed",
            note_type="Flashtutor",
            kind=CardKind.TYPED,
            question="2 + 2 =",
            answer="<b>four</b> (4)",
            typed_answer="four & 4",
        ),
    )
    return DeckDraft(
        title="Spanish Basics",
        description="A few words",
        cards=cards,
        source_format="flashtutor",
        media=MappingProxyType({"manzana.png": PNG, "hola.mp3": MP3}),
    )


def _collection(package: bytes, tmp_path: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        path = tmp_path / "collection.anki2"
        path.write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(path)


# --- .apkg -----------------------------------------------------------------------------------


def test_apkg_is_a_deflated_anki_package_with_the_cards_and_media(tmp_path):
    package = export_apkg(_deck(), deck_identity="deck-42", now=NOW)

    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        assert set(infos) == {"collection.anki2", "media", "0", "1"}
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in infos.values())
        media = json.loads(archive.read("media"))
        assert sorted(media.values()) == ["hola.mp3", "manzana.png"]
        by_name = {name: archive.read(number) for number, name in media.items()}
    assert by_name == {"manzana.png": PNG, "hola.mp3": MP3}

    db = _collection(package, tmp_path)
    notes = db.execute("SELECT guid, mid, flds, tags FROM notes ORDER BY id").fetchall()
    assert len(notes) == 8
    assert db.execute("SELECT count(*) FROM cards").fetchone() == (8,)
    assert {mid for _, mid, _, _ in notes[:7]} == {ANKI_MODEL_ID}
    assert notes[7][1] == ANKI_TYPED_MODEL_ID
    fields = [flds.split("\x1f") for _, _, flds, _ in notes]
    assert fields[0] == ["el perro", "the dog"]
    assert fields[1] == ["los colores", "rojo — red<br>azul — blue<br>verde — green"]
    assert fields[2] == ["<b>el café</b>", "coffee &amp; churros (&lt;2 €)"]
    # Inside <pre> the line breaks stay as they are (Anki shows <pre> as written).
    assert "with tf.device('CPU:0'):\n    run()</code></pre>done" in fields[3][1]
    assert fields[4] == ["la manzana", 'the apple<br><img src="manzana.png">']
    assert fields[5] == ["hola<br>[sound:hola.mp3]", "hello"]
    assert notes[0][3].split() == ["animals", "spanish_a1"]
    # New cards come in the deck's order.
    assert [due for (due,) in db.execute("SELECT due FROM cards ORDER BY nid")] == list(range(8))
    decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    assert decks[str(anki_deck_id("deck-42"))]["name"] == "Spanish Basics"


def test_apkg_note_guids_are_stable_per_card_and_distinct_per_deck(tmp_path):
    first = _collection(export_apkg(_deck(), deck_identity="deck-42", now=NOW), tmp_path)
    guids = [guid for (guid,) in first.execute("SELECT guid FROM notes ORDER BY id")]
    assert guids == [note_guid("deck-42", card.key) for card in _deck().cards]
    assert len(set(guids)) == 8

    # A later export (edited answer, another day) keeps each card's GUID: Anki updates.
    edited = _deck()
    edited = DeckDraft(
        title=edited.title,
        cards=(_card("perro", "el perro", "the dog (pet)"), *edited.cards[1:]),
        source_format=edited.source_format,
        media=edited.media,
    )
    later = export_apkg(edited, deck_identity="deck-42", now=datetime(2026, 9, 1, tzinfo=UTC))
    (tmp_path / "later").mkdir()
    again = _collection(later, tmp_path / "later")
    assert [guid for (guid,) in again.execute("SELECT guid FROM notes ORDER BY id")] == guids

    assert note_guid("deck-43", "perro") != note_guid("deck-42", "perro")
    assert anki_deck_id("deck-43") != anki_deck_id("deck-42")


def test_apkg_needs_an_aware_now():
    with pytest.raises(ValueError):
        export_apkg(_deck(), deck_identity="d", now=datetime(2026, 1, 1))


def test_apkg_round_trip_through_the_anki_importer_yields_the_same_cards():
    deck = _deck()
    back = read_anki_package(
        export_apkg(deck, deck_identity="deck-42", now=NOW), filename="Spanish Basics.apkg"
    )

    assert (back.title, back.description) == ("Spanish Basics", "A few words")
    assert dict(back.media) == dict(deck.media)
    for original, imported in zip(deck.cards, back.cards, strict=True):
        # Code blocks keep their language (<pre><code class="language-python">) both ways.
        assert (imported.question, imported.answer) == (original.question, original.answer)
        assert imported.question_media == original.question_media
        assert imported.answer_media == original.answer_media
        assert imported.tags == tuple(tag.replace(" ", "_") for tag in original.tags)
        assert imported.kind is original.kind
        assert imported.typed_answer == original.typed_answer
    # One note per card, each with its own GUID: a second export updates the same notes.
    assert back.note_count == len(deck.cards)


def test_anki_fixture_deck_round_trips_through_export():
    path = FIXTURES / "deck_modern.apkg"
    original = read_anki_package(path.read_bytes(), filename=path.name)
    back = read_anki_package(
        export_apkg(original, deck_identity="spanish", now=NOW), filename="x.apkg"
    )
    assert [(c.question, c.answer) for c in back.cards] == [
        (c.question, c.answer) for c in original.cards
    ]
    assert [(c.question_media, c.answer_media) for c in back.cards] == [
        (c.question_media, c.answer_media) for c in original.cards
    ]
    assert dict(back.media) == dict(original.media)


# --- CSV -------------------------------------------------------------------------------------


def test_csv_is_utf8_with_a_header_plain_text_and_protected_formulas():
    data = export_csv(_deck())
    assert data.startswith(b"\xef\xbb\xbfQuestion,Answer,Tags\r\n")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1] == ["el perro", "the dog", "animals spanish_a1"]
    assert rows[2][1] == "rojo — red\nazul — blue\nverde — green"
    assert rows[3] == ["el café", "coffee & churros (<2 €)", "food"]
    assert rows[7] == ["'=1+1", "'-2 is wrong; +2 is right", ""]


def test_csv_round_trip_yields_the_same_cards():
    deck = _deck()
    back = parse_text_deck(export_csv(deck), filename="deck.csv").draft

    assert [(c.question, c.answer) for c in back.cards] == [
        (_plain_as_html(c.question), _plain_as_html(c.answer)) for c in deck.cards
    ]
    assert back.cards[0].tags == ("animals", "spanish_a1")
    # Cards without formatting come back exactly as they were.
    assert (back.cards[1].question, back.cards[1].answer) == (
        deck.cards[1].question,
        deck.cards[1].answer,
    )


def test_fixture_csv_round_trips_exactly():
    original = parse_text_deck((FIXTURES / "cards.csv").read_bytes(), filename="cards.csv").draft
    back = parse_text_deck(export_csv(original), filename="cards.csv").draft
    assert [(c.key, c.question, c.answer, c.tags) for c in back.cards] == [
        (c.key, c.question, c.answer, c.tags) for c in original.cards
    ]


# --- Quizlet ---------------------------------------------------------------------------------


def test_quizlet_text_is_tab_newline_with_raw_multiline_definitions():
    text = export_quizlet(_deck()).decode("utf-8")
    lines = text.split("\n")
    assert lines[0] == "el perro\tthe dog"
    assert lines[1:4] == ["los colores\trojo — red", "azul — blue", "verde — green"]
    assert lines[4] == "el café\tcoffee & churros (<2 €)"
    assert not text.endswith("\n")


def test_quizlet_round_trip_yields_the_same_cards():
    original = parse_text_deck(
        (FIXTURES / "quizlet_tab.txt").read_bytes(), filename="quizlet_tab.txt"
    )
    exported = export_quizlet(original.draft)
    assert exported == (FIXTURES / "quizlet_tab.txt").read_bytes()  # Quizlet's own bytes
    back = parse_text_deck(exported, filename="x.txt").draft
    assert back.cards == original.draft.cards

    deck = _deck()
    again = parse_text_deck(export_quizlet(deck), filename="x.txt").draft
    assert [(c.question, c.answer) for c in again.cards] == [
        (_plain_as_html(c.question), _plain_as_html(c.answer)) for c in deck.cards
    ]


def test_quizlet_questions_are_one_line_and_tabs_never_split_a_card():
    deck = DeckDraft(
        title="t",
        cards=(_card("a", "two\nlines", "has\ta tab\nand\ttwo"),),
        source_format="x",
    )
    text = export_quizlet(deck).decode()
    assert text == "two / lines\thas a tab\nand two"
    back = parse_text_deck(text.encode(), filename="x.txt").draft
    assert len(back.cards) == 1


def _plain_as_html(telegram_html: str) -> str:
    """What a plain-text export keeps of a side: its text, escaped again on import."""
    return html.escape(telegram_plain_text(telegram_html).strip(), quote=False)
