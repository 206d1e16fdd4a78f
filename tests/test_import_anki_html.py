"""Anki HTML → Telegram HTML: what is kept, turned into lines, decoded, collected or stripped."""

from __future__ import annotations

import random

import pytest

from bot.core.imports.anki_html import convert_anki_html, html_to_plain_text
from tests.fake_telegram.html_check import parse_html


def telegram(source: str, **options: bool) -> str:
    """The converted HTML, checked by the fake server's strict Telegram HTML parser."""
    converted = convert_anki_html(source, **options)
    assert parse_html(converted.html).text == converted.text
    return converted.html


def test_readme_example_keeps_b_i_u_and_decodes_entities() -> None:
    source = "coffee&nbsp;☕<br><i>café con leche</i> &amp; <u>churros</u>"
    assert telegram(source) == "coffee ☕\n<i>café con leche</i> &amp; <u>churros</u>"


def test_div_per_line_becomes_lines_without_div_tags() -> None:
    source = "<div>rojo — red</div><div>azul — blue</div><div>verde — green</div>"
    assert telegram(source) == "rojo — red\nazul — blue\nverde — green"


def test_editor_blank_line_is_kept_once_and_edges_are_trimmed() -> None:
    source = "<br><div>a</div><div><br></div><div><br></div><div>b</div><br><br>"
    assert telegram(source) == "a\n\nb"


def test_paragraphs_and_headings() -> None:
    assert telegram("<h2>Title</h2><p>one</p><p>two</p>") == "<b>Title</b>\none\ntwo"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<strong>s</strong> <em>e</em> <ins>i</ins>", "<b>s</b> <i>e</i> <u>i</u>"),
        ("<s>a</s><strike>b</strike><del>c</del>", "<s>a</s><s>b</s><s>c</s>"),
        ("<kbd>ctrl</kbd> <code>x = 1</code>", "<code>ctrl</code> <code>x = 1</code>"),
        ("<font color=red><span style='x'>plain</span></font>", "plain"),
        ("x<sup>2</sup> H<sub>2</sub>O", "x2 H2O"),
    ],
)
def test_inline_tags_map_to_telegram_or_to_text(source: str, expected: str) -> None:
    assert telegram(source) == expected


def test_every_named_entity_is_decoded_and_only_telegram_ones_written() -> None:
    source = "&eacute;&hellip;&mdash;&copy;&euro; &lt;tag&gt; &quot;q&quot; &#x41;&#66; a&nbsp;b"
    assert telegram(source) == 'é…—©€ &lt;tag&gt; "q" AB a b'


def test_script_style_comments_and_event_handlers_are_stripped() -> None:
    source = (
        "<script>alert('x')</script><style>p{color:red}</style><!-- note -->"
        '<b onclick="steal()">safe</b><iframe src="https://evil.example">f</iframe>'
    )
    assert telegram(source) == "<b>safe</b>f"


def test_links_only_http_and_https_survive() -> None:
    source = (
        '<a href="javascript:alert(1)">js</a> <a href="file:///etc/passwd">file</a> '
        '<a href="page.html">relative</a> <a href="https://example.org/?a=1&amp;b=2">ok</a> '
        '<a href="http://example.org/x" title="t" target="_blank">plain</a>'
    )
    assert telegram(source) == (
        'js file relative <a href="https://example.org/?a=1&amp;b=2">ok</a> '
        '<a href="http://example.org/x">plain</a>'
    )


def test_nested_lists_become_indented_bullets_and_numbers() -> None:
    source = "<ul><li>fruit<ul><li>apple</li><li>pear</li></ul></li><li>tea</li></ul><ol><li>one</li><li>two</li></ol>"
    assert telegram(source) == "• fruit\n  • apple\n  • pear\n• tea\n1. one\n2. two"


def test_tables_become_one_row_per_line() -> None:
    source = (
        "<table><thead><tr><th>es</th><th>en</th></tr></thead>"
        "<tbody><tr><td>uno</td><td>one</td></tr><tr><td>dos &amp; tres</td><td>2 &lt; 3</td></tr>"
        "</tbody></table>after"
    )
    assert telegram(source) == "es | en\nuno | one\ndos &amp; tres | 2 &lt; 3\nafter"


def test_pre_keeps_its_lines_and_nothing_nests_in_code() -> None:
    source = "<pre>def f():\n    return <b>1</b></pre>then <code><i>x</i></code>"
    assert telegram(source) == "<pre>def f():\n    return 1</pre>\nthen <code>x</code>"


def test_unbalanced_and_misnested_markup_is_balanced() -> None:
    assert telegram("<b>bold <i>both</b> italic") == "<b>bold <i>both</i></b><i> italic</i>"
    assert telegram("<u>never closed") == "<u>never closed</u>"


def test_bold_across_a_block_keeps_tags_balanced() -> None:
    assert telegram("<b>x<div>y</div>z</b>") == "<b>x\ny\nz</b>"


def test_images_and_sounds_are_collected_not_shown() -> None:
    converted = convert_anki_html(
        'the apple<br><img src="manzana.png"> [sound:hola.mp3] and <img src="https://x.org/a.png">'
        '<img src="manzana.png">[sound:b c.ogg]'
    )
    assert converted.html == "the apple\nand"
    assert converted.images == ("manzana.png",)  # remote images are not package media
    assert converted.sounds == ("hola.mp3", "b c.ogg")


def test_answer_marker_keeps_only_the_answer_part() -> None:
    source = 'el perro<img src="q.png">\n\n<hr id=answer>\n\n<b>the dog</b><img src="a.png">'
    converted = convert_anki_html(source, after_answer_marker=True)
    assert converted.html == "<b>the dog</b>"
    assert converted.images == ("a.png",)
    # Without the option (a question side) an <hr> is just a line break.
    assert convert_anki_html(source).text == "el perro\nthe dog"


def test_whitespace_collapses_like_html() -> None:
    assert telegram("  a \n\n  b\t<b> c </b>  ") == "a b <b>c</b>"
    assert html_to_plain_text("<div>  x  </div>") == "x"


def test_empty_and_media_only_fields() -> None:
    assert convert_anki_html("").html == ""
    only_image = convert_anki_html('<div><img src="a.png"></div>')
    assert only_image.html == "" and only_image.images == ("a.png",)


def test_ruby_furigana_reads_inline() -> None:
    source = "<ruby>漢字<rp>(</rp><rt>かんじ</rt><rp>)</rp></ruby>を"
    assert telegram(source) == "漢字(かんじ)を"


_SOUP_TAGS = [
    "b",
    "i",
    "u",
    "s",
    "code",
    "pre",
    "div",
    "p",
    "br",
    "hr id=answer",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "td",
    "th",
    'img src="x.png"',
    "span",
    "font",
    "h1",
    "tg-spoiler",
    "ruby",
    "rt",
    "rp",
    "script",
    "style",
    "blockquote",
    "sub",
    "em",
    "strong",
    "del",
    "a href=\"https://x.org/a?b=1&c='2'\"",
    'a href="javascript:x"',
]
_SOUP_TEXTS = [
    "a",
    "&nbsp;",
    "&amp;",
    "<",
    ">",
    "&",
    "&eacute;",
    "[sound:a.mp3]",
    "[sound:",
    "  ",
    "\n",
    '"',
    "'",
    "é",
    "😀",
    "\t",
    "&#0;",
    "&#xD800;",
    "&bogus;",
    "<!-- c -->",
    "<!DOCTYPE html>",
    "<?php ?>",
    "</b>",
    "<b",
]


def test_any_tag_soup_converts_to_html_telegram_accepts() -> None:
    rng = random.Random(10)
    for _ in range(1500):
        parts = []
        for _ in range(rng.randint(1, 25)):
            roll = rng.random()
            if roll < 0.35:
                parts.append(f"<{rng.choice(_SOUP_TAGS)}>")
            elif roll < 0.6:
                parts.append(f"</{rng.choice(_SOUP_TAGS).split()[0]}>")
            else:
                parts.append(rng.choice(_SOUP_TEXTS))
        source = "".join(parts)
        for marker in (False, True):
            converted = convert_anki_html(source, after_answer_marker=marker)
            assert parse_html(converted.html).text == converted.text, source


def test_answer_marker_inside_a_link_keeps_the_link() -> None:
    source = '<a href="https://example.org">question<hr id=answer>answer</a>'
    assert telegram(source, after_answer_marker=True) == '<a href="https://example.org">answer</a>'


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # A code block's language, as Telegram and our own export write it, is kept.
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            '<pre><code class="language-python">x = 1</code></pre>',
        ),
        # Anywhere else, or not a plain language name, the class goes and the text stays.
        ('<pre>a<code class="language-python">x</code></pre>', "<pre>ax</pre>"),
        ('<code class="language-python">x</code>', "<code>x</code>"),
        ('<pre><code class="language-py thon">x</code></pre>', "<pre>x</pre>"),
        ('<pre><code class="evil" onclick="x()">x</code></pre>', "<pre>x</pre>"),
    ],
)
def test_a_code_blocks_language_survives_only_where_telegram_has_it(
    source: str, expected: str
) -> None:
    converted = convert_anki_html(source)
    assert converted.html == expected
    parse_html(converted.html)  # the strict Telegram parser accepts it
