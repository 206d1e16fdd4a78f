"""End to end: a person reviews in private chat through the real Application over HTTP."""

from __future__ import annotations

import re

from bot.telegram import texts
from tests.fake_telegram import FakeUser
from tests.harness import Chat, eventually

ADA = FakeUser(1001, "Ada", username="ada")
GRADE_LABEL = re.compile(r"^(Again|Hard|Good|Easy) · (<1m|\d+(\.\d)?(m|h|d|mo|y))$")


async def _enrol(chat: Chat):
    [welcome] = await chat.send("/start")
    assert "Deep Learning Tools" in welcome.text and "16 cards" in welcome.text
    assert welcome.buttons == [("📚 Deep Learning Tools", "e:deep-learning-tools")]
    _toast, [picker, confirm, card] = await chat.press(welcome, "📚", expect=3)
    assert (
        picker.message_id == welcome.message_id and picker.buttons[0][0] == "✅ Deep Learning Tools"
    )
    assert "now studying" in confirm.text
    return card


async def test_start_pick_review_grade_undo_stats_and_restart(running_bot, fake, clock):
    chat = Chat(fake, ADA)
    card = await _enrol(chat)
    # The counter says what is left to study now, this card included.
    assert "<b>Deep Learning Tools</b> · 16 cards left" in card.text
    assert "What are the primary deep learning frameworks mentioned?" in card.text
    assert card.buttons == [("Show answer", card.buttons[0][1])]

    # Show answer → the same message now has the answer and four grade buttons with intervals.
    _toast, [shown] = await chat.press(card, "Show answer", expect=1)
    assert shown.method == "editMessageText" and shown.message_id == card.message_id
    assert "TensorFlow, Keras, and PyTorch" in shown.text
    labels = [text for text, _data in shown.buttons]
    assert [label.split(" ·")[0] for label in labels] == ["Again", "Hard", "Good", "Easy"]
    assert all(GRADE_LABEL.match(label) for label in labels), labels
    assert labels[2] == "Good · 10m"

    # Good → toast; one edit turns the graded card into a record of the grade over the next card.
    toast, [second] = await chat.press(shown, "Good", expect=1)
    assert toast["text"] == "Recorded: Good — next in 10m"
    assert second.method == "editMessageText" and second.message_id == card.message_id
    record, _blank, header, _blank2, question = second.plain_text.split("\n")
    assert (
        record == "✓ Good — next in 10m: What are the primary deep learning frameworks mentioned?"
    )
    # The first card is in a 10-minute learning step: not due now, so 15 are left.
    assert "· 15 cards left" in header and "What is the de-facto language" in question
    assert second.buttons == [("Show answer", second.buttons[0][1])]

    # Two more cards.
    current = second
    for _ in range(2):
        _t, [shown] = await chat.press(current, "Show answer", expect=1)
        _t, [current] = await chat.press(shown, "Easy", expect=1)
    assert "· 13 cards left" in current.text

    # /undo reverts the last grade; that card is shown again.
    [undone, again, settled] = await chat.send("/undo", expect=3)
    assert settled.message_id == current.message_id and "Moved on" in settled.text
    assert (
        "Undid your <b>Easy</b>" in undone.text and "What is the underlying language" in undone.text
    )
    assert "What is the underlying language" in again.text and "· 14 cards left" in again.text

    # A restart in between keeps everything.
    await running_bot.restart()
    [stats] = await chat.send("/stats")
    assert "Mastered 0 · learning 2 · not studied 14 of 16 cards" in stats.text
    # The Good card is in its 10-minute step: due later today, not "due 0".
    assert "Due now 0 · later today 1 · tomorrow 0" in stats.text
    assert "Reviews today 2" in stats.text and "Streak: 1 day" in stats.text

    # After the restart the old card's buttons still work (state lives in the database).
    _t, [shown] = await chat.press(again, "Show answer", expect=1)
    assert "C++ and CUDA" in shown.text


async def test_double_press_records_one_review(running_bot, fake):
    chat = Chat(fake, ADA)
    card = await _enrol(chat)
    _t, [shown] = await chat.press(card, "Show answer", expect=1)
    toast, _ = await chat.press(shown, "Good", expect=1)
    assert toast["text"].startswith("Recorded")
    good = next(d for t, d in shown.buttons if t.startswith("Good"))
    toast, _ = await chat.press(shown, data=good)
    assert toast["text"] == "Already graded — this card has moved on."
    toast, _ = await chat.press(card, "Show answer")
    assert toast["text"] == "Already graded — this card has moved on."
    [stats] = await chat.send("/stats")
    assert "Reviews today 1" in stats.text


async def test_session_end_says_when_the_next_card_is_due(running_bot, fake, clock):
    chat = Chat(fake, ADA)
    await chat.send("/newcards 1")
    card = await _enrol(chat)
    _t, [shown] = await chat.press(card, "Show answer", expect=1)
    _t, [done] = await chat.press(shown, "Easy", expect=1)
    assert "1 card reviewed today" in done.text and "Next card due" in done.text
    [nothing] = await chat.send("/review")
    assert "Next card due" in nothing.text
    clock.advance(days=1)
    [card] = await chat.send("/review")
    assert "What is the de-facto language" in card.text


async def test_bad_inputs_get_clear_answers(running_bot, fake):
    chat = Chat(fake, ADA)
    [reply] = await chat.send("/frobnicate")
    assert "/help" in reply.text
    [reply] = await chat.send("hello there")
    assert "/help" in reply.text
    [reply] = await chat.send("/timezone Europe/Berlinn")
    assert "Europe/Berlin" in reply.text and "Did you mean" in reply.text
    [reply] = await chat.send("/timezone")
    assert "IANA" in reply.text
    [reply] = await chat.send("/time 25:00")
    assert "HH:MM" in reply.text
    for bad in ("/newcards lots", "/newcards ²", "/newcards 1001", "/newcards 1 2"):
        [reply] = await chat.send(bad)
        assert "0 to 1000" in reply.text, bad
    [reply] = await chat.send("/start no-such-deck")
    assert "don't know that deck" in reply.text
    [reply] = await chat.send("/undo")
    assert "nothing to undo" in reply.text
    card = await _enrol(chat)
    for forged in ["zzz", "g:1:0:9", "g:999999:0:3", "a:abc", "e:NOPE", "x" * 64]:
        toast, _ = await chat.press(card, data=forged)
        assert toast["text"], forged
        assert "isn't valid" in toast["text"] or "don't know" in toast["text"], (forged, toast)
    # Leave the deck: its old buttons are refused.
    [decks] = await chat.send("/decks")
    _t, [_list, left] = await chat.press(decks, "Leave", expect=2)
    assert "history is kept" in left.text
    toast, _ = await chat.press(card, "Show answer")
    assert toast["text"] == "You're not studying this card's deck any more."


async def test_another_users_card_button_is_refused(running_bot, fake):
    ada, bob = Chat(fake, ADA), Chat(fake, FakeUser(1002, "Bob"))
    card = await _enrol(ada)
    data = card.buttons[0][1]
    await bob.send("/help")
    # Bob presses Ada's button payload in his own chat: he is not enrolled, so it is refused.
    bob_msg = bob.last()
    toast, _ = await bob.press(bob_msg, data=data)
    assert toast["text"] == "You're not studying this card's deck any more."


async def test_settings_time_timezone_pause_resume(running_bot, fake):
    chat = Chat(fake, ADA)
    [reply] = await chat.send("/timezone america/new_york")
    assert "America/New_York" in reply.text
    [reply] = await chat.send("/time 7:45")
    assert "07:45" in reply.text
    [reply] = await chat.send("/newcards 5")
    [reply] = await chat.send("/pause")
    assert "paused" in reply.text
    [reply] = await chat.send("/pause")
    assert "already paused" in reply.text
    [settings] = await chat.send("/settings")
    for part in ("07:45", "America/New_York", "New cards per day: 5", "paused", "90%"):
        assert part in settings.text, part
    [reply] = await chat.send("/resume")
    [settings] = await chat.send("/settings")
    assert "Next daily message" in settings.text and "(America/New_York)" in settings.text


async def test_commands_are_registered(running_bot, fake):
    names = [name for name, _description in fake.commands("all_private_chats")]
    assert {
        "start",
        "review",
        "undo",
        "stats",
        "settings",
        "time",
        "timezone",
        "newcards",
        "pause",
        "resume",
        "help",
        "decks",
    } <= set(names)


async def test_help_and_every_message_respect_limits(running_bot, fake):
    chat = Chat(fake, ADA)
    [reply] = await chat.send("/help")
    assert "/review" in reply.text
    # The fake server refuses what Telegram would (over 4096 characters, bad HTML, 64 bytes).
    assert fake.refusals() == []


async def test_user_who_blocked_the_bot_is_marked_and_unblocked_by_start(running_bot, fake):
    chat = Chat(fake, ADA)
    await _enrol(chat)
    fake.block_user(ADA.id)
    mark = len(fake.requests)
    fake.send_message(ADA.id, "/stats", user=ADA)
    # The reply is refused with 403; the bot records the block.
    await fake.wait_for(
        lambda: any(m in ("sendMessage", "sendPhoto") for m, _p in fake.requests[mark:]),
        description="a reply (/stats: its chart, captioned)",
    )
    assert await eventually(lambda: _blocked(running_bot), description="the block recorded")
    fake.unblock_user(ADA.id)
    await chat.send("/start")
    assert await _blocked(running_bot) is False


async def _blocked(running_bot) -> bool:
    from bot.storage.models import User

    async with running_bot.runtime.db.session() as s:
        return (await s.get(User, ADA.id)).blocked


async def test_losing_telegram_while_polling_is_one_warning_not_a_traceback(
    running_bot, fake, caplog
):
    caplog.set_level("WARNING")
    await fake.stop()
    await eventually(
        lambda: any("Telegram unreachable while polling" in r.getMessage() for r in caplog.records),
        timeout=10,
        description="the warning",
    )
    warnings = [r for r in caplog.records if "Telegram unreachable" in r.getMessage()]
    assert warnings and all(r.exc_info is None for r in warnings)
    assert not [r for r in caplog.records if r.name.startswith("bot.") and r.levelname == "ERROR"]


async def test_a_card_too_long_for_one_message_shows_its_answer_below(
    database_url, fake, clock, tmp_path
):
    from tests.harness import RunningBot, make_settings

    question = "Q" + "q" * 998 + "?"
    answer = "\n".join(["A long answer line with <angle> & ampersand."] * 77)[:3500]
    (tmp_path / "long.md").write_text(
        f"---\nslug: long\ntitle: Long\ndescription: d\n---\n\n## big\nQ: {question}\nA: {answer}\n"
    )
    bot = RunningBot(make_settings(database_url, fake, decks_dir=tmp_path), clock)
    await bot.start()
    try:
        chat = Chat(fake, ADA)
        _confirm, card = await chat.send("/start long", expect=2)
        _toast, [bare, answer_msg] = await chat.press(card, "Show answer", expect=2)
        assert bare.message_id == card.message_id and not bare.buttons
        assert answer_msg.plain_text.startswith(
            "Answer\nA long answer line with <angle> & ampersand."
        )
        assert len(answer_msg.plain_text) > 3000
        assert [t.split(" ·")[0] for t, _d in answer_msg.buttons] == [
            "Again",
            "Hard",
            "Good",
            "Easy",
        ]
        # Split by the bot, not cut: the two messages hold the whole card.
        assert question in card.plain_text
        assert answer_msg.plain_text == f"Answer\n{answer}"
        toast, [after] = await chat.press(answer_msg, "Good", expect=1)
        assert after.message_id == answer_msg.message_id and "Done for now" in after.text
        assert toast["text"].startswith("Recorded: Good")
        assert fake.refusals() == []
    finally:
        await bot.stop()


async def test_a_deleted_card_message_is_shown_anew_and_its_grade_recorded(running_bot, fake):
    chat = Chat(fake, ADA)
    card = await _enrol(chat)
    # The person deletes the card; an old button of it still reaches the bot (no message).
    fake.delete_message(ADA.id, card.message_id)
    toast, [anew] = await chat.press(card, "Show answer", expect=1)
    assert toast["text"] is None and anew.method == "sendMessage"
    assert "What are the primary deep learning frameworks" in anew.text and "Answer" in anew.text
    fake.delete_message(ADA.id, anew.message_id)
    toast, [following] = await chat.press(anew, "Good", expect=1)
    assert toast["text"] == "Recorded: Good — next in 10m"
    assert following.method == "sendMessage" and following.buttons[0][0] == "Show answer"
    assert texts.INTERNAL_ERROR not in [m.text for m in fake.sent]
