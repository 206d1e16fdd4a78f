"""Cards typed in chat (bot.core.typed_cards) and the own-deck buttons' payloads."""

from __future__ import annotations

import pytest

from bot.core.markup import to_telegram_html
from bot.core.typed_cards import (
    TextEntity,
    has_card_separator,
    markup_from_entities,
    parse_pasted_cards,
)
from bot.telegram import callbacks as cb

# --- formatting back into deck markup --------------------------------------------------------


def test_a_pre_entity_becomes_a_fenced_block_on_its_own_lines():
    text = "How do you print?\nprint('hi')\nin Python"
    markup = markup_from_entities(text, [TextEntity("pre", 18, 11, "python")])
    assert markup == "How do you print?\n```python\nprint('hi')\n```\nin Python"
    assert to_telegram_html(markup) == (
        "How do you print?\n<pre><code class=\"language-python\">print('hi')</code></pre>\n"
        "in Python"
    )


def test_a_pre_entity_in_mid_line_still_gets_fence_lines():
    markup = markup_from_entities("Run x = 1 now", [TextEntity("pre", 4, 5)])
    assert markup == "Run \n```\nx = 1\n```\n now"
    assert "<pre>x = 1</pre>" in to_telegram_html(markup)


def test_code_bold_and_italic_entities_become_markup_with_utf16_offsets():
    # "😀" takes two UTF-16 units, so the entities after it are shifted as Telegram counts.
    text = "😀 use len() in bold and italic"
    entities = [
        TextEntity("code", 7, 5),
        TextEntity("bold", 16, 4),
        TextEntity("italic", 25, 6),
        TextEntity("url", 0, 2),  # other entities keep their text
    ]
    markup = markup_from_entities(text, entities)
    assert markup == "😀 use `len()` in *bold* and _italic_"
    assert to_telegram_html(markup) == (
        "😀 use <code>len()</code> in <b>bold</b> and <i>italic</i>"
    )


def test_code_holding_backticks_uses_a_longer_fence_and_nested_entities_are_skipped():
    assert markup_from_entities("a `b` c", [TextEntity("code", 0, 7)]) == "``a `b` c``"
    text = "bold code"
    nested = [TextEntity("bold", 0, 9), TextEntity("code", 5, 4)]
    assert markup_from_entities(text, nested) == "*bold code*"


def test_text_without_entities_is_left_as_typed_markup():
    assert markup_from_entities("`x` and ```", []) == "`x` and ```"


# --- pasted lists ----------------------------------------------------------------------------


def test_pasted_lines_split_at_the_first_separator_and_bad_lines_say_why():
    text = (
        "to eat :: comer\n"
        "to live\tvivir\n"
        "\n"
        "What does std::vector hold? :: elements :: in order\n"
        "no separator\n"
        " :: orphan answer\n"
        "long :: " + "x" * 26
    )
    pasted = parse_pasted_cards(text, question_limit=50, answer_limit=25)
    assert [(c.line, c.question, c.answer) for c in pasted.cards] == [
        (1, "to eat", "comer"),
        (2, "to live", "vivir"),
        (4, "What does std::vector hold?", "elements :: in order"),
    ]
    assert [(s.line, s.reason) for s in pasted.skipped] == [
        (5, "no ' :: ' or tab between question and answer"),
        (6, "the question is empty"),
        (7, "the answer is over 25 characters"),
    ]


@pytest.mark.parametrize(
    ("text", "pasted"),
    [
        ("What is std::move?", False),
        ("a :: b", True),
        ("question\tanswer", True),
        ("two\nlines", False),
        ("to be ::", True),
    ],
)
def test_a_separator_anywhere_marks_a_pasted_list(text: str, pasted: bool):
    assert has_card_separator(text) is pasted


# --- button payloads -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "callback",
    [
        *(cb.CardEdit(10**17, action) for action in cb.CARD_ACTIONS),
        *(cb.DeckMenu(10**17, action) for action in cb.DECK_ACTIONS),
        cb.DeckMenu(5, "cards", 12),
        cb.BulkChoice(10**17, True),
        cb.BulkChoice(3, False),
        cb.JoinShared("s_" + "A" * 60),
        cb.GroupOwnDeck(10**17),
        cb.ExportDeck(10**17),
    ],
)
def test_own_deck_payloads_round_trip_within_64_bytes(callback):
    data = cb.encode(callback)
    assert len(data.encode()) <= cb.MAX_CALLBACK_BYTES
    assert cb.decode(data) == callback


@pytest.mark.parametrize(
    "data",
    ["cz:1", "cm:01", "mm:1:2", "mc:1:0", "bq:1", "j:", "j:s_ab/c", "go:-1", "x:1:2", "mD:"],
)
def test_malformed_own_deck_payloads_are_refused(data: str):
    assert cb.decode(data) is None


def test_encode_refuses_a_page_outside_the_card_list_and_a_bad_code():
    with pytest.raises(ValueError):
        cb.encode(cb.DeckMenu(1, "menu", 2))
    with pytest.raises(ValueError):
        cb.encode(cb.JoinShared("s_bad code"))
