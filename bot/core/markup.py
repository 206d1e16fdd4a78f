"""Card text markup: a small Markdown subset, rendered to Telegram HTML or to plain text.

The syntax is described for deck authors in decks/FORMAT.md. In short, line breaks are kept as
written; ```fenced``` blocks (optional language) become <pre>; `inline code` becomes <code>;
*bold* and _italic_ apply inside a line; "- " or "* " at the start of a line is a bullet (•);
a backslash before ASCII punctuation makes it literal. Anything that does not pair up (a lone
backtick, an unclosed fence) is shown literally, so the output never has an unbalanced tag.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "Fence",
    "closes_fence",
    "open_fence",
    "to_plain_text",
    "to_telegram_html",
]

_FENCE_OPEN_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,})[ \t]*(?P<info>[^`]*)$")
_FENCE_CLOSE_RE = re.compile(r"^[ \t]*(?P<ticks>`{3,})[ \t]*$")
_LANGUAGE_RE = re.compile(r"[A-Za-z0-9_+#.-]{1,32}")
_BULLET_RE = re.compile(r"^(?P<indent>[ \t]*)[-*][ \t]+")
_ESCAPABLE = frozenset(string.punctuation)
_EMPHASIS_TAGS = {"*": "b", "_": "i"}


@dataclass(frozen=True, slots=True)
class Fence:
    """The opening line of a fenced code block."""

    indent: int
    ticks: int
    language: str | None


def open_fence(line: str) -> Fence | None:
    """The fence this line opens, or None if it is not a fence line."""
    match = _FENCE_OPEN_RE.match(line)
    if match is None:
        return None
    words = match["info"].split()
    language = words[0] if words and _LANGUAGE_RE.fullmatch(words[0]) else None
    return Fence(indent=len(match["indent"]), ticks=len(match["ticks"]), language=language)


def closes_fence(line: str, fence: Fence) -> bool:
    """Whether this line closes `fence`: only backticks, at least as many as opened it."""
    match = _FENCE_CLOSE_RE.match(line)
    return match is not None and len(match["ticks"]) >= fence.ticks


def to_telegram_html(text: str) -> str:
    """Card text as Telegram HTML (parse_mode="HTML"): only b, i, code and pre tags."""
    parts: list[str] = []
    for block in _blocks(text):
        if isinstance(block, _CodeBlock):
            body = html.escape(block.code, quote=False)
            if block.language:
                language = html.escape(block.language, quote=True)
                parts.append(f'<pre><code class="language-{language}">{body}</code></pre>')
            else:
                parts.append(f"<pre>{body}</pre>")
        else:
            parts.append(_html(_inline(block)))
    return "\n".join(parts)


def to_plain_text(text: str) -> str:
    """Card text with the markup taken out, for buttons, polls and answer comparison."""
    parts: list[str] = []
    for block in _blocks(text):
        if isinstance(block, _CodeBlock):
            parts.append(block.code)
        else:
            parts.append(_plain(_inline(block)))
    return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class _CodeBlock:
    code: str
    language: str | None


@dataclass(frozen=True, slots=True)
class _Code:
    text: str


@dataclass(frozen=True, slots=True)
class _Emphasis:
    tag: str
    children: tuple[_Node, ...]


_Node = str | _Code | _Emphasis


def _blocks(text: str) -> Iterator[str | _CodeBlock]:
    """Split text into fenced code blocks and ordinary lines (bullets already turned into •)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        fence = open_fence(lines[i])
        if fence is not None:
            end = next((j for j in range(i + 1, len(lines)) if closes_fence(lines[j], fence)), None)
            if end is not None:
                code = "\n".join(_dedent(line, fence.indent) for line in lines[i + 1 : end])
                # An empty <pre> is an empty entity; nothing to show, so show nothing.
                if code.strip():
                    yield _CodeBlock(code, fence.language)
                i = end + 1
                continue
        # No closing fence: the line is ordinary text and its backticks are shown as typed.
        yield _BULLET_RE.sub(lambda m: f"{m['indent']}• ", lines[i], count=1)
        i += 1


def _dedent(line: str, width: int) -> str:
    """Drop up to `width` leading blanks, so a fence indented under a list item reads flush."""
    cut = 0
    while cut < width and cut < len(line) and line[cut] in " \t":
        cut += 1
    return line[cut:]


def _inline(line: str) -> tuple[_Node, ...]:
    """Parse one line into text, code spans and emphasis; unpaired markers stay literal."""
    nodes: list[_Node] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            nodes.append("".join(buffer))
            buffer.clear()

    i, n = 0, len(line)
    while i < n:
        char = line[i]
        if char == "\\" and i + 1 < n and line[i + 1] in _ESCAPABLE:
            buffer.append(line[i + 1])
            i += 2
            continue
        if char == "`":
            run = _run_length(line, i)
            end = _closing_backticks(line, i + run, run)
            if end is None:
                buffer.append("`" * run)
                i += run
                continue
            flush()
            nodes.append(_Code(_strip_code_padding(line[i + run : end])))
            i = end + run
            continue
        if char in _EMPHASIS_TAGS and _can_open(line, i):
            end = _closing_emphasis(line, i + 1, char)
            if end is not None:
                flush()
                nodes.append(_Emphasis(_EMPHASIS_TAGS[char], _inline(line[i + 1 : end])))
                i = end + 1
                continue
        buffer.append(char)
        i += 1
    flush()
    return tuple(nodes)


def _run_length(line: str, start: int) -> int:
    end = start
    while end < len(line) and line[end] == line[start]:
        end += 1
    return end - start


def _closing_backticks(line: str, start: int, run: int) -> int | None:
    """Index of the next backtick run of exactly `run` backticks, as in CommonMark."""
    i = start
    while i < len(line):
        if line[i] == "`":
            length = _run_length(line, i)
            if length == run:
                return i
            i += length
        else:
            i += 1
    return None


def _strip_code_padding(code: str) -> str:
    # "`` `x` ``" is how a backtick gets next to the edge of a span: one space each side goes.
    if len(code) >= 2 and code[0] == " " and code[-1] == " " and code.strip(" "):
        return code[1:-1]
    return code


def _can_open(line: str, i: int) -> bool:
    """A delimiter opens at a word start: not inside a word (snake_case) nor doubled (**)."""
    char = line[i]
    before = line[i - 1] if i > 0 else " "
    after = line[i + 1] if i + 1 < len(line) else " "
    return not after.isspace() and after != char and before != char and not before.isalnum()


def _can_close(line: str, i: int) -> bool:
    char = line[i]
    before = line[i - 1]
    after = line[i + 1] if i + 1 < len(line) else " "
    return not before.isspace() and before != char and after != char and not after.isalnum()


def _closing_emphasis(line: str, start: int, char: str) -> int | None:
    """Index of the delimiter closing emphasis opened just before `start`, skipping code spans."""
    i = start
    while i < len(line):
        current = line[i]
        if current == "\\" and i + 1 < len(line) and line[i + 1] in _ESCAPABLE:
            i += 2
        elif current == "`":
            run = _run_length(line, i)
            end = _closing_backticks(line, i + run, run)
            i = i + run if end is None else end + run
        elif current == char and i > start and _can_close(line, i):
            return i
        else:
            i += 1
    return None


def _html(nodes: tuple[_Node, ...]) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(html.escape(node, quote=False))
        elif isinstance(node, _Code):
            out.append(f"<code>{html.escape(node.text, quote=False)}</code>")
        else:
            out.append(f"<{node.tag}>{_html(node.children)}</{node.tag}>")
    return "".join(out)


def _plain(nodes: tuple[_Node, ...]) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Code):
            out.append(node.text)
        else:
            out.append(_plain(node.children))
    return "".join(out)
