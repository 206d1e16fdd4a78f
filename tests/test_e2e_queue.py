"""End to end: what a learner is told about their review queue — the counter on each card,
the end of a session, and enrolling (a card of the deck just chosen, or why there is none)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fake_telegram import BotMessage, FakeUser
from tests.harness import Chat, GroupChat, RunningBot, make_settings, seed_decks_dir

ADA = FakeUser(1001, "Ada", username="ada")
TINY = (
    "---\nslug: tiny\ntitle: Tiny\ndescription: Two cards.\n---\n\n"
    "## one\nQ: Who wrote it?\nA: Me.\n\n## two\nQ: Where is it?\nA: Here.\n"
)


async def _bot(database_url, fake, clock, decks):
    (decks / "tiny.md").write_text(TINY)
    bot = RunningBot(make_settings(database_url, fake, decks_dir=decks), clock)
    await bot.start()
    return bot


@pytest.fixture
async def bot_with_decks(database_url, fake, clock, tmp_path):
    """The bot with two decks: the seed deck (16 cards) and Tiny (2)."""
    bot = await _bot(database_url, fake, clock, seed_decks_dir(tmp_path))
    yield bot
    await bot.stop()


@pytest.fixture
async def tiny_bot(database_url, fake, clock, tmp_path):
    """The bot with Tiny alone."""
    decks = tmp_path / "decks"
    decks.mkdir()
    bot = await _bot(database_url, fake, clock, decks)
    yield bot
    await bot.stop()


async def _pick(chat: Chat, label: str, *, expect: int) -> list[BotMessage]:
    """Press a deck on /start's picker; returns the messages after the picker's redraw."""
    [welcome] = await chat.send("/start")
    _t, messages = await chat.press(welcome, f"📚 {label}", expect=expect)
    assert messages[0].method == "editMessageText"
    return messages[1:]


async def _grade(chat: Chat, card: BotMessage, grade: str, *, expect: int = 1) -> BotMessage:
    _t, [shown] = await chat.press(card, "Show answer", expect=1)
    _t, messages = await chat.press(shown, grade, expect=expect)
    return messages[-1]


def _shown(message: BotMessage) -> str:
    """A graded card edited into what follows: the text after the record of the grade."""
    record, _sep, rest = message.text.partition("\n\n")
    return rest if record.startswith("<i>✓ ") else message.text


async def _quiet(chat: Chat, fake, since: int) -> list[BotMessage]:
    """Every bot message in the chat since `since`, after a /help round trip settles them."""
    await chat.send("/help")
    return [m for m in fake.sent[since:] if m.chat_id == chat.chat_id][:-1]


async def test_the_counter_says_what_is_left_across_steps_decks_and_undo(
    bot_with_decks, fake, clock
):
    chat = Chat(fake, ADA)
    # Enrolling in Tiny shows Tiny's card, though the seed deck's come first alphabetically.
    await _pick(chat, "Deep Learning", expect=3)
    confirm, card, settled = await _pick(chat, "Tiny", expect=4)
    assert "Moved on" in settled.text  # the seed deck's first card, open until now
    assert "now studying <b>Tiny</b> (2 cards)" in confirm.text
    assert "here's its first card" in confirm.text
    assert card.text.startswith("<b>Tiny</b> · 2 cards left here · 18 in all")
    assert "Who wrote it?" in card.text
    # Again puts the card in a 1-minute step: it leaves the count; the review stays in Tiny.
    card = await _grade(chat, card, "Again")
    assert _shown(card).startswith("<b>Tiny</b> · 1 card left here · 17 in all")
    assert "Where is it?" in card.text
    # Tiny has nothing left now: on to the other deck.
    card = await _grade(chat, card, "Good")
    assert _shown(card).startswith("<b>Deep Learning Tools</b> · 16 cards left\n")
    # A minute later the Again card is due again and rejoins the count.
    clock.advance(minutes=2)
    card = await _grade(chat, card, "Good")
    assert _shown(card).startswith("<b>Deep Learning Tools</b> · 15 cards left here · 16 in all")
    # /undo takes that grade back: its card is new again and counted again.
    [_undone, again, _settled] = await chat.send("/undo", expect=3)
    assert again.text.startswith("<b>Deep Learning Tools</b> · 16 cards left here · 17 in all")
    assert "What are the primary deep learning frameworks" in again.text


async def test_done_for_now_counts_distinct_cards_not_reviews(tiny_bot, fake, clock):
    chat = Chat(fake, ADA)
    _confirm, card = await _pick(chat, "Tiny", expect=3)
    assert card.text.startswith("<b>Tiny</b> · 2 cards left\n")
    card = await _grade(chat, card, "Again")
    assert _shown(card).startswith("<b>Tiny</b> · 1 card left\n")
    done = await _grade(chat, card, "Good")
    assert _shown(done).startswith("Done for now — 2 cards reviewed today.\nNext card due")
    clock.advance(minutes=2)
    [card] = await chat.send("/review")
    assert _shown(card).startswith("<b>Tiny</b> · 1 card left\n") and "Who wrote it?" in card.text
    done = await _grade(chat, card, "Good")
    # Three reviews of two cards: the message counts cards; /stats counts the reviews.
    assert _shown(done).startswith("Done for now — 2 cards reviewed today.")
    [stats] = await chat.send("/stats")
    assert "Reviews today 3" in stats.text


async def test_enrolling_with_a_new_card_limit_of_zero_says_so(tiny_bot, fake):
    chat = Chat(fake, ADA)
    await chat.send("/newcards 0")
    since = fake.mark()
    [confirm] = await _pick(chat, "Tiny", expect=2)
    assert confirm.text == (
        "You're now studying <b>Tiny</b> (2 cards). Your new-card limit is 0, so no new cards "
        "start. Send <code>/newcards 10</code> to begin this deck."
    )
    sent = await _quiet(chat, fake, since)
    assert [m.text for m in sent if m.method == "sendMessage"][1:] == [confirm.text]
    [nothing] = await chat.send("/review")
    assert nothing.text == (
        "Nothing is due right now. Your new-card limit is 0, so no new cards start; "
        "<code>/newcards 10</code> lets them in."
    )
    assert "See you tomorrow" not in nothing.text


async def test_enrolling_after_todays_new_cards_are_spent_says_when_it_starts(
    bot_with_decks, fake, clock
):
    chat = Chat(fake, ADA)
    await chat.send("/newcards 1")
    _confirm, card = await _pick(chat, "Deep Learning", expect=3)
    await _grade(chat, card, "Easy")
    since = fake.mark()
    [confirm] = await _pick(chat, "Tiny", expect=2)
    assert confirm.text == (
        "You're now studying <b>Tiny</b> (2 cards). You've started today's 1 new card already "
        "(/newcards changes the limit), so its first cards come Tue 03 Mar, 00:00 (UTC)."
    )
    sent = await _quiet(chat, fake, since)
    assert not any(m.buttons and "Show answer" in m.buttons[0][0] for m in sent)
    # Enrolled already, with a card of that deck due: it is shown, not another deck's.
    clock.advance(days=1)
    [welcome] = await chat.send("/start")
    _t, [confirm, card] = await chat.press(welcome, "✅ Tiny", expect=2)  # picker unchanged
    assert "already studying <b>Tiny</b>. Here's its next card." in confirm.text
    assert card.text.startswith("<b>Tiny</b> · 1 card left\n")  # today's one new card


async def test_a_deck_whose_file_is_deleted_is_retired_and_its_learners_told(
    database_url, fake, clock, tmp_path, caplog
):
    decks = seed_decks_dir(tmp_path)
    bot = await _bot(database_url, fake, clock, decks)
    try:
        chat = Chat(fake, ADA)
        await _pick(chat, "Deep Learning", expect=3)
        _confirm, card, _settled = await _pick(chat, "Tiny", expect=4)  # the first card moves on
        await _grade(chat, card, "Easy")
        # The deck's file is deleted and the bot restarted (decks load at start-up).
        await bot.stop()
        (decks / "tiny.md").unlink()
        with caplog.at_level("WARNING", logger="bot.services.decks"):
            await bot.start()
        assert any(
            "deck tiny: its file is gone" in r.getMessage() and "1 learners" in r.getMessage()
            for r in caplog.records
        )
        [listing] = await chat.send("/decks")
        assert listing.text.startswith(
            "ℹ️ <b>Tiny</b> was removed from the bot, so you no longer study it. "
            "Your history is kept: if it comes back, pick it again here.\n\n<b>Decks</b>"
        )
        assert "Tiny" not in listing.text.split("<b>Decks</b>")[1]
        assert all("tiny" not in (data or "") for _label, data in listing.buttons)
        [again] = await chat.send("/decks")  # told once
        assert "removed" not in again.text
        [card, settled] = await chat.send("/review", expect=2)
        assert card.text.startswith("<b>Deep Learning Tools</b> · 16 cards left\n")
        assert "Where is it?" in settled.text and "Moved on" in settled.text  # Tiny's open card
        [reply] = await chat.send("/start tiny")
        assert "don't know that deck" in reply.text
        [stats] = await chat.send("/stats")
        assert "Tiny" not in stats.text
        # The file comes back: the deck is listed again, and picking it keeps its history.
        await bot.stop()
        (decks / "tiny.md").write_text(TINY)
        await bot.start()
        [listing] = await chat.send("/decks")
        assert "<b>Tiny</b> · 2 cards · not studying" in listing.text
        _t, [_redrawn, confirm, card, _settled] = await chat.press(listing, "Study Tiny", expect=4)
        assert "now studying <b>Tiny</b>" in confirm.text
        assert card.text.startswith("<b>Tiny</b>") and "Where is it?" in card.text  # not again
    finally:
        await bot.stop()


async def test_a_deep_link_shows_a_card_of_its_deck(bot_with_decks, fake, clock):
    chat = Chat(fake, ADA)
    await _pick(chat, "Deep Learning", expect=3)
    [confirm, card, _settled] = await chat.send("/start tiny", expect=3)  # + 'Moved on'
    assert "now studying <b>Tiny</b> (2 cards). Let's start — here's its first card." in (
        confirm.text
    )
    assert card.text.startswith("<b>Tiny</b> · 2 cards left here · 18 in all")
    [confirm, card, _settled] = await chat.send("/start tiny", expect=3)
    assert confirm.text == "You're already studying <b>Tiny</b>. Here's its next card."
    assert card.text.startswith("<b>Tiny</b>")


async def test_a_group_whose_deck_file_is_deleted_says_so_in_its_settings(
    database_url, fake, clock, tmp_path
):
    decks = seed_decks_dir(tmp_path)
    bot = await _bot(database_url, fake, clock, decks)
    admin = FakeUser(1005, "Ann")
    try:
        group = GroupChat(fake, -4100)
        await group.add_bot(admin)
        await group.send(admin, "/deck tiny")
        await bot.stop()
        (decks / "tiny.md").unlink()
        await bot.start()
        [settings] = await group.send(admin, "/settings")
        assert "Posting: off — the deck was removed from the bot" in settings.text
        assert "Next post" not in settings.text
        report = await bot.runtime.timetable.sweep(clock() + timedelta(days=1))
        assert report.groups.examined == 0 and group.posts() == []
    finally:
        await bot.stop()
