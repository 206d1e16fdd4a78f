"""Callback data: the one place inline-button payloads are encoded and decoded.

Payloads are short ASCII strings `<kind>:<field>:...` that always fit Telegram's 64-byte
limit. Decoding is strict: anything that does not parse is `None` (a forged or foreign
button), and the handler answers it politely.

`kinds` holds the payload values and their codes, `codec` the one table of prefixes,
patterns and parsers; every public name is importable from here.
"""

from __future__ import annotations

from bot.core.srs import Grade  # a Grading payload's grade, as callers name it (cb.Grade)
from bot.telegram.callbacks.codec import decode, encode, parse, pattern
from bot.telegram.callbacks.kinds import (
    CARD_ACTIONS,
    CARD_ACTIONS_BY_CODE,
    DECK_ACTIONS,
    DECK_ACTIONS_BY_CODE,
    IMPORT_ACTIONS,
    IMPORT_ACTIONS_BY_CODE,
    INDEXED_MOVES,
    LEECH_ACTIONS,
    LEECH_ACTIONS_BY_CODE,
    MAX_CALLBACK_BYTES,
    MAX_PICK_LENGTH,
    MODE_CODES,
    MODES_BY_CODE,
    MOVES_BY_CODE,
    STUDY_MODES,
    STUDY_MOVES,
    TEST_KIND_CODES,
    BulkChoice,
    Callback,
    CardEdit,
    DeckMenu,
    Enrol,
    ExportDeck,
    Grading,
    GroupDeck,
    GroupGrade,
    GroupOwnDeck,
    ImportChoice,
    JoinShared,
    Leave,
    Leech,
    PickDeck,
    ShowAnswer,
    StartReview,
    StudyMove,
)

__all__ = [
    "CARD_ACTIONS",
    "CARD_ACTIONS_BY_CODE",
    "DECK_ACTIONS",
    "DECK_ACTIONS_BY_CODE",
    "IMPORT_ACTIONS",
    "IMPORT_ACTIONS_BY_CODE",
    "INDEXED_MOVES",
    "LEECH_ACTIONS",
    "LEECH_ACTIONS_BY_CODE",
    "MAX_CALLBACK_BYTES",
    "MAX_PICK_LENGTH",
    "MODES_BY_CODE",
    "MODE_CODES",
    "MOVES_BY_CODE",
    "STUDY_MODES",
    "STUDY_MOVES",
    "TEST_KIND_CODES",
    "BulkChoice",
    "Callback",
    "CardEdit",
    "DeckMenu",
    "Enrol",
    "ExportDeck",
    "Grade",
    "Grading",
    "GroupDeck",
    "GroupGrade",
    "GroupOwnDeck",
    "ImportChoice",
    "JoinShared",
    "Leave",
    "Leech",
    "PickDeck",
    "ShowAnswer",
    "StartReview",
    "StudyMove",
    "decode",
    "encode",
    "parse",
    "pattern",
]
