"""The push claim on SQLite and Postgres: once per local day, paused and blocked users skipped,
and a claim nobody confirms (the process died before sending) is pushed after its lease."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from bot.config import DEFAULT_DECKS_DIR
from bot.services.decks import deck_by_slug, load_bundled_decks
from bot.services.push import claim_due_pushes, confirm_pushes, mark_blocked, release_push
from bot.services.users import UserDefaults, enrol, ensure_user, set_paused
from bot.storage.models import Card, CardState, User
from scheduler.batches import batch_within_lease, claim_in_batches


async def _user(db, user_id, zone, now, *, enrolled=True):
    async with db.session() as s:
        user, _ = await ensure_user(
            s,
            user_id=user_id,
            first_name=f"u{user_id}",
            username=None,
            now=now,
            defaults=UserDefaults(timezone=zone, review_minute=9 * 60),
        )
        if enrolled:
            deck = await deck_by_slug(s, slug="deep-learning-tools")
            await enrol(s, user_id=user_id, deck_id=deck.id, now=now)
    return user


async def _claim_only(db, now, lease=timedelta(minutes=5)):
    """A claim whose pushes are never sent: the process died right after claiming."""
    async with db.session() as s:
        pushes, examined = await claim_due_pushes(s, now=now, limit=2, lease=lease)
    return pushes, examined


async def _claim(db, now):
    """A claim whose pushes are all sent and confirmed, as the timetable does."""
    pushes, examined = await _claim_only(db, now)
    for push in pushes:
        async with db.session() as s:
            await confirm_pushes(s, pushes=[push], now=now)
    return pushes, examined


async def _claim_all(db, now):
    """Every push one sweep claims, in batches of two, the way the timetable claims them."""
    ids = []

    async def collect(push):
        async with db.session() as s:
            await confirm_pushes(s, pushes=[push], now=now)
        ids.append(push.user_id)

    runtime = SimpleNamespace(db=db, now=lambda: now)
    examined = await claim_in_batches(
        runtime, claim_due_pushes, collect, now=now, lease=timedelta(minutes=5), batch_size=2
    )
    assert examined >= len(ids)
    return sorted(ids)


async def test_each_user_is_pushed_once_per_local_day(db):
    start = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # before 09:00 in both zones
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=start)
    await _user(db, 1, "Europe/Berlin", start)  # 09:00 CET = 08:00 UTC
    await _user(db, 2, "America/New_York", start - timedelta(hours=6))  # 09:00 EST = 14:00 UTC
    await _user(db, 3, "Europe/Berlin", start, enrolled=False)  # nothing to study
    pushed = {}
    for hour in range(0, 48):
        now = start + timedelta(hours=hour, minutes=1)
        for user_id in await _claim_all(db, now):
            pushed.setdefault(user_id, []).append(now)
    assert [t.hour for t in pushed[1]] == [8, 8]
    assert [t.hour for t in pushed[2]] == [14, 14]
    assert 3 not in pushed
    assert [t.day for t in pushed[1]] == [2, 3]


async def test_paused_and_blocked_users_are_not_pushed_and_release_retries(db):
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=now - timedelta(hours=6))
    for user_id in (1, 2, 3):
        await _user(db, user_id, "UTC", now - timedelta(hours=6))
    async with db.session() as s:
        set_paused(await s.get(User, 1), paused=True, now=now)
        await mark_blocked(s, user_id=2)
    pushes, _ = await _claim_only(db, now)
    assert [p.user_id for p in pushes] == [3]
    assert (pushes[0].due, pushes[0].new) == (0, 16)
    # A failed send gives the claim back: the user is pushed later the same day.
    async with db.session() as s:
        await release_push(s, push=pushes[0], now=now, retry_in=timedelta(minutes=5))
    assert await _claim_all(db, now + timedelta(minutes=1)) == []
    assert await _claim_all(db, now + timedelta(minutes=6)) == [3]
    assert await _claim_all(db, now + timedelta(hours=1)) == []


async def test_new_cards_already_introduced_today_count_against_the_push(db):
    from bot.core.srs import Grade, make_scheduler
    from bot.services import review as reviews

    morning = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=morning)
    user = await _user(db, 1, "UTC", morning)
    async with db.session() as s:
        user = await s.get(User, 1)
        user.new_cards_per_day = 3
    for _ in range(2):  # two of today's three new cards studied before the 09:00 push
        async with db.session() as s:
            user = await s.get(User, 1)
            study = await reviews.next_card(s, user=user, now=morning)
            await reviews.grade_card(
                s,
                user=user,
                card_id=study.card.id,
                version=0,
                grade=Grade.EASY,
                now=morning,
                scheduler=make_scheduler(fuzzing=False),
            )
    pushes, _ = await _claim(db, datetime(2026, 3, 2, 9, 1, tzinfo=UTC))
    assert [(p.user_id, p.due, p.new) for p in pushes] == [(1, 0, 1)]


async def test_review_cards_due_later_today_are_pushed_at_the_review_time(db):
    """Cards graded at 09:05 fall due at ~09:05 on a later day: the 09:00 push must count them."""
    from bot.services import review as reviews

    start = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=start)
    await _user(db, 1, "UTC", start)
    async with db.session() as s:
        user = await s.get(User, 1)
        user.new_cards_per_day = 0
        deck = await deck_by_slug(s, slug="deep-learning-tools")
        card = (await s.execute(select(Card).where(Card.deck_id == deck.id).limit(1))).scalar_one()
        s.add(
            CardState(
                user_id=1,
                card_id=card.id,
                deck_id=deck.id,
                state=2,
                stability=3.0,
                difficulty=5.0,
                due=datetime(2026, 3, 4, 9, 5, tzinfo=UTC),
                reps=2,
            )
        )
    pushed = {}
    for hour in range(0, 24 * 3):  # 2, 3 and 4 March: only the 4th has the card due
        now = start + timedelta(hours=hour, minutes=1)
        for push in (await _claim(db, now))[0]:
            pushed[now] = push.due
    assert pushed == {datetime(2026, 3, 4, 9, 1, tzinfo=UTC): 1}
    # At 09:01 the card can be studied, though its exact due time is 09:05.
    async with db.session() as s:
        user = await s.get(User, 1)
        study = await reviews.next_card(s, user=user, now=datetime(2026, 3, 4, 9, 1, tzinfo=UTC))
    assert study is not None and study.card.id == card.id


async def test_a_claim_never_sent_is_pushed_once_its_lease_runs_out(db):
    """The process died between claim and send: the lease expires and the push still goes."""
    now = datetime(2026, 3, 2, 9, 1, tzinfo=UTC)
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=now - timedelta(hours=6))
    await _user(db, 1, "UTC", now - timedelta(hours=6))
    [claimed], _ = await _claim_only(db, now, lease=timedelta(minutes=5))
    assert claimed.user_id == 1
    # Within the lease nobody else takes it (a live process may still be sending it) ...
    assert await _claim_all(db, now + timedelta(minutes=4)) == []
    # ... after it, a later sweep pushes it, and once sent and confirmed, not again that day.
    assert await _claim_all(db, now + timedelta(minutes=6)) == [1]
    assert await _claim_all(db, now + timedelta(minutes=12)) == []
    assert await _claim_all(db, now + timedelta(hours=14)) == []
    assert await _claim_all(db, now + timedelta(days=1)) == [1]


async def test_a_confirmed_push_keeps_a_review_time_changed_during_its_lease(db):
    from bot.services.users import set_review_time

    now = datetime(2026, 3, 2, 9, 1, tzinfo=UTC)
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=now - timedelta(hours=6))
    await _user(db, 1, "UTC", now - timedelta(hours=6))
    [claimed], _ = await _claim_only(db, now)
    async with db.session() as s:  # while the push is being sent, /time 20:00
        set_review_time(await s.get(User, 1), minute=20 * 60, now=now)
        await confirm_pushes(s, pushes=[claimed], now=now)
    async with db.session() as s:
        user = await s.get(User, 1)
    assert user.last_push_on == now.date()
    assert user.next_push_at == datetime(2026, 3, 3, 20, 0, tzinfo=UTC)


def test_a_batch_is_what_this_process_sends_in_half_the_lease():
    # 10 s at 12.5/s (25/s over two processes): 62 pushes, sent in 5 s of a 10 s lease.
    assert batch_within_lease(500, lease=timedelta(seconds=10), per_second=12.5) == 62
    assert batch_within_lease(500, lease=timedelta(minutes=5), per_second=12.5) == 500
    assert batch_within_lease(500, lease=timedelta(seconds=10), per_second=0.01) == 1


async def _users_due(db, count, now):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=now - timedelta(hours=6))
    for user_id in range(1, count + 1):
        await _user(db, user_id, "UTC", now - timedelta(hours=6))


async def _leased_until(db):
    async with db.session() as s:
        return dict((await s.execute(select(User.id, User.next_push_at))).all())


async def test_each_batch_is_leased_from_when_it_is_claimed_not_from_the_sweeps_start(db):
    # A long sweep (a big broadcast) claims its later batches long after it began: their
    # leases must start then, or another process would claim them again at once.
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    await _users_due(db, 4, now)
    clock = SimpleNamespace(now=now)
    lease = timedelta(hours=1)

    async def send_takes_ten_minutes(push):  # never confirmed: what the lease is for
        clock.now += timedelta(minutes=10)

    runtime = SimpleNamespace(db=db, now=lambda: clock.now)
    await claim_in_batches(
        runtime, claim_due_pushes, send_takes_ten_minutes, now=now, lease=lease, batch_size=2
    )
    leased = await _leased_until(db)
    assert (leased[1], leased[2]) == (now + lease, now + lease)
    assert (leased[3], leased[4]) == (now + timedelta(minutes=20) + lease,) * 2


async def test_an_item_whose_lease_is_mostly_gone_is_left_for_the_next_sweep(db, caplog):
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    await _users_due(db, 4, now)
    started = []

    async def slow_send(push):  # one at a time, a second each, in a two-second lease
        started.append(push.user_id)
        await asyncio.sleep(1.0)

    runtime = SimpleNamespace(db=db, now=lambda: now)
    lease = timedelta(seconds=2)
    await claim_in_batches(runtime, claim_due_pushes, slow_send, now=now, lease=lease, batch_size=4)
    # The first starts at once; the third would start after 80 % of the lease: not sent here.
    assert started[0] == 1
    assert 3 not in started and 4 not in started
    assert "not started within their 2s lease" in caplog.text
    # Their claim lapses with the lease, and the next sweep takes them.
    async with db.session() as s:
        pushes, _ = await claim_due_pushes(s, now=now + lease, limit=10, lease=lease)
    assert {3, 4} <= {p.user_id for p in pushes}
