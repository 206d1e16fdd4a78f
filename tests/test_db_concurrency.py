"""Many learners grading at once: every grade lands, none fails with `database is locked`;
webhook processes taking updates: each handled by one live process at a time."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.config import DEFAULT_DECKS_DIR
from bot.core.srs import Grade, make_scheduler
from bot.services import review as reviews
from bot.services.decks import deck_by_slug, load_bundled_decks
from bot.services.handled_updates import Take, finish_update, take_update
from bot.services.users import UserDefaults, enrol, ensure_user
from bot.storage.db import Database
from bot.storage.models import ReviewLog
from tests.harness import eventually

LEARNERS = 100
GRADES_EACH = 3
SCHEDULER = make_scheduler(fuzzing=False)


async def _learner(db: Database, user_id: int, now) -> int:
    """One person's loop as the handlers run it: load, next card, grade, one session each."""
    graded = 0
    for _ in range(GRADES_EACH):
        async with db.session() as s:
            user, _ = await ensure_user(
                s, user_id=user_id, first_name="L", username=None, now=now, defaults=UserDefaults()
            )
            study = await reviews.next_card(s, user=user, now=now)
        await asyncio.sleep(0)  # let the others in between, as a Telegram call would
        async with db.session() as s:
            user, _ = await ensure_user(
                s, user_id=user_id, first_name="L", username=None, now=now, defaults=UserDefaults()
            )
            outcome = await reviews.grade_card(
                s,
                user=user,
                card_id=study.card.id,
                version=study.version,
                grade=Grade.GOOD,
                now=now,
                scheduler=SCHEDULER,
            )
        assert outcome.status is reviews.GradeStatus.OK
        graded += 1
    return graded


async def test_a_hundred_learners_grading_at_once_all_land(database_url, clock):
    # No busy timeout at all on SQLite: a second writer from this process would fail at once
    # with `database is locked`, so this passes only if writers queue in the event loop.
    db = Database(database_url, busy_timeout=0)
    await db.migrate()
    now = clock()
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=now)
    ids = range(1, LEARNERS + 1)
    async with db.session() as s:
        deck = await deck_by_slug(s, slug="deep-learning-tools")
        for user_id in ids:
            await ensure_user(
                s, user_id=user_id, first_name="L", username=None, now=now, defaults=UserDefaults()
            )
            await enrol(s, user_id=user_id, deck_id=deck.id, now=now)
    try:
        results = await asyncio.gather(
            *(_learner(db, user_id, now) for user_id in ids), return_exceptions=True
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        assert errors == []
        async with db.session() as s:
            logged = (await s.execute(select(func.count()).select_from(ReviewLog))).scalar_one()
        assert logged == LEARNERS * GRADES_EACH
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_an_update_whose_process_died_is_taken_again_at_once(_postgres_migrated, clock):
    """Webhook processes hold a lock on each update they handle: another is told to wait
    while the holder lives, and takes the update at once when it dies (no lease to wait)."""
    url = _postgres_migrated.emptied()
    one, two = Database(url), Database(url)
    try:
        held_by_one = one.process_locks("flashtutor-updates")
        held_by_two = two.process_locks("flashtutor-updates")
        assert await held_by_one.try_hold(7)
        async with one.session() as session:
            assert await take_update(session, update_id=7, now=clock(), lease=None) is Take.NEW
        assert not await held_by_one.try_hold(7)  # a redelivery to the same process waits
        assert not await held_by_two.try_hold(7)  # and one to another process
        await one.dispose()  # the holder dies: Postgres drops its connection's locks
        await eventually(lambda: held_by_two.try_hold(7), description="the lock let go")
        async with two.session() as session:
            assert await take_update(session, update_id=7, now=clock(), lease=None) is Take.NEW
            await finish_update(session, update_id=7)
        await held_by_two.release(7)
        assert await held_by_two.try_hold(7)
        async with two.session() as session:
            assert await take_update(session, update_id=7, now=clock(), lease=None) is Take.DONE
    finally:
        await one.dispose()
        await two.dispose()
