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

Modules: common (what every mode shares), browse, learn, exam (Test), practice (Learn and
Test together), match, quiz, begin (a new session in any mode), spaced, progress.
"""

from __future__ import annotations

from bot.services.study.begin import Begun, begin_mode, start_session
from bot.services.study.browse import (
    BROWSE_MOVES,
    BrowseMove,
    BrowseView,
    move_cards,
    start_cards,
)
from bot.services.study.common import (
    ABANDONED,
    ACTIVE,
    FINISHED,
    PAUSED,
    DeckCards,
    Mode,
    MoveStatus,
    enrolled_deck,
    load_deck_cards,
    plain_card,
    resumable_session,
    set_message,
)
from bot.services.study.exam import (
    DEFAULT_TEST_LENGTH,
    MAX_TEST_LENGTH,
    TestView,
    answer_test,
    resume_test,
    start_test,
)
from bot.services.study.learn import (
    LearnView,
    answer_learn,
    resume_learn,
    start_learn,
    stop_learn,
)
from bot.services.study.match import (
    MatchView,
    start_match,
    tap_match,
)
from bot.services.study.practice import (
    TypedOutcome,
    peek_question,
    restart_options,
    typed_answer,
    unfinished_progress,
)
from bot.services.study.progress import (
    TABLE_MODES,
    ProgressRow,
    practised_card_ids,
    progress_rows,
)
from bot.services.study.quiz import (
    DEFAULT_QUIZ_LENGTH,
    MAX_QUIZ_LENGTH,
    CreditStatus,
    PollCredit,
    QuizView,
    answer_quiz,
    quiz_view,
    record_poll_answer,
    register_quiz_poll,
    start_quiz,
)
from bot.services.study.spaced import (
    SPACED_GAP,
    record_spaced_review,
    unrecord_spaced_review,
)

__all__ = [
    "ABANDONED",
    "ACTIVE",
    "BROWSE_MOVES",
    "DEFAULT_QUIZ_LENGTH",
    "DEFAULT_TEST_LENGTH",
    "FINISHED",
    "MAX_QUIZ_LENGTH",
    "MAX_TEST_LENGTH",
    "PAUSED",
    "SPACED_GAP",
    "TABLE_MODES",
    "Begun",
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
    "begin_mode",
    "enrolled_deck",
    "load_deck_cards",
    "move_cards",
    "peek_question",
    "plain_card",
    "practised_card_ids",
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
    "start_session",
    "start_test",
    "stop_learn",
    "tap_match",
    "typed_answer",
    "unfinished_progress",
    "unrecord_spaced_review",
]
