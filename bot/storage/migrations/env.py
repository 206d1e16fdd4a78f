"""Alembic environment: runs on a connection the bot hands over, or on sqlalchemy.url."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import bot.storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    cursor = connection.connection.dbapi_connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,  # SQLite cannot ALTER much
        compare_type=True,
    )
    # SQLite alters a table by rebuilding it (copy, drop, rename); dropping a table that
    # other rows point at fails while foreign keys are enforced, and enforcement can only be
    # switched off outside a transaction. So: off, migrate, check every key, on again.
    rebuild_safely = sqlite and not connection.in_transaction()
    if rebuild_safely:
        _sqlite_foreign_keys(connection, False)
    try:
        with context.begin_transaction():
            context.run_migrations()
            if rebuild_safely:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
    finally:
        if rebuild_safely:
            _sqlite_foreign_keys(connection, True)


async def _run_with_url(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.connect() as conn:  # _run opens the transaction (see there)
        await conn.run_sync(_run)
    await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_with_url(config.get_main_option("sqlalchemy.url")))


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
