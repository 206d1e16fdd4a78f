"""Pure rules for where an imported card's memory stands (bot.core.imported_memory)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.imported_memory import imported_memory, rated_answers
from bot.core.imports.draft import (
    CardDraft,
    CardKind,
    CardProgress,
    ProgressState,
    ReviewDraft,
    ReviewKind,
)
from bot.core.srs import Grade, make_scheduler, review

SCHEDULER = make_scheduler(fuzzing=False)
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _card(reviews=(), progress=None) -> CardDraft:
    return CardDraft(
        key="g:0",
        note_key="g",
        note_type="Basic",
        kind=CardKind.BASIC,
        question="q",
        answer="a",
        progress=progress,
        reviews=tuple(reviews),
    )


def _progress(state, **kw) -> CardProgress:
    values = dict(state=state, due=T0 + timedelta(days=3), interval_days=3, reps=2, lapses=0)
    return CardProgress(suspended=False, **(values | kw))


def _answer(days, rating, kind=ReviewKind.REVIEW, interval=1.0) -> ReviewDraft:
    return ReviewDraft(T0 + timedelta(days=days), rating, kind, interval, 0, 2000)


def test_answers_are_replayed_through_fsrs_in_time_order():
    answers = [_answer(2, 1), _answer(0, 3, ReviewKind.LEARN), _answer(1, 4), _answer(5, 3)]
    result = imported_memory(_card(answers), SCHEDULER)
    expected = None
    for days, grade in ((0, Grade.GOOD), (1, Grade.EASY), (2, Grade.AGAIN), (5, Grade.GOOD)):
        expected = review(SCHEDULER, expected, grade, T0 + timedelta(days=days))
    assert result.memory == expected
    assert (result.reps, result.lapses) == (4, 1)  # Again on a review card is a lapse


def test_a_forget_restarts_history_and_unrated_rows_do_not_count():
    rows = [
        _answer(0, 3),
        _answer(1, 0, ReviewKind.MANUAL, interval=0),  # Anki's "Forget"
        _answer(2, 0, ReviewKind.RESCHEDULED, interval=9),
        _answer(3, 3, ReviewKind.LEARN),
        _answer(4, 4, ReviewKind.FILTERED),
    ]
    assert [r.reviewed_at for r in rated_answers(tuple(rows))] == [
        rows[3].reviewed_at,
        rows[4].reviewed_at,
    ]


def test_fsrs_memory_from_the_source_is_kept_as_it_is():
    progress = _progress(
        ProgressState.REVIEW, stability=21.0, difficulty=6.5, reps=9, lapses=2, last_review=T0
    )
    result = imported_memory(_card([_answer(0, 1)], progress), SCHEDULER)
    assert result.memory.state == 2 and result.memory.step is None
    assert (result.memory.stability, result.memory.difficulty) == (21.0, 6.5)
    assert (result.memory.due, result.memory.last_review) == (progress.due, T0)
    assert (result.reps, result.lapses) == (9, 2)


def test_new_cards_and_cards_without_answers_start_new():
    assert imported_memory(_card([_answer(0, 3)], _progress(ProgressState.NEW)), SCHEDULER) is None
    assert imported_memory(_card([], _progress(ProgressState.REVIEW)), SCHEDULER) is None
    assert imported_memory(_card([_answer(0, 0, ReviewKind.MANUAL, 5)]), SCHEDULER) is None
