"""Questions built from flashcards whose answers may be whole paragraphs.

Rules (also in RULES.md):

* Multiple choice. Options must stay short because the Telegram layer lists them in full in the
  message and puts only the labels A-F on buttons. An answer is *short* when it has at most
  LONG_ANSWER_CHARS (100) characters. Options are answers (prompt_side 'question') only when the
  target's answer is short and other cards have short, distinct answers enough to offer at least
  as many options as the answer-side alternative would; otherwise the prompt is the target's answer and
  the options are questions (prompt_side 'answer'), which are short in practice.
* Distractors are other cards of the same pool, scanned in a seeded random order (the pool is
  sorted by card id first, so its order does not matter). A card is skipped when its displayed
  text, normalised, equals the target's or an earlier pick's, so no option text appears twice
  and the right option appears exactly once; it is also skipped when its prompt-side text equals
  the target's, since its option would then be right as well. With a small pool there are fewer options (at least
  2); a pool without one usable distractor is a ValueError. Everything random comes from the
  `rng` passed in.
* True/false shows the question with its own answer or, with probability 1/2, the answer of a
  card whose normalised answer and question both differ; if there is none the statement is true.
* Written is 'typed' when the expected answer is one line of at most TYPED_MAX_CHARS (60)
  characters with something left after normalisation; otherwise 'self_check': the learner
  reveals the answer and says whether they knew it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from .answers import Verdict, check_written, normalise
from .cards import CardsById, StudyCard

__all__ = [
    "LONG_ANSWER_CHARS",
    "MAX_OPTIONS",
    "TYPED_MAX_CHARS",
    "AskedQuestion",
    "Evaluation",
    "MultipleChoice",
    "PromptSide",
    "Question",
    "StaleAnswer",
    "TrueFalse",
    "Written",
    "WrittenMode",
    "evaluate",
    "make_multiple_choice",
    "make_true_false",
    "make_written",
    "option_label",
    "question_card_ids",
    "question_from_dict",
    "question_to_dict",
]

LONG_ANSWER_CHARS = 100
TYPED_MAX_CHARS = 60
MAX_OPTIONS = 6
_LABELS = "ABCDEF"

PromptSide = Literal["question", "answer"]
WrittenMode = Literal["typed", "self_check"]


def option_label(index: int) -> str:
    """The button label for option `index`: 0 -> 'A' ... 5 -> 'F'."""
    if not 0 <= index < MAX_OPTIONS:
        raise ValueError(f"option index {index} out of range 0..{MAX_OPTIONS - 1}")
    return _LABELS[index]


@dataclass(frozen=True, slots=True)
class MultipleChoice:
    """Pick the right card among `options` (card ids); `prompt_card_id` is always `card_id`."""

    card_id: int
    prompt_side: PromptSide
    prompt_card_id: int
    options: tuple[int, ...]
    correct_index: int

    kind: ClassVar[str] = "mc"

    def prompt_text(self, cards: CardsById) -> str:
        card = cards[self.prompt_card_id]
        return card.question if self.prompt_side == "question" else card.answer

    def option_texts(self, cards: CardsById) -> list[str]:
        if self.prompt_side == "question":
            return [cards[i].answer for i in self.options]
        return [cards[i].question for i in self.options]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "card_id": self.card_id,
            "prompt_side": self.prompt_side,
            "prompt_card_id": self.prompt_card_id,
            "options": list(self.options),
            "correct_index": self.correct_index,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MultipleChoice:
        return cls(
            card_id=int(data["card_id"]),
            prompt_side=data["prompt_side"],
            prompt_card_id=int(data["prompt_card_id"]),
            options=tuple(int(i) for i in data["options"]),
            correct_index=int(data["correct_index"]),
        )


@dataclass(frozen=True, slots=True)
class TrueFalse:
    """Is `shown_card_id`'s answer the answer to `card_id`'s question?"""

    card_id: int
    shown_card_id: int
    is_true: bool

    kind: ClassVar[str] = "tf"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "card_id": self.card_id,
            "shown_card_id": self.shown_card_id,
            "is_true": self.is_true,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrueFalse:
        return cls(
            card_id=int(data["card_id"]),
            shown_card_id=int(data["shown_card_id"]),
            is_true=bool(data["is_true"]),
        )


@dataclass(frozen=True, slots=True)
class Written:
    """Recall `card_id`'s answer: typed and checked, or revealed and self-judged."""

    card_id: int
    mode: WrittenMode

    kind: ClassVar[str] = "written"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "card_id": self.card_id, "mode": self.mode}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Written:
        return cls(card_id=int(data["card_id"]), mode=data["mode"])


Question = MultipleChoice | TrueFalse | Written

_KINDS: dict[str, type[MultipleChoice] | type[TrueFalse] | type[Written]] = {
    "mc": MultipleChoice,
    "tf": TrueFalse,
    "written": Written,
}


def question_to_dict(question: Question) -> dict[str, Any]:
    return question.to_dict()


def question_from_dict(data: Mapping[str, Any]) -> Question:
    """Rebuild any question from its dict, dispatching on 'kind'."""
    try:
        cls = _KINDS[data["kind"]]
    except KeyError:
        raise ValueError(f"unknown question kind {data.get('kind')!r}") from None
    return cls.from_dict(data)


def question_card_ids(question: Question) -> set[int]:
    """Every card id a question shows, so a restore can tell whether one was deleted."""
    if isinstance(question, MultipleChoice):
        return {question.card_id, *question.options}
    if isinstance(question, TrueFalse):
        return {question.card_id, question.shown_card_id}
    return {question.card_id}


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    """A question as shown to the learner, numbered so a stale answer can be told apart."""

    question_no: int
    question: Question

    def to_dict(self) -> dict[str, Any]:
        return {"question_no": self.question_no, "question": self.question.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AskedQuestion:
        return cls(
            question_no=int(data["question_no"]),
            question=question_from_dict(data["question"]),
        )


@dataclass(frozen=True, slots=True)
class StaleAnswer:
    """An answer to a question that is no longer the one being asked (double tap, old message)."""

    given_no: int
    current_no: int | None


def _distractors(
    target: StudyCard,
    shuffled_pool: Iterable[StudyCard],
    *,
    shown: Callable[[StudyCard], str],
    prompt: Callable[[StudyCard], str],
    limit: int,
    usable: Callable[[StudyCard], bool] = lambda card: True,
) -> list[StudyCard]:
    """Up to `limit` cards, scanned in the given order, usable as distractors for `target`.

    A card is skipped when its `shown` text (normalised) repeats the target's or an earlier
    pick's, or when its `prompt` text equals the target's: its option would be right too.
    Scanning stops at `limit`, so a big deck of long answers costs a few normalisations.
    """
    seen = {normalise(shown(target))}
    target_prompt: str | None = None
    picked: list[StudyCard] = []
    for card in shuffled_pool:
        if len(picked) >= limit:
            break
        if card.card_id == target.card_id or not usable(card):
            continue
        key = normalise(shown(card))
        if not key or key in seen:
            continue
        if target_prompt is None:
            target_prompt = normalise(prompt(target))
        if normalise(prompt(card)) == target_prompt:
            continue
        seen.add(key)
        picked.append(card)
    return picked


def _question(card: StudyCard) -> str:
    return card.question


def _answer(card: StudyCard) -> str:
    return card.answer


def _is_short(text: str) -> bool:
    return len(text.strip()) <= LONG_ANSWER_CHARS


def _shuffled_pool(pool: Iterable[StudyCard], rng: random.Random) -> list[StudyCard]:
    """The pool in a random order that depends on the seed, not on the order it came in."""
    unique = {card.card_id: card for card in pool}
    ordered = [unique[i] for i in sorted(unique)]
    rng.shuffle(ordered)
    return ordered


def make_multiple_choice(
    target: StudyCard, pool: Sequence[StudyCard], rng: random.Random, *, n_options: int = 4
) -> MultipleChoice:
    """A multiple-choice question for `target` with distractors from `pool` (see module rules)."""
    if not 2 <= n_options <= MAX_OPTIONS:
        raise ValueError(f"n_options must be between 2 and {MAX_OPTIONS}")
    wanted = n_options - 1
    order = _shuffled_pool(pool, rng)
    answers: list[StudyCard] = []
    if _is_short(target.answer):
        answers = _distractors(
            target,
            order,
            shown=_answer,
            prompt=_question,
            limit=wanted,
            usable=lambda card: _is_short(card.answer),
        )
    side: PromptSide
    if len(answers) == wanted:
        side, distractors = "question", answers
    else:
        questions = _distractors(target, order, shown=_question, prompt=_answer, limit=wanted)
        if answers and len(answers) >= len(questions):
            side, distractors = "question", answers
        elif questions:
            side, distractors = "answer", questions
        else:
            raise ValueError(f"card {target.card_id}: no distinct card to use as a distractor")
    options = [target.card_id, *(c.card_id for c in distractors)]
    rng.shuffle(options)
    return MultipleChoice(
        card_id=target.card_id,
        prompt_side=side,
        prompt_card_id=target.card_id,
        options=tuple(options),
        correct_index=options.index(target.card_id),
    )


def make_true_false(target: StudyCard, pool: Sequence[StudyCard], rng: random.Random) -> TrueFalse:
    """A true/false statement: the target's question with its own or another card's answer."""
    if rng.random() < 0.5:
        others = _distractors(
            target, _shuffled_pool(pool, rng), shown=_answer, prompt=_question, limit=1
        )
        if others:
            return TrueFalse(card_id=target.card_id, shown_card_id=others[0].card_id, is_true=False)
    return TrueFalse(card_id=target.card_id, shown_card_id=target.card_id, is_true=True)


def make_written(target: StudyCard) -> Written:
    """'typed' for a short one-line answer, 'self_check' for anything longer."""
    answer = target.answer.strip()
    typed = len(answer) <= TYPED_MAX_CHARS and "\n" not in answer and bool(normalise(answer))
    return Written(card_id=target.card_id, mode="typed" if typed else "self_check")


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Whether a response was right; `verdict` is set for typed answers."""

    correct: bool
    verdict: Verdict | None = None


def evaluate(question: Question, response: object, cards: CardsById) -> Evaluation:
    """Judge a response: option index (mc), bool (tf, self_check) or text (typed).

    ValueError when the response has the wrong type for the question.
    """
    if isinstance(question, MultipleChoice):
        if isinstance(response, bool) or not isinstance(response, int):
            raise ValueError("a multiple-choice response is an option index")
        if not 0 <= response < len(question.options):
            raise ValueError(f"option index {response} out of range")
        return Evaluation(correct=response == question.correct_index)
    if isinstance(question, TrueFalse):
        if not isinstance(response, bool):
            raise ValueError("a true/false response is a bool")
        return Evaluation(correct=response == question.is_true)
    if question.mode == "self_check":
        if not isinstance(response, bool):
            raise ValueError("a self-check response is a bool (knew it or not)")
        return Evaluation(correct=response)
    if not isinstance(response, str):
        raise ValueError("a typed response is text")
    verdict = check_written(cards[question.card_id].answer, response)
    return Evaluation(correct=verdict.correct, verdict=verdict)
