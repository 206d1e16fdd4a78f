"""Text deck import: Quizlet exports, CSV/TSV, Anki's text export and deck Markdown (pure)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from bot.core.imports.draft import CardKind, DeckImportError, ImportFailure
from bot.core.imports.text import (
    QuizletSeparators,
    SeparatorChoice,
    TextFormat,
    card_key,
    decode_text,
    detect_quizlet_separators,
    parse_delimited,
    parse_quizlet,
    parse_text_deck,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
DECKS_DIR = Path(__file__).resolve().parents[1] / "decks"

# The twelve cards of both Quizlet fixtures (README: same deck, two separator settings).
QUIZLET_CARDS = [
    ("el perro", "the dog"),
    ("el gato", "the cat"),
    ("la casa", "the house"),
    ("el niño", "the boy"),
    ("Buenos días", "good morning"),
    ("el café", "coffee — café con leche &amp; churros (&lt;2 €)"),
    ("los colores", "rojo — red\nazul — blue\nverde — green"),
    ("la manzana", "the apple"),
    ("hola", "hello"),
    ("el té", "tea — お茶 (ocha) — чай (chai)"),
    ("gracias", "thank you"),
    ("adiós", "goodbye"),
]


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _pairs(result) -> list[tuple[str, str]]:
    return [(card.question, card.answer) for card in result.draft.cards]


def _failure(data: bytes, filename: str) -> DeckImportError:
    with pytest.raises(DeckImportError) as caught:
        parse_text_deck(data, filename=filename)
    return caught.value


# --- Quizlet ---------------------------------------------------------------------------------


def test_quizlet_default_export_tab_and_newline_with_a_multiline_definition():
    result = parse_text_deck(_read("quizlet_tab.txt"), filename="quizlet_tab.txt")

    assert result.format is TextFormat.QUIZLET
    assert result.quizlet_separators == QuizletSeparators("\t", "\n")
    assert result.quizlet_separators.term_choice is SeparatorChoice.TAB
    assert result.quizlet_separators.row_choice is SeparatorChoice.NEWLINE
    assert _pairs(result) == QUIZLET_CARDS
    assert result.draft.source_format == "quizlet"
    assert result.draft.skipped == ()
    # The continuation lines are pointed out for the preview, on the card they joined.
    assert any("los colores" in warning for warning in result.draft.warnings)


def test_quizlet_custom_separators_are_detected():
    result = parse_text_deck(_read("quizlet_custom.txt"), filename="quizlet_custom.txt")

    assert result.quizlet_separators == QuizletSeparators(" - ", ";")
    assert result.quizlet_separators.term_choice is SeparatorChoice.DASH
    assert result.quizlet_separators.row_choice is SeparatorChoice.SEMICOLON
    assert _pairs(result) == QUIZLET_CARDS
    assert result.draft.skipped == () and result.draft.warnings == ()


def test_same_card_gets_the_same_key_from_either_quizlet_layout():
    tab = parse_text_deck(_read("quizlet_tab.txt"), filename="a.txt")
    custom = parse_text_deck(_read("quizlet_custom.txt"), filename="b.txt")

    assert [c.key for c in tab.draft.cards] == [c.key for c in custom.draft.cards]
    assert len({c.key for c in tab.draft.cards}) == 12


def test_reparsing_with_an_explicit_choice_overrides_detection():
    data = _read("quizlet_custom.txt")
    detected = parse_text_deck(data, filename="x.txt").quizlet_separators

    # The person presses "Tab": nothing in this file has one.
    with pytest.raises(DeckImportError) as caught:
        parse_text_deck(data, filename="x.txt", separators=detected.switched(SeparatorChoice.TAB))
    assert caught.value.failure is ImportFailure.NO_CARDS

    # Newline rows with " - " terms: rows holding many cards are flagged, not silently right.
    wrong = parse_quizlet(data, title="x", separators=detected.switched(SeparatorChoice.NEWLINE))
    assert wrong.quizlet_separators == QuizletSeparators(" - ", "\n")
    assert len(wrong.draft.cards) == 2
    assert any("more" in warning for warning in wrong.draft.warnings)

    # And back: the explicit right choice reads the 12 cards.
    again = parse_quizlet(data, title="x", separators=QuizletSeparators(" - ", ";"))
    assert _pairs(again) == QUIZLET_CARDS


def test_separator_switching_keeps_the_other_half():
    tab_lines = QuizletSeparators()
    assert tab_lines.switched(SeparatorChoice.COMMA) == QuizletSeparators(",", "\n")
    assert tab_lines.switched(SeparatorChoice.SEMICOLON) == QuizletSeparators("\t", ";")
    assert QuizletSeparators(" = ", "\n").term_choice is None  # custom: no button lit
    with pytest.raises(ValueError):
        QuizletSeparators(";", ";")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b\nc,d\ne,f", QuizletSeparators(",", "\n")),
        ("a - b\nc - d", QuizletSeparators(" - ", "\n")),
        ("a\tb, c, d\ne\tf, g", QuizletSeparators("\t", "\n")),  # commas inside definitions
        ("a,b;c,d;e,f", QuizletSeparators(",", ";")),
        ("perro :: dog\ngato :: cat", QuizletSeparators(" :: ", "\n")),
        ("perro | dog\ngato | cat", QuizletSeparators(" | ", "\n")),
        ("a: b, c\nd: e", QuizletSeparators(":", "\n")),  # not "," with "d: e" glued on
        ("a\tNote: b\nmore: here\nc\td", QuizletSeparators("\t", "\n")),
    ],
)
def test_separator_detection_on_other_layouts(text, expected):
    assert detect_quizlet_separators(text) == expected


def test_suspicious_quizlet_rows_are_flagged_or_skipped_with_a_reason():
    text = "uno\tone\ndos\t\n\ttres only\ncuatro\tfour\textra\ncinco\tfive"
    result = parse_text_deck(text.encode(), filename="set.txt")

    assert _pairs(result) == [("uno", "one"), ("cuatro", "four\textra"), ("cinco", "five")]
    reasons = {item.where: item.reason for item in result.draft.skipped}
    assert reasons == {"line 2": "the answer is empty", "line 3": "the question is empty"}
    assert any(w.startswith("line 4: 1 more tab") for w in result.draft.warnings)


def test_a_text_line_before_any_card_is_skipped_not_glued():
    result = parse_text_deck(b"My vocabulary\nperro\tdog\ngato\tcat", filename="v.txt")
    assert _pairs(result) == [("perro", "dog"), ("gato", "cat")]
    assert result.draft.skipped[0].where == "line 1"
    assert "no tab" in result.draft.skipped[0].reason


def test_repeated_questions_get_distinct_keys_and_a_warning():
    result = parse_text_deck(b"bank\tshore\nbank\tmoney\nbank\tdepot", filename="v.txt")
    keys = [card.key for card in result.draft.cards]
    base = card_key("bank")
    assert keys == [base, f"{base}-2", f"{base}-3"]
    assert "line 2 repeats the question of line 1" in result.draft.warnings


def test_card_key_depends_on_the_question_text_only():
    assert card_key("el  perro ") == card_key("el perro") == card_key("<b>el perro</b>")
    assert card_key("el perro") != card_key("El perro")
    assert card_key("a &amp; b") == card_key("a & b")
    # NFC: a composed and a decomposed ñ are one question.
    assert card_key("ni\u00f1o") == card_key("nin\u0303o")
    assert len(card_key("x")) == 17


# --- CSV / TSV -------------------------------------------------------------------------------


def test_spreadsheet_csv_with_bom_crlf_header_and_quoted_multiline_fields():
    result = parse_text_deck(_read("cards.csv"), filename="cards.csv")

    assert result.format is TextFormat.CSV and result.delimiter == ","
    cards = result.draft.cards
    assert [c.question for c in cards] == [
        "el perro",
        "la casa",
        "los colores",
        "el café",
        "el niño",
        "hola",
        "el té",
        "gracias",
    ]
    by_question = {c.question: c for c in cards}
    assert by_question["los colores"].answer == "rojo — red\nazul — blue\nverde — green"
    assert by_question["el café"].answer == 'coffee, con leche &amp; "churros"'
    assert by_question["hola"].answer == "hello\n(informal greeting)"
    assert by_question["el té"].tags == ("food", "unicode")
    assert by_question["el perro"].tags == ("animals",)
    assert by_question["gracias"].tags == ()
    assert result.draft.skipped == ()


def test_csv_in_utf16_and_without_bom_reads_the_same():
    text = _read("cards.csv").decode("utf-8-sig")
    expected = _pairs(parse_text_deck(_read("cards.csv"), filename="cards.csv"))
    for data in (
        codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        text.encode("utf-8"),
        text.encode("utf-16-le"),  # no BOM: recognised by its NUL bytes
    ):
        assert _pairs(parse_text_deck(data, filename="cards.csv")) == expected


def test_excel_semicolon_csv_with_a_german_header():
    data = b"Begriff;Definition\nder Hund;the dog, a pet\ndie Katze;the cat\n"
    result = parse_text_deck(data, filename="vokabeln.csv")
    assert result.delimiter == ";"
    assert _pairs(result) == [("der Hund", "the dog, a pet"), ("die Katze", "the cat")]


def test_a_chosen_delimiter_overrides_detection():
    data = b"a;b,c\nd;e,f\n"
    assert parse_text_deck(data, filename="x.csv").delimiter == ","
    chosen = parse_text_deck(data, filename="x.csv", delimiter=";")
    assert chosen.delimiter == ";"
    assert _pairs(chosen) == [("a", "b,c"), ("d", "e,f")]


def test_header_columns_are_found_by_name_in_any_order():
    data = b"Tags,Answer,Question\nanimals,the dog,el perro\n"
    result = parse_text_deck(data, filename="x.csv")
    assert _pairs(result) == [("el perro", "the dog")]
    assert result.draft.cards[0].tags == ("animals",)


def test_excel_sep_line_and_a_language_header_are_not_cards():
    data = b"sep=;\r\nEnglish;Deutsch\r\nthe dog;der Hund, m.\r\n"
    result = parse_text_deck(data, filename="x.csv")
    assert result.delimiter == ";"
    assert _pairs(result) == [("the dog", "der Hund, m.")]
    assert result.draft.skipped[0].where == "line 2"
    assert result.draft.skipped[0].reason == "column names, not a card"


def test_headerless_csv_first_row_is_a_card_and_extra_columns_are_reported():
    data = b"el perro,the dog,noun\nel gato,the cat,noun\n"
    result = parse_text_deck(data, filename="x.csv")
    assert _pairs(result) == [("el perro", "the dog"), ("el gato", "the cat")]
    assert result.draft.warnings == ("column 3 not imported (only question, answer, tags)",)


def test_csv_escapes_markup_characters_as_plain_text():
    result = parse_delimited(b"a<b & c>d,<i>not html</i>\n", title="t")
    assert _pairs(result) == [("a&lt;b &amp; c&gt;d", "&lt;i&gt;not html&lt;/i&gt;")]


def test_anki_text_export_with_header_lines_and_html_fields():
    result = parse_text_deck(_read("anki_notes.tsv"), filename="anki_notes.tsv")

    assert result.format is TextFormat.ANKI_TEXT and result.delimiter == "\t"
    cards = result.draft.cards
    assert len(cards) == 9
    assert {tag for card in cards for tag in card.tags} == {
        "animals",
        "colors",
        "food",
        "home",
        "multiline",
        "spanish::a1",
        "tricky",
    }
    by_question = {c.question: c for c in cards}
    assert "<b>el perro</b>" in by_question
    assert by_question["el gato"].answer == "the cat\n<i>(feline)</i>"
    assert by_question["los colores"].answer == "rojo\nazul\nverde"  # one line per <div>
    assert by_question["el café"].answer == "coffee &amp; churros ☕"  # &nbsp; is a space
    assert by_question['comillas "dobles"'].answer == "double quotes"
    assert by_question["la niña"].tags == ()
    assert not any(card.question.startswith("#") for card in cards)


def test_cloze_rows_make_one_card_per_cloze_number():
    data = (
        "#separator:tab\n#html:true\n#notetype:Cloze\n"
        "{{c1::Buenos días}} means {{c2::good morning::greeting}}.\t<i>a greeting</i>\n"
    ).encode()
    cards = parse_text_deck(data, filename="cloze.txt").draft.cards
    assert [(c.question, c.answer, c.kind) for c in cards] == [
        (
            "<b>[...]</b> means good morning.",
            "<b>Buenos días</b> means good morning.\n<i>a greeting</i>",
            CardKind.CLOZE,
        ),
        (
            "Buenos días means <b>[greeting]</b>.",
            "Buenos días means <b>good morning</b>.\n<i>a greeting</i>",
            CardKind.CLOZE,
        ),
    ]
    assert cards[0].note_key == cards[1].note_key
    assert [c.key for c in cards] == [f"{cards[0].note_key}:0", f"{cards[0].note_key}:1"]


def test_plain_text_cloze_keeps_its_own_markup_characters_escaped():
    cards = parse_delimited(b"a < {{c1::b}} & c,extra\n", title="t").draft.cards
    assert [(c.question, c.answer) for c in cards] == [
        ("a &lt; <b>[...]</b> &amp; c", "a &lt; <b>b</b> &amp; c\nextra")
    ]


def test_reversed_note_type_adds_the_back_to_front_card():
    data = b"#separator:comma\n#notetype:Basic (and reversed card)\nla casa,the house\n"
    cards = parse_text_deck(data, filename="r.txt").draft.cards
    assert [(c.question, c.answer, c.kind) for c in cards] == [
        ("la casa", "the house", CardKind.BASIC),
        ("the house", "la casa", CardKind.REVERSED),
    ]
    assert cards[1].key == cards[0].key + ":1" and cards[1].note_key == cards[0].key


def test_anki_notes_export_with_guid_notetype_and_deck_columns():
    data = (
        b"#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n"
        b"#tags column:6\n"
        b"Ab1\tBasic\tSpanish\tel perro\tthe dog\tanimals\n"
        b"Ab2\tBasic (and reversed card)\tSpanish\tla casa\tthe house\thome\n"
        b"Ab3\tBasic (type in the answer)\tSpanish\tdog?\t<b>perro</b>\t\n"
        b"Ab4\tCloze\tSpanish\t{{c1::Hola}}, amigo\t\t\n"
    )
    cards = parse_text_deck(data, filename="Spanish.txt").draft.cards
    assert [(c.key, c.note_type, c.kind, c.question, c.answer) for c in cards] == [
        ("Ab1:0", "Basic", CardKind.BASIC, "el perro", "the dog"),
        ("Ab2:0", "Basic (and reversed card)", CardKind.BASIC, "la casa", "the house"),
        ("Ab2:1", "Basic (and reversed card)", CardKind.REVERSED, "the house", "la casa"),
        ("Ab3:0", "Basic (type in the answer)", CardKind.TYPED, "dog?", "<b>perro</b>"),
        ("Ab4:0", "Cloze", CardKind.CLOZE, "<b>[...]</b>, amigo", "<b>Hola</b>, amigo"),
    ]
    assert cards[3].typed_answer == "perro"
    assert cards[0].tags == ("animals",)


def test_anki_text_html_media_is_reported_as_left_out():
    data = b'#separator:tab\n#html:true\napple\t<img src="apple.png"> the apple\n'
    result = parse_text_deck(data, filename="notes.txt")
    assert _pairs(result) == [("apple", "the apple")]
    assert any("apple.png" in warning for warning in result.draft.warnings)


def test_anki_text_header_options_deck_guid_separator_and_global_tags():
    data = (
        b"#separator:Semicolon\n#html:false\n#tags:imported vocab\n#deck:Languages::Spanish\n"
        b"#guid column:1\n#columns:GUID;Back;Front\n"
        b"Ab3$x;the dog;el perro\nZz9!q;the cat;el gato\n"
    )
    result = parse_text_deck(data, filename="export.txt")
    assert result.format is TextFormat.ANKI_TEXT
    assert result.draft.title == "Spanish"
    assert _pairs(result) == [("el perro", "the dog"), ("el gato", "the cat")]
    # GUID keys are the Anki package reader's (`<guid>:<card ordinal>`).
    assert [c.key for c in result.draft.cards] == ["Ab3$x:0", "Zz9!q:0"]
    assert [c.note_key for c in result.draft.cards] == ["Ab3$x", "Zz9!q"]
    assert result.draft.cards[0].tags == ("imported", "vocab")


def test_unpaired_quote_is_flagged_where_it_starts():
    result = parse_text_deck(b'front,back\nuno,"one\ndos,two\n', filename="x.csv")
    # csv reads on to the end of the file inside the open quote; the preview says where.
    assert _pairs(result) == [("uno", "one\ndos,two")]
    assert result.draft.warnings[0].startswith("line 2: a quote")


def test_a_header_line_in_a_quizlet_style_text_is_not_a_card():
    result = parse_text_deck(b"Term\tDefinition\nperro\tdog", filename="set.txt")
    assert _pairs(result) == [("perro", "dog")]
    assert result.draft.skipped[0].reason == "column names, not a card"


# --- our deck Markdown -----------------------------------------------------------------------


def test_bundled_deck_markdown_is_accepted_with_its_own_keys():
    path = DECKS_DIR / "deep-learning-tools.md"
    result = parse_text_deck(path.read_bytes(), filename=path.name)
    assert result.format is TextFormat.DECK_MARKDOWN
    assert result.draft.title == "Deep Learning Tools"
    assert result.draft.description
    assert len(result.draft.cards) >= 10
    assert result.draft.cards[0].key == "frameworks"
    # Code fences become <pre>: card text is Telegram HTML like every other format.
    assert any("<pre>" in card.answer or "<pre><code" in card.answer for card in result.draft.cards)


def test_broken_deck_markdown_names_the_line():
    data = b"---\nslug: x\ntitle: X\ndescription: d\n---\n## a\nQ: only a question\n"
    error = _failure(data, "mine.md")
    assert error.failure is ImportFailure.CORRUPT
    assert "mine.md:7" in str(error)


# --- bad files -------------------------------------------------------------------------------


def test_latin1_is_refused_with_a_resave_as_utf8_message_never_mojibake():
    error = _failure(_read("latin1.csv"), "latin1.csv")
    assert error.failure is ImportFailure.ENCODING
    assert "UTF-8" in str(error) and "line 1" in str(error)


@pytest.mark.parametrize("data", [b"", b"  \r\n\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n"])
def test_empty_files_are_refused(data):
    assert _failure(data, "empty.csv").failure is ImportFailure.EMPTY_FILE


def test_empty_fixture_is_refused():
    error = _failure(_read("empty.csv"), "empty.csv")
    assert error.failure is ImportFailure.EMPTY_FILE and str(error) == "The file is empty."


def test_no_usable_rows_says_why():
    error = _failure(b"just a title line\nand another\n", "notes.txt")
    assert error.failure is ImportFailure.NO_CARDS
    assert "line 1" in str(error)
    assert _failure(b"front,back\n", "x.csv").failure is ImportFailure.NO_CARDS


def test_binary_files_are_not_read_as_text():
    assert _failure(b"PK\x03\x04rest", "deck.csv").failure is ImportFailure.UNKNOWN_FORMAT
    assert _failure(b"SQLite format 3\x00...", "d.txt").failure is ImportFailure.UNKNOWN_FORMAT
    assert _failure(b"a\x00b\tc", "d.txt").failure is ImportFailure.UNKNOWN_FORMAT


def test_more_cards_than_the_limit_are_refused():
    rows = "\n".join(f"q{n}\ta{n}" for n in range(21)).encode()
    assert len(parse_quizlet(rows, title="t", max_cards=21).draft.cards) == 21
    with pytest.raises(DeckImportError) as caught:
        parse_quizlet(rows, title="t", max_cards=20)
    assert caught.value.failure is ImportFailure.TOO_MANY_CARDS
    assert "20" in str(caught.value)


def test_too_long_sides_are_skipped_with_the_limit():
    data = ("short\tok\n" + "q\t" + "x" * 4000).encode()
    result = parse_text_deck(data, filename="v.txt")
    assert _pairs(result) == [("short", "ok")]
    assert result.draft.skipped[0].reason == "the answer is 4000 characters; the limit is 3500"


def test_decode_text_keeps_utf8_and_strips_the_bom():
    assert decode_text(codecs.BOM_UTF8 + "niño".encode()) == "niño"
    assert decode_text(codecs.BOM_UTF16_LE + "niño".encode("utf-16-le")) == "niño"
