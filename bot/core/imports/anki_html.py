"""Anki field/card HTML → Telegram HTML, with the media it shows collected on the side.

Two steps: `nh3` (a maintained sanitiser built on html5ever) drops scripts, styles, unknown
attributes and non-http(s) links and balances the markup; then the standard library's
`html.parser` walks the clean tree and writes what Telegram accepts: b/i/u/s/code/pre,
tg-spoiler and http(s) links. Blocks (div, p, br, headings) become line breaks, lists bullets,
tables one row per line with " | " between cells. Entities are decoded (&nbsp; becomes a space)
and only &lt; &gt; &amp; &quot; are written back. `<img src>` and `[sound:x]` are not shown but
listed in `ConvertedHtml.images` / `.sounds`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import urlsplit

import nh3

__all__ = ["ConvertedHtml", "convert_anki_html", "html_to_plain_text"]

# Source tag → Telegram tag (None: kept as text only).
_INLINE: dict[str, str] = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
    "tg-spoiler": "tg-spoiler",
}
_BLOCKS = frozenset(
    {
        "div",
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "center",
        "section",
        "article",
        "header",
        "footer",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "address",
    }
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LISTS = frozenset({"ul", "ol"})
_TABLE_CELLS = frozenset({"td", "th"})
_TABLE_PARTS = frozenset({"table", "thead", "tbody", "tfoot", "caption"})
_SANITISER_TAGS = (
    set(_INLINE)
    | _BLOCKS
    | _LISTS
    | _TABLE_CELLS
    | _TABLE_PARTS
    | {"a", "br", "hr", "img", "pre", "li", "tr", "sub", "sup", "ruby", "rt"}
)
_SANITISER_ATTRIBUTES = {"a": {"href"}, "img": {"src"}, "hr": {"id"}, "code": {"class"}}
# `<pre><code class="language-x">` is how Telegram names a code block's language.
_CODE_LANGUAGE = re.compile(r"language-[A-Za-z0-9_+#.-]{1,32}")
# Telegram forbids other entities inside code and pre.
_NO_NESTING = frozenset({"code", "pre"})
_SOUND_OPEN = "[sound:"
_HTML_SPACES = re.compile(r"[ \t\n\r\f]+")


@dataclass(frozen=True, slots=True)
class ConvertedHtml:
    """Telegram HTML for one card side, its visible text, and the media it refers to."""

    html: str
    text: str
    images: tuple[str, ...] = ()
    sounds: tuple[str, ...] = ()


def convert_anki_html(source: str, *, after_answer_marker: bool = False) -> ConvertedHtml:
    """Anki HTML as Telegram HTML; with `after_answer_marker`, only what follows
    `<hr id=answer>` (Anki's answer separator) when the markup has one."""
    clean = nh3.clean(
        source,
        tags=_SANITISER_TAGS,
        attributes=_SANITISER_ATTRIBUTES,
        url_schemes={"http", "https"},
        clean_content_tags={"script", "style", "rp"},
        strip_comments=True,
        link_rel=None,
    )
    writer = _TelegramWriter(after_answer_marker=after_answer_marker)
    writer.feed(clean)
    writer.close()
    return writer.result()


def html_to_plain_text(source: str) -> str:
    """What a reader sees of Anki HTML, without markup or media (typed answers, titles)."""
    return convert_anki_html(source).text


_Kind = Literal["text", "pre", "prefix", "open", "close"]


@dataclass(slots=True)
class _Token:
    kind: _Kind
    value: str


@dataclass(slots=True)
class _Open:
    source: str
    emitted: str | None
    markup: str = ""  # the opening tag written, e.g. '<a href="…">'


class _TelegramWriter(HTMLParser):
    """Walk sanitised HTML; collect lines of tokens, then render them as Telegram HTML."""

    def __init__(self, *, after_answer_marker: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._after_marker = after_answer_marker
        self._lines: list[list[_Token]] = []
        self._line: list[_Token] = []
        self._stack: list[_Open] = []
        self._lists: list[list[int]] = []  # per open list: [is_ordered, next number]
        self._cells_in_row = 0
        self._pre_depth = 0
        self._images: list[str] = []
        self._sounds: list[str] = []

    # Lines.

    def _has_content(self) -> bool:
        return any(
            (t.kind == "text" and t.value.strip()) or t.kind in ("pre", "prefix")
            for t in self._line
        )

    def _hard_break(self) -> None:
        if self._pre_depth:
            self._line.append(_Token("pre", "\n"))
            return
        self._lines.append(self._line)
        self._line = []

    def _soft_break(self) -> None:
        if self._pre_depth == 0 and self._has_content():
            self._hard_break()

    # Tags.

    def _inside_no_nesting(self) -> bool:
        return any(o.emitted in _NO_NESTING for o in self._stack)

    def _open(self, source: str, emitted: str | None, attrs: str = "") -> None:
        if emitted is not None and self._inside_no_nesting():
            emitted = None
        if emitted is not None and emitted == "a" and any(o.emitted == "a" for o in self._stack):
            emitted = None
        markup = f"<{emitted}{attrs}>" if emitted is not None else ""
        self._stack.append(_Open(source, emitted, markup))
        if markup:
            self._line.append(_Token("open", markup))

    def _opens_code_block(self, css_class: str) -> bool:
        """A `<code class="language-x">` right at the start of a `<pre>`."""
        return (
            _CODE_LANGUAGE.fullmatch(css_class.strip()) is not None
            and bool(self._stack)
            and self._stack[-1].emitted == "pre"
            and bool(self._line)
            and self._line[-1] == _Token("open", "<pre>")
        )

    def _close_top(self) -> None:
        opened = self._stack.pop()
        if opened.emitted is not None:
            self._line.append(_Token("close", f"</{opened.emitted}>"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "br":
            self._hard_break()
        elif tag == "hr":
            self._soft_break()
            if self._after_marker and values.get("id", "").lower() == "answer":
                self._drop_everything_so_far()
        elif tag == "img":
            self._image(values.get("src", ""))
        elif tag == "rt":  # ruby text (furigana) reads as "漢字(かんじ)"
            self._open(tag, None)
            self._line.append(_Token("text", "("))
        elif tag == "code" and self._opens_code_block(values.get("class", "")):
            # The one nesting Telegram allows: a language on a code block (our own export).
            language = html.escape(values["class"].strip(), quote=True)
            self._stack.append(_Open(tag, "code", f'<code class="{language}">'))
            self._line.append(_Token("open", self._stack[-1].markup))
        elif tag in _INLINE:
            self._open(tag, _INLINE[tag])
        elif tag == "a":
            href = values.get("href", "")
            if urlsplit(href).scheme.lower() in ("http", "https"):
                self._open(tag, "a", f' href="{html.escape(href, quote=True)}"')
            else:
                self._open(tag, None)
        elif tag == "pre":
            self._soft_break()
            self._open(tag, "pre")
            self._pre_depth += 1
        elif tag in _LISTS:
            self._soft_break()
            self._lists.append([tag == "ol", 1])
            self._open(tag, None)
        elif tag == "li":
            self._soft_break()
            self._list_item()
            self._open(tag, None)
        elif tag == "tr":
            self._soft_break()
            self._cells_in_row = 0
            self._open(tag, None)
        elif tag in _TABLE_CELLS:
            if self._cells_in_row:
                self._line.append(_Token("prefix", " | "))
            self._cells_in_row += 1
            self._open(tag, None)
        elif tag in _BLOCKS or tag in _TABLE_PARTS:
            self._soft_break()
            self._open(tag, "b" if tag in _HEADINGS else None)
        else:
            self._open(tag, None)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "hr", "img"):
            return
        if not any(o.source == tag for o in self._stack):
            return
        if tag == "rt":
            self._line.append(_Token("text", ")"))
        while self._stack:
            top = self._stack[-1]
            self._close_top()
            if top.source == tag:
                break
        if tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
            self._soft_break()
        elif tag in _LISTS:
            if self._lists:
                self._lists.pop()
            self._soft_break()
        elif tag in ("li", "tr") or tag in _BLOCKS or tag in _TABLE_PARTS:
            self._soft_break()

    def _list_item(self) -> None:
        if not self._lists:
            self._line.append(_Token("prefix", "• "))
            return
        current = self._lists[-1]
        indent = "  " * (len(self._lists) - 1)
        if current[0]:
            self._line.append(_Token("prefix", f"{indent}{current[1]}. "))
            current[1] += 1
        else:
            self._line.append(_Token("prefix", f"{indent}• "))

    def _image(self, src: str) -> None:
        src = src.strip()
        if src and not urlsplit(src).scheme and src not in self._images:
            self._images.append(src)

    def _drop_everything_so_far(self) -> None:
        # Keep the tags still open (their opening tokens), drop the rest: the answer part
        # starts here, the question above it is shown by the bot anyway.
        opening = [_Token("open", o.markup) for o in self._stack if o.markup]
        self._lines = []
        self._line = opening
        self._images.clear()
        self._sounds.clear()

    # Text.

    def handle_data(self, data: str) -> None:
        if self._pre_depth:
            self._line.append(_Token("pre", data))
            return
        for piece in self._without_sounds(data):
            if piece:
                # HTML whitespace collapses (a no-break space does not; it becomes a space later).
                self._line.append(_Token("text", _HTML_SPACES.sub(" ", piece)))

    def _without_sounds(self, data: str) -> list[str]:
        """The text around `[sound:x]` tags, which are collected instead of shown."""
        pieces: list[str] = []
        start = 0
        while True:
            opening = data.find(_SOUND_OPEN, start)
            closing = data.find("]", opening + len(_SOUND_OPEN)) if opening >= 0 else -1
            if opening < 0 or closing < 0:
                pieces.append(data[start:])
                return pieces
            pieces.append(data[start:opening])
            name = data[opening + len(_SOUND_OPEN) : closing].strip()
            if name and name not in self._sounds:
                self._sounds.append(name)
            start = closing + 1

    # Result.

    def result(self) -> ConvertedHtml:
        while self._stack:
            self._close_top()
        self._lines.append(self._line)
        self._line = []
        rendered: list[tuple[str, str]] = []  # (html, text) of each line shown
        carry = ""  # tags of lines with nothing visible, kept so tags stay balanced
        blank_pending = False
        for line in self._lines:
            markup, text, has_content = _render_line(line)
            if not has_content:
                carry += markup
                blank_pending = bool(rendered)
                continue
            if blank_pending:  # at most one blank line, and never at the start or end
                rendered.append(("", ""))
            rendered.append((carry + markup, text))
            carry = ""
            blank_pending = False
        if carry:
            if rendered:
                last_html, last_text = rendered[-1]
                rendered[-1] = (last_html + carry, last_text)
            else:
                rendered.append((carry, ""))
        return ConvertedHtml(
            html="\n".join(h for h, _ in rendered),
            text="\n".join(t for _, t in rendered),
            images=tuple(self._images),
            sounds=tuple(self._sounds),
        )


def _render_line(line: list[_Token]) -> tuple[str, str, bool]:
    """One line's Telegram HTML and visible text, whitespace collapsed and trimmed."""
    values: list[tuple[_Kind, str]] = []
    previous_space = True  # at the start of a line, spaces are dropped
    for token in line:
        value = token.value
        if token.kind == "text":
            value = value.replace("\xa0", " ")
            if previous_space:
                value = value.lstrip(" ")
            if value:
                previous_space = value.endswith(" ")
        elif token.kind in ("pre", "prefix"):
            previous_space = token.kind == "prefix" and value.endswith(" ")
        values.append((token.kind, value))
    for index in range(len(values) - 1, -1, -1):  # trailing spaces, across closing tags
        kind, value = values[index]
        if kind in ("pre", "prefix"):
            break
        if kind == "text":
            values[index] = (kind, value.rstrip(" "))
            if values[index][1]:
                break
    html_parts: list[str] = []
    text_parts: list[str] = []
    has_content = False
    for kind, value in values:
        if kind in ("open", "close"):
            html_parts.append(value)
            continue
        has_content = has_content or bool(value.strip()) or (kind == "pre" and bool(value))
        html_parts.append(html.escape(value, quote=False))
        text_parts.append(value)
    return "".join(html_parts), "".join(text_parts), has_content
