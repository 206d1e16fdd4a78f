"""Quizzes: private quiz sessions, and crediting quiz-poll answers, private and group alike."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.study import (
    MultipleChoice,
    build_quiz,
    question_from_dict,
)
from bot.services.study.common import (
    ABANDONED,
    ACTIVE,
    FINISHED,
    DeckCards,
    MoveStatus,
    finish,
    load_deck_cards,
    load_for_move,
    open_session,
    session_rng,
)
from bot.storage.models import (
    QuizAnswer,
    QuizPoll,
    StudySession,
)

__all__ = [
    "DEFAULT_QUIZ_LENGTH",
    "MAX_QUIZ_LENGTH",
    "CreditStatus",
    "PollCredit",
    "QuizView",
    "answer_quiz",
    "quiz_view",
    "record_poll_answer",
    "register_quiz_poll",
    "start_quiz",
]


DEFAULT_QUIZ_LENGTH, MAX_QUIZ_LENGTH = 5, 10


@dataclass(frozen=True)
class QuizView:
    """A private quiz: its questions, answers so far and the question to show next."""

    session_id: int
    chat_id: int
    deck: DeckCards
    questions: tuple[MultipleChoice, ...]
    answers: tuple[dict[str, Any] | None, ...]
    status: str
    last_correct: bool | None = None  # the answer just given, for feedback
    answered_no: int | None = None

    @property
    def position(self) -> int | None:
        """Index of the first unanswered question, None when all are answered."""
        return next((i for i, a in enumerate(self.answers) if a is None), None)

    @property
    def score(self) -> int:
        return sum(1 for a in self.answers if a and a["correct"])

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def finished(self) -> bool:
        return self.position is None


def _round_id(session_id: int) -> str:
    return f"study:{session_id}"


def _quiz_view(
    study: StudySession,
    deck: DeckCards,
    *,
    last_correct: bool | None = None,
    answered_no: int | None = None,
) -> QuizView:
    state = study.state
    questions = tuple(question_from_dict(q) for q in state["questions"])
    return QuizView(
        study.id,
        study.chat_id,
        deck,
        questions,  # type: ignore[arg-type]  # build_quiz makes only multiple choice
        tuple(state["answers"]),
        study.status,
        last_correct,
        answered_no,
    )


async def start_quiz(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    deck_id: int,
    seed: int,
    now: datetime,
    length: int = DEFAULT_QUIZ_LENGTH,
) -> QuizView | None:
    """A new quiz of up to `length` multiple-choice questions; None if the deck is too small."""
    deck = await load_deck_cards(session, deck_id=deck_id)
    if deck is None:
        return None
    try:
        questions = build_quiz(deck.pool, session_rng(seed, "quiz"), length=length)
    except ValueError:
        return None
    if not questions:
        return None
    study = await open_session(
        session,
        user_id=user_id,
        chat_id=chat_id,
        deck_id=deck_id,
        mode="quiz",
        now=now,
        state={"seed": seed},
        displace=ABANDONED,
    )
    study.state = {
        "seed": seed,
        "round_id": _round_id(study.id),
        "questions": [q.to_dict() for q in questions],
        "answers": [None] * len(questions),
    }
    study.score, study.total = 0, len(questions)
    return _quiz_view(study, deck)


async def quiz_view(session: AsyncSession, *, session_id: int) -> QuizView | None:
    """The current view of a private quiz session (after a poll answer, say)."""
    study = await session.get(StudySession, session_id)
    if study is None or study.mode != "quiz" or "questions" not in (study.state or {}):
        return None
    deck = await load_deck_cards(session, deck_id=study.deck_id)
    return None if deck is None else _quiz_view(study, deck)


async def register_quiz_poll(
    session: AsyncSession,
    *,
    session_id: int,
    question_no: int,
    poll_id: str,
    message_id: int,
    now: datetime,
) -> None:
    """Remember a quiz poll sent for question `question_no` so its answer can be credited."""
    study = await session.get(StudySession, session_id)
    if study is None:
        raise ValueError(f"no study session {session_id}")
    question = question_from_dict(study.state["questions"][question_no - 1])
    assert isinstance(question, MultipleChoice)
    session.add(
        QuizPoll(
            poll_id=poll_id,
            chat_id=study.chat_id,
            round_id=study.state["round_id"],
            owner_id=study.user_id,
            deck_id=study.deck_id,
            card_id=question.card_id,
            question_no=question_no,
            correct_option=question.correct_index,
            created_at=now,
        )
    )
    study.message_id = message_id


def _credit_quiz(study: StudySession, question_no: int, option: int, now: datetime) -> bool:
    """Record an answer in a private quiz's state; returns whether it was right."""
    state = dict(study.state)
    question = question_from_dict(state["questions"][question_no - 1])
    assert isinstance(question, MultipleChoice)
    correct = option == question.correct_index
    answers = list(state["answers"])
    answers[question_no - 1] = {"option": option, "correct": correct}
    state["answers"] = answers
    study.state = state
    score = sum(1 for a in answers if a and a["correct"])
    if all(a is not None for a in answers):
        finish(study, now, score=score, total=len(answers))
    else:
        study.score, study.total = score, len(answers)
    return correct


async def answer_quiz(
    session: AsyncSession,
    *,
    session_id: int,
    user_id: int,
    question_no: int,
    option: int,
    now: datetime,
) -> tuple[MoveStatus, QuizView | None]:
    """A button answer to the quiz question on screen (one that did not fit a quiz poll)."""
    status, study = await load_for_move(
        session, session_id=session_id, user_id=user_id, mode="quiz"
    )
    if status is not MoveStatus.OK or study is None:
        return status, None
    deck = await load_deck_cards(session, deck_id=study.deck_id)
    if deck is None:
        return MoveStatus.UNKNOWN, None
    view = _quiz_view(study, deck)
    if view.position is None or view.position + 1 != question_no:
        return MoveStatus.STALE, None
    if not 0 <= option < len(view.questions[question_no - 1].options):
        return MoveStatus.UNKNOWN, None
    correct = _credit_quiz(study, question_no, option, now)
    return MoveStatus.OK, _quiz_view(study, deck, last_correct=correct, answered_no=question_no)


class CreditStatus(enum.Enum):
    """What became of a poll answer."""

    CREDITED = "credited"
    UNKNOWN_POLL = "unknown_poll"  # not a quiz poll of ours
    RETRACTED = "retracted"  # an empty vote: nothing to credit
    FOREIGN = "foreign"  # a private quiz's poll answered by someone else (a forwarded poll)
    DUPLICATE = "duplicate"  # this person already answered this poll
    STALE = "stale"  # the private quiz it belongs to is over


@dataclass(frozen=True)
class PollCredit:
    """The outcome of `record_poll_answer`; `study` is the session credited (if any)."""

    status: CreditStatus
    poll: QuizPoll | None = None
    study: StudySession | None = None
    correct: bool | None = None

    @property
    def private(self) -> bool:
        """A private quiz's poll (owner set), as opposed to a group round's."""
        return self.poll is not None and self.poll.owner_id is not None

    @property
    def finished(self) -> bool:
        return self.study is not None and self.study.status == FINISHED


async def _round_session(
    session: AsyncSession, *, poll: QuizPoll, user_id: int, now: datetime
) -> StudySession | None:
    """The quiz session a poll answer counts towards; for a group round, made on first answer."""
    found = (
        await session.execute(
            select(StudySession)
            .where(
                StudySession.user_id == user_id,
                StudySession.chat_id == poll.chat_id,
                StudySession.mode == "quiz",
                StudySession.state["round_id"].as_string() == poll.round_id,
            )
            .order_by(StudySession.id.desc())
            .limit(1)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if found is not None or poll.owner_id is not None:
        return found
    study = StudySession(
        user_id=user_id,
        deck_id=poll.deck_id,
        chat_id=poll.chat_id,
        mode="quiz",
        status=ACTIVE,
        started_at=now,
        score=0,
        total=0,
        state={"round_id": poll.round_id},
    )
    session.add(study)
    await session.flush()
    return study


async def record_poll_answer(
    session: AsyncSession, *, poll_id: str, user_id: int, option_ids: Sequence[int], now: datetime
) -> PollCredit:
    """Credit one `poll_answer` to the right person's Quiz session, once.

    A private quiz's poll (owner_id set) counts only for its owner and only while that quiz is
    active; its answer lands in the quiz's own state. A group round's poll (owner_id NULL)
    counts for whoever answers: each member gets one Quiz session per round (made on their first
    answer), scored over the round's polls registered so far, finished once they answered all.
    Every credited answer is also a QuizAnswer row.
    """
    poll = await session.get(QuizPoll, poll_id)
    if poll is None:
        return PollCredit(CreditStatus.UNKNOWN_POLL)
    if not option_ids:
        return PollCredit(CreditStatus.RETRACTED, poll)
    if poll.owner_id is not None and poll.owner_id != user_id:
        return PollCredit(CreditStatus.FOREIGN, poll)
    if await session.get(QuizAnswer, (poll_id, user_id)) is not None:
        return PollCredit(CreditStatus.DUPLICATE, poll)
    study = await _round_session(session, poll=poll, user_id=user_id, now=now)
    if study is None:
        return PollCredit(CreditStatus.STALE, poll)
    # A private quiz takes the answer to the question it is on, and only while it runs.
    if poll.owner_id is not None and (
        study.status != ACTIVE or _question_on_screen(study) != poll.question_no
    ):
        return PollCredit(CreditStatus.STALE, poll, study)
    option = int(option_ids[0])
    correct = option == poll.correct_option
    try:
        async with session.begin_nested():
            session.add(
                QuizAnswer(
                    poll_id=poll_id,
                    user_id=user_id,
                    option=option,
                    correct=correct,
                    answered_at=now,
                )
            )
    except IntegrityError:  # the same answer delivered twice, concurrently
        return PollCredit(CreditStatus.DUPLICATE, poll, study)
    if poll.owner_id is not None:
        correct = _credit_quiz(study, poll.question_no, option, now)
    else:
        await _score_group_round(session, study=study, round_id=poll.round_id, now=now)
    return PollCredit(CreditStatus.CREDITED, poll, study, correct)


def _question_on_screen(study: StudySession) -> int | None:
    """The number of a private quiz's first unanswered question, None when all are answered."""
    answers = (study.state or {}).get("answers", [])
    return next((no for no, answer in enumerate(answers, start=1) if answer is None), None)


async def _score_group_round(
    session: AsyncSession, *, study: StudySession, round_id: str, now: datetime
) -> None:
    await session.flush()
    polls = (
        await session.execute(select(func.count()).where(QuizPoll.round_id == round_id))
    ).scalar_one()
    answered, right = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(case((QuizAnswer.correct, 1), else_=0)), 0))
            .select_from(QuizAnswer)
            .join(QuizPoll, QuizPoll.poll_id == QuizAnswer.poll_id)
            .where(QuizPoll.round_id == round_id, QuizAnswer.user_id == study.user_id)
        )
    ).one()
    if answered >= polls:
        finish(study, now, score=int(right), total=int(polls))
    else:
        study.status = ACTIVE
        study.score, study.total = int(right), int(polls)
