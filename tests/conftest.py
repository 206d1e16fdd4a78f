"""Shared fixtures: an empty migrated database on SQLite and on Postgres, and a controllable clock."""

from __future__ import annotations

import asyncio
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import MetaData, create_engine, text

from bot.storage.db import Database

# CI and developers use the machine's Postgres; a missing server is a failure, never a skip.
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


# A database is migrated once per run and backend, then emptied before each test (a copy of the
# migrated SQLite file; every row deleted on Postgres): Alembic from scratch for every test was a
# large share of the suite's time. Each test run works in its own Postgres schemas, so two runs
# on one server (two developers, or a developer and CI) never drop each other's tables.
TEST_SCHEMA = f"flashtutor_test_{os.getpid()}"  # migrated once, emptied before each test
EMPTY_SCHEMA = f"{TEST_SCHEMA}_empty"  # recreated without tables for each migration test


def _admin_dsn() -> str:
    return POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")


def _admin(*statements: str) -> None:
    dsn = _admin_dsn()
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
            for statement in statements:
                conn.execute(statement)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"Postgres is required for the storage tests and is not reachable at {dsn}: {exc}. "
            "Start it (see README) or point TEST_POSTGRES_URL at one.",
            pytrace=False,
        )


def _recreate_schema(schema: str) -> str:
    """Drop and create `schema`; returns an async URL whose connections use only that schema."""
    _admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE', f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


def _migrate(url: str) -> None:
    """Run the app's own migration, in a thread: a test's event loop may be running."""

    async def run() -> None:
        database = Database(url)
        try:
            await database.migrate()
        finally:
            await database.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


class _MigratedPostgres:
    """The run's Postgres schema at the newest revision; `emptied()` deletes every row."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.url = ""
        self._head: str | None = None
        self._empty_sql = ""
        self._build()

    def _build(self) -> None:
        self.url = _recreate_schema(self.schema)
        _migrate(self.url)
        engine = create_engine(self.url)
        try:
            tables = MetaData()
            tables.reflect(bind=engine)
            with engine.connect() as conn:
                self._head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                sequences = conn.execute(
                    text(
                        "SELECT sequence_name FROM information_schema.sequences "
                        "WHERE sequence_schema = :schema"
                    ),
                    {"schema": self.schema},
                ).scalars()
                restarts = [f'ALTER SEQUENCE "{self.schema}"."{s}" RESTART' for s in sequences]
        finally:
            engine.dispose()
        # Children before parents; ids restart at 1 as in a new database. DELETE, not TRUNCATE:
        # TRUNCATE rewrites every table's files and takes as long as migrating.
        deletes = [
            f'DELETE FROM "{self.schema}"."{table.name}"'
            for table in reversed(tables.sorted_tables)
            if table.name != "alembic_version"
        ]
        # A lock a test leaked (an open transaction) fails the next test's set-up, not hangs it.
        self._empty_sql = "; ".join(["SET lock_timeout = '30s'", *deletes, *restarts])

    def emptied(self) -> str:
        """The URL of the schema with no rows; rebuilt if a test left it at another revision."""
        try:
            with psycopg.connect(_admin_dsn(), autocommit=True, connect_timeout=5) as conn:
                version = conn.execute(
                    f'SELECT version_num FROM "{self.schema}".alembic_version'
                ).fetchone()
                if version is not None and version[0] == self._head:
                    conn.execute(self._empty_sql)
                    return self.url
        except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):
            pass
        self._build()
        return self.url


@pytest.fixture(scope="session")
def _postgres_migrated() -> _MigratedPostgres:
    return _MigratedPostgres(TEST_SCHEMA)


@pytest.fixture(scope="session")
def _sqlite_migrated(tmp_path_factory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("migrated") / "flashtutor.db"
    _migrate(f"sqlite+aiosqlite:///{path}")
    assert not path.with_name(path.name + "-wal").exists(), "the WAL was not checkpointed"
    return path


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """A migrated database without rows, on each backend (new tests get it by naming it)."""
    if request.param == "sqlite":
        path = tmp_path / "flashtutor.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_migrated"), path)
        return f"sqlite+aiosqlite:///{path}"
    return request.getfixturevalue("_postgres_migrated").emptied()


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path) -> str:
    """A database without tables, on each backend: for tests of the migrations themselves."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    return _recreate_schema(EMPTY_SCHEMA)


@pytest.fixture(scope="session", autouse=True)
def _stop_chart_worker():
    """The test bots' shared chart worker process ends with the run."""
    yield
    from tests.harness import stop_shared_chart_pool

    stop_shared_chart_pool()


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schemas():
    yield
    try:
        with psycopg.connect(_admin_dsn(), autocommit=True, connect_timeout=5) as conn:
            for schema in (TEST_SCHEMA, EMPTY_SCHEMA):
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    except psycopg.OperationalError:
        pass  # the tests that needed Postgres have already failed and said why


@pytest.fixture
async def db(database_url):
    """A migrated database without rows, on each backend."""
    database = Database(database_url)
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
