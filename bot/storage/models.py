"""Database tables. The database is the source of truth for who studies what, and when."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    UniqueConstraint,
    false,
)
from sqlmodel import Field, SQLModel

from bot.storage.types import UTCDateTime

__all__ = [
    "Card",
    "CardState",
    "Conversation",
    "Deck",
    "DeckFolder",
    "Enrolment",
    "Group",
    "GroupMember",
    "GroupPost",
    "GroupPostGrade",
    "HandledUpdate",
    "ImportedReview",
    "Job",
    "Media",
    "PendingImport",
    "QuizAnswer",
    "QuizPoll",
    "ReviewLog",
    "StudySession",
    "User",
]


def _utc(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


class User(SQLModel, table=True):
    """A person in a private chat with the bot; the id is their Telegram user id."""

    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_push_due", "next_push_at"),
        Index("ix_users_fit_due", "next_fit_at"),
    )

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    first_name: str = ""
    username: str | None = None
    timezone: str = "UTC"
    review_minute: int = 540  # minutes after local midnight
    new_cards_per_day: int = 20
    desired_retention: float = 0.9
    # Lapses that make a card a leech (bot.core.leeches); 0 = leeches are never suspended.
    leech_threshold: int = Field(default=8, sa_column_kwargs={"server_default": "8"})
    paused: bool = False
    blocked: bool = False
    # The next UTC instant the timetable should consider pushing; NULL = never (paused etc.).
    next_push_at: datetime | None = _utc(default=None, nullable=True)
    last_push_on: date | None = None  # local date of the last push
    created_at: datetime = _utc()
    # The private message offering a review card not yet graded (Show answer or the grades),
    # so a newer message showing a card can settle it: one card open in one message at a time.
    review_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    review_card_id: int | None = None
    # The newest private message of theirs whose effect is stored (/undo, a typed answer):
    # Telegram hands a message out again after a crash, and it must not apply twice.
    handled_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    # FSRS parameters fitted to this learner's reviews (bot.core.fitting); NULL = defaults.
    # With them: when, from how many reviews, and the log loss of the parameters they
    # replaced and their own on those reviews.
    fsrs_parameters: list[float] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True))
    )
    fsrs_fitted_at: datetime | None = _utc(default=None, nullable=True)
    fsrs_fit_reviews: int | None = None
    fsrs_log_loss_before: float | None = None
    fsrs_log_loss_after: float | None = None
    # When the timetable next tries a fit (claimed by moving it on); NULL = once there is
    # enough data.
    next_fit_at: datetime | None = _utc(default=None, nullable=True)


class Deck(SQLModel, table=True):
    """A deck: bundled (a file in decks/, no owner) or a learner's own (imported or typed).

    A learner's deck has the slug `~<id>`: `~` is never in a bundled slug nor in a deep-link
    payload, so the two kinds cannot collide and `/start <slug>` can never reach a private deck.
    `retired` means the file left decks/ (bundled) or the owner deleted it (owned).
    """

    __tablename__ = "decks"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=64)
    title: str
    description: str = ""
    retired: bool = False
    updated_at: datetime = _utc()
    owner_id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger,
            ForeignKey("users.id", name="fk_decks_owner_id_users"),
            nullable=True,
            index=True,
        ),
    )
    source: str = Field(default="bundled", max_length=16)  # bot.services.owned_decks.DeckSource
    # The deep-link code that opens the deck for others; NULL = not shared.
    share_code: str | None = Field(default=None, unique=True, index=True, max_length=64)


class DeckFolder(SQLModel, table=True):
    """The newest deck folder loaded: an older copy (a replica left from the last deploy)
    is never loaded over it, so it cannot retire the cards a newer folder added."""

    __tablename__ = "deck_folders"

    name: str = Field(primary_key=True, max_length=32)  # "bundled": the one catalogue
    modified_at: datetime = _utc()  # bot.core.deck_format.deck_folder_modified
    loaded_at: datetime = _utc()


class Card(SQLModel, table=True):
    """One question/answer card; `key` is its stable identity inside the deck.

    Bundled cards keep the file's key; imported ones `x:<source key>` (or `h:<hash>` when long)
    with the source's own key in `external_key`; typed ones `t:<random>`.
    `text_format` says how question/answer are written: "markup" (deck files, typed cards) or
    "html" (Telegram HTML made by the importers); bot.core.card_text renders either.
    Media lists hold {"sha256", "kind" (image|sound), "name"} per file, shown in order.
    """

    __tablename__ = "cards"
    __table_args__ = (UniqueConstraint("deck_id", "key", name="uq_cards_deck_key"),)

    id: int | None = Field(default=None, primary_key=True)
    deck_id: int = Field(foreign_key="decks.id", index=True)
    key: str = Field(max_length=64)
    position: int
    question: str
    answer: str
    retired: bool = False
    kind: str = Field(default="basic", max_length=16)  # basic | reversed | cloze | typed
    text_format: str = Field(default="markup", max_length=8)  # markup | html
    typed_answer: str | None = None  # what a "type the answer" card expects, plain text
    tags: str = ""  # space-separated, as Anki keeps them
    question_media: list[dict] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    answer_media: list[dict] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    note_key: str | None = Field(default=None, max_length=255)  # e.g. the Anki note GUID
    external_key: str | None = Field(default=None, max_length=255)  # set on imported cards only


class Enrolment(SQLModel, table=True):
    """A user studying a deck; leaving keeps the row (and the history) with active=False."""

    __tablename__ = "enrolments"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    deck_id: int = Field(foreign_key="decks.id", primary_key=True)
    active: bool = True
    enrolled_at: datetime = _utc()


class CardState(SQLModel, table=True):
    """A user's FSRS memory state for one card; no row means the card is still new."""

    __tablename__ = "card_states"
    __table_args__ = (Index("ix_card_states_user_due", "user_id", "due"),)

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    card_id: int = Field(foreign_key="cards.id", primary_key=True)
    deck_id: int = Field(foreign_key="decks.id", index=True)
    state: int  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime = _utc()
    last_review: datetime | None = _utc(default=None, nullable=True)
    reps: int = 0  # successful grade count; doubles as the card's version for stale buttons
    lapses: int = 0
    # Left out of reviews, pushes and group posts: a leech (or suspended in Anki before import).
    suspended: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class ReviewLog(SQLModel, table=True):
    """One grade, with the state before and after so it can be undone or replayed."""

    __tablename__ = "review_logs"
    __table_args__ = (Index("ix_review_logs_user_time", "user_id", "reviewed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    card_id: int = Field(foreign_key="cards.id", index=True)
    deck_id: int = Field(foreign_key="decks.id")
    rating: int
    reviewed_at: datetime = _utc()
    duration_ms: int | None = None
    state_before: dict | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    state_after: dict = Field(sa_column=Column(JSON, nullable=False))
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    undone: bool = False


class ImportedReview(SQLModel, table=True):
    """One past answer brought in with an imported deck (an Anki revlog row) for its importer.

    Kept apart from review_logs, which holds grades given here: those count for today's
    limits and streaks and can be undone; these are history (and data for fitting FSRS).
    """

    __tablename__ = "imported_reviews"
    __table_args__ = (
        UniqueConstraint("user_id", "card_id", "reviewed_at", name="uq_imported_reviews_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    card_id: int = Field(foreign_key="cards.id", index=True)
    deck_id: int = Field(foreign_key="decks.id")
    reviewed_at: datetime = _utc()
    rating: int  # 1 Again … 4 Easy; 0 for a manual reschedule
    kind: str = Field(max_length=16)  # learn | review | relearn | filtered | manual | rescheduled
    interval_days: float = 0.0
    duration_ms: int | None = None


class Media(SQLModel, table=True):
    """A media file by content: stored once per sha256, uploaded to Telegram once."""

    __tablename__ = "media"

    sha256: str = Field(primary_key=True, max_length=64)
    mime: str = Field(max_length=100)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # Telegram's file_id after the first upload; later sends reuse it.
    telegram_file_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = _utc()


class PendingImport(SQLModel, table=True):
    """A file a learner sent, kept from its preview until they press Import or Cancel.

    The raw bytes are kept (not only Telegram's file_id): any process can re-read them after a
    restart without another download, and the separators chosen in the preview re-parse them.
    `status` moves once from "pending" to "imported" or "cancelled" (then `data` is emptied);
    rows past `expires_at` are deleted when the next file arrives.
    """

    __tablename__ = "pending_imports"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    file_name: str = Field(max_length=255)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="pending", max_length=16)  # pending | imported | cancelled
    # Quizlet separators or a CSV delimiter the learner chose in the preview; NULL = detect.
    term_separator: str | None = Field(default=None, max_length=8)
    row_separator: str | None = Field(default=None, max_length=8)
    delimiter: str | None = Field(default=None, max_length=4)
    deck_id: int | None = None  # the deck the import made or updated
    created_at: datetime = _utc()
    expires_at: datetime = _utc()


class StudySession(SQLModel, table=True):
    """One study session in any mode; `state` holds a running session so restarts lose nothing."""

    __tablename__ = "study_sessions"
    __table_args__ = (Index("ix_study_sessions_user_deck", "user_id", "deck_id", "mode"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    deck_id: int = Field(foreign_key="decks.id")
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    mode: str = Field(max_length=16)  # spaced | learn | test | match | quiz | cards
    status: str = Field(default="active", max_length=16)  # active | finished | abandoned
    started_at: datetime = _utc()
    finished_at: datetime | None = _utc(default=None, nullable=True)
    score: int | None = None
    total: int | None = None
    duration_ms: int | None = None
    message_id: int | None = None
    state: dict | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))


class QuizPoll(SQLModel, table=True):
    """A native quiz poll the bot sent, so each `poll_answer` can be credited to its sender."""

    __tablename__ = "quiz_polls"

    poll_id: str = Field(primary_key=True, max_length=64)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    round_id: str = Field(index=True, max_length=36)  # one /quiz = one round of polls
    owner_id: int | None = Field(default=None, sa_column=Column(BigInteger))  # private quiz
    deck_id: int = Field(foreign_key="decks.id")
    card_id: int = Field(foreign_key="cards.id")
    question_no: int
    correct_option: int
    created_at: datetime = _utc()


class QuizAnswer(SQLModel, table=True):
    """One person's answer to one quiz poll (Telegram allows one vote per quiz poll)."""

    __tablename__ = "quiz_answers"

    poll_id: str = Field(foreign_key="quiz_polls.poll_id", primary_key=True, max_length=64)
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    option: int
    correct: bool
    answered_at: datetime = _utc()


class Group(SQLModel, table=True):
    """A Telegram group studying one deck together; the id is the group's chat id."""

    __tablename__ = "groups"
    __table_args__ = (Index("ix_groups_post_due", "next_post_at"),)

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    title: str = ""
    deck_id: int | None = Field(default=None, foreign_key="decks.id")
    timezone: str = "UTC"
    post_minute: int = 540  # minutes after local midnight
    cards_per_post: int = 3
    paused: bool = False
    active: bool = True  # the bot is a member of the group
    can_post: bool = True  # the bot may send messages there
    # The next UTC instant the timetable should consider posting; NULL = not scheduled.
    next_post_at: datetime | None = _utc(default=None, nullable=True)
    last_post_on: date | None = None  # local date of the last daily post
    created_at: datetime = _utc()


class GroupMember(SQLModel, table=True):
    """Someone who studied in a group; their user id links group and private study."""

    __tablename__ = "group_members"

    chat_id: int = Field(
        sa_column=Column(
            BigInteger, ForeignKey("groups.chat_id"), primary_key=True, autoincrement=False
        )
    )
    user_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("users.id"), primary_key=True, autoincrement=False)
    )
    first_seen: datetime = _utc()
    last_seen: datetime = _utc()


class GroupPost(SQLModel, table=True):
    """One card of a daily group post; `message_id` is NULL until Telegram has it."""

    __tablename__ = "group_posts"
    __table_args__ = (
        Index("ix_group_posts_chat_day", "chat_id", "posted_on"),
        Index("ix_group_posts_edited", "last_edit_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, ForeignKey("groups.chat_id"), nullable=False))
    message_id: int | None = None
    deck_id: int = Field(foreign_key="decks.id")
    card_id: int = Field(foreign_key="cards.id")
    number: int  # 1..total within the day's post
    total: int
    posted_on: date  # the group's local date
    created_at: datetime = _utc()
    graded_count: int = 0  # members who graded it
    shown_count: int = 0  # the count the message currently shows
    last_edit_at: datetime | None = _utc(default=None, nullable=True)


class GroupPostGrade(SQLModel, table=True):
    """A member's one grade of one group post: the key makes a second press a no-op."""

    __tablename__ = "group_post_grades"

    post_id: int = Field(foreign_key="group_posts.id", primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    rating: int
    graded_at: datetime = _utc()


class Conversation(SQLModel, table=True):
    """What a learner's next message in private chat is for: an /add question or answer, a
    new side for ✏️ Edit, a deck's new title, or a pasted list waiting for Save.

    One row per user, kept in the database so a restart loses nothing. `kind` NULL means
    nothing is pending; `draft` grows with every step, so a Save button of an older
    preview is told apart from the current one.
    """

    __tablename__ = "conversations"

    user_id: int = Field(
        sa_column=Column(
            BigInteger,
            ForeignKey("users.id", name="fk_conversations_user_id_users"),
            primary_key=True,
            autoincrement=False,
        )
    )
    kind: str | None = Field(default=None, max_length=32)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    draft: int = 0
    updated_at: datetime = _utc()


class HandledUpdate(SQLModel, table=True):
    """An update_id a webhook process took: Telegram may deliver an update twice, to any
    process; a second delivery of a done one is skipped. Pruned after a day."""

    __tablename__ = "handled_updates"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    # When a process took it; a take older than the lease (that process died) may be retaken.
    taken_at: datetime = _utc(index=True)
    done: bool = False


class Job(SQLModel, table=True):
    """Long work an update asked for (reading a sent deck file, saving an import), done by any
    process's job worker after the update was answered (bot.services.jobs).

    A claim is a lease: `attempts` counts claims and `leased_until` ends this one, so a job whose
    process died is claimed again once it runs out. Jobs of one chat run oldest first, one at a
    time. Finished rows (`finished_at` set; `outcome` "done" or "gave_up") are pruned after a day.
    """

    __tablename__ = "jobs"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    attempts: int = 0
    run_after: datetime = _utc()  # not claimed before: its creation, or a retry's backoff
    leased_until: datetime | None = _utc(default=None, nullable=True)
    created_at: datetime = _utc()
    finished_at: datetime | None = _utc(default=None, nullable=True, index=True)
    outcome: str | None = Field(default=None, max_length=16)
    last_error: str | None = Field(default=None, max_length=500)
