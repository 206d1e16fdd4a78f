"""Test mode: a fixed list of mixed questions, answered in any order, scored at the end.

Rules (also in RULES.md):

* `length` is capped at the number of cards; each card is asked at most once. Kinds are dealt
  in turn ('mc', 'tf', 'written', 'mc', ...) and then shuffled, so the mix is even. A card that
  cannot get a multiple-choice question (no distinct distractor) is asked as written instead.
* Responses: option index (mc), bool (tf), text (written 'typed', checked by `check_written`),
  bool "I knew it" (written 'self_check'). Each question can be answered once; answering it
  again, or a number that is not in the test, is a `StaleAnswer`.
* A typed response is stored cut to GIVEN_TEXT_LIMIT (200) characters, to keep the state small.
* `percent` is 100 * correct / total rounded half up; unanswered questions count as wrong.
* Times are passed in, must be UTC, and are stored as ISO strings; `finished_at` is set by the
  answer that completes the test.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from .answers import Verdict
from .cards import StudyCard, cards_by_id, require_utc
from .questions import (
    AskedQuestion,
    MultipleChoice,
    Question,
    StaleAnswer,
    TrueFalse,
    evaluate,
    make_multiple_choice,
    make_true_false,
    make_written,
    question_card_ids,
)

__all__ = [
    "GIVEN_TEXT_LIMIT",
    "TEST_KINDS",
    "Response",
    "TestFeedback",
    "TestKind",
    "TestResult",
    "TestSession",
    "WrongAnswer",
    "build_test",
    "expected_response",
]

TestKind = Literal["mc", "tf", "written"]
TEST_KINDS: tuple[TestKind, ...] = ("mc", "tf", "written")
Response = int | bool | str
_FORMAT = 1
GIVEN_TEXT_LIMIT = 200  # a typed answer is kept for the review screen, not a whole essay


@dataclass(frozen=True, slots=True)
class TestFeedback:
    """The judgement of one answer."""

    __test__ = False  # not a pytest test class

    question_no: int
    correct: bool
    finished: bool
    verdict: Verdict | None = None


@dataclass(frozen=True, slots=True)
class WrongAnswer:
    """A question answered wrongly (or not at all: `given` is None), with the right response."""

    question_no: int
    question: Question
    given: Response | None
    expected: Response


@dataclass(frozen=True, slots=True)
class TestResult:
    """The score of a test."""

    __test__ = False

    correct: int
    total: int
    percent: int
    wrong: tuple[WrongAnswer, ...]
    duration: timedelta | None


def expected_response(question: Question, cards: Mapping[int, StudyCard]) -> Response:
    """The right response to a question, in the form `evaluate` takes."""
    if isinstance(question, MultipleChoice):
        return question.correct_index
    if isinstance(question, TrueFalse):
        return question.is_true
    if question.mode == "typed":
        return cards[question.card_id].answer
    return True


class TestSession:
    """A running or finished test; mutate with `answer`, store `to_dict()`."""

    __test__ = False

    def __init__(
        self,
        cards: Mapping[int, StudyCard],
        *,
        questions: Sequence[AskedQuestion],
        responses: Sequence[dict[str, Any] | None],
        started_at: datetime,
        finished_at: datetime | None,
    ) -> None:
        if len(questions) != len(responses):
            raise ValueError("questions and responses differ in length")
        self.cards = cards
        self.questions = list(questions)
        self._responses = list(responses)
        self.started_at = require_utc(started_at, "started_at")
        self.finished_at = require_utc(finished_at, "finished_at") if finished_at else None

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def is_finished(self) -> bool:
        return all(r is not None for r in self._responses)

    def current(self) -> AskedQuestion | None:
        """The first unanswered question, or None when all are answered."""
        for asked, response in zip(self.questions, self._responses, strict=True):
            if response is None:
                return asked
        return None

    def _position(self, question_no: int) -> int | None:
        for pos, asked in enumerate(self.questions):
            if asked.question_no == question_no:
                return pos
        return None

    def answer(
        self, question_no: int, response: Response, *, now: datetime
    ) -> TestFeedback | StaleAnswer:
        """Judge and record the response to `question_no`; ValueError if its type is wrong."""
        now = require_utc(now)
        pos = self._position(question_no)
        if pos is None or self._responses[pos] is not None:
            current = self.current()
            return StaleAnswer(
                given_no=question_no, current_no=current.question_no if current else None
            )
        evaluation = evaluate(self.questions[pos].question, response, self.cards)
        given = response[:GIVEN_TEXT_LIMIT] if isinstance(response, str) else response
        self._responses[pos] = {"given": given, "correct": evaluation.correct}
        if self.is_finished:
            self.finished_at = now
        return TestFeedback(
            question_no=question_no,
            correct=evaluation.correct,
            finished=self.is_finished,
            verdict=evaluation.verdict,
        )

    def result(self) -> TestResult:
        """The score so far; unanswered questions count as wrong."""
        correct = 0
        wrong: list[WrongAnswer] = []
        for asked, response in zip(self.questions, self._responses, strict=True):
            if response is not None and response["correct"]:
                correct += 1
                continue
            wrong.append(
                WrongAnswer(
                    question_no=asked.question_no,
                    question=asked.question,
                    given=None if response is None else response["given"],
                    expected=expected_response(asked.question, self.cards),
                )
            )
        total = self.total
        percent = (200 * correct + total) // (2 * total) if total else 0  # half up
        duration = self.finished_at - self.started_at if self.finished_at else None
        return TestResult(
            correct=correct, total=total, percent=percent, wrong=tuple(wrong), duration=duration
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able state: questions as ids, responses as given, ISO timestamps."""
        return {
            "v": _FORMAT,
            "questions": [q.to_dict() for q in self.questions],
            "responses": [dict(r) if r is not None else None for r in self._responses],
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], cards: Sequence[StudyCard]) -> TestSession:
        """Restore a test; questions about cards deleted meanwhile are dropped from it."""
        if data.get("v") != _FORMAT:
            raise ValueError(f"unsupported Test state version {data.get('v')!r}")
        index = cards_by_id(cards)
        questions: list[AskedQuestion] = []
        responses: list[dict[str, Any] | None] = []
        for q_data, r_data in zip(data["questions"], data["responses"], strict=True):
            asked = AskedQuestion.from_dict(q_data)
            if not question_card_ids(asked.question) <= index.keys():
                continue
            questions.append(asked)
            responses.append(dict(r_data) if r_data is not None else None)
        finished = data.get("finished_at")
        session = cls(
            index,
            questions=questions,
            responses=responses,
            started_at=datetime.fromisoformat(data["started_at"]),
            finished_at=datetime.fromisoformat(finished) if finished else None,
        )
        return session


def _make(kind: TestKind, target: StudyCard, pool: list[StudyCard], rng: random.Random) -> Question:
    if kind == "mc":
        try:
            return make_multiple_choice(target, pool, rng)
        except ValueError:
            return make_written(target)
    if kind == "tf":
        return make_true_false(target, pool, rng)
    return make_written(target)


def build_test(
    cards: Sequence[StudyCard],
    rng: random.Random,
    *,
    length: int = 10,
    kinds: Sequence[TestKind] = TEST_KINDS,
    now: datetime,
) -> TestSession:
    """A new test of up to `length` questions over distinct cards, started at `now`."""
    if length < 1:
        raise ValueError("length must be at least 1")
    if not kinds or any(k not in TEST_KINDS for k in kinds):
        raise ValueError(f"kinds must be a non-empty selection of {TEST_KINDS}")
    index = cards_by_id(cards)
    if not index:
        raise ValueError("a test needs at least one card")
    pool = sorted(index.values(), key=lambda c: c.card_id)
    targets = rng.sample(pool, min(length, len(pool)))
    dealt = [kinds[i % len(kinds)] for i in range(len(targets))]
    rng.shuffle(dealt)
    questions = [
        AskedQuestion(no, _make(kind, target, pool, rng))
        for no, (kind, target) in enumerate(zip(dealt, targets, strict=True), start=1)
    ]
    return TestSession(
        index,
        questions=questions,
        responses=[None] * len(questions),
        started_at=now,
        finished_at=None,
    )
