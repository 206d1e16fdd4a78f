"""FSRS wrapper goldens: fixed UTC times, fuzzing off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.core.srs import Grade, MemoryState, format_interval, make_scheduler, next_intervals, review

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SCHEDULER = make_scheduler(fuzzing=False)


def _walk(grades):
    memory, now, intervals = None, T0, []
    for grade in grades:
        memory = review(SCHEDULER, memory, grade, now)
        intervals.append(memory.due - now)
        now = memory.due
    return memory, intervals


def test_good_streak_golden_intervals():
    _memory, intervals = _walk([Grade.GOOD] * 5)
    assert [format_interval(i) for i in intervals] == ["10m", "2d", "11d", "1.5mo", "5.4mo"]


def test_again_from_review_relearns_and_counts_as_short_interval():
    memory, _ = _walk([Grade.GOOD, Grade.GOOD, Grade.GOOD])
    lapsed = review(SCHEDULER, memory, Grade.AGAIN, memory.due)
    assert lapsed.state == 3  # relearning
    assert lapsed.due - memory.due == timedelta(minutes=10)
    assert lapsed.stability < memory.stability


def test_new_card_button_intervals():
    shown = {g.label: format_interval(d) for g, d in next_intervals(SCHEDULER, None, T0).items()}
    assert shown == {"Again": "1m", "Hard": "6m", "Good": "10m", "Easy": "8d"}


def test_intervals_grow_with_grade():
    memory, _ = _walk([Grade.GOOD, Grade.GOOD])
    intervals = next_intervals(SCHEDULER, memory, memory.due)
    assert (
        intervals[Grade.AGAIN]
        < intervals[Grade.HARD]
        < intervals[Grade.GOOD]
        < intervals[Grade.EASY]
    )


def test_review_is_pure_and_state_round_trips():
    memory, _ = _walk([Grade.HARD, Grade.EASY])
    assert MemoryState.from_dict(memory.to_dict()) == memory
    again = review(SCHEDULER, memory, Grade.GOOD, memory.due)
    assert review(SCHEDULER, memory, Grade.GOOD, memory.due) == again


def test_naive_or_non_utc_now_is_rejected():
    with pytest.raises(ValueError, match="UTC"):
        review(SCHEDULER, None, Grade.GOOD, datetime(2026, 1, 1, 9, 0))
    with pytest.raises(ValueError, match="UTC"):
        review(
            SCHEDULER,
            None,
            Grade.GOOD,
            datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=2))),
        )


def test_fuzzing_spreads_long_intervals_but_stays_close():
    fuzzy = make_scheduler(fuzzing=True)
    memory, _ = _walk([Grade.GOOD] * 4)
    exact = review(SCHEDULER, memory, Grade.GOOD, memory.due).due - memory.due
    fuzzed = {review(fuzzy, memory, Grade.GOOD, memory.due).due - memory.due for _ in range(30)}
    assert len(fuzzed) > 1
    assert all(abs(f - exact) <= exact * 0.15 for f in fuzzed)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=30), "<1m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=5), "5h"),
        (timedelta(days=3), "3d"),
        (timedelta(days=45), "1.5mo"),
        (timedelta(days=364), "1y"),
        (timedelta(days=600), "1.6y"),
    ],
)
def test_format_interval(delta, text):
    assert format_interval(delta) == text


def test_retention_outside_range_is_refused():
    with pytest.raises(ValueError):
        make_scheduler(desired_retention=0.5)


def test_seeded_fuzz_makes_the_button_interval_the_recorded_one():
    from bot.core.srs import fuzz_key

    fuzzy = make_scheduler(fuzzing=True)
    memory, _ = _walk([Grade.GOOD] * 4)  # a Review card with a multi-week interval
    now = memory.due
    exact = review(SCHEDULER, memory, Grade.GOOD, now).due - now
    spread = set()
    for card_id in range(40):
        key = fuzz_key(7, card_id, 4)
        shown = next_intervals(fuzzy, memory, now, fuzz_key=key)
        for grade in Grade:
            assert review(fuzzy, memory, grade, now, fuzz_key=key).due - now == shown[grade]
        spread.add(shown[Grade.GOOD])
        assert abs(shown[Grade.GOOD] - exact) <= exact * 0.15
    assert len(spread) > 1  # different cards still get different fuzz


def test_seeded_fuzz_leaves_short_and_learning_intervals_alone():
    fuzzy = make_scheduler(fuzzing=True)
    shown = next_intervals(fuzzy, None, T0, fuzz_key="1:1:0")
    assert {g.label: format_interval(d) for g, d in shown.items()}["Good"] == "10m"
