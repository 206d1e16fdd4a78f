"""End to end: the timetable's sweep pushes each user once per local day, over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from bot.storage.models import User
from tests.fake_telegram import FakeUser
from tests.harness import Chat

BERLIN_USER = FakeUser(2001, "Bettina")
NY_USER = FakeUser(2002, "Nate")


async def _join(chat: Chat, zone: str, time: str) -> None:
    [welcome] = await chat.send("/start")
    await chat.press(welcome, "📚", expect=3)
    await chat.send(f"/timezone {zone}")
    await chat.send(f"/time {time}")


def _pushes(fake, chat_id):
    return [m for m in fake.sent if m.chat_id == chat_id and "Time to review" in (m.text or "")]


async def test_one_push_per_user_per_local_day_across_timezones(running_bot, fake, clock):
    # Monday 2 March 2026, 06:00 UTC: 07:00 in Berlin, 01:00 in New York.
    clock.set(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
    berlin, ny = Chat(fake, BERLIN_USER), Chat(fake, NY_USER)
    await _join(berlin, "Europe/Berlin", "08:00")
    await _join(ny, "America/New_York", "08:00")
    sweep = running_bot.runtime.timetable.sweep
    seen = {BERLIN_USER.id: [], NY_USER.id: []}
    # Sweep every 10 minutes for two days, as the job would.
    moment = clock()
    for _ in range(6 * 48):
        moment += timedelta(minutes=10)
        clock.set(moment)
        report = await sweep(moment)
        for user_id in report.pushed:
            seen[user_id].append(moment)
    # 08:00 CET = 07:00 UTC; 08:00 EST = 13:00 UTC — once on each local day.
    assert [(t.day, t.hour) for t in seen[BERLIN_USER.id]] == [(2, 7), (3, 7)]
    assert [(t.day, t.hour) for t in seen[NY_USER.id]] == [(2, 13), (3, 13)]
    assert len(_pushes(fake, BERLIN_USER.id)) == 2 and len(_pushes(fake, NY_USER.id)) == 2
    push = _pushes(fake, BERLIN_USER.id)[0]
    assert "Time to review: 16 new cards." in push.text  # nothing graded yet: all 16 are new
    # The push's button starts a review.
    _toast, [card, settled] = await berlin.press(push, "Start review", expect=2)
    assert "Deep Learning Tools" in card.text and card.buttons[0][0] == "Show answer"
    assert "Moved on" in settled.text  # the card sent on enrolling, still open until now


async def test_restart_does_not_push_twice_and_pause_blocks(running_bot, fake, clock):
    clock.set(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
    berlin = Chat(fake, BERLIN_USER)
    await _join(berlin, "Europe/Berlin", "08:00")
    at = datetime(2026, 3, 2, 7, 5, tzinfo=UTC)
    clock.set(at)
    assert (await running_bot.runtime.timetable.sweep(at)).pushed == [BERLIN_USER.id]
    await running_bot.restart()
    assert (await running_bot.runtime.timetable.sweep(at + timedelta(hours=1))).pushed == []
    await berlin.send("/pause")
    tomorrow = at + timedelta(days=1)
    clock.set(tomorrow)
    assert (await running_bot.runtime.timetable.sweep(tomorrow)).examined == 0
    # Resumed at 08:05, after the 08:00 time: tomorrow's message, not one at once.
    [reply] = await berlin.send("/resume")
    assert reply.text == "Daily messages are back on — next message tomorrow at 08:00."
    assert (await running_bot.runtime.timetable.sweep(tomorrow)).examined == 0
    # Resumed before the time, that day's message comes.
    await berlin.send("/pause")
    clock.set(tomorrow + timedelta(days=1, hours=-1))
    [reply] = await berlin.send("/resume")
    assert reply.text == "Daily messages are back on — next message today at 08:00."
    day_after = tomorrow + timedelta(days=1)
    assert (await running_bot.runtime.timetable.sweep(day_after)).pushed == [BERLIN_USER.id]


async def test_blocked_user_is_marked_and_rate_limit_is_waited_out(running_bot, fake, clock):
    clock.set(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
    berlin, ny = Chat(fake, BERLIN_USER), Chat(fake, NY_USER)
    await _join(berlin, "Europe/Berlin", "07:00")
    await _join(ny, "Europe/Berlin", "07:00")
    fake.block_user(BERLIN_USER.id)
    fake.rate_limit_next(1, retry_after=1)
    at = datetime(2026, 3, 2, 6, 30, tzinfo=UTC)
    report = await running_bot.runtime.timetable.sweep(at)
    assert report.blocked == [BERLIN_USER.id]
    assert report.pushed == [NY_USER.id]  # the 429 was waited out and retried, not dropped
    assert len(_pushes(fake, NY_USER.id)) == 1
    async with running_bot.runtime.db.session() as s:
        user = await s.get(User, BERLIN_USER.id)
        assert user.blocked and user.next_push_at is None
    # Coming back with /start unblocks; the next day's push arrives again.
    fake.unblock_user(BERLIN_USER.id)
    await berlin.send("/start")
    next_day = at + timedelta(days=1)
    assert BERLIN_USER.id in (await running_bot.runtime.timetable.sweep(next_day)).pushed


class _DiesWhileSending:
    """A sender that never returns: the process is killed while the push is on its way."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()

    async def send_message(self, *args, **kwargs):
        self.reached.set()
        await asyncio.Event().wait()


async def test_a_push_claimed_by_a_process_that_died_is_sent_after_the_lease(
    running_bot, fake, clock
):
    from scheduler.timetable import Timetable

    clock.set(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
    berlin = Chat(fake, BERLIN_USER)
    await _join(berlin, "Europe/Berlin", "08:00")
    at = datetime(2026, 3, 2, 7, 1, tzinfo=UTC)
    clock.set(at)
    dying = _DiesWhileSending()
    sweep = asyncio.create_task(Timetable(running_bot.runtime, dying).sweep(at))
    await dying.reached.wait()  # claimed and committed; the send never completes
    sweep.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sweep
    await running_bot.restart()
    timetable = running_bot.runtime.timetable
    lease = timedelta(seconds=running_bot.settings.claim_lease_seconds)
    assert (await timetable.sweep(at + lease - timedelta(minutes=1))).pushed == []
    assert (await timetable.sweep(at + lease + timedelta(minutes=1))).pushed == [BERLIN_USER.id]
    assert (await timetable.sweep(at + 2 * lease)).pushed == []
    assert len(_pushes(fake, BERLIN_USER.id)) == 1


async def test_joining_after_the_review_time_skips_only_the_automatic_first_push(
    running_bot, fake, clock
):
    # Monday 2 March 2026, 11:34 UTC: 12:34 in Berlin, long past the default 09:00.
    clock.set(datetime(2026, 3, 2, 11, 34, tzinfo=UTC))
    berlin = Chat(fake, BERLIN_USER)
    [welcome] = await berlin.send("/start")
    await berlin.press(welcome, "📚", expect=3)
    sweep = running_bot.runtime.timetable.sweep
    assert (await sweep(clock())).pushed == []  # studying right now: no push at once
    [reply] = await berlin.send("/timezone Europe/Berlin")
    assert reply.text.endswith("Your local time is 12:34. Next message tomorrow at 09:00.")
    assert (await sweep(clock())).pushed == []
    # A time still ahead today is kept for today.
    [reply] = await berlin.send("/time 20:00")
    assert reply.text == (
        "Daily review time set to 20:00 (Europe/Berlin) — next message today at 20:00."
    )
    assert (await sweep(datetime(2026, 3, 2, 18, 59, tzinfo=UTC))).pushed == []
    at_eight = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)
    clock.set(at_eight)
    assert (await sweep(at_eight)).pushed == [BERLIN_USER.id]
    # Pushed today: a new time (even one still ahead) waits for tomorrow, and says so.
    [reply] = await berlin.send("/time 21:00")
    assert reply.text.endswith("— next message tomorrow at 21:00.")
    [reply] = await berlin.send("/time 07:30")
    assert reply.text == (
        "Daily review time set to 07:30 (Europe/Berlin) — next message tomorrow at 07:30."
    )
    assert (await sweep(datetime(2026, 3, 2, 21, 0, tzinfo=UTC))).pushed == []
    tuesday = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
    clock.set(tuesday)
    assert (await sweep(tuesday)).pushed == [BERLIN_USER.id]
    assert len(_pushes(fake, BERLIN_USER.id)) == 2
    [reply] = await berlin.send("/pause")
    [reply] = await berlin.send("/time 10:00")
    assert reply.text == (
        "Daily review time set to 10:00 (Europe/Berlin). "
        "Daily messages are paused; /resume turns them back on."
    )


async def test_a_time_missed_while_the_bot_was_down_is_caught_up_once(running_bot, fake, clock):
    clock.set(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))  # 07:00 in Berlin
    berlin = Chat(fake, BERLIN_USER)
    await _join(berlin, "Europe/Berlin", "09:00")  # 08:00 UTC
    await running_bot.stop()
    # Back at 14:00 Berlin: the 09:00 push comes now, once.
    back = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
    clock.set(back)
    await running_bot.start()
    sweep = running_bot.runtime.timetable.sweep
    assert (await sweep(back)).pushed == [BERLIN_USER.id]
    assert (await sweep(back + timedelta(hours=1))).pushed == []
    # Down through Tuesday, back on Wednesday at 00:30 Berlin: no message in the night;
    # Wednesday's comes at 09:00 as usual.
    await running_bot.stop()
    night = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)
    clock.set(night)
    await running_bot.start()
    sweep = running_bot.runtime.timetable.sweep
    assert (await sweep(night)).pushed == []
    [settings] = await berlin.send("/settings")
    assert "Next daily message: Wed 04 Mar, 09:00 (Europe/Berlin)" in settings.text
    wednesday = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    clock.set(wednesday)
    assert (await sweep(wednesday)).pushed == [BERLIN_USER.id]
    assert (await sweep(wednesday + timedelta(hours=12))).pushed == []
    assert len(_pushes(fake, BERLIN_USER.id)) == 2
