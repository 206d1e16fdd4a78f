"""Alembic migrations: the same revisions run on SQLite and Postgres and match the models.

Each test starts from a database without tables (`empty_database_url`), not from the run's
migrated one that other tests share.
"""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from bot.storage.db import Database, alembic_config
from bot.storage.models import Card, Deck


@pytest.fixture
async def db(empty_database_url):
    """A database migrated from nothing by this test."""
    database = Database(empty_database_url)
    await database.migrate()
    yield database
    await database.dispose()


async def test_upgrade_is_idempotent_and_matches_the_models(db):
    await db.migrate()  # a second run is a no-op

    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_downgrade_to_base_and_back(empty_database_url):
    db = Database(empty_database_url)
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


async def test_decks_and_cards_from_before_own_decks_read_as_bundled_markup(empty_database_url):
    db = Database(empty_database_url)

    def upgrade_to(revision):
        def run(connection):
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)

        return run

    async with db.engine.begin() as conn:
        await conn.run_sync(upgrade_to("0004"))
        await conn.execute(
            text(
                "INSERT INTO decks (id, slug, title, description, retired, updated_at) "
                "VALUES (1, 'spanish', 'Spanish', '', false, '2026-01-01 00:00:00')"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO cards (id, deck_id, key, position, question, answer, retired) "
                "VALUES (1, 1, 'hola', 0, 'hola', 'hello', false)"
            )
        )
    await db.migrate()
    async with db.session() as session:
        deck = await session.get(Deck, 1)
        card = await session.get(Card, 1)
    assert (deck.owner_id, deck.source, deck.share_code) == (None, "bundled", None)
    assert (card.kind, card.text_format, card.tags, card.typed_answer) == (
        "basic",
        "markup",
        "",
        None,
    )
    assert (card.question_media, card.answer_media, card.external_key) == ([], [], None)
    await db.dispose()


async def test_0013_adds_the_jobs_table_and_takes_it_away_again(empty_database_url):
    db = Database(empty_database_url)

    def step(action, revision):
        def run(connection):
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            action(cfg, revision)

        return run

    def tables(connection):
        return set(connection.dialect.get_table_names(connection))

    async with db.engine.begin() as conn:
        await conn.run_sync(step(command.upgrade, "0012"))
        assert "jobs" not in await conn.run_sync(tables)
        await conn.run_sync(step(command.upgrade, "0013"))
        await conn.execute(
            text(
                "INSERT INTO jobs (kind, chat_id, user_id, payload, attempts, run_after, "
                "created_at) VALUES ('import.read', 1, 1, '{}', 0, '2026-01-01 00:00:00', "
                "'2026-01-01 00:00:00')"
            )
        )
        assert "jobs" in await conn.run_sync(tables)
        await conn.run_sync(step(command.downgrade, "0012"))
        assert "jobs" not in await conn.run_sync(tables)
    await db.dispose()
