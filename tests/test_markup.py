"""Card markup: Telegram HTML and plain-text goldens, escaping, and unbalanced input."""

from __future__ import annotations

import html
import random
import re

import pytest

from bot.core.markup import Fence, closes_fence, open_fence, to_plain_text, to_telegram_html

GOLDENS = [
    # (card text, Telegram HTML, plain text)
    pytest.param("Plain words.", "Plain words.", "Plain words.", id="plain"),
    pytest.param("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d", "a < b && c > d", id="escape"),
    pytest.param(
        "<script>alert('hi')</script>",
        "&lt;script&gt;alert('hi')&lt;/script&gt;",
        "<script>alert('hi')</script>",
        id="script-tag",
    ),
    pytest.param(
        "Quotes \" and ' stay; &amp; is text",
        "Quotes \" and ' stay; &amp;amp; is text",
        "Quotes \" and ' stay; &amp; is text",
        id="quotes-and-entities",
    ),
    pytest.param(
        "Use `tf.Variable` for weights.",
        "Use <code>tf.Variable</code> for weights.",
        "Use tf.Variable for weights.",
        id="inline-code",
    ),
    pytest.param(
        "`a<b && c>d`", "<code>a&lt;b &amp;&amp; c&gt;d</code>", "a<b && c>d", id="code-escaped"
    ),
    pytest.param("`*x* _y_`", "<code>*x* _y_</code>", "*x* _y_", id="no-markup-in-code"),
    pytest.param("`` a`b ``", "<code>a`b</code>", "a`b", id="double-backtick-span"),
    pytest.param("a `b c", "a `b c", "a `b c", id="lone-backtick"),
    pytest.param("`a` and `b", "<code>a</code> and `b", "a and `b", id="one-pair-one-lone"),
    pytest.param("``x`", "``x`", "``x`", id="runs-of-different-length"),
    pytest.param("a `b\nc` d", "a `b\nc` d", "a `b\nc` d", id="code-does-not-span-lines"),
    pytest.param(
        "*bold* and _italic_.",
        "<b>bold</b> and <i>italic</i>.",
        "bold and italic.",
        id="emphasis",
    ),
    pytest.param("*a _b_ c*", "<b>a <i>b</i> c</b>", "a b c", id="nested-emphasis"),
    pytest.param("*use `x*y`*", "<b>use <code>x*y</code></b>", "use x*y", id="code-in-bold"),
    pytest.param(
        "snake_case_name, 2 * 3 * 4, a*b*c, *args and **kwargs",
        "snake_case_name, 2 * 3 * 4, a*b*c, *args and **kwargs",
        "snake_case_name, 2 * 3 * 4, a*b*c, *args and **kwargs",
        id="stars-and-underscores-that-are-not-emphasis",
    ),
    pytest.param("**not bold**", "**not bold**", "**not bold**", id="double-star-is-literal"),
    pytest.param("*open only", "*open only", "*open only", id="unclosed-emphasis"),
    pytest.param("*<b>*", "<b>&lt;b&gt;</b>", "<b>", id="html-inside-emphasis"),
    pytest.param(
        r"\*not bold\*, \`tick\`, \\ and C:\Users",
        r"*not bold*, `tick`, \ and C:\Users",
        r"*not bold*, `tick`, \ and C:\Users",
        id="backslash-escapes",
    ),
    pytest.param(
        "List:\n- one\n* two\n  - nested\n1. three\n\\- literal dash\n-5 degrees",
        "List:\n• one\n• two\n  • nested\n1. three\n- literal dash\n-5 degrees",
        "List:\n• one\n• two\n  • nested\n1. three\n- literal dash\n-5 degrees",
        id="bullets",
    ),
    pytest.param(
        "Para one.\n\nPara two.",
        "Para one.\n\nPara two.",
        "Para one.\n\nPara two.",
        id="paragraphs",
    ),
    pytest.param(
        "Example:\n```python\nif a < b and c > 0:\n    print('&')\n```\nDone.",
        'Example:\n<pre><code class="language-python">if a &lt; b and c &gt; 0:\n'
        "    print('&amp;')</code></pre>\nDone.",
        "Example:\nif a < b and c > 0:\n    print('&')\nDone.",
        id="fence-with-language",
    ),
    pytest.param(
        "```\n*x* _y_ `z` <i>\n\n- not a bullet\n```",
        "<pre>*x* _y_ `z` &lt;i&gt;\n\n- not a bullet</pre>",
        "*x* _y_ `z` <i>\n\n- not a bullet",
        id="fence-is-verbatim",
    ),
    pytest.param(
        "```py<x> title\ncode\n```",
        "<pre>code</pre>",
        "code",
        id="fence-language-that-is-not-a-word-is-dropped",
    ),
    pytest.param(
        "```c++ main.cpp\nint x;\n```",
        '<pre><code class="language-c++">int x;</code></pre>',
        "int x;",
        id="fence-language-first-word",
    ),
    pytest.param(
        "- item:\n  ```sh\n  ls -l\n    indented\n  ```",
        '• item:\n<pre><code class="language-sh">ls -l\n  indented</code></pre>',
        "• item:\nls -l\n  indented",
        id="indented-fence-is-dedented",
    ),
    pytest.param(
        "````\n```\nnested\n```\n````",
        "<pre>```\nnested\n```</pre>",
        "```\nnested\n```",
        id="longer-fence-holds-shorter",
    ),
    pytest.param(
        "```python\nx = `1`",
        "```python\nx = <code>1</code>",
        "```python\nx = 1",
        id="unterminated-fence-is-literal",
    ),
    pytest.param("```\n```", "", "", id="empty-fence-shows-nothing"),
    pytest.param("", "", "", id="empty"),
]


@pytest.mark.parametrize(("text", "expected_html", "expected_plain"), GOLDENS)
def test_goldens(text: str, expected_html: str, expected_plain: str) -> None:
    assert to_telegram_html(text) == expected_html
    assert to_plain_text(text) == expected_plain


def test_windows_line_endings_render_like_unix_ones() -> None:
    text = "a\n```\nb\n```\nc"
    assert to_telegram_html(text.replace("\n", "\r\n")) == to_telegram_html(text)


def test_fence_lines() -> None:
    assert open_fence("```python") == Fence(indent=0, ticks=3, language="python")
    assert open_fence("  ````") == Fence(indent=2, ticks=4, language=None)
    assert open_fence("``not a fence") is None
    assert open_fence("```a`b") is None  # an info string never has a backtick
    assert open_fence("text ```") is None
    fence = Fence(indent=0, ticks=4, language=None)
    assert closes_fence("````", fence)
    assert closes_fence("  `````  ", fence)
    assert not closes_fence("```", fence)
    assert not closes_fence("```` x", fence)


_TAG_RE = re.compile(r"<(/?)([a-z]+)([^>]*)>")
_TELEGRAM_TAGS = {"b", "i", "code", "pre"}


def _assert_telegram_valid(rendered: str) -> None:
    """Only b, i, code and pre; every tag closed in order; no bare '<' or '&'."""
    stack: list[str] = []
    for match in _TAG_RE.finditer(rendered):
        closing, name, attributes = match.groups()
        assert name in _TELEGRAM_TAGS, rendered
        if closing:
            assert stack and stack.pop() == name, rendered
        else:
            assert attributes == "" or (
                name == "code"
                and stack == ["pre"]
                and re.fullmatch(r' class="language-[^"<>&]+"', attributes)
            ), rendered
            stack.append(name)
    assert stack == [], rendered
    text = _TAG_RE.sub("", rendered)
    assert "<" not in text and ">" not in text, rendered
    assert re.fullmatch(r"([^&]|&(amp|lt|gt);)*", text, flags=re.DOTALL), rendered


def test_any_input_renders_balanced_telegram_html_that_matches_plain_text() -> None:
    # Deterministic fuzz over the characters the syntax cares about.
    alphabet = ["`", "```", "*", "_", "\\", "<", ">", "&", "-", " ", "\n", "a", "b", "py"]
    rng = random.Random(20240601)
    seen_tags: set[str] = set()
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        rendered = to_telegram_html(text)
        _assert_telegram_valid(rendered)
        assert html.unescape(_TAG_RE.sub("", rendered)) == to_plain_text(text), repr(text)
        seen_tags.update(match[2] for match in _TAG_RE.finditer(rendered))
    assert seen_tags == _TELEGRAM_TAGS  # the fuzz reached every construct
