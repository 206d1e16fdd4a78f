"""Anki templates and clozes rendered for a chat: fields, sections, filters, cloze gaps."""

from __future__ import annotations

import pytest

from bot.core.imports.anki_html import convert_anki_html
from bot.core.imports.anki_template import (
    NoteFields,
    TemplateError,
    cloze_answers,
    cloze_numbers,
    field_is_empty,
    render_card,
    render_cloze,
)
from tests.fake_telegram.html_check import parse_html

SENTENCE = "{{c1::Buenos días}} means {{c2::good morning::greeting}}."


def shown(markup: str, *, answer: bool = False) -> str:
    """What a reader sees of a rendered side, checked as Telegram HTML on the way."""
    converted = convert_anki_html(markup, after_answer_marker=answer)
    return parse_html(converted.html).text


def test_cloze_gap_with_and_without_hint() -> None:
    assert shown(render_cloze(SENTENCE, 1, answer=False)) == "[...] means good morning."
    assert shown(render_cloze(SENTENCE, 2, answer=False)) == "Buenos días means [greeting]."
    assert render_cloze(SENTENCE, 2, answer=True) == "Buenos días means <b>good morning</b>."


def test_cloze_numbers_answers_and_shared_numbers() -> None:
    text = "{{c1::uno}}, {{c2::dos}} y {{c1::tres::3}}; {{c3,4::multi}}"
    assert cloze_numbers(text) == {1, 2, 3, 4}
    assert cloze_answers(text, 1) == ["uno", "tres"]
    assert shown(render_cloze(text, 1, answer=False)) == "[...], dos y [3]; multi"
    assert shown(render_cloze(text, 4, answer=False)) == "uno, dos y tres; [...]"


def test_nested_clozes() -> None:
    text = "{{c1::outer {{c2::inner}} end}}"
    assert cloze_numbers(text) == {1, 2}
    assert shown(render_cloze(text, 1, answer=False)) == "[...]"
    assert shown(render_cloze(text, 2, answer=False)) == "outer [...] end"
    assert render_cloze(text, 1, answer=True) == "<b>outer inner end</b>"


def test_broken_cloze_is_shown_as_written() -> None:
    assert render_cloze("{{c1::never closed", 1, answer=False) == "{{c1::never closed"
    assert cloze_numbers("{{c1::never closed") == frozenset()


def test_cloze_with_html_inside_stays_valid_telegram_html() -> None:
    text = "<b>{{c1::el <i>perro</i>}}</b> ladra"
    assert shown(render_cloze(text, 1, answer=False)) == "[...] ladra"
    assert shown(render_cloze(text, 1, answer=True)) == "el perro ladra"


NOTE = NoteFields(
    {"Front": "la casa", "Back": "the <b>house</b>", "Extra": "", "Hint": "casa = house"},
    tags=("home", "spanish::a1"),
    note_type="Vocab",
    deck="Spanish::A1",
    template_name="Recognition",
)


def test_basic_template_answer_drops_front_side_and_question_part() -> None:
    card = render_card("{{Front}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}", NOTE, card_ord=0)
    assert shown(card.question) == "la casa"
    assert shown(card.answer, answer=True) == "the house"
    assert card.typed_answer is None


def test_sections_positive_and_negative() -> None:
    template = "{{Front}}{{#Extra}} [extra: {{Extra}}]{{/Extra}}{{^Extra}} (no extra){{/Extra}}{{#Back}}!{{/Back}}"
    card = render_card(template, "{{Back}}", NOTE, card_ord=0)
    assert shown(card.question) == "la casa (no extra)!"
    with_extra = NoteFields({**NOTE.fields, "Extra": "<br>&nbsp;<div> </div>"})
    # A field of only breaks and spaces is empty, as in Anki.
    assert field_is_empty(with_extra.fields["Extra"])
    assert not field_is_empty('<img src="a.png">')


def test_optional_reverse_section_renders_empty_question() -> None:
    note = NoteFields({"Front": "a", "Back": "b", "Add Reverse": ""})
    card = render_card("{{#Add Reverse}}{{Back}}{{/Add Reverse}}", "{{Front}}", note, card_ord=1)
    assert shown(card.question) == ""


def test_type_filter_asks_to_type_and_shows_the_answer() -> None:
    card = render_card(
        "{{Front}}\n\n{{type:Back}}",
        "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}",
        NOTE,
        card_ord=0,
    )
    assert shown(card.question) == "la casa"
    assert card.typed_answer == "the house"
    assert shown(card.answer, answer=True) == "the house"


def test_typed_cloze_expects_the_hidden_text() -> None:
    note = NoteFields({"Text": SENTENCE})
    card = render_card("{{cloze:Text}}{{type:cloze:Text}}", "{{cloze:Text}}", note, card_ord=1)
    assert card.typed_answer == "good morning"
    assert card.uses_cloze
    assert shown(card.question) == "Buenos días means [greeting]."


def test_hint_text_and_special_fields() -> None:
    card = render_card(
        "{{Front}} {{hint:Hint}} {{hint:Extra}}",
        "{{text:Back}} · {{Tags}} · {{Type}} · {{Deck}} · {{Subdeck}} · {{Card}}",
        NOTE,
        card_ord=0,
    )
    question = convert_anki_html(card.question).html
    assert question == "la casa <tg-spoiler>casa = house</tg-spoiler>"
    assert parse_html(question).entities[0]["type"] == "spoiler"
    assert shown(card.answer) == (
        "the house · home spanish::a1 · Vocab · Spanish::A1 · A1 · Recognition"
    )
    assert "<b>" not in convert_anki_html(card.answer).html  # text: strips the field's markup


def test_furigana_filters_and_unknown_things() -> None:
    note = NoteFields({"Word": "日本[にほん]語[ご]"})
    card = render_card(
        "{{furigana:Word}}|{{kanji:Word}}|{{kana:Word}}|{{tts en_US:Word}}|{{custom:Word}}|{{Nope}}",
        "",
        note,
        card_ord=0,
    )
    assert card.question == "日本(にほん)語(ご)|日本語|にほんご||日本[にほん]語[ご]|"


def test_field_content_is_not_parsed_as_template() -> None:
    note = NoteFields({"Front": "{{Back}} {{#x}}", "Back": "secret"})
    assert render_card("{{Front}}", "", note, card_ord=0).question == "{{Back}} {{#x}}"


@pytest.mark.parametrize("template", ["{{#Front}}never closed", "{{/Front}}", "{{#A}}{{/B}}"])
def test_broken_sections_raise(template: str) -> None:
    with pytest.raises(TemplateError):
        render_card(template, "", NOTE, card_ord=0)


def test_field_names_match_ignoring_case_as_anki_keeps_them_unique() -> None:
    assert render_card("{{front}} {{#BACK}}has back{{/BACK}}", "", NOTE, card_ord=0).question == (
        "la casa has back"
    )
