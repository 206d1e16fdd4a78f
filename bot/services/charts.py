"""What the charts show, from the database: pure data for bot.core.charts to draw.

Days and weeks are the learner's local ones (their timezone), as for streaks and the due rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.charts import (
    FORECAST_DAYS,
    HEATMAP_WEEKS,
    RETENTION_WEEKS,
    DeckCounts,
    MasteryChart,
    MemberMastery,
    StatsChart,
)
from bot.core.localtime import local_date, local_day_start
from bot.core.srs import REVIEW, Grade
from bot.services.review import DeckStats
from bot.services.study import ProgressRow
from bot.storage.models import Card, CardState, Deck, Enrolment, ReviewLog, User

__all__ = ["group_mastery_chart", "stats_chart"]


async def stats_chart(
    session: AsyncSession, *, user: User, now: datetime, decks: Sequence[DeckStats], streak: int
) -> StatsChart:
    """The /stats figure's data: `decks` and `streak` as /stats's text counted them."""
    zone = ZoneInfo(user.timezone)
    today = local_date(now, zone)
    learning = [0] * FORECAST_DAYS
    review = [0] * FORECAST_DAYS
    horizon = local_day_start(now, zone, days=FORECAST_DAYS)
    due_rows = await session.execute(
        select(CardState.state, CardState.due)
        .join(Card, Card.id == CardState.card_id)
        .join(Deck, Deck.id == Card.deck_id)
        .join(
            Enrolment,
            (Enrolment.deck_id == Card.deck_id) & (Enrolment.user_id == CardState.user_id),
        )
        .where(
            CardState.user_id == user.id,
            CardState.suspended.is_(False),  # a suspended card is never due
            CardState.due < horizon,
            Enrolment.active.is_(True),
            Card.retired.is_(False),
            Deck.retired.is_(False),
        )
    )
    for state, due in due_rows.all():
        day = max(0, (local_date(due, zone) - today).days)  # overdue: due today
        (review if state == int(REVIEW) else learning)[day] += 1
    # A year of grades, from the Monday the heatmap starts on; retention reads the last weeks.
    monday = today - timedelta(days=today.weekday())
    first_day = monday - timedelta(weeks=HEATMAP_WEEKS - 1)
    since = local_day_start(now, zone, days=(first_day - today).days)
    per_day: Counter = Counter()
    per_week: dict = {}
    weeks_from = monday - timedelta(weeks=RETENTION_WEEKS - 1)
    grades = await session.execute(
        select(
            ReviewLog.reviewed_at,
            ReviewLog.rating,
            ReviewLog.state_before["state"].as_integer(),
        ).where(
            ReviewLog.user_id == user.id,
            ReviewLog.undone.is_(False),
            ReviewLog.reviewed_at >= since,
        )
    )
    for reviewed_at, rating, state_before in grades.all():
        day = local_date(reviewed_at, zone)
        per_day[day] += 1
        # True retention: answers to cards in the Review state (not learning steps).
        if state_before == int(REVIEW):
            week = day - timedelta(days=day.weekday())
            if week >= weeks_from:
                n, passed = per_week.get(week, (0, 0))
                per_week[week] = (n + 1, passed + (rating != int(Grade.AGAIN)))
    return StatsChart(
        today=today,
        due_learning=tuple(learning),
        due_review=tuple(review),
        reviews_per_day=tuple(sorted(per_day.items())),
        streak=streak,
        weekly_retention=tuple((week, n, passed) for week, (n, passed) in sorted(per_week.items())),
        desired_retention=user.desired_retention,
        decks=tuple(
            DeckCounts(
                title=row.deck.title,
                new=row.status.mastery.not_studied,
                learning=row.status.mastery.learning,
                mastered=row.status.mastery.mastered,
                suspended=row.status.mastery.suspended,
            )
            for row in decks
        ),
    )


def group_mastery_chart(deck_title: str, rows: Sequence[ProgressRow]) -> MasteryChart:
    """A group's /progress rows as the members' mastery bars, in the table's order."""
    return MasteryChart(
        deck_title=deck_title,
        members=tuple(
            MemberMastery(
                name=row.name,
                mastered=row.mastery.mastered,
                learning=row.mastery.learning,
                not_studied=row.mastery.not_studied,
                suspended=row.mastery.suspended,
                percent=row.mastery.percent,
            )
            for row in rows
        ),
    )
