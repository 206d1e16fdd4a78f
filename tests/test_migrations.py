"""Alembic migrations: the same revisions run on SQLite and Postgres and match the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from bot.storage.db import Database, alembic_config


async def test_upgrade_is_idempotent_and_matches_the_models(db):
    await db.migrate()  # a second run is a no-op

    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_downgrade_to_base_and_back(database_url):
    db = Database(database_url)
    await db.migrate()

    def downgrade(connection):
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "base")

    async with db.engine.begin() as conn:
        await conn.run_sync(downgrade)
    await db.migrate()

    def tables(connection):
        return set(connection.dialect.get_table_names(connection))

    async with db.engine.connect() as conn:
        assert {"users", "cards", "quiz_polls", "alembic_version"} <= await conn.run_sync(tables)
    await db.dispose()
