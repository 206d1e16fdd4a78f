"""From collection rows to a deck draft: deck titles, each card rendered through its note type, skips."""

from __future__ import annotations

import zipfile
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.core.imports.anki.collection import FIELD_SEPARATOR, Collection
from bot.core.imports.anki.media import media_refs, resolve_media, with_stored_media
from bot.core.imports.anki.progress import card_progress
from bot.core.imports.anki.unpack import Budget
from bot.core.imports.anki_html import convert_anki_html, html_to_plain_text
from bot.core.imports.anki_template import (
    NoteFields,
    TemplateError,
    cloze_numbers,
    render_card,
    render_cloze,
)
from bot.core.imports.draft import (
    CardDraft,
    CardKind,
    DeckDraft,
    DeckImportError,
    ImportFailure,
    ImportLimits,
    SkippedItem,
)

__all__ = [
    "build_draft",
]


_STUB_TEXT = "please update to the latest anki version"


# From rows to a draft.


def _deck_title(names: list[str]) -> list[str]:
    """The deepest deck path shared by all decks holding cards ([] if they share no root)."""
    paths = [name.split("::") for name in names]
    common: list[str] = []
    for parts in zip(*paths, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return common


def build_draft(
    collection: Collection,
    package: zipfile.ZipFile,
    entries: dict[str, zipfile.ZipInfo],
    media_names: dict[str, str],
    budget: Budget,
    limits: ImportLimits,
    *,
    modern_media: bool,
    source_format: str,
    filename: str,
) -> DeckDraft:
    if _is_update_stub(collection):
        raise DeckImportError(
            ImportFailure.UNSUPPORTED,
            "This package only says “please update Anki”: its real collection is missing.",
        )
    skipped: list[SkippedItem] = []
    cards: list[CardDraft] = []
    media_wanted: dict[str, None] = {}
    deck_ids: set[int] = set()
    keys: set[str] = set()
    for row in collection.cards:
        card, reasons = _card(row, collection)
        skipped.extend(reasons)
        if card is None:
            continue
        if card.key in keys:  # Anki keeps GUIDs unique; a hand-made package may not
            skipped.append(SkippedItem(f"note {card.note_key}", "its GUID repeats another note's"))
            continue
        keys.add(card.key)
        deck_ids.add(row[3] or row[2])  # a card in a filtered deck belongs to its home deck
        for ref in (*card.question_media, *card.answer_media):
            media_wanted[ref.name] = None
        cards.append(card)
    media, stored_names = resolve_media(
        media_wanted, media_names, package, entries, budget, limits, modern=modern_media
    )
    if stored_names != {name: name for name in media_wanted}:
        cards = [with_stored_media(card, stored_names) for card in cards]
    skipped.extend(
        SkippedItem(f"media {name}", "not in the package")
        for name, stored in stored_names.items()
        if stored is None
    )
    if collection.reviews_dropped:
        skipped.append(
            SkippedItem(
                "review history",
                f"the oldest {collection.reviews_dropped:,} answers are over the limit of "
                f"{limits.max_reviews:,}",
            )
        )
    if not cards:
        first = f" ({skipped[0].reason})" if skipped else ""
        raise DeckImportError(ImportFailure.NO_CARDS, f"The package has no cards to import{first}.")
    names = [collection.decks.get(did, ("", ""))[0] for did in sorted(deck_ids)]
    root = _deck_title([n for n in names if n])
    title = root[-1] if root else (Path(filename).stem or "Anki deck")
    description = collection.decks.get(_deck_id(collection, "::".join(root)), ("", ""))[1]
    return DeckDraft(
        title=title.strip() or "Anki deck",
        cards=tuple(cards),
        source_format=source_format,
        description=html_to_plain_text(description) if description else "",
        skipped=tuple(skipped),
        media=MappingProxyType(media),
    )


def _deck_id(collection: Collection, name: str) -> int:
    return next((did for did, (n, _d) in collection.decks.items() if n == name), -1)


def _is_update_stub(collection: Collection) -> bool:
    notes = {row[12] for row in collection.cards}
    return len(notes) == 1 and html_to_plain_text(
        collection.cards[0][15].split(FIELD_SEPARATOR)[0]
    ).casefold().startswith(_STUB_TEXT)


def _skipped(card_id: int, flds: str, reason: str) -> SkippedItem:
    """A skipped card, named by its note's first field as read (cloze markers taken out)."""
    first = render_cloze(flds.split(FIELD_SEPARATOR)[0], 0, answer=True)
    text = html_to_plain_text(first).replace("\n", " ")[:60]
    return SkippedItem(f"note “{text}”" if text else f"card {card_id}", reason)


def _card(
    row: tuple[Any, ...], collection: Collection
) -> tuple[CardDraft | None, list[SkippedItem]]:
    (
        card_id,
        ord_,
        did,
        odid,
        ctype,
        queue,
        due,
        odue,
        ivl,
        reps,
        lapses,
        data,
        guid,
        mid,
        tags,
        flds,
    ) = row
    note_type = collection.note_types.get(mid)
    if note_type is None:
        return None, [_skipped(card_id, flds, "its note type is missing from the package")]
    template = note_type.templates.get(0 if note_type.is_cloze else ord_)
    if template is None:
        return None, [
            _skipped(card_id, flds, f"card {ord_ + 1} of “{note_type.name}” has no template")
        ]
    template_name, question_template, answer_template = template
    if "image-occlusion" in question_template:
        return None, [_skipped(card_id, flds, "Image Occlusion cards need Anki's image masks")]
    values = flds.split(FIELD_SEPARATOR)
    values += [""] * (len(note_type.fields) - len(values))
    fields = dict(zip(note_type.fields, values, strict=False))
    deck_name = collection.decks.get(odid or did, ("", ""))[0]
    tag_list = tuple(tags.split())
    note = NoteFields(fields, tag_list, note_type.name, deck_name, template_name)
    if note_type.is_cloze and ord_ + 1 not in set().union(*map(cloze_numbers, values)):
        return None, [_skipped(card_id, flds, f"cloze c{ord_ + 1} is no longer in the note")]
    try:
        rendered = render_card(question_template, answer_template, note, card_ord=ord_)
    except TemplateError as error:
        return None, [_skipped(card_id, flds, f"its card template is broken: {error}")]
    question = convert_anki_html(rendered.question)
    answer = convert_anki_html(rendered.answer, after_answer_marker=True)
    if not (question.text.strip() or question.images or question.sounds):
        return None, [_skipped(card_id, flds, "its question is empty")]
    typed = rendered.typed_answer.strip() if rendered.typed_answer else None
    if typed:
        kind = CardKind.TYPED
    elif note_type.is_cloze:
        kind = CardKind.CLOZE
    elif ord_ > 0:
        kind = CardKind.REVERSED
    else:
        kind = CardKind.BASIC
    progress = card_progress(
        collection,
        ctype,
        queue,
        odue if odid else due,
        ivl,
        reps,
        lapses,
        data,
        collection.reviews.get(card_id, []),
    )
    return CardDraft(
        key=f"{guid}:{ord_}",
        note_key=guid,
        note_type=note_type.name,
        kind=kind,
        question=question.html,
        answer=answer.html,
        tags=tag_list,
        typed_answer=typed,
        question_media=media_refs(question),
        answer_media=media_refs(answer),
        progress=progress,
        reviews=tuple(collection.reviews.get(card_id, ())),
    ), []
