"""End to end: the database goes away mid-conversation; the user is told, nothing is lost."""

from __future__ import annotations

import os

import psycopg
import pytest

from tests.conftest import POSTGRES_URL
from tests.fake_telegram import FakeUser
from tests.harness import Chat, RunningBot, make_settings

pytestmark = pytest.mark.postgres

ADA = FakeUser(3001, "Ada")
OUTAGE_DB = f"flashtutor_outage_{os.getpid()}"  # one per run: runs may overlap


def _admin(sql: str) -> None:
    dsn = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)
    except psycopg.OperationalError as exc:
        pytest.fail(f"Postgres is required and not reachable: {exc}", pytrace=False)


def _cut_off(allow: bool) -> None:
    _admin(f"ALTER DATABASE {OUTAGE_DB} ALLOW_CONNECTIONS {'true' if allow else 'false'}")
    if not allow:
        _admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{OUTAGE_DB}' AND pid <> pg_backend_pid()"
        )


@pytest.fixture
async def outage_bot(fake, clock):
    _admin(f"DROP DATABASE IF EXISTS {OUTAGE_DB} WITH (FORCE)")
    _admin(f"CREATE DATABASE {OUTAGE_DB}")
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{OUTAGE_DB}"
    bot = RunningBot(make_settings(url, fake), clock)
    await bot.start()
    yield bot
    _cut_off(True)
    await bot.stop()
    _admin(f"DROP DATABASE IF EXISTS {OUTAGE_DB} WITH (FORCE)")


async def test_database_outage_is_answered_and_loses_nothing(outage_bot, fake):
    chat = Chat(fake, ADA)
    [welcome] = await chat.send("/start")
    _t, [_picker, _confirm, card] = await chat.press(welcome, "📚", expect=3)
    _t, [shown] = await chat.press(card, "Show answer", expect=1)

    _cut_off(False)
    [reply] = await chat.send("/stats")
    assert "database is unavailable" in reply.text
    toast, _ = await chat.press(shown, "Good")
    assert "database is unavailable" in toast["text"] and toast["show_alert"]

    _cut_off(True)
    # The same button works once the database is back: the grade was not lost or doubled.
    toast, _ = await chat.press(shown, "Good", expect=1)
    assert toast["text"] == "Recorded: Good — next in 10m"
    [stats] = await chat.send("/stats")
    assert "Reviews today 1" in stats.text
