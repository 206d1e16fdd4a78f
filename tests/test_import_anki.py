"""Anki packages → DeckDraft: the real fixtures (four packagings of one deck), bad files,
and packages changed here to reach note types, scheduling and limits the fixtures lack."""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import genanki
import pytest
import zstandard

from bot.core.imports.anki import read_anki_package
from bot.core.imports.draft import (
    CardKind,
    DeckDraft,
    DeckImportError,
    ImportFailure,
    ImportLimits,
    MediaKind,
    ProgressState,
    ReviewKind,
)
from tests.fake_telegram.html_check import parse_html

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
PACKAGES = ["deck_modern.apkg", "deck_legacy.apkg", "collection.colpkg", "deck_genanki.apkg"]
ANKI_MADE = ["deck_modern.apkg", "deck_legacy.apkg", "collection.colpkg"]


def read(name: str, **options: object) -> DeckDraft:
    return read_anki_package((FIXTURES / name).read_bytes(), filename=name, **options)


def plain(markup: str) -> str:
    return parse_html(markup).text


def card_by_question(draft: DeckDraft, question: str):
    return next(card for card in draft.cards if plain(card.question) == question)


# The real fixtures.


@pytest.mark.parametrize("name", PACKAGES)
def test_fixture_counts_per_note_type(name: str) -> None:
    expected = EXPECTED[name]
    draft = read(name)
    assert draft.title == expected["title"] == "Spanish Basics"
    assert draft.note_count == expected["notes"]
    assert len(draft.cards) == expected["cards"]
    assert draft.notes_by_note_type() == expected["notes_by_type"]
    assert draft.cards_by_note_type() == expected["cards_by_type"]
    assert draft.cards_by_kind() == {
        CardKind.BASIC: 11,
        CardKind.REVERSED: 2,
        CardKind.CLOZE: 2,
    }
    assert draft.skipped == ()
    assert draft.source_format == ("colpkg" if name.endswith(".colpkg") else "apkg")


@pytest.mark.parametrize("name", PACKAGES)
def test_fixture_questions_in_order_and_valid_telegram_html(name: str) -> None:
    draft = read(name)
    for card in draft.cards:
        parse_html(card.question)
        parse_html(card.answer)
        assert "[sound:" not in card.question + card.answer
        assert "<div" not in card.question + card.answer
    fronts = [plain(c.question) for c in draft.cards if c.kind != CardKind.CLOZE]
    assert fronts == EXPECTED[name]["fronts"]
    clozes = [plain(c.question) for c in draft.cards if c.kind == CardKind.CLOZE]
    assert clozes == ["[...] means good morning.", "Buenos días means [greeting]."]
    cloze_answers = [plain(c.answer) for c in draft.cards if c.kind == CardKind.CLOZE]
    assert cloze_answers == [
        "Buenos días means good morning.\nSaid until about noon.",
        "Buenos días means good morning.\nSaid until about noon.",
    ]


@pytest.mark.parametrize("name", PACKAGES)
def test_fixture_html_conversion_examples(name: str) -> None:
    draft = read(name)
    cafe = card_by_question(draft, "el café")
    assert cafe.question == "<b>el café</b>"
    assert cafe.answer == "coffee ☕\n<i>café con leche</i> &amp; <u>churros</u>"
    colores = card_by_question(draft, "los colores")
    assert colores.answer == "rojo — red\nazul — blue\nverde — green"
    te = card_by_question(draft, "el té")
    assert plain(te.answer) == "tea\n日本語: お茶 (ocha)\nрусский: чай (chai)"
    house = card_by_question(draft, "the house")
    assert house.kind == CardKind.REVERSED and plain(house.answer) == "la casa"


@pytest.mark.parametrize("name", PACKAGES)
def test_fixture_media_per_side_with_bytes(name: str) -> None:
    expected = EXPECTED[name]
    draft = read(name)
    assert sorted(draft.media) == expected["media_files"] == expected["media_used"]
    assert draft.media["manzana.png"].startswith(b"\x89PNG\r\n\x1a\n")
    assert draft.media["hola.mp3"][:2] in (b"\xff\xfb", b"\xff\xf3", b"ID")
    apple = card_by_question(draft, "la manzana")
    assert [(r.name, r.kind) for r in apple.answer_media] == [("manzana.png", MediaKind.IMAGE)]
    assert apple.question_media == ()
    hola = card_by_question(draft, "hola")
    assert [(r.name, r.kind) for r in hola.question_media] == [("hola.mp3", MediaKind.SOUND)]
    with_images = [
        plain(c.question)
        for c in draft.cards
        if any(r.kind == MediaKind.IMAGE for r in (*c.question_media, *c.answer_media))
    ]
    assert with_images == expected["image_fronts"]


@pytest.mark.parametrize("name", PACKAGES)
def test_fixture_tags_and_stable_keys(name: str) -> None:
    draft = read(name)
    assert all("spanish::a1" in card.tags for card in draft.cards)
    assert Counter(t for c in draft.cards for t in c.tags if t != "spanish::a1")["greetings"] == 5
    keys = [card.key for card in draft.cards]
    assert len(set(keys)) == len(keys)
    assert keys == [c.key for c in read(name).cards]  # the same on every read
    house = [c for c in draft.cards if c.note_key == card_by_question(draft, "la casa").note_key]
    assert [c.key.rsplit(":", 1)[1] for c in house] == ["0", "1"]


@pytest.mark.parametrize("name", ANKI_MADE)
def test_fixture_review_history_and_progress(name: str) -> None:
    draft = read(name)
    reviewed = [card for card in draft.cards if card.reviews]
    assert sum(len(card.reviews) for card in draft.cards) == EXPECTED[name]["revlog"] == 1
    adios = card_by_question(draft, "adiós")
    assert reviewed == [adios]
    (review,) = adios.reviews
    assert review.rating == 4 and review.kind == ReviewKind.LEARN
    assert review.interval_days == adios.progress.interval_days
    progress = adios.progress
    assert progress.state == ProgressState.REVIEW and not progress.suspended
    assert progress.last_review is not None
    assert abs(progress.last_review - review.reviewed_at) < timedelta(seconds=1)
    # Due on the review's day plus its interval (Anki counts days from its 4 am rollover).
    assert progress.due.date() == (review.reviewed_at + timedelta(days=5)).date()
    assert progress.stability is None  # these packages were studied without FSRS
    assert draft.has_review_history and draft.has_progress and not draft.has_memory_state
    others = [card.progress for card in draft.cards if card is not adios]
    assert {(p.state, p.due, p.reps) for p in others} == {(ProgressState.NEW, None, 0)}


def test_genanki_package_has_no_history() -> None:
    draft = read("deck_genanki.apkg")
    assert not draft.has_review_history and not draft.has_progress
    assert {card.progress.state for card in draft.cards} == {ProgressState.NEW}
    assert EXPECTED["deck_genanki.apkg"]["revlog"] == 0


@pytest.mark.parametrize(
    ("name", "failure"),
    [
        ("not_a_zip.apkg", ImportFailure.NOT_A_PACKAGE),
        ("empty.csv", ImportFailure.EMPTY_FILE),
        ("zip_without_collection.apkg", ImportFailure.NO_COLLECTION),
        ("zip_bomb.apkg", ImportFailure.TOO_LARGE),
        ("sqlite_not_anki.apkg", ImportFailure.NOT_ANKI),
    ],
)
def test_bad_fixtures_get_one_clear_reason(name: str, failure: ImportFailure) -> None:
    assert EXPECTED[name]["kind"] == "bad"
    with pytest.raises(DeckImportError) as raised:
        read(name)
    assert raised.value.failure == failure
    assert str(raised.value).endswith(".") and "Traceback" not in str(raised.value)


def test_temporary_files_are_removed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    read("deck_modern.apkg")
    with pytest.raises(DeckImportError):
        read("sqlite_not_anki.apkg")
    with pytest.raises(DeckImportError):
        read_anki_package(package(corrupt_zstd()), filename="x.apkg")
    assert list(tmp_path.iterdir()) == []


# Packages built here from the fixtures.


def entries_of(name: str) -> dict[str, bytes]:
    with zipfile.ZipFile(FIXTURES / name) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def package(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def corrupt_zstd() -> dict[str, bytes]:
    entries = entries_of("deck_modern.apkg")
    entries["collection.anki21b"] = b"\x28\xb5\x2f\xfd" + b"\x00garbage" * 20
    return entries


def changed_collection(sqlite_bytes: bytes, change: Callable[[sqlite3.Connection], None]) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.sqlite"
        path.write_bytes(sqlite_bytes)
        connection = sqlite3.connect(path)
        connection.create_collation(
            "unicase", lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower())
        )
        with connection:
            change(connection)
        connection.close()
        return path.read_bytes()


def modern_with(change: Callable[[sqlite3.Connection], None]) -> bytes:
    entries = entries_of("deck_modern.apkg")
    raw = zstandard.ZstdDecompressor().decompressobj().decompress(entries["collection.anki21b"])
    entries["collection.anki21b"] = zstandard.ZstdCompressor().compress(
        changed_collection(raw, change)
    )
    return package(entries)


def legacy_with(change: Callable[[sqlite3.Connection], None]) -> bytes:
    entries = entries_of("deck_legacy.apkg")
    entries["collection.anki21"] = changed_collection(entries["collection.anki21"], change)
    return package(entries)


def protobuf(*fields: tuple[int, int | bytes | str]) -> bytes:
    """A tiny protobuf encoder for the messages the tests change."""

    def varint(value: int) -> bytes:
        out = bytearray()
        while True:
            byte, value = value & 0x7F, value >> 7
            out.append(byte | (0x80 if value else 0))
            if not value:
                return bytes(out)

    out = bytearray()
    for number, value in fields:
        if isinstance(value, int):
            out += varint(number << 3) + varint(value)
        else:
            data = value.encode() if isinstance(value, str) else value
            out += varint(number << 3 | 2) + varint(len(data)) + data
    return bytes(out)


DECK = 1796130941020
TYPED_NT, OPTIONAL_REVERSED_NT, BASIC_NT = 1796130941053, 1796130941052, 1796130940911
NOW_MS = 1796130941000 * 1


def add_note(
    connection: sqlite3.Connection,
    nid: int,
    guid: str,
    mid: int,
    fields: list[str],
    cards: list[tuple[int, int]],
    tags: str = " extra ",
) -> None:
    connection.execute(
        "INSERT INTO notes VALUES (?, ?, ?, 0, -1, ?, ?, '', 0, 0, '')",
        (nid, guid, mid, tags, "\x1f".join(fields)),
    )
    for card_id, ord_ in cards:
        connection.execute(
            "INSERT INTO cards VALUES (?, ?, ?, ?, 0, -1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, '{}')",
            (card_id, nid, DECK, ord_),
        )


def test_schema18_typed_optional_reversed_description_and_fsrs_memory() -> None:
    def change(connection: sqlite3.Connection) -> None:
        # The export kept these note types' fields and templates rows: give them their row.
        for ntid, name in [
            (TYPED_NT, "Basic (type in the answer)"),
            (OPTIONAL_REVERSED_NT, "Basic (optional reversed card)"),
        ]:
            connection.execute(
                "INSERT INTO notetypes VALUES (?, ?, 0, 0, ?)", (ntid, name, protobuf((1, 0)))
            )
        add_note(
            connection, 1, "typed1", TYPED_NT, ["¿cómo se dice <i>dog</i>?", "el perro"], [(11, 0)]
        )
        add_note(
            connection, 2, "optrev", OPTIONAL_REVERSED_NT, ["sí", "yes", "y"], [(21, 0), (22, 1)]
        )
        add_note(connection, 3, "optno", OPTIONAL_REVERSED_NT, ["no", "no", ""], [(31, 0)])
        normal = protobuf((1, 1), (4, "Everyday <b>Spanish</b> &amp; more"))
        connection.execute("UPDATE decks SET kind = ? WHERE id = ?", (protobuf((1, normal)), DECK))
        # FSRS memory on a relearning card, and a suspended review card.
        connection.execute(
            "UPDATE cards SET type = 3, queue = 1, due = 1796140000, ivl = 4, reps = 6, lapses = 1, "
            'data = \'{"s": 3.25, "d": 6.5, "dr": 0.9, "lrt": 1796130000}\' WHERE id = 22'
        )
        connection.execute(
            "UPDATE cards SET type = 2, queue = -1, due = 10, ivl = 9, data = '' WHERE id = 31"
        )

    draft = read_anki_package(modern_with(change), filename="x.apkg")
    assert draft.description == "Everyday Spanish & more"
    typed = next(c for c in draft.cards if c.note_key == "typed1")
    assert typed.kind == CardKind.TYPED and typed.typed_answer == "el perro"
    assert typed.question == "¿cómo se dice <i>dog</i>?"
    assert typed.note_type == "Basic (type in the answer)"
    optional = [c for c in draft.cards if c.note_key in ("optrev", "optno")]
    assert [(c.key, c.kind, plain(c.question), plain(c.answer)) for c in optional] == [
        ("optrev:0", CardKind.BASIC, "sí", "yes"),
        ("optrev:1", CardKind.REVERSED, "yes", "sí"),
        ("optno:0", CardKind.BASIC, "no", "no"),
    ]
    memory = optional[1].progress
    assert memory.state == ProgressState.RELEARNING
    assert (memory.stability, memory.difficulty) == (3.25, 6.5)
    assert memory.due == datetime.fromtimestamp(1796140000, UTC)
    assert memory.last_review == datetime.fromtimestamp(1796130000, UTC)
    assert (memory.interval_days, memory.reps, memory.lapses) == (4, 6, 1)
    suspended = optional[2].progress
    assert suspended.suspended and suspended.state == ProgressState.REVIEW
    assert suspended.due == datetime(2026, 12, 11, 4, 0, tzinfo=UTC)  # crt + 10 days
    assert draft.has_memory_state and draft.cards_by_kind()[CardKind.TYPED] == 1


def test_schema11_custom_note_type_rendered_from_its_templates() -> None:
    model = {
        "id": 777,
        "name": "Vocab+",
        "type": 0,
        "flds": [{"name": n, "ord": i} for i, n in enumerate(["Word", "Meaning", "Note", "Audio"])],
        "tmpls": [
            {
                "name": "Recognise",
                "ord": 0,
                "qfmt": "{{Word}}{{#Note}}<br><small>{{Note}}</small>{{/Note}}{{Audio}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Meaning}}{{^Note}} (no note){{/Note}} {{hint:Word}}",
            },
            {
                "name": "Recall",
                "ord": 1,
                "qfmt": "{{text:Meaning}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Word}} <img src="gato%20negro.png">',
            },
        ],
    }

    def change(connection: sqlite3.Connection) -> None:
        models = json.loads(connection.execute("SELECT models FROM col").fetchone()[0])
        models["777"] = model
        connection.execute("UPDATE col SET models = ?", (json.dumps(models),))
        add_note(
            connection,
            5,
            "vocab",
            777,
            ["el gato", "the <b>cat</b>", "", "[sound:gato.mp3]"],
            [(51, 0), (52, 1)],
        )
        # A card in a filtered deck belongs to its home deck; odue holds its real due.
        connection.execute(
            "UPDATE cards SET did = 99, odid = ?, type = 2, queue = 2, due = -100000, odue = 3, ivl = 2 WHERE id = 52",
            (DECK,),
        )

    entries = entries_of("deck_legacy.apkg")
    entries["collection.anki21"] = changed_collection(entries["collection.anki21"], change)
    media = json.loads(entries["media"])
    media["7"] = "gato negro.png"
    entries["media"] = json.dumps(media).encode()
    entries["7"] = b"\x89PNG\r\n\x1a\n black cat"
    draft = read_anki_package(package(entries), filename="x.apkg")
    recognise, recall = [c for c in draft.cards if c.note_key == "vocab"]
    assert plain(recognise.question) == "el gato"
    assert recognise.question_media == ()  # gato.mp3 is not in the package (see below)
    assert recognise.answer == "the <b>cat</b> (no note) <tg-spoiler>el gato</tg-spoiler>"
    assert recall.kind == CardKind.REVERSED and recall.question == "the cat"
    assert recall.answer == "el gato"
    assert [r.name for r in recall.answer_media] == ["gato negro.png"]
    assert draft.media["gato negro.png"] == b"\x89PNG\r\n\x1a\n black cat"
    # The sound is not in the package: the card keeps its text, the preview says why.
    assert ("media gato.mp3", "not in the package") in [(s.where, s.reason) for s in draft.skipped]
    assert recall.progress.due == datetime(2026, 12, 4, 4, 0, tzinfo=UTC)
    assert draft.title == "Spanish Basics"


def test_cards_that_cannot_be_shown_are_skipped_with_reasons() -> None:
    def change(connection: sqlite3.Connection) -> None:
        add_note(connection, 6, "nomodel", 123456, ["orphan", "x"], [(61, 0)])
        add_note(connection, 7, "gone", 1796130940915, ["{{c1::only one}}", ""], [(71, 0), (72, 1)])
        add_note(connection, 8, "empty", BASIC_NT, ["<br>", "back"], [(81, 0)])
        add_note(connection, 9, "notmpl", BASIC_NT, ["front", "back"], [(91, 3)])

    draft = read_anki_package(legacy_with(change), filename="x.apkg")
    reasons = {s.where: s.reason for s in draft.skipped}
    assert reasons == {
        "note “orphan”": "its note type is missing from the package",
        "note “only one”": "cloze c2 is no longer in the note",
        "card 81": "its question is empty",
        "note “front”": "card 4 of “Basic” has no template",
    }
    assert len(draft.cards) == 16  # the 15 cards and c1 of the new cloze


def test_too_many_cards_refused_before_rendering() -> None:
    assert len(read("deck_legacy.apkg", limits=ImportLimits(max_cards=15)).cards) == 15
    with pytest.raises(DeckImportError) as raised:
        read("deck_legacy.apkg", limits=ImportLimits(max_cards=14))
    assert raised.value.failure == ImportFailure.TOO_MANY_CARDS
    assert "15" in str(raised.value) and "14" in str(raised.value)


def test_zstd_bomb_refused_while_streaming() -> None:
    entries = entries_of("deck_modern.apkg")
    compressor = zstandard.ZstdCompressor(write_content_size=False).compressobj()
    bomb = b"".join(compressor.compress(bytes(1 << 20)) for _ in range(8)) + compressor.flush()
    assert len(bomb) < 4096
    entries["collection.anki21b"] = bomb
    with pytest.raises(DeckImportError) as raised:
        read_anki_package(package(entries), limits=ImportLimits(max_entry_bytes=2 << 20))
    assert raised.value.failure == ImportFailure.TOO_LARGE


def test_deflate_over_the_cap_and_total_budget_refused() -> None:
    entries = entries_of("deck_legacy.apkg")
    small = ImportLimits(max_entry_bytes=150_000)
    assert len(read_anki_package(package(entries), limits=small).cards) == 15
    entries["1"] = bytes(200_000)  # hola.mp3, now huge
    with pytest.raises(DeckImportError) as raised:
        read_anki_package(package(entries), limits=small)
    assert raised.value.failure == ImportFailure.TOO_LARGE
    with pytest.raises(DeckImportError) as raised:
        read_anki_package(
            package(entries_of("deck_legacy.apkg")), limits=ImportLimits(max_unpacked_bytes=145_000)
        )
    assert raised.value.failure == ImportFailure.TOO_LARGE


def test_lying_declared_size_is_not_trusted() -> None:
    entries = entries_of("deck_legacy.apkg")
    data = bytearray(package(entries))
    # Shrink the declared size of collection.anki21 in the central directory: reading stops
    # at the declared size and the damage is reported, nothing beyond it is inflated.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("collection.anki21")
    central = data.rfind(
        b"PK\x01\x02", 0, data.find(b"collection.anki21", data.find(b"PK\x01\x02")) + 1
    )
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")
    assert info.file_size > 1000
    with pytest.raises(DeckImportError) as raised:
        read_anki_package(bytes(data))
    assert raised.value.failure in (ImportFailure.CORRUPT, ImportFailure.NOT_ANKI)


def test_corrupt_zstd_and_damaged_media_index() -> None:
    with pytest.raises(DeckImportError) as raised:
        read_anki_package(package(corrupt_zstd()))
    assert raised.value.failure == ImportFailure.CORRUPT
    entries = entries_of("deck_legacy.apkg")
    entries["media"] = b"{not json"
    with pytest.raises(DeckImportError) as raised:
        read_anki_package(package(entries))
    assert raised.value.failure == ImportFailure.CORRUPT


def test_path_traversal_names_are_ignored() -> None:
    entries = entries_of("deck_legacy.apkg")
    collection = entries.pop("collection.anki21")
    entries.pop("collection.anki2")
    evil = {"../collection.anki21": collection, "/abs/collection.anki2": collection, **entries}
    with pytest.raises(DeckImportError) as raised:
        read_anki_package(package(evil))
    assert raised.value.failure == ImportFailure.NO_COLLECTION
    fine = {"collection.anki21": collection, "../../etc/passwd": b"x", "dir/1": b"y", **entries}
    assert len(read_anki_package(package(fine)).cards) == 15


def test_update_stub_alone_is_refused() -> None:
    stub = entries_of("deck_modern.apkg")["collection.anki2"]
    with pytest.raises(DeckImportError) as raised:
        read_anki_package(package({"collection.anki2": stub}))
    assert raised.value.failure == ImportFailure.UNSUPPORTED


def test_stored_zip_and_sqlite_garbage() -> None:
    entries = entries_of("deck_legacy.apkg")
    assert len(read_anki_package(package(entries, zipfile.ZIP_STORED)).cards) == 15
    entries["collection.anki21"] = b"SQLite format 3\x00" + bytes(200)
    with pytest.raises(DeckImportError) as raised:
        read_anki_package(package(entries))
    assert raised.value.failure in (ImportFailure.CORRUPT, ImportFailure.NOT_ANKI)


def test_zstd_collection_without_meta_still_reads_zstd_media() -> None:
    entries = entries_of("deck_modern.apkg")
    del entries["meta"]
    draft = read_anki_package(package(entries))
    assert draft.media["manzana.png"].startswith(b"\x89PNG")


def test_image_occlusion_duplicate_guids_and_day_learning_due() -> None:
    occlusion = 1796130941055  # its fields and templates rows are in the fixture

    def change(connection: sqlite3.Connection) -> None:
        connection.execute(
            "INSERT INTO notetypes VALUES (?, 'Image Occlusion', 0, 0, ?)",
            (occlusion, protobuf((1, 1))),
        )
        add_note(
            connection,
            1,
            "io",
            occlusion,
            [
                "{{c1::image-occlusion:rect:left=.1:top=.1:width=.2:height=.2}}",
                '<img src="m.png">',
                "",
                "",
                "",
            ],
            [(11, 0)],
        )
        add_note(connection, 2, "ftb3c4ec8c", BASIC_NT, ["copy of el perro", "x"], [(21, 0)])
        # An interday learning card (Anki's queue 3, or buried): due counts in days.
        connection.execute(
            "UPDATE cards SET type = 1, queue = -3, due = 2 WHERE id = 1796130941024"
        )

    draft = read_anki_package(modern_with(change))
    reasons = [(s.where, s.reason) for s in draft.skipped]
    assert reasons == [
        (
            "note “image-occlusion:rect:left=.1:top=.1:width=.2:height=.2”",
            "Image Occlusion cards need Anki's image masks",
        ),
        ("note ftb3c4ec8c", "its GUID repeats another note's"),
    ]
    assert len(draft.cards) == 15
    gato = card_by_question(draft, "el gato").progress
    assert gato.state == ProgressState.LEARNING
    assert gato.due == datetime(2026, 12, 3, 4, 0, tzinfo=UTC)


def test_review_history_over_the_cap_keeps_the_newest() -> None:
    def change(connection: sqlite3.Connection) -> None:
        for n in range(1, 5):  # four more answers to "adiós", after the fixture's one
            connection.execute(
                "INSERT INTO revlog VALUES (?, 1796130941037, -1, ?, 1, 1, 2500, 100, 1)",
                (1796130941039 + n * 86_400_000, n),
            )
        connection.execute(  # an answer to a card that is not in the package is not read
            "INSERT INTO revlog VALUES (1796130941040, 424242, -1, 3, 1, 1, 2500, 100, 1)"
        )

    data = legacy_with(change)
    everything = read_anki_package(data)
    assert [r.rating for r in card_by_question(everything, "adiós").reviews] == [4, 1, 2, 3, 4]
    capped = read_anki_package(data, limits=ImportLimits(max_reviews=3))
    assert [r.rating for r in card_by_question(capped, "adiós").reviews] == [2, 3, 4]
    assert ("review history", "the oldest 2 answers are over the limit of 3") in [
        (s.where, s.reason) for s in capped.skipped
    ]


def test_package_written_by_genanki_with_custom_note_types(tmp_path: Path) -> None:
    vocab = genanki.Model(
        1607392319,
        "Vocab (3 cards)",
        fields=[{"name": n} for n in ["Word", "Meaning", "Example", "Audio", "Picture"]],
        templates=[
            {
                "name": "Recognise",
                "qfmt": "{{Word}}{{Audio}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Meaning}}"
                "{{#Example}}<br><i>{{Example}}</i>{{/Example}}{{Picture}}",
            },
            {
                "name": "Recall",
                "qfmt": "{{Meaning}}{{#Picture}}<br>{{Picture}}{{/Picture}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Word}}",
            },
            {"name": "Spell", "qfmt": "{{Meaning}} {{type:Word}}", "afmt": "{{type:Word}}"},
        ],
    )
    cloze = genanki.Model(
        1607392320,
        "Cloze+",
        model_type=genanki.Model.CLOZE,
        fields=[{"name": "Text"}, {"name": "Extra"}],
        templates=[
            {"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Extra}}"}
        ],
    )
    deck = genanki.Deck(2059400110, "Languages::Spanish", description="Words <b>I</b> need")
    deck.add_note(
        genanki.Note(
            vocab,
            ["el gato", "the cat", "El gato duerme.", "[sound:gato.mp3]", '<img src="gato.jpg">'],
            guid="vocab-gato",
            tags=["animals"],
        )
    )
    deck.add_note(genanki.Note(vocab, ["el sol", "the sun", "", "", ""], guid="vocab-sol"))
    deck.add_note(
        genanki.Note(
            cloze,
            [
                "{{c1::Madrid}} is the capital of {{c2::Spain::country}}; {{c3::Lisbon}} of Portugal.",
                "Europe",
            ],
            guid="cloze-capitals",
        )
    )
    (tmp_path / "gato.mp3").write_bytes(b"ID3 fake mp3")
    (tmp_path / "gato.jpg").write_bytes(b"\xff\xd8\xff fake jpeg")
    output = tmp_path / "out.apkg"
    package_ = genanki.Package(deck)
    package_.media_files = [str(tmp_path / "gato.mp3"), str(tmp_path / "gato.jpg")]
    package_.write_to_file(str(output))

    draft = read_anki_package(output.read_bytes(), filename="out.apkg")
    assert draft.title == "Spanish" and draft.description == "Words I need"
    cards = {card.key: card for card in draft.cards}
    assert sorted(cards) == [
        "cloze-capitals:0",
        "cloze-capitals:1",
        "cloze-capitals:2",
        "vocab-gato:0",
        "vocab-gato:1",
        "vocab-gato:2",
        "vocab-sol:0",
        "vocab-sol:1",
        "vocab-sol:2",
    ]
    gato = cards["vocab-gato:0"]
    assert (plain(gato.question), gato.kind) == ("el gato", CardKind.BASIC)
    assert [r.name for r in gato.question_media] == ["gato.mp3"]
    assert gato.answer == "the cat\n<i>El gato duerme.</i>"
    assert [r.name for r in gato.answer_media] == ["gato.jpg"]
    recall = cards["vocab-gato:1"]
    assert (plain(recall.question), recall.kind, plain(recall.answer)) == (
        "the cat",
        CardKind.REVERSED,
        "el gato",
    )
    assert [r.name for r in recall.question_media] == ["gato.jpg"]
    spell = cards["vocab-sol:2"]
    assert (spell.kind, spell.typed_answer, plain(spell.question)) == (
        CardKind.TYPED,
        "el sol",
        "the sun",
    )
    assert plain(cards["vocab-sol:0"].answer) == "the sun"  # the empty Example section is gone
    assert [plain(cards[f"cloze-capitals:{n}"].question) for n in range(3)] == [
        "[...] is the capital of Spain; Lisbon of Portugal.",
        "Madrid is the capital of [country]; Lisbon of Portugal.",
        "Madrid is the capital of Spain; [...] of Portugal.",
    ]
    assert draft.media == {"gato.mp3": b"ID3 fake mp3", "gato.jpg": b"\xff\xd8\xff fake jpeg"}
    assert cards["vocab-gato:0"].tags == ("animals",)


def test_zstd_frame_asking_for_a_huge_window_is_refused() -> None:
    params = zstandard.ZstdCompressionParameters.from_level(
        3, window_log=27, write_content_size=False
    )
    compressor = zstandard.ZstdCompressor(compression_params=params).compressobj()
    entries = entries_of("deck_modern.apkg")
    raw = zstandard.ZstdDecompressor().decompressobj().decompress(entries["collection.anki21b"])
    entries["collection.anki21b"] = compressor.compress(raw) + compressor.flush()
    with pytest.raises(DeckImportError) as raised:
        read_anki_package(package(entries))
    assert raised.value.failure == ImportFailure.CORRUPT
