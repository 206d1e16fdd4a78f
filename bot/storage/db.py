"""Engine, sessions and schema migrations."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

__all__ = [
    "DATABASE_ERRORS",
    "Database",
    "ProcessLocks",
    "SQLiteFileInUse",
    "alembic_config",
    "hold_sqlite_file",
    "is_database_unavailable",
]

# What a failed database call raises: the driver's errors, wrapped, or a socket's.
DATABASE_ERRORS = (DBAPIError, OSError)

_HERE = Path(__file__).resolve().parent


def alembic_config(url: str | None = None) -> Config:
    """The Alembic config for our migrations, independent of the working directory."""
    cfg = Config(str(_HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _sqlite_pragmas(busy_timeout_ms: int):
    def on_connect(dbapi_connection, _record) -> None:
        # We issue BEGIN ourselves (below); the driver's own implicit BEGIN is turned off.
        dbapi_connection.isolation_level = None
        # WAL lets readers in other processes go on while we write; foreign keys are off by
        # default in SQLite. The busy timeout only matters across processes (a second bot,
        # `python -m bot migrate`): inside this one, writers queue on an asyncio lock.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def _sqlite_begin_immediate(connection: Connection) -> None:
    # Chats are handled concurrently: a deferred transaction that reads and then writes can
    # fail at once with SQLITE_BUSY when another one committed in between; taking the write
    # lock up front makes concurrent transactions wait their turn (busy_timeout) instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Owns the async engine; one `session()` per unit of work.

    SQLite has one writer at a time. Left to itself, each waiting connection spins in
    SQLite's busy handler on its own thread while the transaction holding the lock waits
    for the (busy) event loop to send its next statement, and under load the busy timeout
    runs out: `database is locked`. So on SQLite every session first takes an asyncio lock:
    transactions queue in the event loop, one at a time, and SQLite never sees two writers
    from this process.
    """

    def __init__(self, url: str, *, echo: bool = False, busy_timeout: float = 15.0) -> None:
        self.url = url
        kwargs: dict = {"echo": echo}
        if not url.startswith("sqlite"):
            kwargs |= {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        self._writer: asyncio.Lock | None = None
        if self.engine.dialect.name == "sqlite":
            pragmas = _sqlite_pragmas(int(busy_timeout * 1000))
            event.listen(self.engine.sync_engine, "connect", pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin_immediate)
            self._writer = asyncio.Lock()
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._process_locks: list[ProcessLocks] = []

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error.

        Sessions must not nest (on SQLite the inner one would wait for the outer forever),
        and no Telegram call belongs inside one: it would hold up every other writer.
        """
        turn = self._writer if self._writer is not None else contextlib.nullcontext()
        async with turn, self._sessions() as session, session.begin():
            yield session

    async def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (idempotent)."""

        def upgrade(connection: Connection) -> None:
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

        turn = self._writer if self._writer is not None else contextlib.nullcontext()
        # A connection outside any transaction: the migration environment opens its own, and
        # on SQLite first switches foreign keys off, which only works outside one.
        async with turn, self.engine.connect() as conn:
            await conn.run_sync(upgrade)

    async def answers(self, *, within: float = 2.0) -> bool:
        """Whether the database runs a trivial query within `within` seconds (/healthz)."""
        try:
            async with asyncio.timeout(within), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (TimeoutError, *DATABASE_ERRORS):
            return False
        return True

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        """Hold a Postgres advisory lock named `name` across processes (a no-op on SQLite,
        one process's database): start-up's migrations and deck sync run one at a time."""
        if self.dialect != "postgresql":
            yield
            return
        key = text("SELECT pg_advisory_lock(hashtext(:name))")
        async with self.engine.connect() as connection:
            await connection.execute(key, {"name": name})
            await connection.commit()  # a session-level lock outlives the transaction
            try:
                yield
            finally:
                await connection.execute(
                    text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": name}
                )
                await connection.commit()

    def process_locks(self, namespace: str) -> ProcessLocks | None:
        """Locks this process holds while it works on something, seen by every process
        (None on SQLite, one process's database); released by `dispose`."""
        if self.dialect != "postgresql":
            return None
        locks = ProcessLocks(self.engine, namespace)
        self._process_locks.append(locks)
        return locks

    async def dispose(self) -> None:
        for locks in self._process_locks:
            await locks.close()
        await self.engine.dispose()


class SQLiteFileInUse(Exception):
    """Another bot process holds this SQLite file."""


def hold_sqlite_file(url: str) -> int | None:
    """Hold a SQLite database file for this process; returns the lock's descriptor (closing
    it, or the process ending, lets go), or None when `url` is not a SQLite file.

    SQLite is one process's database: the timetable, the per-chat update order and the send
    limits all assume one bot on it, so a second bot on the same file is refused at start
    (raises SQLiteFileInUse) instead of both running. The lock is on `<file>.lock`, beside
    SQLite's own -wal and -shm files, never on the database file, whose locks are SQLite's.
    """
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    descriptor = os.open(f"{parsed.database}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise SQLiteFileInUse(parsed.database) from None
    return descriptor


# The first half of a process lock's key: its namespace within the connection's schema.
_SPACE = text("SELECT hashtext(:namespace || '.' || current_schema())")


class ProcessLocks:
    """Postgres advisory locks held on a connection of this process's own, one per key.

    Postgres drops them as soon as the process dies (its connection closes), so another
    process tells a holder that died from one still at work without waiting out a lease.
    Keys are scoped by `namespace` and the schema (advisory locks are database-wide). If the
    connection itself is lost, its locks go with it and the next call opens another: another
    process may then take up work still in progress here, which is why what the locks guard
    must be idempotent (a webhook update is: bot.web.app).
    """

    def __init__(self, engine: AsyncEngine, namespace: str) -> None:
        self._engine = engine
        self._namespace = namespace
        self._connection: AsyncConnection | None = None
        self._space: int | None = None  # the first half of each key (_SPACE)
        self._turn = asyncio.Lock()  # one statement at a time on the connection
        self._held: set[int] = set()  # Postgres would let this process take a key twice

    async def try_hold(self, key: int) -> bool:
        """Take the lock on `key`; False when any process, this one included, holds it."""
        if key in self._held:
            return False
        if await self._run("SELECT pg_try_advisory_lock(:space, :key)", key):
            self._held.add(key)
            return True
        return False

    async def release(self, key: int) -> None:
        """Let go of `key`; if the database is away, the lost connection let go already."""
        if key not in self._held:
            return
        self._held.discard(key)
        with contextlib.suppress(*DATABASE_ERRORS):
            await self._run("SELECT pg_advisory_unlock(:space, :key)", key)

    async def close(self) -> None:
        async with self._turn:
            await self._drop_connection()

    async def _run(self, sql: str, key: int) -> object:
        async with self._turn:
            if self._connection is None:
                connection = await self._engine.connect()
                self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            try:
                if self._space is None:
                    self._space = (
                        await self._connection.execute(_SPACE, {"namespace": self._namespace})
                    ).scalar_one()
                result = await self._connection.execute(
                    text(sql), {"space": self._space, "key": key & 0x7FFFFFFF}
                )
            except DATABASE_ERRORS:
                # The connection is gone, and every lock it held with it.
                await self._drop_connection()
                raise
            return result.scalar()

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        self._held.clear()
        if connection is not None:
            with contextlib.suppress(*DATABASE_ERRORS):
                # Closed for good, not returned to the pool still holding its locks.
                await connection.invalidate()
                await connection.close()


def is_database_unavailable(error: BaseException | None) -> bool:
    """A failure to reach the database (refused, dropped, locked, pool exhausted)."""
    if isinstance(error, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated
