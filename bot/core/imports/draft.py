"""The deck draft: what every import parser (Anki, Quizlet, CSV, deck Markdown) hands back.

A draft is pure data, built before anything is saved: the preview is rendered from it and the
import service saves it. Card text is Telegram HTML (parse_mode="HTML") already; media are
referenced by file name per side and their bytes travel in `DeckDraft.media`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "DEFAULT_MAX_CARDS",
    "CardDraft",
    "CardKind",
    "CardProgress",
    "DeckDraft",
    "DeckImportError",
    "ImportFailure",
    "ImportLimits",
    "MediaKind",
    "MediaRef",
    "ProgressState",
    "ReviewDraft",
    "ReviewKind",
    "SkippedItem",
]

DEFAULT_MAX_CARDS = 20_000


class ImportFailure(StrEnum):
    """Why a file cannot be imported; adapters map each to a sentence in bot.telegram.texts."""

    EMPTY_FILE = "empty_file"
    TOO_LARGE = "too_large"  # declared or unpacked size over a limit, zip/zstd bombs included
    NOT_A_PACKAGE = "not_a_package"  # not a zip (an .apkg/.colpkg is a zip)
    NO_COLLECTION = "no_collection"  # a zip without an Anki collection
    NOT_ANKI = "not_anki"  # a collection that is not an Anki database
    CORRUPT = "corrupt"  # damaged zip, zstd, SQLite or media index
    UNSUPPORTED = "unsupported"  # a newer/older Anki layout we cannot read
    TOO_MANY_CARDS = "too_many_cards"
    NO_CARDS = "no_cards"  # nothing usable once skipped rows are taken out
    ENCODING = "encoding"  # text not in UTF-8/UTF-16: ask to re-save as UTF-8
    UNKNOWN_FORMAT = "unknown_format"


class DeckImportError(ValueError):
    """A file that cannot be imported: `failure` says why, str() reads as one English sentence."""

    def __init__(self, failure: ImportFailure, message: str) -> None:
        super().__init__(message)
        self.failure = failure
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """Caps applied while reading untrusted files (never trusting sizes a file declares)."""

    max_cards: int = DEFAULT_MAX_CARDS
    # Bytes unpacked from a package in total (collection + media), counted while streaming.
    max_unpacked_bytes: int = 256 * 1024 * 1024
    # Bytes of one unpacked entry (the collection, or one media file).
    max_entry_bytes: int = 128 * 1024 * 1024
    max_zip_entries: int = 50_000
    # Past answers (Anki revlog rows) kept per import, the newest; older ones are dropped.
    max_reviews: int = 200_000


class CardKind(StrEnum):
    """How a card is studied: flip (basic/reversed), a cloze gap, or a typed answer."""

    BASIC = "basic"
    REVERSED = "reversed"  # the second (or later) card of a note, e.g. back → front
    CLOZE = "cloze"
    TYPED = "typed"  # the learner types `CardDraft.typed_answer`


class MediaKind(StrEnum):
    IMAGE = "image"
    SOUND = "sound"


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A media file shown with one side of a card; `name` is a key of `DeckDraft.media`."""

    name: str
    kind: MediaKind


class ReviewKind(StrEnum):
    """Anki's revlog `type`: only the first four are answers a learner gave."""

    LEARN = "learn"
    REVIEW = "review"
    RELEARN = "relearn"
    FILTERED = "filtered"  # a review in a filtered (cram) deck
    MANUAL = "manual"  # rescheduled by hand, no rating
    RESCHEDULED = "rescheduled"


@dataclass(frozen=True, slots=True)
class ReviewDraft:
    """One past answer to a card (an Anki revlog row)."""

    reviewed_at: datetime  # UTC
    rating: int  # 1 Again … 4 Easy; 0 for manual/rescheduled entries
    kind: ReviewKind
    interval_days: float  # the interval given by this answer (negative Anki values → fractions)
    last_interval_days: float
    duration_ms: int


class ProgressState(StrEnum):
    NEW = "new"
    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"


@dataclass(frozen=True, slots=True)
class CardProgress:
    """Where a card stood in the source's scheduler when exported (Anki's cards row)."""

    state: ProgressState
    due: datetime | None  # UTC; None for new cards
    interval_days: int
    reps: int
    lapses: int
    suspended: bool
    # FSRS memory (Anki's cards.data "s"/"d"), present only when the source used FSRS.
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None  # UTC, when known (cards.data "lrt" or the revlog)


@dataclass(frozen=True, slots=True)
class CardDraft:
    """One card to import. `key` is stable across re-imports of the same source.

    `question`/`answer` are Telegram HTML. `note_key` groups the cards of one note (an Anki
    note GUID); `note_type` is the source's name for it ("Basic", "Cloze", …) for the preview.
    """

    key: str
    note_key: str
    note_type: str
    kind: CardKind
    question: str
    answer: str
    tags: tuple[str, ...] = ()
    typed_answer: str | None = None  # plain text the learner must type (kind TYPED)
    question_media: tuple[MediaRef, ...] = ()
    answer_media: tuple[MediaRef, ...] = ()
    progress: CardProgress | None = None  # None: the source keeps no scheduling (text files)
    reviews: tuple[ReviewDraft, ...] = ()


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """Something in the file that will not be imported: `where` names it, `reason` says why."""

    where: str
    reason: str


@dataclass(frozen=True, slots=True)
class DeckDraft:
    """A parsed deck, ready for a preview and for saving; `source_format` e.g. "apkg"."""

    title: str
    cards: tuple[CardDraft, ...]
    source_format: str
    description: str = ""
    skipped: tuple[SkippedItem, ...] = ()
    media: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[str, ...] = ()  # things to flag in the preview, e.g. suspicious rows

    @property
    def note_count(self) -> int:
        return len({card.note_key for card in self.cards})

    def cards_by_kind(self) -> dict[CardKind, int]:
        return dict(Counter(card.kind for card in self.cards))

    def cards_by_note_type(self) -> dict[str, int]:
        return dict(Counter(card.note_type for card in self.cards))

    def notes_by_note_type(self) -> dict[str, int]:
        notes = {card.note_key: card.note_type for card in self.cards}
        return dict(Counter(notes.values()))

    @property
    def has_review_history(self) -> bool:
        """Whether any card carries past answers (Anki's revlog)."""
        return any(card.reviews for card in self.cards)

    @property
    def has_memory_state(self) -> bool:
        """Whether any card carries FSRS memory (stability and difficulty)."""
        return any(
            card.progress is not None and card.progress.stability is not None for card in self.cards
        )

    @property
    def has_progress(self) -> bool:
        """Whether any card was already studied in the source (not new)."""
        return any(
            card.progress is not None and card.progress.state != ProgressState.NEW
            for card in self.cards
        )
