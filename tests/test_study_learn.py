"""Learn mode: two correct in a row, wrong cards come back later, rounds, stale taps, restarts."""

from __future__ import annotations

import json
import random

import pytest

from bot.core.study import (
    REPEAT_GAP,
    AskedQuestion,
    LearnFeedback,
    LearnSession,
    MultipleChoice,
    StaleAnswer,
    StudyCard,
    Written,
    expected_response,
)

DECK = [StudyCard(i, f"Question {i}?", f"Answer {i}") for i in range(1, 11)]


def _right(session: LearnSession, asked: AskedQuestion) -> object:
    return expected_response(asked.question, session.cards)


def _ask(session: LearnSession, rng: random.Random) -> AskedQuestion:
    asked = session.next_question(rng)
    assert asked is not None
    return asked


def test_start_golden() -> None:
    session = LearnSession.start(DECK, random.Random(3))
    assert session.to_dict() == {
        "v": 1,
        "card_ids": [2, 6, 7, 1, 10, 5, 8, 3, 9, 4],
        "steps": [0] * 10,
        "round_size": 7,
        "round_no": 1,
        "round_ids": [2, 6, 7, 1, 10, 5, 8],
        "queue": [2, 6, 7, 1, 10, 5, 8],
        "question_no": 0,
        "current": None,
        "answered": 0,
        "answered_correctly": 0,
    }


def test_start_validates_card_ids() -> None:
    rng = random.Random(1)
    with pytest.raises(ValueError):
        LearnSession.start(DECK, rng, card_ids=[])
    with pytest.raises(ValueError):
        LearnSession.start(DECK, rng, card_ids=[1, 1])
    with pytest.raises(ValueError):
        LearnSession.start(DECK, rng, card_ids=[99])
    session = LearnSession.start(DECK, rng, card_ids=[3, 4])
    assert session.progress == (0, 2)


def test_card_needs_two_correct_in_a_row() -> None:
    rng = random.Random(5)
    session = LearnSession.start(DECK, rng, card_ids=[1])
    mc = _ask(session, rng)
    assert isinstance(mc.question, MultipleChoice)
    fb = session.answer(mc.question_no, True)
    assert isinstance(fb, LearnFeedback) and not fb.learned and session.progress == (0, 1)

    recall = _ask(session, rng)
    assert recall.question == Written(card_id=1, mode="typed")
    fb = session.answer(recall.question_no, False)  # streak broken: back to multiple choice
    assert isinstance(fb, LearnFeedback) and not fb.learned

    again = _ask(session, rng)
    assert isinstance(again.question, MultipleChoice)
    session.answer(again.question_no, True)
    last = _ask(session, rng)
    assert isinstance(last.question, Written)
    fb = session.answer(last.question_no, True)
    assert isinstance(fb, LearnFeedback)
    assert fb.learned and fb.round_complete and fb.finished
    assert session.is_finished and session.progress == (1, 1)
    assert session.next_question(rng) is None


def test_wrong_answer_comes_back_later_not_immediately() -> None:
    rng = random.Random(8)
    session = LearnSession.start(DECK, rng)
    first = _ask(session, rng)
    missed = first.question.card_id
    session.answer(first.question_no, False)
    between = []
    while True:
        asked = _ask(session, rng)
        if asked.question.card_id == missed:
            break
        between.append(asked.question.card_id)
        session.answer(asked.question_no, True)
    assert len(between) == REPEAT_GAP
    assert missed not in between
    assert isinstance(asked.question, MultipleChoice)  # the streak starts over


def test_wrong_answer_at_the_end_of_a_round_repeats_as_soon_as_it_must() -> None:
    rng = random.Random(2)
    session = LearnSession.start(DECK[:2], rng)
    order = []
    for correct in (True, True, True, False):  # mc a, mc b, recall a (learned), recall b wrong
        asked = _ask(session, rng)
        order.append(asked.question.card_id)
        session.answer(asked.question_no, correct)
    # Only card b is left: it cannot wait behind other cards.
    assert _ask(session, rng).question.card_id == order[-1]


def test_full_session_in_rounds_to_completion() -> None:
    rng = random.Random(13)
    session = LearnSession.start(DECK, rng)
    rounds = []
    asked_count = 0
    while (asked := session.next_question(rng)) is not None:
        asked_count += 1
        # Miss every fifth question, answer the rest right.
        response = _right(session, asked)
        if asked_count % 5 == 0 and isinstance(asked.question, MultipleChoice):
            response = (asked.question.correct_index + 1) % len(asked.question.options)
        round_no = session.round_no
        feedback = session.respond(asked.question_no, response)
        assert isinstance(feedback, LearnFeedback)
        if feedback.round_complete:
            rounds.append(round_no)
        assert asked_count < 200
    assert session.is_finished and session.progress == (10, 10)
    assert rounds == [1, 2]
    assert session.answered == asked_count
    assert session.answered_correctly == 20  # misses were all at step one: two rights per card
    assert sorted(session.learned_ids()) == list(range(1, 11))


def test_rounds_hold_at_most_round_size_cards() -> None:
    rng = random.Random(4)
    session = LearnSession.start(DECK, rng, round_size=3)
    sizes = []
    seen_rounds = set()
    while (asked := session.next_question(rng)) is not None:
        if session.round_no not in seen_rounds:
            seen_rounds.add(session.round_no)
            sizes.append(len(session.round_ids))
        assert asked.question.card_id in session.round_ids
        session.answer(asked.question_no, True)
    assert sizes == [3, 3, 3, 1]


def test_pending_question_is_shown_again_and_stale_answers_change_nothing() -> None:
    rng = random.Random(6)
    session = LearnSession.start(DECK, rng)
    asked = _ask(session, rng)
    assert session.next_question(random.Random(999)) == asked  # same question, same options
    before = session.to_dict()
    assert session.answer(asked.question_no + 1, True) == StaleAnswer(
        given_no=asked.question_no + 1, current_no=asked.question_no
    )
    assert session.to_dict() == before
    session.answer(asked.question_no, True)
    # A double tap on the same button arrives after the answer was recorded.
    assert session.answer(asked.question_no, True) == StaleAnswer(asked.question_no, None)
    assert session.respond(asked.question_no, 0) == StaleAnswer(asked.question_no, None)
    nxt = _ask(session, rng)
    assert nxt.question_no == asked.question_no + 1


def test_round_trip_mid_session_loses_nothing() -> None:
    rng = random.Random(21)
    session = LearnSession.start(DECK, rng)
    for _ in range(9):
        asked = _ask(session, rng)
        session.answer(asked.question_no, asked.question_no % 4 != 0)
    pending = _ask(session, rng)

    stored = json.loads(json.dumps(session.to_dict()))
    restored = LearnSession.from_dict(stored, DECK)
    assert restored.to_dict() == session.to_dict()
    assert restored.next_question(random.Random(0)) == pending

    # Both copies go on identically under the same seed.
    rng_a, rng_b = random.Random(77), random.Random(77)
    while True:
        a, b = session.next_question(rng_a), restored.next_question(rng_b)
        assert a == b
        if a is None:
            break
        assert session.answer(a.question_no, True) == restored.answer(b.question_no, True)
    assert restored.is_finished


def test_restore_drops_deleted_cards_and_their_pending_question() -> None:
    rng = random.Random(21)
    session = LearnSession.start(DECK, rng)
    pending = _ask(session, rng)
    gone = pending.question.card_id
    remaining = [c for c in DECK if c.card_id != gone]
    restored = LearnSession.from_dict(session.to_dict(), remaining)
    assert gone not in restored.card_ids and restored.progress == (0, 9)
    assert restored.answer(pending.question_no, True) == StaleAnswer(pending.question_no, None)
    fresh = _ask(restored, rng)
    assert fresh.question_no == pending.question_no + 1
    assert fresh.question.card_id != gone


def test_unknown_state_version_is_rejected() -> None:
    data = LearnSession.start(DECK, random.Random(1)).to_dict()
    data["v"] = 99
    with pytest.raises(ValueError):
        LearnSession.from_dict(data, DECK)


def test_single_card_is_asked_as_recall_twice() -> None:
    rng = random.Random(1)
    session = LearnSession.start(DECK[:1], rng)
    kinds = []
    while (asked := session.next_question(rng)) is not None:
        kinds.append(asked.question.kind)
        session.answer(asked.question_no, True)
    assert kinds == ["written", "written"]


def test_respond_checks_typed_answers() -> None:
    rng = random.Random(5)
    session = LearnSession.start(DECK, rng, card_ids=[1])
    mc = _ask(session, rng)
    session.respond(mc.question_no, _right(session, mc))
    recall = _ask(session, rng)
    feedback = session.respond(recall.question_no, "answr 1")
    assert isinstance(feedback, LearnFeedback)
    assert feedback.correct and feedback.learned
    assert feedback.verdict is not None and feedback.verdict.distance == 1
