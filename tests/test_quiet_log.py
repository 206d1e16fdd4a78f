"""The INFO log of the timetable: one line per batch of pushes, nothing for an idle sweep."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from bot.services.decks import deck_by_slug
from bot.services.users import UserDefaults, enrol, ensure_user


async def _learner(db, user_id: int, now: datetime) -> None:
    async with db.session() as session:
        await ensure_user(
            session,
            user_id=user_id,
            first_name=f"u{user_id}",
            username=None,
            now=now,
            defaults=UserDefaults(timezone="UTC", review_minute=9 * 60),
        )
        deck = await deck_by_slug(session, slug="deep-learning-tools")
        await enrol(session, user_id=user_id, deck_id=deck.id, now=now)


def _timetable_lines(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "scheduler.timetable" and r.levelno == logging.INFO
    ]


async def test_one_info_line_per_push_batch(running_bot, fake, clock, caplog):
    caplog.set_level(logging.INFO)
    joined = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # before today's 09:00
    for user_id in range(7001, 7006):
        await _learner(running_bot.runtime.db, user_id, joined)
    fake.block_user(7005)
    timetable = running_bot.runtime.timetable
    timetable.batch_size = 2
    at = datetime(2026, 3, 2, 9, 1, tzinfo=UTC)
    clock.set(at)
    report = await timetable.sweep(at)
    assert len(report.pushed) == 4 and report.blocked == [7005]
    # One line per batch of two; the five share a push time, so which batch meets the
    # blocked one is the database's choice.
    lines = _timetable_lines(caplog)
    counts = [tuple(map(int, re.findall(r"\d+", line))) for line in lines]
    assert all(re.fullmatch(r"pushes: \d+ sent, \d+ blocked, \d+ failed", x) for x in lines)
    assert [sent + blocked for sent, blocked, _ in counts] == [2, 2, 1]
    assert [sum(column) for column in zip(*counts, strict=True)] == [4, 1, 0]
    caplog.clear()
    await timetable.sweep(at + timedelta(minutes=1))  # nothing due: nothing logged
    assert _timetable_lines(caplog) == []
