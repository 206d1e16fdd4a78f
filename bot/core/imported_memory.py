"""Where an imported card's memory stands: from the source's FSRS state or its review history.

Pure: a `CardDraft` in, a `MemoryState` (or None: the card starts new) out. The rules, in order:
1. A card the source calls new is new here, whatever history it has (Anki's "Forget").
2. A card with FSRS memory (Anki's `cards.data` s/d) keeps it as it is, due when Anki said.
3. Otherwise its answers (learn, review, relearn and filtered revlog rows with a rating) are
   replayed through FSRS from the last manual reset, at their own times, which is how Anki
   itself computes memory when FSRS is switched on; the card is due when the replay says.
4. No usable answers: the card starts new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Scheduler

from bot.core.imports.draft import CardDraft, ProgressState, ReviewDraft, ReviewKind
from bot.core.srs import Grade, MemoryState, review

__all__ = ["ImportedMemory", "imported_memory", "rated_answers"]

_RATED = frozenset({ReviewKind.LEARN, ReviewKind.REVIEW, ReviewKind.RELEARN, ReviewKind.FILTERED})
_FSRS_STATE = {ProgressState.LEARNING: 1, ProgressState.REVIEW: 2, ProgressState.RELEARNING: 3}
_REVIEW = 2


@dataclass(frozen=True, slots=True)
class ImportedMemory:
    """The state to store for the importer, with the counts `card_states` keeps."""

    memory: MemoryState
    reps: int
    lapses: int


def rated_answers(reviews: tuple[ReviewDraft, ...]) -> list[ReviewDraft]:
    """The answers that count, oldest first, from the last manual reset on."""
    ordered = sorted(reviews, key=lambda r: r.reviewed_at)
    answers: list[ReviewDraft] = []
    for entry in ordered:
        if entry.kind is ReviewKind.MANUAL and entry.interval_days == 0:
            answers.clear()  # "Forget": the card was reset to new
        elif entry.kind in _RATED and 1 <= entry.rating <= 4:
            answers.append(entry)
    return answers


def imported_memory(card: CardDraft, scheduler: Scheduler) -> ImportedMemory | None:
    """The card's memory for its importer, or None when it starts new (rules above)."""
    progress = card.progress
    if progress is not None and progress.state is ProgressState.NEW:
        return None
    answers = rated_answers(card.reviews)
    if (
        progress is not None
        and progress.stability is not None
        and progress.difficulty is not None
        and progress.due is not None
    ):
        state = _FSRS_STATE[progress.state]
        last = progress.last_review or (answers[-1].reviewed_at if answers else None)
        memory = MemoryState(
            state=state,
            step=None if state == _REVIEW else 0,
            stability=progress.stability,
            difficulty=progress.difficulty,
            due=_utc(progress.due),
            last_review=_utc(last) if last else None,
        )
        return ImportedMemory(memory, max(progress.reps, 1), progress.lapses)
    memory: MemoryState | None = None
    lapses = 0
    for answer in answers:
        grade = Grade(answer.rating)
        if grade is Grade.AGAIN and memory is not None and memory.state == _REVIEW:
            lapses += 1
        memory = review(scheduler, memory, grade, _utc(answer.reviewed_at))
    if memory is None:
        return None
    return ImportedMemory(memory, len(answers), lapses)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("imported times must be timezone-aware")
    return moment.astimezone(UTC)
