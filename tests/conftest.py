"""Shared fixtures: a fresh database on SQLite and on Postgres, and a controllable clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from bot.storage.db import Database

# CI and developers use the machine's Postgres; a missing server is a failure, never a skip.
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


# Each test run works in its own schema, so two runs on one server (two developers, or a
# developer and CI) never drop each other's tables.
TEST_SCHEMA = f"flashtutor_test_{os.getpid()}"


def _admin_dsn() -> str:
    return POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")


def _reset_postgres(schema: str) -> str:
    """Empty the run's schema; returns an async URL whose connections use only that schema."""
    dsn = _admin_dsn()
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"Postgres is required for the storage tests and is not reachable at {dsn}: {exc}. "
            "Start it (see README) or point TEST_POSTGRES_URL at one.",
            pytrace=False,
        )
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """An empty database (no tables yet) on each backend."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'flashtutor.db'}"
    return _reset_postgres(TEST_SCHEMA)


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schema():
    yield
    try:
        with psycopg.connect(_admin_dsn(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{TEST_SCHEMA}" CASCADE')
    except psycopg.OperationalError:
        pass  # the tests that needed Postgres have already failed and said why


@pytest.fixture
async def db(database_url):
    """A migrated database on each backend."""
    database = Database(database_url)
    await database.migrate()
    yield database
    await database.dispose()


class FakeClock:
    """A clock tests move by hand; the bot reads `now` only through it."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **kwargs) -> datetime:
        self.current += timedelta(**kwargs)
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment.astimezone(UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


@pytest.fixture
async def fake(clock):
    """A local fake Bot API server whose message dates follow the test clock."""
    from tests.fake_telegram import FakeTelegram

    server = FakeTelegram(clock=lambda: clock().timestamp())
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def running_bot(database_url, fake, clock):
    """The real Application, polling the fake server, on SQLite and on Postgres."""
    from tests.harness import RunningBot, make_settings

    bot = RunningBot(make_settings(database_url, fake), clock)
    await bot.start()
    yield bot
    await bot.stop()
