"""Group study: a group's setup, its daily post, members grading it, and group upgrades.

Decisions the timetable and handlers rely on:

* A group is scheduled (``next_post_at`` set) only while the bot is a member, may post, is not
  paused and has a deck. The next instant is stored like ``users.next_push_at``, so a sweep is
  an indexed query and a restart loses nothing; ``last_post_on`` (the group's local date) makes
  the post at most once per local day.
* A change of setup (deck, time, timezone, resume) never posts at once: the next post is
  today's time if it is still ahead and nothing was posted today, else tomorrow's. So a group
  set up at noon with the default 09:00 first posts tomorrow, and one whose admin then sets
  `/time 18:00` posts today at 18:00. A post time that passed while the bot was down is
  caught up when it comes back (`DailySlot.day_of`).
* Grading a group post reviews that card for the member *now*, even if it is not due for them
  yet (FSRS handles early reviews), and at most once per post (``group_post_grades``'s key,
  with ``grade_card``'s version check behind it). The first press enrols the member in the
  group's deck (re-activating an enrolment they had left: grading is an explicit choice).
  ``/undo`` of that grade withdraws it from the post too, so the member may grade it again.
* A member first met in a group gets a ``users`` row marked ``blocked``: the bot may not
  message someone who never opened a private chat with it. ``/start`` in private unblocks them
  as it does for anyone, and from then on their private pushes include the group's deck.
* The live "graded by N" count is edited at most once per post per ``EDIT_INTERVAL``; a count
  that changed meanwhile is flushed by the next sweep (``stale_counts``).
"""

from __future__ import annotations

import enum
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fsrs import Scheduler
from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.group_rotation import CardCoverage, choose_group_cards
from bot.core.localtime import DailySlot, local_day_start
from bot.core.srs import Grade
from bot.core.study import build_quiz, fits_quiz_poll
from bot.services.decks import deck_cards
from bot.services.group_grades import record_post_grade
from bot.services.review import GradeStatus, grade_card
from bot.services.study import load_deck_cards
from bot.services.users import UserDefaults, enrol, ensure_user, reschedule
from bot.storage.models import (
    Card,
    CardState,
    Deck,
    Group,
    GroupMember,
    GroupPost,
    GroupPostGrade,
    QuizAnswer,
    QuizPoll,
    ReviewLog,
    StudySession,
    User,
)
from bot.storage.queries import due_by

__all__ = [
    "DEFAULT_CARDS_PER_POST",
    "EDIT_INTERVAL",
    "MAX_CARDS_PER_POST",
    "BotMembership",
    "GroupGradeOutcome",
    "GroupGradeStatus",
    "GroupPostDue",
    "PostView",
    "QuizQuestion",
    "bot_membership_changed",
    "claim_count_edit",
    "claim_due_group_posts",
    "confirm_group_post",
    "disable_posting",
    "ensure_group",
    "ensure_member",
    "grade_group_post",
    "group_by_id",
    "group_member_ids",
    "group_quiz_questions",
    "last_quiz_at",
    "mark_post_sent",
    "migrate_group",
    "post_in_chat",
    "post_view",
    "reachable_users",
    "release_group_post",
    "reschedule_group",
    "set_cards_per_post",
    "set_group_deck",
    "set_group_paused",
    "set_group_time",
    "set_group_timezone",
    "stale_counts",
    "store_quiz_polls",
]

DEFAULT_CARDS_PER_POST = 3
MAX_CARDS_PER_POST = 5
# Telegram allows a group 20 messages a minute, edits included: with at most five posts a day
# and one count edit per post per 30 s, a busy group stays well inside that.
EDIT_INTERVAL = timedelta(seconds=30)
# How long a claimed daily post waits for its sender before another sweep may send it.
DEFAULT_LEASE = timedelta(minutes=5)
# Counts left stale by throttling are flushed if the post was edited within this window; a
# press on an older post edits at once, since its last edit is long past the interval.
_FLUSH_WINDOW = timedelta(hours=1)


async def group_by_id(session: AsyncSession, *, chat_id: int) -> Group | None:
    return await session.get(Group, chat_id)


def post_slot(group: Group) -> DailySlot:
    """The group's daily post: its time in its zone, off unless it can post a deck."""
    return DailySlot(
        ZoneInfo(group.timezone),
        group.post_minute,
        group.last_post_on,
        active=group.active and group.can_post and not group.paused and group.deck_id is not None,
    )


def reschedule_group(group: Group, now: datetime) -> None:
    """Recompute when the timetable next considers this group (`DailySlot.next_at`)."""
    group.next_post_at = post_slot(group).next_at(now)


async def ensure_group(
    session: AsyncSession, *, chat_id: int, title: str, now: datetime, defaults: UserDefaults
) -> Group:
    """The group row, created on first contact with the defaults new users get."""
    group = await session.get(Group, chat_id)
    if group is None:
        group = Group(
            chat_id=chat_id,
            title=title,
            timezone=defaults.timezone,
            post_minute=defaults.review_minute,
            cards_per_post=DEFAULT_CARDS_PER_POST,
            created_at=now,
        )
        session.add(group)
        await session.flush()
    elif title and group.title != title:
        group.title = title
    return group


class BotMembership(enum.Enum):
    """What a change of the bot's own membership means for the group."""

    JOINED = "joined"
    LEFT = "left"
    RIGHTS_LOST = "rights_lost"
    RIGHTS_BACK = "rights_back"
    UNCHANGED = "unchanged"


async def bot_membership_changed(
    session: AsyncSession,
    *,
    chat_id: int,
    title: str,
    is_member: bool,
    can_post: bool,
    now: datetime,
    defaults: UserDefaults,
) -> BotMembership:
    """Record the bot joining, leaving or losing/regaining the right to post."""
    group = await session.get(Group, chat_id)
    if group is None and not is_member:
        return BotMembership.UNCHANGED
    created = group is None
    group = await ensure_group(session, chat_id=chat_id, title=title, now=now, defaults=defaults)
    was_member, could_post = (False, False) if created else (group.active, group.can_post)
    group.active, group.can_post = is_member, is_member and can_post
    reschedule_group(group, now)
    if is_member and not was_member:
        return BotMembership.JOINED
    if was_member and not is_member:
        return BotMembership.LEFT
    if is_member and could_post and not can_post:
        return BotMembership.RIGHTS_LOST
    if is_member and not could_post and can_post:
        return BotMembership.RIGHTS_BACK
    return BotMembership.UNCHANGED


def set_group_deck(group: Group, *, deck: Deck, now: datetime) -> None:
    group.deck_id = deck.id
    reschedule_group(group, now)


def set_group_time(group: Group, *, minute: int, now: datetime) -> None:
    group.post_minute = minute
    reschedule_group(group, now)


def set_group_timezone(group: Group, *, zone: str, now: datetime) -> None:
    group.timezone = zone
    reschedule_group(group, now)


def set_cards_per_post(group: Group, *, count: int) -> None:
    if not 1 <= count <= MAX_CARDS_PER_POST:
        raise ValueError(f"cards per post must be between 1 and {MAX_CARDS_PER_POST}")
    group.cards_per_post = count


def set_group_paused(group: Group, *, paused: bool, now: datetime) -> bool:
    """Pause or resume the daily post; returns whether anything changed.

    Resuming also re-enables posting after a loss of rights: an admin resuming says the
    rights are back, and the next failed post would disable it again.
    """
    changed = group.paused != paused or (not paused and not group.can_post)
    group.paused = paused
    if not paused:
        group.can_post = True
    reschedule_group(group, now)
    return changed


async def disable_posting(session: AsyncSession, *, chat_id: int, still_member: bool) -> bool:
    """The bot was removed (still_member False) or may no longer post: stop the schedule.

    Returns whether this changed anything, so admins are told once, not on every failure.
    """
    flag = Group.can_post if still_member else Group.active
    result = await session.execute(
        update(Group)
        .where(Group.chat_id == chat_id, flag.is_(True))
        .values({flag: False, Group.next_post_at: None})
    )
    return result.rowcount == 1


# --- members ------------------------------------------------------------------------------


async def ensure_member(
    session: AsyncSession,
    *,
    chat_id: int,
    user_id: int,
    first_name: str,
    username: str | None,
    now: datetime,
    defaults: UserDefaults,
) -> User:
    """The user row for someone acting in a group, and their membership of it.

    The group row must exist. A person first met here is marked blocked (see module notes).
    """
    user, created = await ensure_user(
        session,
        user_id=user_id,
        first_name=first_name,
        username=username,
        now=now,
        defaults=defaults,
    )
    if created:
        user.blocked = True
        reschedule(user, now)
        await session.flush()
    member = await session.get(GroupMember, (chat_id, user_id))
    if member is None:
        session.add(GroupMember(chat_id=chat_id, user_id=user_id, first_seen=now, last_seen=now))
        await session.flush()
    else:
        member.last_seen = now
    return user


async def group_member_ids(session: AsyncSession, *, chat_id: int) -> list[int]:
    """Everyone known to have studied in the group: graded, answered a quiz, or used a command."""
    members = select(GroupMember.user_id).where(GroupMember.chat_id == chat_id)
    quiz_takers = (
        select(QuizAnswer.user_id)
        .join(QuizPoll, QuizPoll.poll_id == QuizAnswer.poll_id)
        .where(QuizPoll.chat_id == chat_id, QuizPoll.owner_id.is_(None))
    )
    rows = await session.execute(members.union(quiz_takers))
    return sorted(rows.scalars())


async def reachable_users(session: AsyncSession, *, user_ids: Sequence[int]) -> list[int]:
    """Those of `user_ids` the bot may message privately (they started it and did not block it)."""
    if not user_ids:
        return []
    rows = await session.execute(
        select(User.id)
        .where(User.id.in_(list(user_ids)), User.blocked.is_(False))
        .order_by(User.id)
    )
    return list(rows.scalars())


# --- the daily post -----------------------------------------------------------------------


@dataclass(frozen=True)
class PostView:
    """Everything needed to render one group post."""

    post_id: int
    chat_id: int
    message_id: int | None
    deck_title: str
    number: int
    total: int
    question: str  # in `text_format`
    answer: str
    graded: int
    text_format: str = "markup"  # markup | html (bot.core.card_text)


@dataclass(frozen=True)
class GroupPostDue:
    """A group whose daily post is due, with the posts still to send."""

    chat_id: int
    title: str
    posts: list[PostView]


def _group_day_end(group: Group, now: datetime) -> datetime:
    return local_day_start(now, ZoneInfo(group.timezone), days=1)


async def _coverage(
    session: AsyncSession, group: Group, cards: Sequence[Card], now: datetime
) -> tuple[list[CardCoverage], int]:
    members = select(GroupMember.user_id).where(GroupMember.chat_id == group.chat_id)
    member_count = (
        await session.execute(select(func.count()).select_from(members.subquery()))
    ).scalar_one()
    known = {
        card_id: (int(due or 0), studied, int(suspended or 0))
        for card_id, due, studied, suspended in (
            await session.execute(
                select(
                    CardState.card_id,
                    # Due today in the group's zone counts, as for private review.
                    func.sum(case((due_by(now, _group_day_end(group, now)), 1), else_=0)),
                    func.count(),
                    func.sum(case((CardState.suspended.is_(True), 1), else_=0)),
                )
                .where(CardState.deck_id == group.deck_id, CardState.user_id.in_(members))
                .group_by(CardState.card_id)
            )
        ).all()
    }
    posted = dict(
        (
            await session.execute(
                select(GroupPost.card_id, func.max(GroupPost.posted_on))
                .where(GroupPost.chat_id == group.chat_id, GroupPost.message_id.is_not(None))
                .group_by(GroupPost.card_id)
            )
        ).all()
    )
    coverage = [
        CardCoverage(
            card_id=card.id,
            position=card.position,
            due_members=known.get(card.id, (0, 0, 0))[0],
            studied_members=known.get(card.id, (0, 0, 0))[1],
            suspended_members=known.get(card.id, (0, 0, 0))[2],
            last_posted_on=posted.get(card.id),
        )
        for card in cards
    ]
    return coverage, member_count


async def _views(session: AsyncSession, posts: Sequence[GroupPost]) -> list[PostView]:
    if not posts:
        return []
    cards = {
        c.id: c
        for c in (
            await session.execute(select(Card).where(Card.id.in_([p.card_id for p in posts])))
        ).scalars()
    }
    decks = {
        d.id: d
        for d in (
            await session.execute(select(Deck).where(Deck.id.in_({p.deck_id for p in posts})))
        ).scalars()
    }
    return [
        PostView(
            post_id=p.id,
            chat_id=p.chat_id,
            message_id=p.message_id,
            deck_title=decks[p.deck_id].title,
            number=p.number,
            total=p.total,
            question=cards[p.card_id].question,
            answer=cards[p.card_id].answer,
            graded=p.graded_count,
            text_format=cards[p.card_id].text_format,
        )
        for p in posts
    ]


async def _todays_posts(
    session: AsyncSession, group: Group, today: date, now: datetime
) -> list[GroupPost]:
    if group.last_post_on == today:
        # A retry of a post that could not be sent in full: send what is left, choose nothing.
        rows = await session.execute(
            select(GroupPost)
            .where(
                GroupPost.chat_id == group.chat_id,
                GroupPost.posted_on == today,
                GroupPost.message_id.is_(None),
            )
            .order_by(GroupPost.number)
        )
        return list(rows.scalars())
    # Posts never sent on an earlier day are forgotten; nobody saw them.
    await session.execute(
        delete(GroupPost).where(GroupPost.chat_id == group.chat_id, GroupPost.message_id.is_(None))
    )
    cards = await deck_cards(session, deck_id=group.deck_id)
    coverage, members = await _coverage(session, group, cards, now)
    chosen = choose_group_cards(coverage, members=members, count=group.cards_per_post)
    posts = [
        GroupPost(
            chat_id=group.chat_id,
            deck_id=group.deck_id,
            card_id=card_id,
            number=number,
            total=len(chosen),
            posted_on=today,
            created_at=now,
        )
        for number, card_id in enumerate(chosen, start=1)
    ]
    session.add_all(posts)
    await session.flush()
    return posts


async def claim_due_group_posts(
    session: AsyncSession, *, now: datetime, limit: int = 100, lease: timedelta = DEFAULT_LEASE
) -> tuple[list[GroupPostDue], int]:
    """Claim up to `limit` groups whose post time has passed; returns (to post, examined).

    The chosen cards are stored before anything is sent. A group with nothing to post moves
    to its next local day; one with posts is leased for `lease`, until `confirm_group_post`.
    A process that dies meanwhile leaves the lease to run out, and a later sweep sends the
    posts still unsent (as after a failed send): at most one duplicate, never a lost day.
    """
    groups = list(
        (
            await session.execute(
                select(Group)
                .where(
                    Group.next_post_at <= now,
                    Group.paused.is_(False),
                    Group.active.is_(True),
                    Group.can_post.is_(True),
                    Group.deck_id.is_not(None),
                    # A deck whose file was removed posts nothing until it comes back.
                    Group.deck_id.in_(select(Deck.id).where(Deck.retired.is_(False))),
                )
                .order_by(Group.next_post_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    due = []
    for group in groups:
        slot = post_slot(group)
        day = slot.day_of(group.next_post_at, now)
        posts = await _todays_posts(session, group, day, now) if day is not None else []
        if posts:
            group.last_post_on = day
            due.append(GroupPostDue(group.chat_id, group.title, await _views(session, posts)))
            group.next_post_at = now + lease
        else:
            group.next_post_at = slot.after_considering(day, now)
    await session.flush()
    return due, len(groups)


async def confirm_group_post(session: AsyncSession, *, chat_id: int, now: datetime) -> None:
    """Every post of today's claim was sent: the group is next considered on its next day."""
    group = await session.get(Group, chat_id)
    if group is not None:
        reschedule_group(group, now)  # from the group's settings now, and its last_post_on


async def mark_post_sent(session: AsyncSession, *, post_id: int, message_id: int) -> None:
    await session.execute(
        update(GroupPost).where(GroupPost.id == post_id).values(message_id=message_id)
    )


async def release_group_post(
    session: AsyncSession, *, chat_id: int, now: datetime, retry_in: timedelta
) -> None:
    """A send failed: a later sweep today sends the posts still unsent (and no others)."""
    await session.execute(
        update(Group)
        .where(Group.chat_id == chat_id, Group.active.is_(True), Group.can_post.is_(True))
        .values(next_post_at=now + retry_in)
    )


# --- grading --------------------------------------------------------------------------------


class GroupGradeStatus(enum.Enum):
    OK = "ok"
    ALREADY_GRADED = "already_graded"
    FOREIGN = "foreign"  # no such post in this chat: forged, or from another group
    CARD_GONE = "card_gone"  # the card or its deck was retired
    SUSPENDED = "suspended"  # a leech of this member's: suspended for them


@dataclass(frozen=True)
class GroupGradeOutcome:
    """A member's grade of a post; `leech` as for private review (bot.core.leeches): the
    grade made the card a leech for them, now suspended, with the `card` and its `lapses`."""

    status: GroupGradeStatus
    interval: timedelta | None = None
    leech: bool = False
    card: Card | None = None
    lapses: int = 0


async def grade_group_post(
    session: AsyncSession,
    *,
    post_id: int,
    chat_id: int,
    user: User,
    grade: Grade,
    now: datetime,
    scheduler: Scheduler,
) -> GroupGradeOutcome:
    """A member grades a group post: their own card state moves, once per post."""
    post = await session.get(GroupPost, post_id)
    if post is None or post.chat_id != chat_id or post.message_id is None:
        return GroupGradeOutcome(GroupGradeStatus.FOREIGN)
    if await session.get(GroupPostGrade, (post_id, user.id)) is not None:
        return GroupGradeOutcome(GroupGradeStatus.ALREADY_GRADED)
    await enrol(session, user_id=user.id, deck_id=post.deck_id, now=now)
    await session.flush()
    state = await session.get(CardState, (user.id, post.card_id))
    outcome = await grade_card(
        session,
        user=user,
        card_id=post.card_id,
        version=state.reps if state else 0,
        grade=grade,
        now=now,
        scheduler=scheduler,
        chat_id=chat_id,
        early=True,
    )
    if outcome.status is GradeStatus.ALREADY_GRADED:  # a racing press of the same member
        return GroupGradeOutcome(GroupGradeStatus.ALREADY_GRADED)
    if outcome.status is GradeStatus.SUSPENDED:
        return GroupGradeOutcome(GroupGradeStatus.SUSPENDED)
    if outcome.status is not GradeStatus.OK:
        return GroupGradeOutcome(GroupGradeStatus.CARD_GONE)
    await record_post_grade(session, post_id=post_id, user_id=user.id, rating=int(grade), now=now)
    await session.flush()
    return GroupGradeOutcome(
        GroupGradeStatus.OK, outcome.interval, outcome.leech, outcome.card, outcome.lapses
    )


async def post_in_chat(session: AsyncSession, *, post_id: int, chat_id: int) -> bool:
    """Whether a post id (from button data) is a sent post of this very chat."""
    post = await session.get(GroupPost, post_id)
    return post is not None and post.chat_id == chat_id and post.message_id is not None


async def post_view(session: AsyncSession, *, post_id: int) -> PostView | None:
    post = await session.get(GroupPost, post_id)
    if post is None:
        return None
    await session.refresh(post)
    return (await _views(session, [post]))[0]


async def claim_count_edit(
    session: AsyncSession, *, post_id: int, now: datetime
) -> PostView | None:
    """The post to re-render if its count changed and it was not edited within EDIT_INTERVAL.

    The conditional update makes exactly one caller (a press or the sweep) own each edit.
    """
    result = await session.execute(
        update(GroupPost)
        .where(
            GroupPost.id == post_id,
            GroupPost.message_id.is_not(None),
            GroupPost.shown_count != GroupPost.graded_count,
            or_(GroupPost.last_edit_at.is_(None), GroupPost.last_edit_at <= now - EDIT_INTERVAL),
        )
        .values(shown_count=GroupPost.graded_count, last_edit_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return await post_view(session, post_id=post_id)


async def stale_counts(session: AsyncSession, *, now: datetime, limit: int = 200) -> list[int]:
    """Posts whose shown count lags because a recent edit throttled the last presses."""
    rows = await session.execute(
        select(GroupPost.id)
        .where(
            GroupPost.last_edit_at >= now - _FLUSH_WINDOW,
            GroupPost.last_edit_at <= now - EDIT_INTERVAL,
            GroupPost.shown_count != GroupPost.graded_count,
        )
        .order_by(GroupPost.last_edit_at)
        .limit(limit)
    )
    return list(rows.scalars())


# --- group upgrades -------------------------------------------------------------------------

_SETTINGS = ("title", "deck_id", "timezone", "post_minute", "cards_per_post", "paused")


async def migrate_group(
    session: AsyncSession, *, old_chat_id: int, new_chat_id: int, now: datetime
) -> bool:
    """A group became a supergroup: move its setup, posts, members and history to the new id.

    Idempotent (False if there is nothing under the old id). If the supergroup is already
    known, the old group's setup wins unless the supergroup has a deck of its own.
    """
    old = await session.get(Group, old_chat_id)
    if old is None or old_chat_id == new_chat_id:
        return False
    new = await session.get(Group, new_chat_id)
    if new is None:
        new = Group(
            chat_id=new_chat_id,
            created_at=old.created_at,
            active=old.active,
            can_post=old.can_post,
            last_post_on=old.last_post_on,
            **{name: getattr(old, name) for name in _SETTINGS},
        )
        session.add(new)
    elif new.deck_id is None:
        for name in (*_SETTINGS, "last_post_on"):
            setattr(new, name, getattr(old, name))
    reschedule_group(new, now)
    await session.flush()
    for model in (GroupPost, QuizPoll, StudySession, ReviewLog):
        await session.execute(
            update(model)
            .where(model.chat_id == old_chat_id)
            .values(chat_id=new_chat_id)
            .execution_options(synchronize_session=False)
        )
    already = select(GroupMember.user_id).where(GroupMember.chat_id == new_chat_id)
    await session.execute(
        update(GroupMember)
        .where(GroupMember.chat_id == old_chat_id, GroupMember.user_id.not_in(already))
        .values(chat_id=new_chat_id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(GroupMember).where(GroupMember.chat_id == old_chat_id))
    await session.execute(delete(Group).where(Group.chat_id == old_chat_id))
    session.expunge(old)
    return True


# --- group quizzes --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizQuestion:
    """One quiz poll: texts as Telegram shows them, and which option is right."""

    card_id: int
    question: str
    options: list[str]
    correct: int


async def group_quiz_questions(
    session: AsyncSession, *, deck_id: int, rng: random.Random, length: int = 5
) -> list[QuizQuestion]:
    """Up to `length` multiple-choice questions on the deck that fit Telegram quiz polls.

    Questions that would not fit a poll are skipped: a group round is polls only.
    """
    deck = await load_deck_cards(session, deck_id=deck_id)
    if deck is None or len(deck.pool) < 2:
        return []
    questions = []
    for choice in build_quiz(deck.pool, rng, length=len(deck.pool)):
        prompt, options = choice.prompt_text(deck.plain), choice.option_texts(deck.plain)
        if fits_quiz_poll(prompt, options):
            questions.append(QuizQuestion(choice.card_id, prompt, options, choice.correct_index))
        if len(questions) == length:
            break
    return questions


async def last_quiz_at(session: AsyncSession, *, chat_id: int) -> datetime | None:
    """When the group's latest quiz round was sent."""
    return (
        await session.execute(
            select(func.max(QuizPoll.created_at)).where(
                QuizPoll.chat_id == chat_id, QuizPoll.owner_id.is_(None)
            )
        )
    ).scalar_one_or_none()


async def store_quiz_polls(
    session: AsyncSession,
    *,
    chat_id: int,
    deck_id: int,
    round_id: str,
    sent: Sequence[tuple[str, QuizQuestion]],
    now: datetime,
    first_number: int = 1,
) -> None:
    """Remember a group round's polls (owner NULL) so each poll_answer is credited to its voter."""
    session.add_all(
        QuizPoll(
            poll_id=poll_id,
            chat_id=chat_id,
            round_id=round_id,
            owner_id=None,
            deck_id=deck_id,
            card_id=question.card_id,
            question_no=number,
            correct_option=question.correct,
            created_at=now,
        )
        for number, (poll_id, question) in enumerate(sent, start=first_number)
    )
    await session.flush()
