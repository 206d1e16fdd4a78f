"""End to end: a learner sends deck files in private chat, previews, imports and studies them."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.storage.models import Card, Deck, PendingImport
from tests.fake_telegram import BotMessage, FakeUser
from tests.harness import Chat

FIXTURES = Path(__file__).parent / "fixtures" / "import"
ADA = FakeUser(2001, "Ada", username="ada")
BOB = FakeUser(2002, "Bob")


async def upload(fake, user: FakeUser, name: str, data: bytes | None = None, **extra) -> BotMessage:
    """Send a fixture as a document; returns the bot's final answer (the edited status)."""
    data = (FIXTURES / name).read_bytes() if data is None else data
    mark = fake.mark()
    mime, _encoding = mimetypes.guess_type(name)
    fake.send_document(user.id, data, file_name=name, mime_type=mime, user=user, **extra)

    def answered():
        for message in reversed(fake.sent[mark:]):
            if message.chat_id == user.id and not (message.plain_text or "").startswith("📥"):
                return message
        return None

    return await fake.wait_for(answered, description=f"the answer to {name}")


async def deck_count(running_bot, owner_id: int) -> int:
    async with running_bot.runtime.db.session() as session:
        return (
            await session.execute(select(func.count(Deck.id)).where(Deck.owner_id == owner_id))
        ).scalar_one()


ANKI_PACKAGES = ["deck_modern.apkg", "deck_legacy.apkg", "collection.colpkg", "deck_genanki.apkg"]


@pytest.mark.parametrize("name", ANKI_PACKAGES)
async def test_an_anki_package_is_previewed_then_imported(running_bot, fake, name):
    preview = await upload(fake, ADA, name)
    text = preview.plain_text
    assert "Spanish Basics" in text and "Anki package" in text
    assert "15 cards from 12 notes" in text
    assert "Cloze" in text and "1 note → 2 cards" in text
    assert "reversed card" in text and "2 notes → 4 cards" in text
    assert "Media: 1 image and 1 sound" in text
    if name == "deck_genanki.apkg":
        assert "every card starts new" in text
    else:
        assert "history is kept (1 past answer)" in text
    assert "Nothing is saved until you press Import" in text
    labels = [label for label, _data in preview.buttons]
    assert labels == ["✅ Import 15 cards", "✖️ Cancel"]
    assert await deck_count(running_bot, ADA.id) == 0  # a preview saves no deck

    chat = Chat(fake, ADA)
    _toast, _ = await chat.press(preview, "✅ Import")
    done = await fake.wait_for(
        lambda: (
            "Imported" in (chat.current(preview.message_id).plain_text or "")
            and chat.current(preview.message_id)
        )
    )
    assert "Imported Spanish Basics: 15 cards" in done.plain_text and "/review" in done.plain_text
    assert done.buttons == []
    assert await deck_count(running_bot, ADA.id) == 1

    # A second tap on the same (old) button is answered, nothing imported twice.
    toast, _ = await chat.press(preview, data=preview.buttons[0][1])
    assert toast["text"] == "Already imported."
    assert await deck_count(running_bot, ADA.id) == 1


async def test_cancel_saves_nothing_and_stale_buttons_are_answered(running_bot, fake):
    chat = Chat(fake, ADA)
    preview = await upload(fake, ADA, "cards.csv")
    assert "8 cards from 8 notes" in preview.plain_text
    assert "Columns split by Comma" in preview.plain_text
    toast, [cancelled] = await chat.press(preview, "✖️ Cancel", expect=1)
    assert toast["text"] == "Import cancelled — nothing was saved."
    assert cancelled.message_id == preview.message_id
    assert cancelled.plain_text == "Import cancelled — nothing was saved."
    toast, _ = await chat.press(preview, "✅ Import")
    assert toast["text"] == "Already cancelled."
    assert await deck_count(running_bot, ADA.id) == 0
    async with running_bot.runtime.db.session() as session:
        held = (await session.execute(select(PendingImport))).scalar_one()
    assert (held.status, held.data) == ("cancelled", b"")

    # Someone else's preview button is refused.
    other = await upload(fake, ADA, "quizlet_tab.txt")
    bob = Chat(fake, BOB)
    toast, _ = await bob.press(other, "✖️ Cancel")
    assert toast["text"] == "This button isn't valid. /review to study."


async def test_quizlet_separators_are_shown_and_switching_re_reads(running_bot, fake):
    chat = Chat(fake, ADA)
    preview = await upload(fake, ADA, "quizlet_custom.txt")
    text = preview.plain_text
    assert "Quizlet export" in text
    assert "Read with “ - ” between term and definition, Semicolon between cards" in text
    assert "12 cards from 12 notes" in text
    labels = [label for label, _ in preview.buttons]
    assert labels[:5] == ["Tab", "Comma", "• “ - ” •", "New line", "• Semicolon •"]

    # Tab between term and definition: no tab in the file, so no cards — and no Import button.
    await chat.press(preview, "Tab")
    reread = await fake.wait_for(
        lambda: (
            (m := chat.current(preview.message_id)).method == "editMessageText"
            and "Tab between" in m.plain_text
            and m
        )
    )
    assert "❌" in reread.plain_text
    assert not any(label.startswith("✅ Import") for label, _ in reread.buttons)

    # Back to " - ": 12 cards again, then Import uses that reading.
    await chat.press(reread, "“ - ”")
    back = await fake.wait_for(
        lambda: "12 cards from 12 notes" in (m := chat.current(preview.message_id)).plain_text and m
    )
    await chat.press(back, "✅ Import 12 cards")
    await fake.wait_for(
        lambda: (
            "Imported quizlet custom: 12 cards"
            in (chat.current(preview.message_id).plain_text or "")
        )
    )
    async with running_bot.runtime.db.session() as session:
        questions = (
            (await session.execute(select(Card.question).join(Deck).where(Deck.owner_id == ADA.id)))
            .scalars()
            .all()
        )
    assert len(questions) == 12 and "el perro" in questions


BAD_FILES = {
    "not_a_zip.apkg": "This is not an Anki package",
    "empty.csv": "The file is empty.",
    "zip_without_collection.apkg": "This zip holds no Anki collection",
    "zip_bomb.apkg": "more than the import limit allows",
    "sqlite_not_anki.apkg": "not an Anki database",
    "latin1.csv": "save it as UTF-8",
}


@pytest.mark.parametrize(("name", "reason"), BAD_FILES.items())
async def test_bad_files_get_one_clear_message_and_import_nothing(running_bot, fake, name, reason):
    answer = await upload(fake, ADA, name)
    assert answer.plain_text.startswith(f"❌ I can't import {name}:")
    assert reason in answer.plain_text and answer.plain_text.endswith("Nothing was saved.")
    assert answer.buttons == []
    assert await deck_count(running_bot, ADA.id) == 0
    async with running_bot.runtime.db.session() as session:
        assert (await session.execute(select(func.count(PendingImport.id)))).scalar_one() == 0


async def test_a_file_declared_over_the_limit_is_refused_without_downloading(running_bot, fake):
    answer = await upload(fake, ADA, "deck_modern.apkg", declared_size=25 * 1024 * 1024)
    assert "is 25.0 MB; I can import files up to 20 MB" in answer.plain_text
    assert "getFile" not in [method for method, _params in fake.requests]
    assert fake.downloads == []


async def test_a_document_in_a_group_is_pointed_to_the_private_chat(running_bot, fake):
    group = -1009876
    mark = fake.mark()
    fake.send_document(group, b"a\tb", file_name="x.txt", user=ADA)
    reply = await fake.wait_for_message(group, after=mark)
    assert "private chat" in reply.plain_text
    assert "getFile" not in [method for method, _params in fake.requests]
