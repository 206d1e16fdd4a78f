"""The daily post: choosing a group's cards, claiming due groups, and marking posts sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.group_rotation import CardCoverage, choose_group_cards
from bot.core.localtime import local_day_start
from bot.services.decks import deck_cards
from bot.services.groups.setup import post_slot, reschedule_group
from bot.services.push import DEFAULT_LEASE  # one lease rule for pushes and posts
from bot.storage.models import (
    Card,
    CardState,
    Deck,
    Group,
    GroupMember,
    GroupPost,
)
from bot.storage.queries import due_by

__all__ = [
    "DEFAULT_LEASE",
    "GroupPostDue",
    "PostView",
    "claim_due_group_posts",
    "confirm_group_post",
    "mark_post_sent",
    "post_view",
    "release_group_post",
]


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
    question_media: tuple[dict, ...] = ()  # the question's images and sounds, sent above the post


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
            question_media=tuple(cards[p.card_id].question_media or ()),
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


async def post_view(session: AsyncSession, *, post_id: int) -> PostView | None:
    post = await session.get(GroupPost, post_id)
    if post is None:
        return None
    await session.refresh(post)
    return (await _views(session, [post]))[0]
