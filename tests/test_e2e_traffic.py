"""End to end under pressure: 429s, pushes queued behind replies, presses answered exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy.engine import make_url

from bot.storage.models import User
from bot.telegram import texts
from tests.fake_telegram import FakeUser
from tests.harness import Chat, RunningBot, eventually, handled, make_settings

ADA = FakeUser(6001, "Ada")
PUSH_TIME = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)  # new users' default review time is 09:00

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def _bot_errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("bot.") and r.levelno >= 40]


async def test_a_429_storm_during_a_burst_of_stats_answers_everyone(running_bot, fake):
    people = [Chat(fake, FakeUser(6100 + i, f"P{i}")) for i in range(20)]
    fake.rate_limit_next(15, retry_after=1)
    marks = fake.mark()
    for person in people:
        fake.send_message(person.chat_id, "/stats", user=person.user)
    for person in people:
        reply = await fake.wait_for_message(person.chat_id, after=marks, timeout=30)
        assert reply.text == texts.NO_STUDY_DECKS or "Streak" in reply.text, reply.text
    assert len(fake.too_many_requests) == 15  # Telegram really did refuse, 15 times
    assert len(fake.sent[marks:]) == 20  # one answer each, none lost or doubled


async def test_a_reply_is_not_delayed_behind_a_long_queue_of_pushes(database_url, fake, clock):
    bot = RunningBot(make_settings(database_url, fake, broadcast_per_second=1), clock)
    await bot.start()
    try:
        learners = [Chat(fake, FakeUser(6200 + i, f"L{i}")) for i in range(10)]
        for learner in learners:
            await learner.send("/start deep-learning-tools", expect=2)
        await handled(fake)
        clock.set(PUSH_TIME)
        sweep = asyncio.create_task(bot.runtime.timetable.sweep(PUSH_TIME))
        await fake.wait_for(lambda: _pushes(fake), timeout=30)  # the burst has begun
        asker = learners[-1]
        mark = fake.mark()
        fake.send_message(asker.chat_id, "/stats", user=asker.user)
        # Their own push may come first: the reply is the other message.
        stats = await fake.wait_for_message(
            asker.chat_id, lambda m: m not in _pushes(fake), after=mark, timeout=30
        )
        assert "Streak" in stats.text
        # At a push a second the queue takes ten; the reply did not wait for it.
        assert len(_pushes(fake)) < len(learners)
        report = await sweep
        assert sorted(report.pushed) == [learner.chat_id for learner in learners]
        assert sorted(m.chat_id for m in _pushes(fake)) == sorted(report.pushed)  # once each
    finally:
        await bot.stop()


def _pushes(fake):
    return [m for m in fake.sent if "Time to review" in (m.text or "")]


async def test_a_push_refused_until_its_retries_run_out_is_pushed_by_a_later_sweep(
    running_bot, fake, clock
):
    chat = Chat(fake, ADA)
    await chat.send("/start deep-learning-tools", expect=2)
    await handled(fake)
    clock.set(PUSH_TIME)
    fake.rate_limit_next(4, retry_after=1)  # the first try and all three retries
    report = await running_bot.runtime.timetable.sweep(PUSH_TIME)
    assert report.failed == [ADA.id] and report.pushed == [] and not _pushes(fake)
    later = PUSH_TIME + timedelta(minutes=10)
    clock.set(later)
    assert (await running_bot.runtime.timetable.sweep(later)).pushed == [ADA.id]
    assert len(_pushes(fake)) == 1


async def test_a_blocked_user_is_not_pushed_again(running_bot, fake, clock):
    chat = Chat(fake, ADA)
    await chat.send("/start deep-learning-tools", expect=2)
    fake.block_user(ADA.id)
    await handled(fake)
    clock.set(PUSH_TIME)
    report = await running_bot.runtime.timetable.sweep(PUSH_TIME)
    assert report.blocked == [ADA.id] and not _pushes(fake)
    async with running_bot.runtime.db.session() as session:
        assert (await session.get(User, ADA.id)).blocked
    tomorrow = PUSH_TIME + timedelta(days=1)
    assert (await running_bot.runtime.timetable.sweep(tomorrow)).examined == 0


async def test_a_button_without_a_message_is_answered_once(running_bot, fake, caplog):
    for data in ("g:1:1:3", "a:1:1", "r", "forged"):
        update_id = fake.press_inline_button(ADA, data)
        answer = await fake.wait_for_callback_answer(update_id)
        assert answer["text"] == texts.BUTTON_WITHOUT_CHAT
    # The fake records a call's outcome once its HTTP reply is written: wait for it settling.
    settled = await eventually(
        lambda: "pending" not in (o := fake.outcomes("answerCallbackQuery")) and o,
        description="every answerCallbackQuery finished",
    )
    assert settled == ["ok"] * 4
    assert not _bot_errors(caplog)


async def test_a_double_tap_on_show_answer_is_quietly_done(running_bot, fake, caplog):
    chat = Chat(fake, ADA)
    [_confirm, card] = await chat.send("/start deep-learning-tools", expect=2)
    show = card.buttons[0][1]
    taps = [fake.press_button(ADA.id, card.message_id, show, user=ADA) for _ in range(2)]
    for tap in taps:
        assert (await fake.wait_for_callback_answer(tap))["text"] is None
    await fake.wait_for(lambda: len(fake.outcomes("editMessageText")) == 2)
    assert fake.outcomes("editMessageText")[0] == "ok"
    assert "message is not modified" in fake.outcomes("editMessageText")[1]
    shown = chat.current(card.message_id)
    assert "<b>Answer</b>" in shown.text and len(shown.buttons) == 4
    assert fake.last_message(ADA.id).message_id == card.message_id  # no error message after it
    assert not _bot_errors(caplog)


@contextlib.contextmanager
def _database_held(database_url: str):
    """Another client holds the write lock (SQLite) or locks the review log (Postgres)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(url.database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
    else:
        options = url.query.get("options", "")
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        conn = psycopg.connect(dsn.split("?")[0], options=options)
        conn.execute("LOCK TABLE review_logs IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


async def test_a_press_is_answered_within_a_second_while_the_database_is_held(
    running_bot, fake, database_url
):
    chat = Chat(fake, ADA)
    [_confirm, card] = await chat.send("/start deep-learning-tools", expect=2)
    _t, [shown] = await chat.press(card, "Show answer", expect=1)
    good = next(d for t, d in shown.buttons if t.startswith("Good"))
    with _database_held(database_url):
        mark = fake.mark()
        update_id = fake.press_button(ADA.id, shown.message_id, good, user=ADA)
        answer = await fake.wait_for_callback_answer(update_id)
        assert answer["text"] == texts.STILL_WORKING  # the grade itself is still waiting
        assert not fake.sent[mark:]
    # Released: the grade lands and the card moves on; the press was answered only once.
    graded = await fake.wait_for_message(ADA.id, after=mark, timeout=30)
    assert "✓ Good — next in 10m" in graded.plain_text
    assert fake.outcomes("answerCallbackQuery") == ["ok"] * 2


async def test_a_300_character_timezone_is_unknown_not_a_database_outage(running_bot, fake, caplog):
    chat = Chat(fake, ADA)
    # zoneinfo would answer such a name with OSError ('File name too long'): never reached.
    [reply] = await chat.send("/timezone " + "A" * 300)
    assert "IANA" in reply.text and "database" not in reply.text.lower()
    assert not _bot_errors(caplog)


def test_only_database_errors_count_as_the_database_being_down():
    from sqlalchemy.exc import IntegrityError, OperationalError

    from bot.storage.db import is_database_unavailable

    assert is_database_unavailable(OperationalError("SELECT 1", {}, OSError("refused")))
    assert not is_database_unavailable(OSError(36, "File name too long"))
    assert not is_database_unavailable(IntegrityError("INSERT", {}, Exception("duplicate")))
    assert not is_database_unavailable(ValueError("bad"))
