"""Anki card templates and clozes rendered to card-side HTML (still Anki HTML, not Telegram's).

Supports what note types use in practice: `{{Field}}`, `{{FrontSide}}`, `{{#F}}…{{/F}}`,
`{{^F}}…{{/F}}`, special fields (Tags, Type, Deck, Subdeck, Card) and the filters `cloze:`,
`cloze-only:`, `type:` (also `type:cloze:`), `hint:`, `text:`, `furigana:`/`kana:`/`kanji:`;
`tts` filters render nothing and unknown filters pass the field through, as Anki does.

Decisions for a chat: `{{FrontSide}}` renders empty on the answer (the bot shows the question
above the answer anyway); `{{type:F}}` renders empty on the question (the bot asks the learner
to type) and as the field on the answer; `{{hint:F}}` becomes a Telegram spoiler. A cloze is
`[...]` or `[hint]` on the question and the answer in bold on the answer side.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.imports.anki_html import convert_anki_html, html_to_plain_text

__all__ = [
    "NoteFields",
    "RenderedCard",
    "TemplateError",
    "cloze_answers",
    "cloze_numbers",
    "field_is_empty",
    "render_card",
    "render_cloze",
]

CLOZE_BLANK = "[...]"
_CLOZE_OPEN_RE = re.compile(r"\{\{c(\d+(?:,\d+)*)::")
# "漢字[かんじ]" (Anki's furigana syntax), optionally preceded by a space that separates it.
_FURIGANA_RE = re.compile(r" ?([^ >\[]+?)\[(.+?)\]")


class TemplateError(ValueError):
    """A template Anki itself would refuse to render (e.g. an unclosed {{#section}})."""


@dataclass(frozen=True, slots=True)
class NoteFields:
    """One note as templates see it: fields by name (raw Anki HTML) and its special fields."""

    fields: Mapping[str, str]
    tags: tuple[str, ...] = ()
    note_type: str = ""
    deck: str = ""
    template_name: str = ""


@dataclass(frozen=True, slots=True)
class RenderedCard:
    """Both sides of a card as Anki HTML; `typed_answer` is set when the card asks to type."""

    question: str
    answer: str
    typed_answer: str | None = None
    uses_cloze: bool = False  # the question has a cloze filter (for a cloze note type)


# Clozes.


@dataclass(slots=True)
class _Cloze:
    numbers: frozenset[int]
    children: list[str | _Cloze] = field(default_factory=list)


def _parse_clozes(text: str) -> list[str | _Cloze]:
    """Field text as a tree of text and (possibly nested) clozes."""
    root: list[str | _Cloze] = []
    stack: list[_Cloze] = []
    position = 0
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            (stack[-1].children if stack else root).append("".join(buffer))
            buffer.clear()

    while position < len(text):
        match = _CLOZE_OPEN_RE.match(text, position)
        if match:
            flush()
            numbers = frozenset(int(n) for n in match.group(1).split(","))
            cloze = _Cloze(numbers)
            (stack[-1].children if stack else root).append(cloze)
            stack.append(cloze)
            position = match.end()
        elif stack and text.startswith("}}", position):
            flush()
            stack.pop()
            position += 2
        else:
            buffer.append(text[position])
            position += 1
    flush()
    # An unclosed cloze is shown as written, as Anki does.
    for cloze in stack:
        _unclose(root, cloze)
    return root


def _unclose(nodes: list[str | _Cloze], broken: _Cloze) -> None:
    for index, node in enumerate(nodes):
        if node is broken:
            numbers = ",".join(str(n) for n in sorted(broken.numbers))
            nodes[index : index + 1] = [f"{{{{c{numbers}::", *broken.children]
            return
        if isinstance(node, _Cloze):
            _unclose(node.children, broken)


def _split_hint(children: list[str | _Cloze]) -> tuple[list[str | _Cloze], str | None]:
    """Children before the top-level '::' and the hint after it."""
    for index, node in enumerate(children):
        if isinstance(node, str) and "::" in node:
            before, hint = node.split("::", 1)
            rest = "".join(_flatten(child) for child in children[index + 1 :])
            return [*children[:index], before], hint + rest
    return children, None


def _flatten(node: str | _Cloze) -> str:
    if isinstance(node, str):
        return node
    return "".join(_flatten(child) for child in node.children)


def cloze_numbers(text: str) -> frozenset[int]:
    """The cloze numbers (c1 → 1) used in a field."""
    found: set[int] = set()

    def walk(nodes: list[str | _Cloze]) -> None:
        for node in nodes:
            if isinstance(node, _Cloze):
                found.update(node.numbers)
                walk(node.children)

    walk(_parse_clozes(text))
    return frozenset(found)


def _render_nodes(nodes: list[str | _Cloze], number: int, *, answer: bool) -> str:
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(node)
            continue
        content, hint = _split_hint(node.children)
        if number not in node.numbers:
            parts.append(_render_nodes(content, number, answer=answer))
        elif answer:
            parts.append(f"<b>{_render_nodes(content, number, answer=answer)}</b>")
        else:
            parts.append(f"<b>[{hint}]</b>" if hint and hint.strip() else f"<b>{CLOZE_BLANK}</b>")
    return "".join(parts)


def render_cloze(text: str, number: int, *, answer: bool) -> str:
    """A cloze field for card `number` (c1 → 1): the gap blanked (question) or revealed."""
    return _render_nodes(_parse_clozes(text), number, answer=answer)


def cloze_answers(text: str, number: int) -> list[str]:
    """The texts hidden by cloze `number`, in order (Anki's `cloze-only` filter)."""
    answers: list[str] = []

    def walk(nodes: list[str | _Cloze]) -> None:
        for node in nodes:
            if isinstance(node, _Cloze):
                content, _hint = _split_hint(node.children)
                if number in node.numbers:
                    answers.append(_render_nodes(content, number, answer=True))
                else:
                    walk(content)

    walk(_parse_clozes(text))
    return answers


# Templates.


@dataclass(slots=True)
class _Replace:
    name: str
    filters: tuple[str, ...]  # applied last to first, as Anki does


@dataclass(slots=True)
class _Section:
    name: str
    negated: bool
    children: list[str | _Replace | _Section] = field(default_factory=list)


def _parse_template(template: str) -> list[str | _Replace | _Section]:
    root: list[str | _Replace | _Section] = []
    stack: list[_Section] = []
    position = 0
    while position < len(template):
        start = template.find("{{", position)
        end = template.find("}}", start + 2) if start >= 0 else -1
        target = stack[-1].children if stack else root
        if start < 0 or end < 0:
            target.append(template[position:])
            break
        if start > position:
            target.append(template[position:start])
        tag = template[start + 2 : end].strip()
        position = end + 2
        if tag[:1] in ("#", "^"):
            section = _Section(tag[1:].strip(), negated=tag[0] == "^")
            target.append(section)
            stack.append(section)
        elif tag[:1] == "/":
            name = tag[1:].strip()
            if not stack or stack[-1].name != name:
                raise TemplateError(f"{{{{/{name}}}}} closes a section that is not open")
            stack.pop()
        elif tag[:1] == "!" or not tag:
            continue
        else:
            *filters, name = tag.split(":")
            target.append(_Replace(name.strip(), tuple(f.strip() for f in filters)))
    if stack:
        raise TemplateError(f"{{{{#{stack[-1].name}}}}} is never closed")
    return root


def field_is_empty(value: str) -> bool:
    """Whether a field shows nothing (Anki's test for {{#Field}} sections)."""
    converted = convert_anki_html(value)
    return not (converted.text.strip() or converted.images or converted.sounds)


@dataclass(slots=True)
class _Side:
    note: NoteFields
    number: int  # the card's cloze number (ord + 1)
    answer: bool
    typed_answer: str | None = None
    uses_cloze: bool = False

    def value(self, name: str) -> str | None:
        if name in self.note.fields:
            return self.note.fields[name]
        # Anki's field names are unique ignoring case (its unicase collation).
        for field_name, value in self.note.fields.items():
            if field_name.casefold() == name.casefold():
                return value
        special = {
            "Tags": html.escape(" ".join(self.note.tags), quote=False),
            "Type": html.escape(self.note.note_type, quote=False),
            "Deck": html.escape(self.note.deck, quote=False),
            "Subdeck": html.escape(self.note.deck.split("::")[-1], quote=False),
            "Card": html.escape(self.note.template_name, quote=False),
            "FrontSide": "",
            "CardFlag": "",
        }
        return special.get(name)

    def nonempty(self, name: str) -> bool:
        if name == f"c{self.number}":
            return True
        value = self.value(name)
        return value is not None and not field_is_empty(value)

    def render(self, nodes: list[str | _Replace | _Section]) -> str:
        parts: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                parts.append(node)
            elif isinstance(node, _Section):
                if self.nonempty(node.name) != node.negated:
                    parts.append(self.render(node.children))
            else:
                parts.append(self.replace(node))
        return "".join(parts)

    def replace(self, node: _Replace) -> str:
        value = self.value(node.name)
        if value is None:
            return ""  # Anki shows an error for an unknown field; a blank is kinder here
        filters = [f for f in node.filters if f]
        if filters[:1] == ["type"]:
            return self._typed(value, filters[1:])
        for name in reversed(filters):
            value = self._filter(name, value)
        return value

    def _typed(self, value: str, inner: list[str]) -> str:
        expected_html = value
        if "cloze" in inner:
            expected_html = ", ".join(cloze_answers(value, self.number))
        if not self.answer:
            self.typed_answer = html_to_plain_text(expected_html)
            return ""
        return expected_html

    def _filter(self, name: str, value: str) -> str:
        if name == "cloze":
            self.uses_cloze = True
            return render_cloze(value, self.number, answer=self.answer)
        if name == "cloze-only":
            self.uses_cloze = True
            return ", ".join(cloze_answers(value, self.number))
        if name == "text":
            return html.escape(html_to_plain_text(value), quote=False)
        if name == "hint":
            return f"<tg-spoiler>{value}</tg-spoiler>" if not field_is_empty(value) else ""
        if name == "furigana":
            return _FURIGANA_RE.sub(lambda m: f"{m[1]}({m[2]})", value)
        if name == "kanji":
            return _FURIGANA_RE.sub(lambda m: m[1], value)
        if name == "kana":
            return _FURIGANA_RE.sub(lambda m: m[2], value)
        if name.startswith("tts"):
            return ""
        return value


def render_card(
    question_template: str,
    answer_template: str,
    note: NoteFields,
    *,
    card_ord: int,
) -> RenderedCard:
    """Render one card (template or cloze number `card_ord` + 1) of a note, both sides."""
    question_nodes = _parse_template(question_template)
    answer_nodes = _parse_template(answer_template)
    question_side = _Side(note, card_ord + 1, answer=False)
    question = question_side.render(question_nodes)
    answer = _Side(note, card_ord + 1, answer=True).render(answer_nodes)
    return RenderedCard(
        question=question,
        answer=answer,
        typed_answer=question_side.typed_answer,
        uses_cloze=question_side.uses_cloze,
    )
