"""Test mode: building, answering in any order, scoring, stale answers, timestamps, restore."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.core.study import (
    MultipleChoice,
    StaleAnswer,
    StudyCard,
    TestFeedback,
    TestSession,
    TrueFalse,
    Written,
    build_test,
    expected_response,
)

DECK = [StudyCard(i, f"Question {i}?", f"Answer {i}") for i in range(1, 17)]
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def _wrong(session: TestSession, no: int) -> object:
    question = session.questions[no - 1].question
    if isinstance(question, MultipleChoice):
        return (question.correct_index + 1) % len(question.options)
    if isinstance(question, TrueFalse):
        return not question.is_true
    return "definitely not it" if question.mode == "typed" else False


def test_build_golden() -> None:
    session = build_test(DECK, random.Random(4), now=T0)
    kinds = [asked.question.kind for asked in session.questions]
    assert kinds == ["mc", "written", "tf", "written", "tf", "mc", "mc", "tf", "written", "mc"]
    assert session.questions[0].question == MultipleChoice(8, "question", 8, (9, 8, 2, 10), 1)
    assert session.questions[2].question == TrueFalse(card_id=2, shown_card_id=11, is_true=False)
    assert [q.question_no for q in session.questions] == list(range(1, 11))


def test_length_is_capped_and_each_card_asked_once() -> None:
    session = build_test(DECK[:5], random.Random(1), length=10, now=T0)
    assert session.total == 5
    assert sorted(q.question.card_id for q in session.questions) == [1, 2, 3, 4, 5]


def test_kinds_are_mixed_evenly_and_can_be_restricted() -> None:
    session = build_test(DECK, random.Random(2), length=12, now=T0)
    assert Counter(q.question.kind for q in session.questions) == {"mc": 4, "tf": 4, "written": 4}
    only_tf = build_test(DECK, random.Random(2), length=5, kinds=("tf",), now=T0)
    assert {q.question.kind for q in only_tf.questions} == {"tf"}
    with pytest.raises(ValueError):
        build_test(DECK, random.Random(2), kinds=("essay",), now=T0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        build_test([], random.Random(2), now=T0)


def test_one_card_deck_gets_written_instead_of_mc() -> None:
    session = build_test(DECK[:1], random.Random(2), kinds=("mc",), now=T0)
    assert session.questions[0].question == Written(card_id=1, mode="typed")


def test_scoring_with_wrong_answers() -> None:
    session = build_test(DECK, random.Random(4), now=T0)
    wrong_nos = {2, 3, 6}
    for no in (10, 9, 8, 7, 6, 5, 4, 3, 2, 1):  # any order
        asked = session.questions[no - 1]
        response = (
            _wrong(session, no)
            if no in wrong_nos
            else expected_response(asked.question, session.cards)
        )
        feedback = session.answer(no, response, now=T0 + timedelta(seconds=10 * (11 - no)))
        assert isinstance(feedback, TestFeedback)
        assert feedback.correct == (no not in wrong_nos)
        assert feedback.finished == (no == 1)
    result = session.result()
    assert (result.correct, result.total, result.percent) == (7, 10, 70)
    assert [(w.question_no, w.given, w.expected) for w in result.wrong] == [
        (2, "definitely not it", "Answer 5"),
        (3, True, False),
        (6, 3, 2),
    ]
    assert result.duration == timedelta(seconds=100)
    assert session.to_dict()["finished_at"] == "2025-03-01T09:01:40+00:00"


def test_typed_answers_forgive_typos() -> None:
    session = build_test(DECK, random.Random(4), now=T0)
    feedback = session.answer(2, "Anser 5", now=T0)
    assert isinstance(feedback, TestFeedback)
    assert feedback.correct and feedback.verdict is not None and not feedback.verdict.exact


def test_unanswered_count_as_wrong_and_percent_rounds_half_up() -> None:
    session = build_test(DECK, random.Random(4), length=8, now=T0)
    first = session.questions[0]
    session.answer(1, expected_response(first.question, session.cards), now=T0)
    result = session.result()
    assert (result.correct, result.total, result.percent) == (1, 8, 13)  # 12.5 -> 13
    assert len(result.wrong) == 7 and all(w.given is None for w in result.wrong)
    assert result.duration is None and not session.is_finished
    assert session.current() == session.questions[1]


def test_percent_two_thirds() -> None:
    session = build_test(DECK, random.Random(4), length=3, now=T0)
    for asked in session.questions[:2]:
        session.answer(asked.question_no, expected_response(asked.question, session.cards), now=T0)
    session.answer(3, _wrong(session, 3), now=T0)
    assert session.result().percent == 67


def test_stale_answers() -> None:
    session = build_test(DECK, random.Random(4), length=2, now=T0)
    session.answer(1, _wrong(session, 1), now=T0)
    assert session.answer(1, 0, now=T0) == StaleAnswer(given_no=1, current_no=2)
    assert session.answer(5, 0, now=T0) == StaleAnswer(given_no=5, current_no=2)
    session.answer(2, _wrong(session, 2), now=T0)
    assert session.answer(2, "x", now=T0) == StaleAnswer(given_no=2, current_no=None)
    assert session.result().correct == 0


def test_response_type_and_time_are_checked() -> None:
    session = build_test(DECK, random.Random(4), now=T0)
    with pytest.raises(ValueError):
        session.answer(1, "B", now=T0)  # mc takes an index
    with pytest.raises(ValueError):
        session.answer(3, 1, now=T0)  # tf takes a bool
    with pytest.raises(ValueError):
        session.answer(1, 0, now=datetime(2025, 3, 1))  # naive
    with pytest.raises(ValueError):
        build_test(
            DECK, random.Random(4), now=datetime(2025, 3, 1, tzinfo=timezone(timedelta(hours=2)))
        )


def test_round_trip_and_long_typed_answers_are_cut() -> None:
    session = build_test(DECK, random.Random(4), now=T0)
    session.answer(2, "y" * 5000, now=T0)
    stored = json.loads(json.dumps(session.to_dict()))
    assert len(stored["responses"][1]["given"]) == 200
    assert stored["started_at"] == "2025-03-01T09:00:00+00:00"
    restored = TestSession.from_dict(stored, DECK)
    assert restored.to_dict() == stored
    assert restored.result() == session.result()


def test_restore_drops_questions_about_deleted_cards() -> None:
    session = build_test(DECK, random.Random(4), now=T0)
    # Card 9 is asked in question 9 and offered as an option in questions 1, 7 and 10.
    remaining = [c for c in DECK if c.card_id != 9]
    restored = TestSession.from_dict(session.to_dict(), remaining)
    assert [q.question_no for q in restored.questions] == [2, 3, 4, 5, 6, 8]
