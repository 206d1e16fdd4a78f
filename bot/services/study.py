"""Study sessions in every mode: start, resume, answer, finish; quiz-poll credits; the progress table.

A running session lives in one `study_sessions` row: its engine state (bot.core.study), the seed
its randomness comes from and, where a mode needs one, a step counter. A restart therefore loses
nothing and regenerates the very same questions. Every move names the session and the step it
was shown at: a move on a session that is not active, or at a step that has moved on, is stale;
on someone else's session it is foreign; both change nothing.

Statuses: `active` (running), `paused` (Learn or Test left for later: resumable), `finished`,
`abandoned` (replaced by a newer session of the same mode). Only spaced review changes FSRS
scheduling; the other modes are recorded here and inform mastery, never due dates.
The rules of each mode are in bot/core/study/RULES.md; the table is described in README.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.markup import to_plain_text
from bot.core.mastery import CardProgress, Mastery, card_mastery, deck_mastery
from bot.core.study import (
    TEST_KINDS,
    AskedQuestion,
    BrowseState,
    LearnFeedback,
    LearnSession,
    MatchGame,
    MultipleChoice,
    StaleAnswer,
    StudyCard,
    TapResult,
    TestFeedback,
    TestKind,
    TestResult,
    TestSession,
    build_quiz,
    build_test,
    new_match,
    question_from_dict,
)
from bot.storage.models import (
    Card,
    CardState,
    Deck,
    Enrolment,
    QuizAnswer,
    QuizPoll,
    ReviewLog,
    StudySession,
    User,
)

__all__ = [
    "ACTIVE",
    "DEFAULT_QUIZ_LENGTH",
    "DEFAULT_TEST_LENGTH",
    "FINISHED",
    "MAX_QUIZ_LENGTH",
    "MAX_TEST_LENGTH",
    "PAUSED",
    "SPACED_GAP",
    "TABLE_MODES",
    "BrowseMove",
    "BrowseView",
    "CreditStatus",
    "DeckCards",
    "LearnView",
    "MatchView",
    "Mode",
    "MoveStatus",
    "PollCredit",
    "ProgressRow",
    "QuizView",
    "TestView",
    "TypedOutcome",
    "answer_learn",
    "answer_quiz",
    "answer_test",
    "enrolled_deck",
    "load_deck_cards",
    "move_cards",
    "peek_question",
    "plain_card",
    "progress_rows",
    "quiz_view",
    "record_poll_answer",
    "record_spaced_review",
    "register_quiz_poll",
    "restart_options",
    "resumable_session",
    "resume_learn",
    "resume_test",
    "set_message",
    "start_cards",
    "start_learn",
    "start_match",
    "start_quiz",
    "start_test",
    "stop_learn",
    "tap_match",
    "typed_answer",
    "unfinished_progress",
    "unrecord_spaced_review",
]

Mode = Literal["cards", "learn", "test", "match", "quiz", "spaced"]
BrowseMove = Literal["flip", "next", "prev", "shuffle", "first"]

ACTIVE, PAUSED, FINISHED, ABANDONED = "active", "paused", "finished", "abandoned"
# The modes behind the progress table (browsing flashcards is not a study session there).
TABLE_MODES: tuple[Mode, ...] = ("learn", "test", "match", "quiz", "spaced")
DEFAULT_TEST_LENGTH, MAX_TEST_LENGTH = 10, 50
DEFAULT_QUIZ_LENGTH, MAX_QUIZ_LENGTH = 5, 10
# Spaced review has no "end" button: grades less than this apart belong to one session.
SPACED_GAP = timedelta(minutes=30)


class MoveStatus(enum.Enum):
    """Whether a button press may act on its session."""

    OK = "ok"
    STALE = "stale"  # the session is over or the question has moved on
    PAUSED = "paused"  # a Learn/Test session left for later: resume it first
    FOREIGN = "foreign"  # someone else's session
    UNKNOWN = "unknown"  # no such session (forged data) or a deck emptied meanwhile


# --- decks and cards -------------------------------------------------------------------------


def plain_card(card: Card) -> StudyCard:
    """A stored card as the study engines see it: markup stripped."""
    return StudyCard(card.id, to_plain_text(card.question), to_plain_text(card.answer))


@dataclass(frozen=True)
class DeckCards:
    """A deck's live cards: the stored rows (for HTML) and their plain forms (for engines)."""

    deck: Deck
    cards: dict[int, Card]
    plain: dict[int, StudyCard]

    @property
    def pool(self) -> list[StudyCard]:
        return list(self.plain.values())


async def load_deck_cards(session: AsyncSession, deck_id: int) -> DeckCards | None:
    """The deck and its live cards in file order; None if the deck does not exist."""
    deck = await session.get(Deck, deck_id)
    if deck is None:
        return None
    rows = await session.execute(
        select(Card).where(Card.deck_id == deck_id, Card.retired.is_(False)).order_by(Card.position)
    )
    cards = {card.id: card for card in rows.scalars()}
    return DeckCards(deck, cards, {i: plain_card(c) for i, c in cards.items()})


async def enrolled_deck(session: AsyncSession, *, user_id: int, deck_id: int) -> Deck | None:
    """The deck if the user actively studies it (and it is live), else None."""
    return (
        await session.execute(
            select(Deck)
            .join(Enrolment, Enrolment.deck_id == Deck.id)
            .where(
                Deck.id == deck_id,
                Deck.retired.is_(False),
                Enrolment.user_id == user_id,
                Enrolment.active.is_(True),
            )
        )
    ).scalar_one_or_none()


# --- sessions in general ---------------------------------------------------------------------


def _rng(seed: int, label: str) -> random.Random:
    # String seeds hash deterministically (not with PYTHONHASHSEED), so each draw of a session
    # is a pure function of its stored seed and what it is for: restarts regenerate identically.
    return random.Random(f"{seed}:{label}")


def _ms(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() * 1000))


async def _open(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    deck_id: int,
    mode: Mode,
    now: datetime,
    state: dict[str, Any],
    displace: str,
) -> StudySession:
    """A new active session; the user's other active sessions of the mode in this chat are
    paused or abandoned (`displace`), so one chat runs one session per mode at a time."""
    await _displace_others(session, user_id=user_id, chat_id=chat_id, mode=mode, to=displace)
    study = StudySession(
        user_id=user_id,
        deck_id=deck_id,
        chat_id=chat_id,
        mode=mode,
        status=ACTIVE,
        started_at=now,
        state=state,
    )
    session.add(study)
    await session.flush()
    return study


async def _displace_others(
    session: AsyncSession, *, user_id: int, chat_id: int, mode: Mode, to: str, keep: int = 0
) -> None:
    rows = await session.execute(
        select(StudySession).where(
            StudySession.user_id == user_id,
            StudySession.chat_id == chat_id,
            StudySession.mode == mode,
            StudySession.status == ACTIVE,
            StudySession.id != keep,
        )
    )
    for other in rows.scalars():
        other.status = to


async def _load_for_move(
    session: AsyncSession, *, session_id: int, user_id: int, mode: Mode
) -> tuple[MoveStatus, StudySession | None]:
    """The session a button names, locked for this update, or why it may not be touched."""
    study = (
        await session.execute(
            select(StudySession).where(StudySession.id == session_id).with_for_update()
        )
    ).scalar_one_or_none()
    if study is None or study.mode != mode:
        return MoveStatus.UNKNOWN, None
    if study.user_id != user_id:
        return MoveStatus.FOREIGN, None
    if study.status == PAUSED:
        return MoveStatus.PAUSED, study
    if study.status != ACTIVE:
        return MoveStatus.STALE, study
    return MoveStatus.OK, study


async def resumable_session(
    session: AsyncSession, *, user_id: int, chat_id: int, deck_id: int, mode: Mode
) -> StudySession | None:
    """The user's newest unfinished (active or paused) session of `mode` on this deck."""
    return (
        await session.execute(
            select(StudySession)
            .where(
                StudySession.user_id == user_id,
                StudySession.chat_id == chat_id,
                StudySession.deck_id == deck_id,
                StudySession.mode == mode,
                StudySession.status.in_((ACTIVE, PAUSED)),
            )
            .order_by(StudySession.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


def _finish(study: StudySession, now: datetime, *, score: int, total: int) -> None:
    study.status = FINISHED
    study.finished_at = now
    study.score, study.total = score, total
    study.duration_ms = _ms(now - study.started_at)


# --- Flashcards ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrowseView:
    """A flashcard on screen: the session, the step its buttons carry, the card and side."""

    session_id: int
    step: int
    deck: DeckCards
    browse: BrowseState

    @property
    def card(self) -> Card:
        return self.deck.cards[self.browse.card_id]


async def start_cards(
    session: AsyncSession, *, user_id: int, chat_id: int, deck_id: int, seed: int, now: datetime
) -> BrowseView | None:
    """Browse a deck from its first card, in file order; None if it has no cards."""
    deck = await load_deck_cards(session, deck_id)
    if deck is None or not deck.cards:
        return None
    browse = BrowseState.start(deck.cards)
    study = await _open(
        session,
        user_id=user_id,
        chat_id=chat_id,
        deck_id=deck_id,
        mode="cards",
        now=now,
        state={"seed": seed, "step": 0, "shuffles": 0, "browse": browse.to_dict()},
        displace=ABANDONED,
    )
    return BrowseView(study.id, 0, deck, browse)


async def move_cards(
    session: AsyncSession,
    *,
    session_id: int,
    user_id: int,
    step: int,
    move: BrowseMove,
    now: datetime,
) -> tuple[MoveStatus, BrowseView | None]:
    """Flip, go forward or back, shuffle or go back to the first card. FSRS is not touched."""
    status, study = await _load_for_move(
        session, session_id=session_id, user_id=user_id, mode="cards"
    )
    if status is not MoveStatus.OK or study is None:
        return status, None
    state = dict(study.state or {})
    if state.get("step") != step:
        return MoveStatus.STALE, None
    deck = await load_deck_cards(session, study.deck_id)
    browse = BrowseState.from_dict(state["browse"]).retain(deck.cards if deck else ())
    if deck is None or browse is None:
        study.status = ABANDONED
        return MoveStatus.UNKNOWN, None
    if move == "flip":
        browse = browse.flip()
    elif move == "next":
        browse = browse.next()
    elif move == "prev":
        browse = browse.prev()
    elif move == "shuffle":
        state["shuffles"] = int(state.get("shuffles", 0)) + 1
        browse = browse.shuffle(_rng(int(state["seed"]), f"shuffle{state['shuffles']}"))
    elif move == "first":
        browse = browse.restart()
    else:
        raise ValueError(f"unknown browse move {move!r}")
    state["step"] = step + 1
    state["browse"] = browse.to_dict()
    study.state = state  # a new dict: JSON columns do not track in-place changes
    study.finished_at = now  # last activity, so the history shows how long browsing went on
    return MoveStatus.OK, BrowseView(study.id, step + 1, deck, browse)


# --- Learn -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearnView:
    """A Learn session after a move: the question to show (None when done) and what happened."""

    session_id: int
    deck: DeckCards
    learn: LearnSession
    asked: AskedQuestion | None
    status: str
    feedback: LearnFeedback | None = None
    answered: AskedQuestion | None = None  # the question `feedback` is about

    @property
    def progress(self) -> tuple[int, int]:
        return self.learn.progress


def _choose_learn_cards(
    deck: DeckCards, states: dict[int, CardState], size: int | None, now: datetime
) -> list[int]:
    """All cards, or the `size` least known: not studied first, then learning, then mastered."""
    ids = list(deck.cards)
    if size is None or size >= len(ids):
        return ids
    rank = {"not_studied": 0, "learning": 1, "mastered": 2}

    def level(card_id: int) -> int:
        state = states.get(card_id)
        progress = CardProgress(
            card_id,
            state.state if state else None,
            state.stability if state else None,
            state.due if state else None,
        )
        return rank[card_mastery(progress, now=now)]

    return sorted(ids, key=lambda i: (level(i), deck.cards[i].position))[:size]


def _learn_step(study: StudySession, learn: LearnSession, now: datetime) -> AskedQuestion | None:
    """Store the session, ask its next question (seeded by its number) and keep the score."""
    seed = int(study.state["seed"])
    asked = learn.next_question(_rng(seed, f"q{learn.question_no + 1}"))
    learned, total = learn.progress
    if asked is None:
        _finish(study, now, score=learned, total=total)
    else:
        study.score, study.total = learned, total
    study.state = {**study.state, "learn": learn.to_dict()}
    return asked


async def start_learn(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    deck_id: int,
    seed: int,
    now: datetime,
    size: int | None = None,
) -> LearnView | None:
    """A new Learn session over the deck (or its `size` least known cards); None if empty.

    An unfinished Learn session on the same deck is abandoned; one on another deck is paused.
    """
    deck = await load_deck_cards(session, deck_id)
    if deck is None or not deck.cards:
        return None
    old = await resumable_session(
        session, user_id=user_id, chat_id=chat_id, deck_id=deck_id, mode="learn"
    )
    if old is not None:
        old.status = ABANDONED
    states = {
        s.card_id: s
        for s in (
            await session.execute(
                select(CardState).where(CardState.user_id == user_id, CardState.deck_id == deck_id)
            )
        ).scalars()
    }
    chosen = _choose_learn_cards(deck, states, size, now)
    learn = LearnSession.start(deck.pool, _rng(seed, "start"), card_ids=chosen)
    study = await _open(
        session,
        user_id=user_id,
        chat_id=chat_id,
        deck_id=deck_id,
        mode="learn",
        now=now,
        state={"seed": seed, "size": size},
        displace=PAUSED,
    )
    asked = _learn_step(study, learn, now)
    return LearnView(study.id, deck, learn, asked, study.status)


async def _restore_learn(
    session: AsyncSession, study: StudySession
) -> tuple[DeckCards, LearnSession] | None:
    deck = await load_deck_cards(session, study.deck_id)
    if deck is None:
        return None
    learn = LearnSession.from_dict(study.state["learn"], deck.pool)
    if not learn.card_ids:  # every card of the session was deleted meanwhile
        return None
    return deck, learn


async def resume_learn(
    session: AsyncSession, *, session_id: int, user_id: int, now: datetime
) -> tuple[MoveStatus, LearnView | None]:
    """Continue a paused or active Learn session: the pending question is asked again."""
    status, study = await _load_for_move(
        session, session_id=session_id, user_id=user_id, mode="learn"
    )
    if status not in (MoveStatus.OK, MoveStatus.PAUSED) or study is None:
        return status, None
    restored = await _restore_learn(session, study)
    if restored is None:
        study.status = ABANDONED
        return MoveStatus.UNKNOWN, None
    deck, learn = restored
    await _displace_others(
        session, user_id=user_id, chat_id=study.chat_id, mode="learn", to=PAUSED, keep=study.id
    )
    study.status = ACTIVE
    asked = _learn_step(study, learn, now)
    return MoveStatus.OK, LearnView(study.id, deck, learn, asked, study.status)


async def answer_learn(
    session: AsyncSession,
    *,
    session_id: int,
    user_id: int,
    question_no: int,
    response: int | bool | str,
    now: datetime,
) -> tuple[MoveStatus, LearnView | None]:
    """Judge a response (option index, 'I knew it' bool, or typed text) and ask the next one."""
    status, study = await _load_for_move(
        session, session_id=session_id, user_id=user_id, mode="learn"
    )
    if status is not MoveStatus.OK or study is None:
        return status, None
    restored = await _restore_learn(session, study)
    if restored is None:
        study.status = ABANDONED
        return MoveStatus.UNKNOWN, None
    deck, learn = restored
    answered = learn.current
    try:
        feedback = learn.respond(question_no, response)
    except ValueError:  # a response of the wrong kind for this question: a forged button
        return MoveStatus.UNKNOWN, None
    if isinstance(feedback, StaleAnswer):
        return MoveStatus.STALE, None
    asked = _learn_step(study, learn, now)
    return MoveStatus.OK, LearnView(study.id, deck, learn, asked, study.status, feedback, answered)


async def stop_learn(
    session: AsyncSession, *, session_id: int, user_id: int, question_no: int, now: datetime
) -> tuple[MoveStatus, LearnView | None]:
    """Leave a Learn session for later: it is paused and /learn offers to continue it."""
    status, study = await _load_for_move(
        session, session_id=session_id, user_id=user_id, mode="learn"
    )
    if status is not MoveStatus.OK or study is None:
        return status, None
    restored = await _restore_learn(session, study)
    if restored is None:
        study.status = ABANDONED
        return MoveStatus.UNKNOWN, None
    deck, learn = restored
    if learn.current is None or learn.current.question_no != question_no:
        return MoveStatus.STALE, None
    study.status = PAUSED
    study.finished_at = now  # when it was left; cleared again only by finishing
    return MoveStatus.OK, LearnView(study.id, deck, learn, learn.current, study.status)


# --- Test ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestView:
    """A Test after a move: the next question (None when done), and the result once finished."""

    __test__ = False  # not a pytest class

    session_id: int
    deck: DeckCards
    test: TestSession
    asked: AskedQuestion | None
    status: str
    feedback: TestFeedback | None = None
    answered: AskedQuestion | None = None
    result: TestResult | None = None

    @property
    def position(self) -> int:
        """One-based number of the question on screen."""
        if self.asked is None:
            return self.test.total
        return self.test.questions.index(self.asked) + 1


def _test_view(
    study: StudySession,
    deck: DeckCards,
    test: TestSession,
    feedback: TestFeedback | None = None,
    answered: AskedQuestion | None = None,
) -> TestView:
    result = test.result() if test.is_finished else None
    return TestView(study.id, deck, test, test.current(), study.status, feedback, answered, result)


async def start_test(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    deck_id: int,
    seed: int,
    now: datetime,
    length: int = DEFAULT_TEST_LENGTH,
    kinds: Sequence[TestKind] = TEST_KINDS,
) -> TestView | None:
    """A new test of `length` questions of the given kinds; None if the deck has no cards."""
    deck = await load_deck_cards(session, deck_id)
    if deck is None or not deck.cards:
        return None
    old = await resumable_session(
        session, user_id=user_id, chat_id=chat_id, deck_id=deck_id, mode="test"
    )
    if old is not None:
        old.status = ABANDONED
    test = build_test(deck.pool, _rng(seed, "test"), length=length, kinds=kinds, now=now)
    study = await _open(
        session,
        user_id=user_id,
        chat_id=chat_id,
        deck_id=deck_id,
        mode="test",
        now=now,
        state={"seed": seed, "length": length, "kinds": list(kinds), "test": test.to_dict()},
        displace=PAUSED,
    )
    study.score, study.total = 0, test.total
    return _test_view(study, deck, test)


async def _restore_test(
    session: AsyncSession, study: StudySession
) -> tuple[DeckCards, TestSession] | None:
    deck = await load_deck_cards(session, study.deck_id)
    if deck is None:
        return None
    test = TestSession.from_dict(study.state["test"], deck.pool)
    return (deck, test) if test.questions else None


async def resume_test(
    session: AsyncSession, *, session_id: int, user_id: int, now: datetime
) -> tuple[MoveStatus, TestView | None]:
    """Continue an unfinished test at its first unanswered question (its clock kept running)."""
    status, study = await _load_for_move(
        session, session_id=session_id, user_id=user_id, mode="test"
    )
    if status not in (MoveStatus.OK, MoveStatus.PAUSED) or study is None:
        return status, None
    restored = await _restore_test(session, study)
    if restored is None:
        study.status = ABANDONED
        return MoveStatus.UNKNOWN, None
    await _displace_others(
        session, user_id=user_id, chat_id=study.chat_id, mode="test", to=PAUSED, keep=study.id
    )
    study.status = ACTIVE
    return MoveStatus.OK, _test_view(study, *restored)


async def answer_test(
    session: AsyncSession,
    *,
    session_id: int,
    user_id: int,
    question_no: int,
    response: int | bool | str,
    now: datetime,
) -> tuple[MoveStatus, TestView | None]:
    """Record the answer to the question on screen; the last one scores the test."""
    status, study = await _load_for_move(
        session, session_id=session_id, user_id=user_id, mode="test"
    )
    if status is not MoveStatus.OK or study is None:
        return status, None
    restored = await _restore_test(session, study)
    if restored is None:
        study.status = ABANDONED
        return MoveStatus.UNKNOWN, None
    deck, test = restored
    current = test.current()
    # Questions come one at a time: only the one on screen may be answered.
    if current is None or current.question_no != question_no:
        return MoveStatus.STALE, None
    try:
        feedback = test.answer(question_no, response, now=now)
    except ValueError:
        return MoveStatus.UNKNOWN, None
    if isinstance(feedback, StaleAnswer):
        return MoveStatus.STALE, None
    study.state = {**study.state, "test": test.to_dict()}
    result = test.result()
    if test.is_finished:
        _finish(study, now, score=result.correct, total=result.total)
    else:
        study.score, study.total = result.correct, result.total
    return MoveStatus.OK, _test_view(study, deck, test, feedback, current)


# --- Learn and Test together -----------------------------------------------------------------


async def peek_question(
    session: AsyncSession,
    *,
    session_id: int,
    user_id: int,
    mode: Literal["learn", "test"],
    question_no: int,
) -> tuple[MoveStatus, LearnView | TestView | None]:
    """The question on screen, unchanged, while `question_no` is still current (to reveal it)."""
    status, study = await _load_for_move(session, session_id=session_id, user_id=user_id, mode=mode)
    if status is not MoveStatus.OK or study is None:
        return status, None
    if mode == "learn":
        restored_learn = await _restore_learn(session, study)
        if restored_learn is None:
            return MoveStatus.UNKNOWN, None
        deck, learn = restored_learn
        if learn.current is None or learn.current.question_no != question_no:
            return MoveStatus.STALE, None
        return MoveStatus.OK, LearnView(study.id, deck, learn, learn.current, study.status)
    restored_test = await _restore_test(session, study)
    if restored_test is None:
        return MoveStatus.UNKNOWN, None
    view = _test_view(study, *restored_test)
    if view.asked is None or view.asked.question_no != question_no:
        return MoveStatus.STALE, None
    return MoveStatus.OK, view


async def restart_options(
    session: AsyncSession, *, session_id: int, user_id: int, mode: Literal["learn", "test"]
) -> tuple[MoveStatus, int | None, int, tuple[str, ...]]:
    """The deck, length and kinds of an unfinished session its owner wants to start over."""
    status, study = await _load_for_move(session, session_id=session_id, user_id=user_id, mode=mode)
    if status not in (MoveStatus.OK, MoveStatus.PAUSED) or study is None:
        return status, None, 0, ()
    state = study.state or {}
    length = int(state.get("size") or state.get("length") or 0)
    return MoveStatus.OK, study.deck_id, length, tuple(state.get("kinds") or ())


def unfinished_progress(study: StudySession) -> tuple[int, int]:
    """How far an unfinished Learn (learned, cards) or Test (answered, questions) has got."""
    if study.mode == "test":
        responses = (study.state or {}).get("test", {}).get("responses", [])
        return sum(1 for r in responses if r is not None), len(responses)
    return study.score or 0, study.total or 0


# --- typed answers (Learn and Test) ----------------------------------------------------------


@dataclass(frozen=True)
class TypedOutcome:
    """A typed message taken as the answer to a Learn or Test question."""

    mode: Mode
    message_id: int | None  # the question message, whose buttons are now spent
    learn: LearnView | None = None
    test: TestView | None = None


async def typed_answer(
    session: AsyncSession, *, user_id: int, chat_id: int, text: str, now: datetime
) -> TypedOutcome | None:
    """Answer the newest Learn/Test question waiting for a typed answer; None if none waits."""
    rows = await session.execute(
        select(StudySession)
        .where(
            StudySession.user_id == user_id,
            StudySession.chat_id == chat_id,
            StudySession.mode.in_(("learn", "test")),
            StudySession.status == ACTIVE,
        )
        .order_by(StudySession.message_id.desc(), StudySession.id.desc())
    )
    for study in rows.scalars():
        data = study.state or {}
        engine = data.get("learn") if study.mode == "learn" else data.get("test")
        asked = _pending_question(study.mode, engine)
        if asked is None or asked.question.kind != "written" or asked.question.mode != "typed":
            continue
        if study.mode == "learn":
            status, view = await answer_learn(
                session,
                session_id=study.id,
                user_id=user_id,
                question_no=asked.question_no,
                response=text,
                now=now,
            )
            if status is MoveStatus.OK:
                return TypedOutcome("learn", study.message_id, learn=view)
        else:
            status, tview = await answer_test(
                session,
                session_id=study.id,
                user_id=user_id,
                question_no=asked.question_no,
                response=text,
                now=now,
            )
            if status is MoveStatus.OK:
                return TypedOutcome("test", study.message_id, test=tview)
    return None


def _pending_question(mode: str, engine: dict[str, Any] | None) -> AskedQuestion | None:
    """The question a stored Learn/Test state is waiting on, read without the cards."""
    if not engine:
        return None
    if mode == "learn":
        current = engine.get("current")
        return AskedQuestion.from_dict(current) if current else None
    for question, response in zip(engine["questions"], engine["responses"], strict=True):
        if response is None:
            return AskedQuestion.from_dict(question)
    return None


async def set_message(session: AsyncSession, *, session_id: int, message_id: int) -> None:
    """Remember the message that shows a session's current question (or board)."""
    study = await session.get(StudySession, session_id)
    if study is not None:
        study.message_id = message_id


# --- Match -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchView:
    """A Match board after a tap; `best_ms` is the best finished time on the deck so far."""

    session_id: int
    deck: DeckCards
    game: MatchGame
    status: str
    tap: TapResult | None = None
    elapsed_ms: int | None = None
    best_ms: int | None = None
    new_best: bool = False


async def _best_match_ms(session: AsyncSession, *, user_id: int, deck_id: int) -> int | None:
    return (
        await session.execute(
            select(func.min(StudySession.duration_ms)).where(
                StudySession.user_id == user_id,
                StudySession.deck_id == deck_id,
                StudySession.mode == "match",
                StudySession.status == FINISHED,
            )
        )
    ).scalar_one_or_none()


async def start_match(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    deck_id: int,
    seed: int,
    now: datetime,
    pairs: int = 6,
) -> MatchView | None:
    """A new board, its clock started now; None if the deck has too few distinct cards."""
    deck = await load_deck_cards(session, deck_id)
    if deck is None:
        return None
    try:
        game = new_match(deck.pool, _rng(seed, "match"), pairs=pairs, now=now)
    except ValueError:
        return None
    study = await _open(
        session,
        user_id=user_id,
        chat_id=chat_id,
        deck_id=deck_id,
        mode="match",
        now=now,
        state={"seed": seed, "match": game.to_dict()},
        displace=ABANDONED,
    )
    study.score, study.total = 0, game.pairs
    best = await _best_match_ms(session, user_id=user_id, deck_id=deck_id)
    return MatchView(study.id, deck, game, study.status, best_ms=best)


async def tap_match(
    session: AsyncSession, *, session_id: int, user_id: int, tile: int, now: datetime
) -> tuple[MoveStatus, MatchView | None]:
    """One tap on a tile; the tap that completes the board records the time."""
    status, study = await _load_for_move(
        session, session_id=session_id, user_id=user_id, mode="match"
    )
    if status is not MoveStatus.OK or study is None:
        return status, None
    deck = await load_deck_cards(session, study.deck_id)
    game = MatchGame.from_dict(study.state["match"])
    if deck is None or any(t.card_id not in deck.cards for t in game.tiles):
        study.status = ABANDONED  # a card on the board was deleted: the game cannot finish
        return MoveStatus.UNKNOWN, None
    tap = game.select(tile, now)
    study.state = {**study.state, "match": game.to_dict()}
    study.score = len(game.removed) // 2
    if not game.finished:
        best = await _best_match_ms(session, user_id=user_id, deck_id=study.deck_id)
        return MoveStatus.OK, MatchView(study.id, deck, game, study.status, tap, best_ms=best)
    elapsed = _ms(game.elapsed(now))
    previous = await _best_match_ms(session, user_id=user_id, deck_id=study.deck_id)
    _finish(study, now, score=game.pairs, total=game.pairs)
    study.duration_ms = elapsed  # the game's clock: penalties included
    best = elapsed if previous is None else min(previous, elapsed)
    new_best = previous is None or elapsed < previous
    return MoveStatus.OK, MatchView(
        study.id, deck, game, study.status, tap, elapsed, best, new_best
    )


# --- Quiz ------------------------------------------------------------------------------------


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
    deck = await load_deck_cards(session, deck_id)
    if deck is None:
        return None
    try:
        questions = build_quiz(deck.pool, _rng(seed, "quiz"), length=length)
    except ValueError:
        return None
    if not questions:
        return None
    study = await _open(
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
    deck = await load_deck_cards(session, study.deck_id)
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
        _finish(study, now, score=score, total=len(answers))
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
    status, study = await _load_for_move(
        session, session_id=session_id, user_id=user_id, mode="quiz"
    )
    if status is not MoveStatus.OK or study is None:
        return status, None
    deck = await load_deck_cards(session, study.deck_id)
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
    if study is None or (poll.owner_id is not None and study.status != ACTIVE):
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
        view = _quiz_view(study, await load_deck_cards(session, study.deck_id))  # type: ignore[arg-type]
        if view.position is None or view.position + 1 != poll.question_no:
            return PollCredit(CreditStatus.STALE, poll, study)
        correct = _credit_quiz(study, poll.question_no, option, now)
    else:
        await _score_group_round(session, study=study, round_id=poll.round_id, now=now)
    return PollCredit(CreditStatus.CREDITED, poll, study, correct)


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
        _finish(study, now, score=int(right), total=int(polls))
    else:
        study.status = ACTIVE
        study.score, study.total = int(right), int(polls)


# --- spaced review ---------------------------------------------------------------------------


async def record_spaced_review(
    session: AsyncSession,
    *,
    user_id: int,
    deck_id: int,
    chat_id: int,
    remembered: bool,
    now: datetime,
) -> StudySession:
    """Count one spaced-review grade in the user's current spaced session on the deck.

    Grades less than SPACED_GAP apart form one session; `total` counts cards reviewed, `score`
    those not graded Again. The row is finished as it goes (there is no end button), with
    `finished_at` at the latest grade.
    """
    study = (
        await session.execute(
            select(StudySession)
            .where(
                StudySession.user_id == user_id,
                StudySession.deck_id == deck_id,
                StudySession.mode == "spaced",
                StudySession.finished_at >= now - SPACED_GAP,
            )
            .order_by(StudySession.finished_at.desc())
            .limit(1)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if study is None:
        study = StudySession(
            user_id=user_id,
            deck_id=deck_id,
            chat_id=chat_id,
            mode="spaced",
            status=FINISHED,
            started_at=now,
            score=0,
            total=0,
        )
        session.add(study)
    study.score = (study.score or 0) + int(remembered)
    study.total = (study.total or 0) + 1
    study.finished_at = now
    study.duration_ms = _ms(now - study.started_at)
    await session.flush()
    return study


async def unrecord_spaced_review(
    session: AsyncSession, *, user_id: int, deck_id: int, reviewed_at: datetime, remembered: bool
) -> None:
    """Take an undone grade back out of the spaced session it was counted in."""
    study = (
        await session.execute(
            select(StudySession)
            .where(
                StudySession.user_id == user_id,
                StudySession.deck_id == deck_id,
                StudySession.mode == "spaced",
                StudySession.started_at <= reviewed_at,
                StudySession.finished_at >= reviewed_at,
            )
            .order_by(StudySession.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if study is None:
        return  # graded before sessions were recorded
    study.total = max(0, (study.total or 0) - 1)
    study.score = max(0, (study.score or 0) - int(remembered))
    if study.total == 0:
        await session.delete(study)


# --- the progress table ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressRow:
    """One person's line in a deck's progress table.

    `learn` is the latest Learn session's (learned, total); `test_percent` the latest finished
    Test; `match_ms` the best finished Match time; `spaced_reviews` the spaced-review grades
    given (undone ones excluded); `quiz` the latest quiz's (right, total), for callers that
    show it. None means the person has not done that mode on this deck.
    """

    user_id: int
    name: str
    mastery: Mastery
    learn: tuple[int, int] | None
    test_percent: int | None
    match_ms: int | None
    spaced_reviews: int
    quiz: tuple[int, int] | None
    last_studied: datetime


@dataclass
class _Person:
    sessions: list[StudySession] = field(default_factory=list)
    reviews: int = 0
    last_review: datetime | None = None


def _percent(score: int, total: int) -> int:
    return (200 * score + total) // (2 * total) if total else 0  # half up, as Test scores


def _practised(person: _Person, deck: DeckCards) -> set[int]:
    """Cards learned in Learn or answered right in a Test: they count as studied for mastery."""
    practised: set[int] = set()
    for study in person.sessions:
        state = study.state or {}
        try:
            if study.mode == "learn" and "learn" in state:
                practised.update(LearnSession.from_dict(state["learn"], deck.pool).learned_ids())
            elif study.mode == "test" and "test" in state:
                test = TestSession.from_dict(state["test"], deck.pool)
                wrong = {w.question_no for w in test.result().wrong}
                practised.update(
                    q.question.card_id for q in test.questions if q.question_no not in wrong
                )
        except (KeyError, ValueError):  # a state from an older format: skip, do not fail
            continue
    return practised


async def progress_rows(
    session: AsyncSession, *, deck_id: int, user_ids: Collection[int] | None, now: datetime
) -> list[ProgressRow]:
    """One row per person who studied the deck (Learn, Test, Match, Quiz or spaced review).

    `user_ids` limits the rows to those people (a private chat passes its user, a group its
    members); None means everyone. Rows are ordered by mastery, then most recent study.
    """
    if user_ids is not None and not user_ids:
        return []
    deck = await load_deck_cards(session, deck_id)
    if deck is None:
        return []
    wanted = list(user_ids) if user_ids is not None else None
    session_query = select(StudySession).where(
        StudySession.deck_id == deck_id, StudySession.mode.in_(TABLE_MODES)
    )
    review_query = (
        select(ReviewLog.user_id, func.count(), func.max(ReviewLog.reviewed_at))
        .where(ReviewLog.deck_id == deck_id, ReviewLog.undone.is_(False))
        .group_by(ReviewLog.user_id)
    )
    if wanted is not None:
        session_query = session_query.where(StudySession.user_id.in_(wanted))
        review_query = review_query.where(ReviewLog.user_id.in_(wanted))
    people: dict[int, _Person] = {}
    for study in (await session.execute(session_query.order_by(StudySession.id))).scalars():
        people.setdefault(study.user_id, _Person()).sessions.append(study)
    for user_id, count, last in (await session.execute(review_query)).all():
        person = people.setdefault(user_id, _Person())
        person.reviews, person.last_review = int(count), last
    if not people:
        return []
    ids = list(people)
    names = {
        u.id: u.first_name or u.username or ""
        for u in (await session.execute(select(User).where(User.id.in_(ids)))).scalars()
    }
    states: dict[int, dict[int, CardState]] = {}
    for state in (
        await session.execute(
            select(CardState).where(CardState.deck_id == deck_id, CardState.user_id.in_(ids))
        )
    ).scalars():
        states.setdefault(state.user_id, {})[state.card_id] = state
    rows = [
        _row(user_id, names.get(user_id) or f"User {user_id}", person, states, deck, now)
        for user_id, person in people.items()
    ]
    rows.sort(key=lambda r: (-r.mastery.percent, -r.last_studied.timestamp(), r.name))
    return rows


def _row(
    user_id: int,
    name: str,
    person: _Person,
    states: dict[int, dict[int, CardState]],
    deck: DeckCards,
    now: datetime,
) -> ProgressRow:
    mine = states.get(user_id, {})
    progress = [
        CardProgress(
            card_id,
            mine[card_id].state if card_id in mine else None,
            mine[card_id].stability if card_id in mine else None,
            mine[card_id].due if card_id in mine else None,
        )
        for card_id in deck.cards
    ]
    mastery = deck_mastery(progress, now=now, practised_ids=_practised(person, deck))

    def latest(mode: str, *, finished: bool = False) -> StudySession | None:
        found = [
            s
            for s in person.sessions
            if s.mode == mode and (s.status == FINISHED or not finished) and s.total
        ]
        return max(found, key=lambda s: (s.started_at, s.id), default=None)

    learn = latest("learn")
    test = latest("test", finished=True)
    quiz = latest("quiz")
    match_times = [
        s.duration_ms
        for s in person.sessions
        if s.mode == "match" and s.status == FINISHED and s.duration_ms is not None
    ]
    moments = [m for s in person.sessions for m in (s.started_at, s.finished_at) if m is not None]
    if person.last_review is not None:
        moments.append(person.last_review)
    return ProgressRow(
        user_id=user_id,
        name=name,
        mastery=mastery,
        learn=(learn.score or 0, learn.total or 0) if learn else None,
        test_percent=_percent(test.score or 0, test.total or 0) if test else None,
        match_ms=min(match_times) if match_times else None,
        spaced_reviews=person.reviews,
        quiz=(quiz.score or 0, quiz.total or 0) if quiz else None,
        last_studied=max(moments) if moments else now,
    )
