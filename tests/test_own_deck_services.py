"""Own-deck services on SQLite and Postgres: what the bot waits for in a private chat, own and
joined deck lists, and an imported deck exported and read back (cards and media)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services import conversations
from bot.services.conversations import Step
from bot.services.owned_decks import add_cards, create_deck
from bot.services.personal_decks import deck_overview, live_card_count, personal_decks
from bot.services.sharing import enrol_shared, share_link_code
from bot.services.users import UserDefaults, ensure_user, leave

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


async def _users(db, *ids: int) -> None:
    async with db.session() as session:
        for user_id in ids:
            await ensure_user(
                session,
                user_id=user_id,
                first_name=f"U{user_id}",
                username=None,
                now=NOW,
                defaults=UserDefaults(),
            )


async def test_a_step_replaces_the_last_and_a_preview_is_saved_once(db):
    await _users(db, 1)
    async with db.session() as session:
        first = await conversations.begin(
            session, user_id=1, step=Step.ADD_QUESTION, data={"deck_id": 7}, now=NOW
        )
        first_draft = first.draft
    async with db.session() as session:
        preview = await conversations.begin(
            session,
            user_id=1,
            step=Step.BULK_PREVIEW,
            data={"deck_id": 7, "cards": [["q", "a"]]},
            now=NOW,
        )
        draft = preview.draft
    assert draft == first_draft + 1
    async with db.session() as session:
        pending = await conversations.current(session, user_id=1)
        assert (pending.kind, pending.data["cards"]) == (Step.BULK_PREVIEW, [["q", "a"]])
        # An older preview's button, then the current one, then the current one again.
        assert await conversations.finish_draft(session, user_id=1, draft=first_draft) is None
        assert (await conversations.finish_draft(session, user_id=1, draft=draft))["deck_id"] == 7
        assert await conversations.finish_draft(session, user_id=1, draft=draft) is None
    async with db.session() as session:
        assert await conversations.current(session, user_id=1) is None
        assert not await conversations.finish(session, user_id=1)
        await conversations.begin(session, user_id=1, step=Step.RENAME_DECK, data={}, now=NOW)
        assert await conversations.finish(session, user_id=1)
        assert await conversations.current(session, user_id=1) is None


async def test_personal_decks_list_owned_then_joined_with_counts_and_learners(db):
    await _users(db, 1, 2)
    async with db.session() as session:
        zebra = await create_deck(session, owner_id=1, title="Zebra", now=NOW)
        alpha = await create_deck(session, owner_id=2, title="Alpha", now=NOW)
        await add_cards(session, owner_id=2, deck_id=alpha.id, cards=[("q", "a")], now=NOW)
        code = await share_link_code(session, owner_id=2, deck_id=alpha.id, now=NOW)
        await enrol_shared(session, user_id=1, code=code, now=NOW)
    async with db.session() as session:
        mine = await personal_decks(session, user_id=1)
        assert [(d.title, d.owned, d.studying, d.card_count) for d in mine] == [
            ("Zebra", True, True, 0),
            ("Alpha", False, True, 1),
        ]
        overview = await deck_overview(session, user_id=2, deck_id=alpha.id)
        assert (overview.owned, overview.shared, overview.learners) == (True, True, 2)
        assert await deck_overview(session, user_id=2, deck_id=zebra.id) is None
        assert await live_card_count(session, deck_id=alpha.id) == 1
        await leave(session, user_id=1, deck_id=alpha.id)
    async with db.session() as session:
        left = [d for d in await personal_decks(session, user_id=1) if d.title == "Alpha"]
        assert [(d.studying, d.owned) for d in left] == [(False, False)]


async def test_an_imported_deck_exports_with_its_media_and_reads_back_the_same(db):
    """Anki package → saved deck → /export's three files → our readers: same cards, media."""
    from pathlib import Path

    from bot.core.imports.anki import read_anki_package
    from bot.core.imports.text import parse_text_deck, telegram_plain_text
    from bot.services.deck_export import export_deck
    from bot.services.deck_imports import save_import
    from bot.services.export_files import export_draft, export_files

    package = Path(__file__).parent / "fixtures" / "import" / "deck_modern.apkg"
    draft = read_anki_package(package.read_bytes(), filename=package.name)
    assert draft.media, "the fixture carries media"
    await _users(db, 1)
    async with db.session() as session:
        saved = await save_import(session, owner_id=1, draft=draft, now=NOW)
        export = await export_deck(session, user_id=1, deck_id=saved.deck.id)
    apkg, csv_file, quizlet = export_files(export, now=NOW)
    back = read_anki_package(apkg.data, filename=apkg.name)
    stored = sorted(export.media.items())
    assert sorted(back.media.items()) == stored and stored
    exported = export_draft(export)
    assert [(c.question, c.answer) for c in exported.cards] == [
        (c.question, c.answer) for c in draft.cards
    ]
    assert [(c.question, c.answer, c.question_media, c.answer_media) for c in back.cards] == [
        (c.question, c.answer, c.question_media, c.answer_media) for c in exported.cards
    ]
    for file in (csv_file, quizlet):
        parsed = parse_text_deck(file.data, filename=file.name).draft
        assert len(parsed.cards) == len(export.cards), file.name
        assert telegram_plain_text(parsed.cards[0].answer).strip()
