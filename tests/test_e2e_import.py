"""End to end: a learner sends deck files in private chat, previews, imports and studies them."""

from __future__ import annotations

import mimetypes
from datetime import timedelta
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


async def import_file(fake, user: FakeUser, name: str, data: bytes | None = None) -> BotMessage:
    """Upload and press Import; returns the confirmation."""
    preview = await upload(fake, user, name, data)
    chat = Chat(fake, user)
    await chat.press(preview, "✅ Import")
    return await fake.wait_for(
        lambda: (
            (m := chat.current(preview.message_id)).method == "editMessageText"
            and "✅ Imported" in m.plain_text
            and m
        ),
        description="the import confirmation",
    )


def _has_button(message: BotMessage, prefix: str) -> bool:
    return any(label.startswith(prefix) for label, _data in message.buttons)


async def until(fake, chat_id: int, mark: int, done) -> list[BotMessage]:
    """Messages in the chat since `mark` once `done(messages)` holds."""

    def ready():
        found = [m for m in fake.sent[mark:] if m.chat_id == chat_id]
        return found if done(found) else None

    return await fake.wait_for(ready, description="the bot's next prompt")


async def review_all(fake, user: FakeUser) -> dict[str, list[BotMessage]]:
    """/review every card once (Easy), recording what each question and answer sent."""
    chat = Chat(fake, user)
    seen: dict[str, list[BotMessage]] = {}
    mark = fake.mark()
    fake.send_message(user.id, "/review", user=user)
    for _ in range(30):
        shown = await until(
            fake,
            user.id,
            mark,
            lambda ms: (
                any(_has_button(m, "Show answer") for m in ms)
                or any("Done for now" in (m.plain_text or "") for m in ms)
            ),
        )
        prompt = next((m for m in shown if _has_button(m, "Show answer")), None)
        if prompt is None:
            return seen
        # A grade edits its message into the next card: the question follows the card header.
        parts = (prompt.plain_text or "").split("\n\n")
        header = next(i for i, part in enumerate(parts) if part.endswith(" left"))
        question = parts[header + 1]
        mark = fake.mark()
        await chat.press(prompt, "Show answer")
        answered = await until(
            fake, user.id, mark, lambda ms: any(_has_button(m, "Easy") for m in ms)
        )
        seen[question] = shown + answered
        graded = next(m for m in answered if _has_button(m, "Easy"))
        mark = fake.mark()
        await chat.press(graded, "Easy")
    raise AssertionError("the review did not end")


async def test_imported_anki_deck_is_listed_and_reviewed_with_its_photo_and_sound(
    running_bot, fake
):
    done = await import_file(fake, ADA, "deck_modern.apkg")
    assert "Imported Spanish Basics: 15 cards" in done.plain_text

    chat = Chat(fake, ADA)
    [_catalogue, decks] = await chat.send("/decks", expect=2)
    assert "Your own decks" in decks.plain_text
    assert "Spanish Basics · 15 cards · yours · ✅ studying" in decks.plain_text

    seen = await review_all(fake, ADA)
    assert "el café" in seen and "la manzana" in seen and "hola" in seen
    # HTML from the package reaches Telegram as HTML (bold kept, not shown as tags).
    cafe = seen["el café"]
    assert all("<b>" not in (m.plain_text or "") for m in cafe)
    # "la manzana": its image is on the answer side, sent as a photo captioned with the answer.
    photos = [m for m in seen["la manzana"] if m.media_kind == "photo"]
    assert len(photos) == 1
    assert "Answer" in photos[0].caption and _has_button(photos[0], "Easy")
    # "hola": a sound on the question side, sent as audio before the question text.
    audio = [m for m in seen["hola"] if m.media_kind == "audio"]
    assert len(audio) == 1
    assert not any("[sound:" in (m.plain_text or "") for m in seen["hola"])
    # Cards without media send no files.
    assert all(m.media_kind is None for m in seen["el perro"])

    # The same files for another learner (same deck imported again): no second upload.
    uploads = len(fake.uploads)
    assert uploads == 2
    await import_file(fake, BOB, "deck_legacy.apkg")
    bob_seen = await review_all(fake, BOB)
    assert any(m.media_kind == "photo" for m in bob_seen["la manzana"])
    assert len(fake.uploads) == uploads
    assert fake.refusals() == []


TYPED_DECK = (
    b"#separator:tab\n#html:false\n#notetype column:3\n"
    b"el perro\tthe dog\tBasic (type in the answer)\n"
)


async def test_a_typed_answer_card_is_checked_then_graded(running_bot, fake):
    await import_file(fake, ADA, "typed.txt", TYPED_DECK)
    chat = Chat(fake, ADA)
    [card] = await chat.send("/review")
    assert "el perro" in card.plain_text and "Type your answer" in card.plain_text

    # Each attempt answers below; the message before it loses its buttons.
    [closed, wrong] = await chat.send("the cat", expect=2)
    assert closed.message_id == card.message_id and closed.buttons == []
    assert "Your attempt\nthe cat\n❌ Not quite." in wrong.plain_text
    assert _has_button(wrong, "Again")
    [closed, checked] = await chat.send("Dog!", expect=2)
    assert (
        closed.message_id == wrong.message_id and closed.buttons == []
    )  # the forgiving matcher: case, punctuation, article
    assert "Your attempt\nDog!\n✅ Correct" in checked.plain_text
    assert "Answer\nthe dog" in checked.plain_text
    # The grade edits the checked message into its record and the session's end.
    _toast, [graded] = await chat.press(checked, "Good", expect=1)
    assert graded.message_id == checked.message_id
    assert "✓ Good — next in" in graded.plain_text and "Done for now" in graded.plain_text

    # With nothing typed-answer waiting, text is answered as before.
    [stray] = await chat.send("hello?")
    assert "I only understand commands and buttons" in stray.plain_text


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def picture_deck(tmp_path: Path) -> bytes:
    """An .apkg with images on question sides: a short question, a very long one, a bad image."""
    import genanki

    model = genanki.Model(
        1607392401,
        "Picture",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[
            {"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}
        ],
    )
    deck = genanki.Deck(2059400201, "Pictures")
    long_question = "Describe the picture. " + "Look closely at every detail. " * 40
    for guid, front, back in [
        ("short", 'What is this? <img src="dot.png">', "a dot"),
        ("long", f'{long_question}<img src="dot.png">', "a dot, described"),
        ("broken", 'And this? <img src="broken.png">', "not an image"),
    ]:
        deck.add_note(genanki.Note(model, [front, back], guid=guid))
    (tmp_path / "dot.png").write_bytes(PNG)
    (tmp_path / "broken.png").write_bytes(b"this is no picture")
    package = genanki.Package(deck)
    package.media_files = [str(tmp_path / "dot.png"), str(tmp_path / "broken.png")]
    output = tmp_path / "pictures.apkg"
    package.write_to_file(str(output))
    return output.read_bytes()


async def test_question_photos_carry_short_text_and_precede_long_text(running_bot, fake, tmp_path):
    await import_file(fake, ADA, "pictures.apkg", picture_deck(tmp_path))
    chat = Chat(fake, ADA)

    # A short question rides on its photo as the caption, with the Show answer button.
    [photo] = await chat.send("/review")
    assert photo.media_kind == "photo" and "What is this?" in photo.caption
    assert _has_button(photo, "Show answer")
    # Show answer edits the caption: question and answer, and the grades.
    _toast, [shown] = await chat.press(photo, "Show answer", expect=1)
    assert shown.method == "editMessageCaption" and "Answer\na dot" in shown.caption
    _toast, [graded, long_photo, long_text] = await chat.press(shown, "Easy", expect=3)
    assert graded.method == "editMessageCaption" and "Easy — next in" in graded.caption

    # A question over 1,024 characters: the photo alone, then the text with the button.
    assert long_photo.media_kind == "photo" and not long_photo.caption
    assert long_text.media_kind is None and _has_button(long_text, "Show answer")
    assert len(long_text.plain_text) > 1024
    _toast, [answer] = await chat.press(long_text, "Show answer", expect=1)
    assert "a dot, described" in answer.plain_text
    _toast, [_graded, broken] = await chat.press(answer, "Easy", expect=2)

    # Bytes that are no image go as a file (Telegram would refuse them as a photo).
    assert broken.media_kind == "document" and "And this?" in broken.caption
    assert [f.kind for f in fake.uploads] == ["photo", "document"]  # the dot uploaded once
    assert fake.refusals() == []  # nothing the bot sent was refused (captions, photos, edits)


async def test_help_says_deck_files_can_be_sent(running_bot, fake):
    [help_text] = await Chat(fake, ADA).send("/help")
    assert "Send me a deck file — Anki (.apkg, .colpkg), Quizlet export (.txt), CSV/TSV" in (
        help_text.plain_text
    )


async def test_the_daily_push_leads_to_imported_cards_with_their_photo(
    running_bot, fake, clock, tmp_path
):
    await import_file(fake, ADA, "pictures.apkg", picture_deck(tmp_path))
    at = clock() + timedelta(hours=1, minutes=1)  # past the default 09:00 review time
    clock.set(at)
    assert (await running_bot.runtime.timetable.sweep(at)).pushed == [ADA.id]
    push = fake.last_message(ADA.id)
    assert "Time to review: 3 new cards." in push.plain_text
    _toast, [photo] = await Chat(fake, ADA).press(push, "Start review", expect=1)
    assert photo.media_kind == "photo" and "What is this?" in photo.caption


async def test_an_expired_preview_is_answered_and_imports_nothing(running_bot, fake, clock):
    preview = await upload(fake, ADA, "cards.csv")
    clock.advance(hours=25)
    toast, _ = await Chat(fake, ADA).press(preview, "✅ Import")
    assert toast["text"] == "This preview is no longer open — send the file again to import it."
    assert await deck_count(running_bot, ADA.id) == 0


async def test_sending_the_same_deck_again_updates_it(running_bot, fake):
    await import_file(fake, ADA, "deck_modern.apkg")
    preview = await upload(fake, ADA, "deck_legacy.apkg")  # the same notes, the same GUIDs
    assert "This updates your deck Spanish Basics" in preview.plain_text
    chat = Chat(fake, ADA)
    await chat.press(preview, "✅ Import")
    done = await fake.wait_for(
        lambda: "Updated" in (m := chat.current(preview.message_id)).plain_text and m
    )
    assert "Updated Spanish Basics: 15 cards now (0 added, 0 updated, 0 retired)" in (
        done.plain_text
    )
    assert await deck_count(running_bot, ADA.id) == 1


async def flashcard_move(fake, chat: Chat, card: BotMessage, label: str) -> list[BotMessage]:
    """Press a Flashcards button; the messages since, once the card with its buttons is there
    (an edit of a text card, or a new card below media)."""
    mark = fake.mark()
    await chat.press(card, label)
    return await until(fake, ADA.id, mark, lambda ms: any(_has_button(m, "Next") for m in ms))


def _card_of(messages: list[BotMessage]) -> BotMessage:
    return next(m for m in messages if _has_button(m, "Next"))


async def test_other_study_modes_show_imported_html_as_formatting(running_bot, fake):
    await import_file(fake, ADA, "deck_modern.apkg")
    chat = Chat(fake, ADA)
    [card] = await chat.send("/cards")
    for _ in range(15):
        if "el café" in (card.plain_text or ""):
            break
        card = _card_of(await flashcard_move(fake, chat, card, "Next"))
    assert "el café" in card.plain_text and "<b>" not in card.plain_text
    assert "<b>el café</b>" in card.text  # sent as formatting, not as visible tags


async def test_flashcards_send_a_cards_photo_and_sound_as_review_does(running_bot, fake):
    await import_file(fake, ADA, "deck_modern.apkg")
    chat = Chat(fake, ADA)
    [card] = await chat.send("/cards")
    moves: list[list[BotMessage]] = [[card]]
    photo, checked_after_photo = None, False
    for _ in range(16):
        if photo is None and card.media_kind is None and "la manzana" in card.plain_text:
            # Its image is on the answer side, so the flip sends the photo captioned with the
            # answer and carrying the buttons; the text card it replaces loses its buttons.
            photo = _card_of(await flashcard_move(fake, chat, card, "↻ Flip"))
            assert photo.method == "sendPhoto" and photo.media_kind == "photo"
            assert "la manzana" in photo.caption and "Answer" in photo.caption
            assert "shown in /review" not in photo.caption
            assert chat.current(card.message_id).buttons == []
            card = photo
        if "Last card" in (card.plain_text or card.caption or ""):
            break
        from_photo = card is photo
        moves.append(await flashcard_move(fake, chat, card, "Next"))
        card = _card_of(moves[-1])
        if from_photo:
            # Next from the photo: a new text card below it (a caption cannot become a text).
            assert card.method == "sendMessage" and chat.current(photo.message_id).buttons == []
            checked_after_photo = True
    assert photo is not None and checked_after_photo
    # "hola" has a sound on its question: sent as audio above the card, which has no marker.
    [with_sound] = [ms for ms in moves if "hola" in (_card_of(ms).plain_text or "")]
    assert [m.media_kind for m in with_sound if m.method.startswith("send")] == ["audio", None]
    assert "🔊" not in _card_of(with_sound).plain_text
    assert sorted(f.kind for f in fake.uploads) == ["audio", "photo"]
    assert fake.refusals() == []  # every send, caption and edit was valid for Telegram


async def test_a_photo_card_replaced_by_a_newer_card_message_loses_its_buttons(
    running_bot, fake, tmp_path
):
    await import_file(fake, ADA, "pictures.apkg", picture_deck(tmp_path))
    chat = Chat(fake, ADA)
    [photo] = await chat.send("/review")
    assert photo.media_kind == "photo" and _has_button(photo, "Show answer")
    sent = await chat.send("/review", expect=2)
    again = next(m for m in sent if m.method == "sendPhoto")
    assert again.media_kind == "photo" and _has_button(again, "Show answer")
    old = chat.current(photo.message_id)
    assert old.buttons == [] and "What is this?" in old.caption  # caption kept, buttons gone
