"""Strict check of Telegram's parse_mode=HTML, turning markup into visible text and entities."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

__all__ = ["HtmlParseError", "ParsedText", "parse_html", "utf16_len"]

# Tag -> entity type, as listed in the Bot API's "HTML style" section.
_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "span": {"class"},
    "code": {"class"},
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# Every '&' must start one of these. Telegram itself passes other '&' through as text, but
# html.parser silently drops some of them, and a bot that forgets to escape is a bug anyway.
_VALID_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")


class HtmlParseError(ValueError):
    """Markup Telegram would refuse; the message follows Telegram's wording where known."""


@dataclass(frozen=True)
class ParsedText:
    """What a user sees: the text without markup and its entities (UTF-16 offsets)."""

    text: str
    entities: tuple[dict[str, Any], ...]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(markup: str) -> ParsedText:
    """Parse Telegram HTML strictly; raise HtmlParseError where Telegram (or stricter) refuses."""
    _check_ampersands(markup)
    parser = _TelegramHtmlParser(markup)
    parser.feed(markup)
    parser.close()
    return parser.result()


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the visible text
    start_char: int  # index in the visible text, to slice it
    language: str | None = None


class _TelegramHtmlParser(HTMLParser):
    """Collect visible text and entities; raise at the first construct Telegram would refuse."""

    def __init__(self, markup: str) -> None:
        # convert_charrefs=False so every entity reaches handle_entityref/charref and
        # can be checked against Telegram's short list instead of HTML5's.
        super().__init__(convert_charrefs=False)
        self._markup = markup
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(markup) if ch == "\n"]
        self._chunks: list[str] = []
        self._length = 0
        self._char_length = 0
        self._stack: list[_OpenTag] = []
        self._entities: list[dict[str, Any]] = []

    def result(self) -> ParsedText:
        """The parsed text, once the whole markup has been fed and closed."""
        if self._stack:
            name = self._stack[-1].name
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        entities = sorted(self._entities, key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self._chunks), tuple(entities))

    # Position helpers: html.parser reports (line, column); Telegram reports byte offsets.

    def _char_index(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _byte_offset(self, char_index: int) -> int:
        return len(self._markup[:char_index].encode("utf-8"))

    def _emit(self, text: str) -> None:
        self._chunks.append(text)
        self._length += utf16_len(text)
        self._char_length += len(text)

    # Text and entities.

    def handle_data(self, data: str) -> None:
        position = data.find("<")
        if position >= 0:
            index = self._char_index() + position
            offset = self._byte_offset(index)
            if self._markup[index + 1 : index + 2].isalpha():
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
            raise HtmlParseError(f'Unsupported start tag "" at byte offset {offset}')
        self._emit(data)

    def handle_entityref(self, name: str) -> None:
        # _check_ampersands has already refused every name outside _NAMED_ENTITIES.
        self._emit(_NAMED_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        code_point = int(name[1:], 16) if name[:1] in "xX" else int(name)
        if not 0 < code_point < 0x110000 or 0xD800 <= code_point < 0xE000:
            offset = self._byte_offset(self._char_index())
            raise HtmlParseError(f'Unsupported HTML entity "&#{name};" at byte offset {offset}')
        self._emit(chr(code_point))

    # Tags.

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        offset = self._byte_offset(self._char_index())
        if tag not in _ENTITY_TYPES:
            raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {offset}')
        values = {name: value or "" for name, value in attrs}
        unknown = set(values) - _ALLOWED_ATTRIBUTES.get(tag, set())
        if unknown:
            raise HtmlParseError(
                f'Unsupported attribute "{sorted(unknown)[0]}" of tag "{tag}" at byte offset {offset}'
            )
        if tag == "span" and values.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        if tag == "tg-emoji" and not values.get("emoji-id"):
            raise HtmlParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
            )
        language = None
        if tag == "code" and "class" in values:
            if not values["class"].startswith("language-"):
                raise HtmlParseError(
                    f'Tag "code" may only have class "language-*" at byte offset {offset}'
                )
            language = values["class"].removeprefix("language-")
        self._stack.append(_OpenTag(tag, values, self._length, self._char_length, language))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        offset = self._byte_offset(self._char_index())
        raise HtmlParseError(f'Unsupported start tag "{tag}/" at byte offset {offset}')

    def handle_endtag(self, tag: str) -> None:
        offset = self._byte_offset(self._char_index())
        if not self._stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {offset}")
        opened = self._stack.pop()
        if opened.name != tag:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{opened.name}>", found "</{tag}>"'
            )
        self._add_entity(opened)

    def _add_entity(self, opened: _OpenTag) -> None:
        length = self._length - opened.start
        parent = self._stack[-1] if self._stack else None
        if (
            opened.name == "code"
            and opened.language
            and parent is not None
            and parent.name == "pre"
        ):
            # <pre><code class="language-x"> is how Telegram HTML names a pre block's language.
            parent.language = opened.language
            return
        if length == 0:
            return  # Telegram drops empty entities
        entity: dict[str, Any] = {
            "type": _ENTITY_TYPES[opened.name],
            "offset": opened.start,
            "length": length,
        }
        if opened.name == "a" and opened.attrs.get("href"):
            entity["url"] = opened.attrs["href"]
        elif opened.name == "a":
            # Telegram links a bare <a> to its own text.
            entity["url"] = "".join(self._chunks)[opened.start_char :]
        elif opened.name == "pre" and opened.language:
            entity["language"] = opened.language
        elif opened.name == "blockquote" and "expandable" in opened.attrs:
            entity["type"] = "expandable_blockquote"
        elif opened.name == "tg-emoji":
            entity["custom_emoji_id"] = opened.attrs["emoji-id"]
        self._entities.append(entity)

    # Constructs Telegram's HTML has no place for.

    def handle_comment(self, data: str) -> None:
        self._refuse_markup("!--")

    def handle_decl(self, decl: str) -> None:
        self._refuse_markup("!" + decl.split(" ")[0])

    def unknown_decl(self, data: str) -> None:
        self._refuse_markup("![" + data.split("[")[0])

    def handle_pi(self, data: str) -> None:
        self._refuse_markup("?" + data.split(" ")[0])

    def _refuse_markup(self, name: str) -> None:
        offset = self._byte_offset(self._char_index())
        raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {offset}')


def _check_ampersands(markup: str) -> None:
    """Refuse any '&' that does not start &lt; &gt; &amp; &quot; or a numeric entity."""
    for match in re.finditer("&", markup):
        if not _VALID_ENTITY.match(markup, match.start()):
            offset = len(markup[: match.start()].encode("utf-8"))
            raise HtmlParseError(
                f"Unsupported HTML entity at byte offset {offset}: write '&' as &amp;"
            )
