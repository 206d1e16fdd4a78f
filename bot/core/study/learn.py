"""Learn mode: a resumable state machine in the spirit of Quizlet Learn.

Rules (also in RULES.md):

* The session covers the chosen cards (default: all), shuffled once at the start, and works
  through them in rounds of up to `round_size` (7) cards. A round ends when all its cards are
  learned; the next round takes the next unlearned cards.
* Each card climbs two steps: it is first asked as multiple choice, then (after a correct
  answer) as recall via `make_written` ('typed' or 'self_check'). Two correct answers in a row
  make it learned. A card that cannot get a multiple-choice question (no distinct distractor)
  is asked as recall both times.
* A wrong answer resets the card to multiple choice and puts it back in the round's queue
  behind REPEAT_GAP (2) other cards when the round still has them, so it comes back later in
  the session, not immediately. A correct first step sends the card to the end of the queue.
* Every question shown gets the next `question_no`; `answer` with any other number is a
  `StaleAnswer` (a double tap or an old message) and changes nothing. The current question is
  part of the state, so after a restart `next_question` shows the very same question.
* State is ids and small integers only; the cards themselves are passed in again on restore.
  Cards deleted meanwhile are dropped on restore (and a question about them is discarded).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .answers import Verdict
from .cards import StudyCard, cards_by_id
from .questions import (
    AskedQuestion,
    Question,
    StaleAnswer,
    evaluate,
    make_multiple_choice,
    make_written,
    question_card_ids,
)

__all__ = ["REPEAT_GAP", "ROUND_SIZE", "LearnFeedback", "LearnSession"]

ROUND_SIZE = 7
REPEAT_GAP = 2
_FORMAT = 1

# A card's step: what it is asked next, or that it is done.
_NEW, _RECALL, _LEARNED = 0, 1, 2


@dataclass(frozen=True, slots=True)
class LearnFeedback:
    """What happened to the answered card and the session."""

    question_no: int
    card_id: int
    correct: bool
    learned: bool  # this answer made the card learned
    round_complete: bool  # this answer finished the round (the next round has begun, if any)
    finished: bool
    verdict: Verdict | None = None  # set when a typed answer was checked by `respond`


class LearnSession:
    """One Learn session over a deck; mutate with `next_question` / `answer`, store `to_dict()`."""

    def __init__(
        self,
        cards: Mapping[int, StudyCard],
        *,
        card_ids: Sequence[int],
        steps: Sequence[int],
        round_size: int,
        round_no: int,
        round_ids: Sequence[int],
        queue: Sequence[int],
        question_no: int,
        current: AskedQuestion | None,
        answered: int,
        answered_correctly: int,
    ) -> None:
        if round_size < 1:
            raise ValueError("round_size must be at least 1")
        if len(card_ids) != len(steps):
            raise ValueError("card_ids and steps differ in length")
        self.cards = cards
        self.card_ids = list(card_ids)
        self._steps = dict(zip(self.card_ids, steps, strict=True))
        self.round_size = round_size
        self.round_no = round_no
        self.round_ids = list(round_ids)
        self.queue = list(queue)
        self.question_no = question_no
        self.current = current
        self.answered = answered
        self.answered_correctly = answered_correctly

    @classmethod
    def start(
        cls,
        cards: Sequence[StudyCard],
        rng: random.Random,
        *,
        card_ids: Iterable[int] | None = None,
        round_size: int = ROUND_SIZE,
    ) -> LearnSession:
        """A new session over `card_ids` (default: every card); `cards` is also the distractor pool."""
        index = cards_by_id(cards)
        ids = [c.card_id for c in cards] if card_ids is None else list(card_ids)
        if not ids:
            raise ValueError("a Learn session needs at least one card")
        if len(set(ids)) != len(ids):
            raise ValueError("card_ids repeat")
        missing = [i for i in ids if i not in index]
        if missing:
            raise ValueError(f"unknown card ids {missing}")
        rng.shuffle(ids)
        session = cls(
            index,
            card_ids=ids,
            steps=[_NEW] * len(ids),
            round_size=round_size,
            round_no=0,
            round_ids=[],
            queue=[],
            question_no=0,
            current=None,
            answered=0,
            answered_correctly=0,
        )
        session._begin_next_round()
        return session

    # --- progress -------------------------------------------------------------------------

    @property
    def progress(self) -> tuple[int, int]:
        """(learned, total) over the whole session."""
        return len(self.learned_ids()), len(self.card_ids)

    @property
    def round_progress(self) -> tuple[int, int]:
        """(learned, total) within the current round."""
        learned = sum(1 for i in self.round_ids if self._steps[i] == _LEARNED)
        return learned, len(self.round_ids)

    @property
    def is_finished(self) -> bool:
        return all(step == _LEARNED for step in self._steps.values())

    def learned_ids(self) -> list[int]:
        """Cards learned so far, in session order (feeds `deck_mastery(practised_ids=...)`)."""
        return [i for i in self.card_ids if self._steps[i] == _LEARNED]

    # --- asking and answering -------------------------------------------------------------

    def next_question(self, rng: random.Random) -> AskedQuestion | None:
        """The question to show: the pending one if unanswered, else a new one; None when done."""
        if self.current is not None:
            return self.current
        if not self.queue:
            return None
        card = self.cards[self.queue[0]]
        question: Question
        if self._steps[card.card_id] == _NEW:
            try:
                question = make_multiple_choice(card, list(self.cards.values()), rng)
            except ValueError:  # nothing to pick from: recall is the only honest question
                question = make_written(card)
        else:
            question = make_written(card)
        self.question_no += 1
        self.current = AskedQuestion(self.question_no, question)
        return self.current

    def answer(self, question_no: int, correct: bool) -> LearnFeedback | StaleAnswer:
        """Record the learner's result for question `question_no`."""
        current = self.current
        if current is None or question_no != current.question_no:
            return StaleAnswer(
                given_no=question_no, current_no=current.question_no if current else None
            )
        return self._record(current, correct, None)

    def respond(self, question_no: int, response: object) -> LearnFeedback | StaleAnswer:
        """Judge a raw response (option index, text, or self-check bool), then record it."""
        current = self.current
        if current is None or question_no != current.question_no:
            return StaleAnswer(
                given_no=question_no, current_no=current.question_no if current else None
            )
        evaluation = evaluate(current.question, response, self.cards)
        return self._record(current, evaluation.correct, evaluation.verdict)

    def _record(
        self, current: AskedQuestion, correct: bool, verdict: Verdict | None
    ) -> LearnFeedback:
        card_id = current.question.card_id
        self.queue.remove(card_id)
        learned = False
        if correct:
            self._steps[card_id] += 1
            if self._steps[card_id] >= _LEARNED:
                self._steps[card_id] = _LEARNED
                learned = True
            else:
                self.queue.append(card_id)
        else:
            self._steps[card_id] = _NEW
            self.queue.insert(min(REPEAT_GAP, len(self.queue)), card_id)
        self.answered += 1
        self.answered_correctly += int(correct)
        self.current = None
        round_complete = not self.queue
        if round_complete:
            self._begin_next_round()
        return LearnFeedback(
            question_no=current.question_no,
            card_id=card_id,
            correct=correct,
            learned=learned,
            round_complete=round_complete,
            finished=self.is_finished,
            verdict=verdict,
        )

    def _begin_next_round(self) -> None:
        in_round = set(self.round_ids)
        backlog = [i for i in self.card_ids if self._steps[i] != _LEARNED and i not in in_round]
        unfinished_here = [i for i in self.round_ids if self._steps[i] != _LEARNED]
        if unfinished_here:  # only after a restore dropped cards; keep working on this round
            self.queue = [i for i in self.queue if i in in_round] or unfinished_here
            return
        if not backlog:
            self.queue = []
            return
        self.round_no += 1
        self.round_ids = backlog[: self.round_size]
        self.queue = list(self.round_ids)

    # --- storage --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able state: ids and counters, never card texts."""
        return {
            "v": _FORMAT,
            "card_ids": list(self.card_ids),
            "steps": [self._steps[i] for i in self.card_ids],
            "round_size": self.round_size,
            "round_no": self.round_no,
            "round_ids": list(self.round_ids),
            "queue": list(self.queue),
            "question_no": self.question_no,
            "current": self.current.to_dict() if self.current else None,
            "answered": self.answered,
            "answered_correctly": self.answered_correctly,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], cards: Sequence[StudyCard]) -> LearnSession:
        """Restore a session; cards no longer in `cards` are dropped from it."""
        if data.get("v") != _FORMAT:
            raise ValueError(f"unsupported Learn state version {data.get('v')!r}")
        index = cards_by_id(cards)
        pairs = [(int(i), int(s)) for i, s in zip(data["card_ids"], data["steps"], strict=True)]
        kept = [(i, s) for i, s in pairs if i in index]
        kept_ids = {i for i, _ in kept}
        current = AskedQuestion.from_dict(data["current"]) if data.get("current") else None
        if current is not None and (
            current.question.card_id not in kept_ids
            or not question_card_ids(current.question) <= index.keys()
        ):
            current = None  # it shows a deleted card; its number stays used, so old taps are stale
        session = cls(
            index,
            card_ids=[i for i, _ in kept],
            steps=[s for _, s in kept],
            round_size=int(data["round_size"]),
            round_no=int(data["round_no"]),
            round_ids=[int(i) for i in data["round_ids"] if int(i) in kept_ids],
            queue=[int(i) for i in data["queue"] if int(i) in kept_ids],
            question_no=int(data["question_no"]),
            current=current,
            answered=int(data["answered"]),
            answered_correctly=int(data["answered_correctly"]),
        )
        if current is not None and current.question.card_id not in session.queue:
            session.current = None  # inconsistent state: ask afresh rather than crash later
        if not session.queue:
            session._begin_next_round()
        return session
