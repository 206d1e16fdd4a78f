"""A member's one grade of a group post: recorded with the grade, withdrawn by /undo.

Kept apart from groups.py because review.py's undo needs it and groups.py builds on review.py.
A grade of a post is found again from its review log: the same chat, card and member, at the
same instant (both are stamped with the one ``now`` of the press).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import GroupPost, GroupPostGrade

__all__ = ["record_post_grade", "withdraw_post_grade"]


async def record_post_grade(
    session: AsyncSession, *, post_id: int, user_id: int, rating: int, now: datetime
) -> None:
    """Count the member's grade on the post (the caller has checked it is their first)."""
    session.add(GroupPostGrade(post_id=post_id, user_id=user_id, rating=rating, graded_at=now))
    await session.execute(
        update(GroupPost)
        .where(GroupPost.id == post_id)
        .values(graded_count=GroupPost.graded_count + 1)
        .execution_options(synchronize_session=False)
    )


async def withdraw_post_grade(
    session: AsyncSession, *, user_id: int, chat_id: int, card_id: int, graded_at: datetime
) -> int | None:
    """Forget the member's grade of a post of this card given at `graded_at`; the post's id.

    None if that grade was not given on a group post. The post counts one grade less and the
    member may grade it again; the message's count follows by the throttled edit path.
    """
    post_id = (
        await session.execute(
            select(GroupPostGrade.post_id)
            .join(GroupPost, GroupPost.id == GroupPostGrade.post_id)
            .where(
                GroupPost.chat_id == chat_id,
                GroupPost.card_id == card_id,
                GroupPostGrade.user_id == user_id,
                GroupPostGrade.graded_at == graded_at,
            )
            .limit(1)
        )
    ).scalar_one_or_none()
    if post_id is None:
        return None
    await session.execute(
        delete(GroupPostGrade).where(
            GroupPostGrade.post_id == post_id, GroupPostGrade.user_id == user_id
        )
    )
    await session.execute(
        update(GroupPost)
        .where(GroupPost.id == post_id, GroupPost.graded_count > 0)
        .values(graded_count=GroupPost.graded_count - 1)
        .execution_options(synchronize_session=False)
    )
    return post_id
