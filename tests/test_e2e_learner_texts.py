"""End to end: what a learner reads at the edges — settings shown before they are changed,
unknown names, a returning learner's /start, pickers after a choice — through the real
Application over HTTP against the fake Bot API server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fake_telegram import FakeUser
from tests.harness import (
    Chat,
    GroupChat,
    RunningBot,
    enrol_in_every_deck,
    make_settings,
    seed_decks_dir,
)
from tests.test_e2e_study import _answer as answer_question

ADA = FakeUser(5001, "Ada", username="ada")
ADMIN = FakeUser(5101, "Grace", username="grace")
MEMBER = FakeUser(5102, "Linus")
GROUP_ID = -5001


# --- settings: the current value first, unknown names said to be unknown ----------------------


async def test_settings_commands_without_an_argument_show_the_current_value(running_bot, fake):
    chat = Chat(fake, ADA)
    [reply] = await chat.send("/time")
    assert reply.plain_text.startswith("Your daily review time is 09:00 (UTC).")
    assert "HH:MM" in reply.text
    [reply] = await chat.send("/timezone")
    assert reply.plain_text.startswith("Your timezone is UTC; your local time is 08:00.")
    assert "IANA" in reply.text
    [reply] = await chat.send("/newcards")
    assert reply.plain_text.startswith("You get up to 20 new cards a day.")
    assert "0 to 1000" in reply.text

    await chat.send("/timezone Europe/Berlin")
    await chat.send("/time 7:30")
    await chat.send("/newcards 1")
    [reply] = await chat.send("/time")
    assert reply.plain_text.startswith("Your daily review time is 07:30 (Europe/Berlin).")
    [reply] = await chat.send("/timezone")
    assert reply.plain_text.startswith("Your timezone is Europe/Berlin; your local time is 09:00.")
    [reply] = await chat.send("/newcards")
    assert reply.plain_text.startswith("You get up to 1 new card a day.")


async def test_an_unknown_timezone_is_named_unknown_with_suggestions(running_bot, fake):
    chat = Chat(fake, ADA)
    [reply] = await chat.send("/timezone Mars/Olympus")
    assert reply.plain_text.startswith("I don't know the timezone Mars/Olympus.")
    assert "Did you mean" not in reply.text and "IANA" in reply.text
    [reply] = await chat.send("/timezone Europe/Berlinn")
    assert reply.plain_text.startswith("I don't know the timezone Europe/Berlinn.")
    assert "Did you mean: Europe/Berlin," in reply.plain_text
    # A name longer than any path the zone database could hold is unknown, not an outage.
    [reply] = await chat.send("/timezone " + "A" * 300)
    assert reply.plain_text.startswith("I don't know the timezone AAAA")
    assert "unavailable" not in reply.text and len(reply.plain_text) < 400
    [reply] = await chat.send("/timezone ../../etc/passwd")
    assert reply.plain_text.startswith("I don't know the timezone ../../etc/passwd.")
    [settings] = await chat.send("/settings")
    assert "Timezone: UTC" in settings.plain_text


async def test_group_settings_commands_show_the_current_value(running_bot, fake):
    group = GroupChat(fake, GROUP_ID)
    await group.add_bot(ADMIN)
    [reply] = await group.send(ADMIN, "/time")
    assert reply.plain_text.startswith("The daily post is at 09:00 (UTC).")
    [reply] = await group.send(ADMIN, "/timezone")
    assert reply.plain_text.startswith("This group's timezone is UTC; it is 08:00 there.")
    [reply] = await group.send(ADMIN, "/cards_per_post")
    assert reply.plain_text.startswith("Each daily post has up to 3 cards.")
    [reply] = await group.send(ADMIN, "/timezone Mars/Olympus")
    assert reply.plain_text.startswith("I don't know the timezone Mars/Olympus.")
    await group.send(ADMIN, "/timezone asia/tokyo")
    await group.send(ADMIN, "/time 18:15")
    [reply] = await group.send(ADMIN, "/time")
    assert reply.plain_text.startswith("The daily post is at 18:15 (Asia/Tokyo).")
    [reply] = await group.send(ADMIN, "/timezone")
    assert reply.plain_text.startswith("This group's timezone is Asia/Tokyo; it is 17:00 there.")
    # A member who is no admin may look, not change.
    [reply] = await group.send(MEMBER, "/time")
    assert reply.plain_text.startswith("The daily post is at 18:15 (Asia/Tokyo).")
    [reply] = await group.send(MEMBER, "/cards_per_post")
    assert reply.plain_text.startswith("Each daily post has up to 3 cards.")
    [reply] = await group.send(MEMBER, "/time 07:00")
    assert "only this group's admins" in reply.text


# --- /start for a returning learner, and deck pickers after a choice ---------------------------


def _second_deck(decks: Path) -> None:
    (decks / "spanish.md").write_text(
        "---\nslug: spanish\ntitle: Spanish Basics\ndescription: A few words.\n---\n\n"
        + "".join(f"## w{i}\nQ: word {i}?\nA: palabra {i}\n\n" for i in range(6))
    )


@pytest.fixture
async def two_decks_bot(database_url, fake, clock, tmp_path):
    decks = seed_decks_dir(tmp_path)
    _second_deck(decks)
    bot = RunningBot(make_settings(database_url, fake, decks_dir=decks), clock)
    await bot.start()
    yield bot
    await bot.stop()


async def test_start_shows_a_returning_learner_their_decks_marked(two_decks_bot, fake):
    chat = Chat(fake, ADA)
    [welcome] = await chat.send("/start")
    assert "Pick a deck to start:" in welcome.plain_text
    assert [label for label, _d in welcome.buttons] == [
        "📚 Deep Learning Tools",
        "📚 Spanish Basics",
    ]
    # The choice is marked on the picker itself, which now reads as for a returning learner.
    _t, [picker, _confirm, _card] = await chat.press(welcome, "📚 Spanish", expect=3)
    assert picker.method == "editMessageText" and picker.message_id == welcome.message_id
    assert [label for label, _d in picker.buttons] == [
        "📚 Deep Learning Tools",
        "✅ Spanish Basics",
    ]
    assert "• ✅ Spanish Basics — 6 cards" in picker.plain_text
    assert picker.plain_text.startswith("Hi Ada!")  # just arrived: not "Welcome back" yet
    assert "Your decks (✅ studying) — tap another to add it:" in picker.plain_text

    [again] = await chat.send("/start")
    assert "Pick a deck to start" not in again.plain_text
    assert again.plain_text.startswith("Welcome back, Ada!")
    assert "• Deep Learning Tools — 16 cards" in again.plain_text
    assert "• ✅ Spanish Basics — 6 cards" in again.plain_text
    assert [label for label, _d in again.buttons] == ["📚 Deep Learning Tools", "✅ Spanish Basics"]
    # Tapping a deck already studied says so, and the picker stays as it is.
    toast, [confirm, _card, settled] = await chat.press(again, "✅ Spanish", expect=3)
    assert toast["text"] == "Already studying" and "already studying" in confirm.text
    assert "Moved on" in settled.text  # the card shown on enrolling, still open until now
    assert chat.current(again.message_id).text == again.text
    # Adding a deck from it keeps the welcome back, both decks now marked.
    _t, [picker, _confirm, _card, _settled] = await chat.press(again, "📚 Deep", expect=4)
    assert picker.plain_text.startswith("Welcome back, Ada!")
    assert [label for label, _d in picker.buttons] == [
        "✅ Deep Learning Tools",
        "✅ Spanish Basics",
    ]


async def test_the_decks_list_is_redrawn_after_study_and_leave(two_decks_bot, fake):
    chat = Chat(fake, ADA)
    [listing] = await chat.send("/decks")
    assert [label for label, _d in listing.buttons] == [
        "Study Deep Learning Tools",
        "Study Spanish Basics",
    ]
    _t, [redrawn, _confirm, _card] = await chat.press(listing, "Study Spanish", expect=3)
    assert redrawn.message_id == listing.message_id
    assert [label for label, _d in redrawn.buttons] == [
        "Study Deep Learning Tools",
        "Leave Spanish Basics",
    ]
    assert "Spanish Basics · 6 cards · ✅ studying" in redrawn.plain_text
    _t, [redrawn, left] = await chat.press(redrawn, "Leave Spanish", expect=2)
    assert redrawn.message_id == listing.message_id and "history is kept" in left.text
    assert "Spanish Basics · 6 cards · not studying" in redrawn.plain_text
    assert [label for label, _d in redrawn.buttons][1] == "Study Spanish Basics"


async def test_a_study_mode_deck_picker_keeps_only_the_choice(two_decks_bot, fake):
    chat = Chat(fake, ADA)
    await enrol_in_every_deck(chat)
    [picker] = await chat.send("/cards")
    assert picker.plain_text == "Flashcards — which deck?" and len(picker.buttons) == 2
    _t, [chosen, card] = await chat.press(picker, "📚 Spanish", expect=2)
    assert chosen.message_id == picker.message_id and chosen.buttons == []
    assert chosen.plain_text == "Flashcards — which deck? ✅ Spanish Basics"
    assert "Spanish Basics" in card.plain_text and "1/6" in card.plain_text


# --- Flashcards: the answer side keeps a question's blocks; the ends answer the tap -------------

CODE_DECK = """---
slug: code
title: Python Output
description: What does it print?
---

## last-doubled
Q: What does this print?
```python
xs = [1, 2, 3]
print(xs[-1] * 2)
```
A: `6`

## empty-join
Q: What is `"".join([])`?
A: The empty string.
"""


async def test_flashcards_answer_side_keeps_code_and_the_ends_answer_the_tap(
    database_url, fake, clock, tmp_path
):
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "code.md").write_text(CODE_DECK)
    bot = RunningBot(make_settings(database_url, fake, decks_dir=decks), clock)
    await bot.start()
    try:
        chat = Chat(fake, ADA)
        [welcome] = await chat.send("/start")
        await chat.press(welcome, "📚", expect=3)
        [card] = await chat.send("/cards")
        _t, [flipped] = await chat.press(card, "↻ Flip", expect=1)
        assert flipped.plain_text == (
            "Python Output · 1/2 · answer\n\n"
            "What does this print?\nxs = [1, 2, 3]\nprint(xs[-1] * 2)\n\nAnswer\n6"
        )
        assert '<pre><code class="language-python">xs = [1, 2, 3]\nprint(xs[-1] * 2)' in (
            flipped.text
        )
        # ◀ Prev on the first card: the tap is answered and nothing else changes.
        mark = fake.mark()
        toast, _ = await chat.press(flipped, "◀ Prev")
        assert toast["text"] == "This is the first card."
        _t, [second] = await chat.press(flipped, "Next ▶", expect=1)  # its buttons still work
        assert [m for m in fake.sent[mark:] if m.chat_id == ADA.id] == [second]
        assert "2/2" in second.plain_text
        toast, _ = await chat.press(second, "Next ▶")
        assert toast["text"].startswith("This is the last card")
        _t, [first] = await chat.press(second, "◀ Prev", expect=1)
        assert "1/2" in first.plain_text
    finally:
        await bot.stop()


# --- a typed attempt at a self-checked question ------------------------------------------------


async def test_text_typed_at_a_self_checked_question_is_shown_beside_its_answer(running_bot, fake):
    running_bot.runtime.study_seed = 4
    chat = Chat(fake, ADA)
    [welcome] = await chat.send("/start")
    await chat.press(welcome, "📚", expect=3)
    [question] = await chat.send("/test 2 written")
    assert "Think of the answer, then reveal it." in question.plain_text
    [stripped, revealed] = await chat.send("I think it is <about> tensors", expect=2)
    assert stripped.message_id == question.message_id and stripped.buttons == []
    text = revealed.plain_text
    assert "I only understand" not in text
    assert (
        "question 1/2" in text and "Your attempt\nI think it is <about> tensors\n\nAnswer\n" in text
    )
    assert text.endswith("Did you know it?")
    assert [label for label, _d in revealed.buttons] == ["✅ I knew it", "❌ I didn't"]
    _t, [settled, following] = await chat.press(revealed, "❌ I didn't", expect=2)
    assert settled.message_id == revealed.message_id and settled.plain_text.endswith(
        "You didn't know it."
    )
    assert "question 2/2" in following.plain_text


async def test_an_attempt_in_learn_keeps_the_stop_button_and_the_session_going(running_bot, fake):
    running_bot.runtime.study_seed = 3
    chat = Chat(fake, ADA)
    [welcome] = await chat.send("/start")
    await chat.press(welcome, "📚", expect=3)
    [question] = await chat.send("/learn")
    for _ in range(30):  # right answers until a card is asked for recall by self-check
        if "Think of the answer" in question.plain_text:
            break
        _toast, new = await answer_question(chat, question)
        question = new[-1]
    else:
        raise AssertionError("no self-checked question came up")
    [_stripped, revealed] = await chat.send("a multidimensional array", expect=2)
    assert "Your attempt\na multidimensional array\n\nAnswer\n" in revealed.plain_text
    labels = [label for label, _d in revealed.buttons]
    assert labels == ["✅ I knew it", "❌ I didn't", "⏸ Stop"]
    _t, [_settled, following] = await chat.press(revealed, "✅ I knew it", expect=2)
    assert "Learned" in following.plain_text


# --- one card open in one message: /undo and a second /review settle the older message --------


async def test_after_undo_the_card_message_it_replaced_says_it_moved_on(running_bot, fake):
    chat = Chat(fake, ADA)
    [welcome] = await chat.send("/start")
    _t, [_picker, _confirm, first] = await chat.press(welcome, "📚", expect=3)
    _t, [shown] = await chat.press(first, "Show answer", expect=1)
    _t, [second] = await chat.press(shown, "Good", expect=1)  # the next card, in the same message
    assert "Show answer" in [label for label, _d in second.buttons]
    graded = second

    [undone, again, settled] = await chat.send("/undo", expect=3)
    assert "Undid your <b>Good</b>" in undone.text
    assert again.buttons and first.plain_text.split("\n\n")[1] in again.plain_text  # back
    assert settled.method == "editMessageText" and settled.message_id == second.message_id
    assert settled.buttons == []
    assert settled.plain_text.endswith("Moved on — your current card is in the newest message.")
    # The first card is open in one message only: its graded message has no buttons either.
    assert chat.current(graded.message_id).buttons == []

    # A second /review shows the same card again: the older message moves on.
    [repeat, settled] = await chat.send("/review", expect=2)
    assert settled.message_id == again.message_id and settled.buttons == []
    # Grading the open card closes it: the next card does not touch the graded message.
    _t, [shown] = await chat.press(repeat, "Show answer", expect=1)
    _t, [following] = await chat.press(shown, "Good", expect=1)
    assert "Good — next in" in chat.current(repeat.message_id).plain_text
    open_messages = [
        m
        for m in fake.messages(ADA.id)
        if any(d and d.startswith(("a:", "g:")) for _t, d in m.buttons)
    ]
    assert [m.message_id for m in open_messages] == [following.message_id]


async def test_text_typed_while_a_review_card_waits_is_an_attempt_at_it(running_bot, fake):
    chat = Chat(fake, ADA)
    [reply] = await chat.send("an answer to nothing")  # no card waits: the usual reply
    assert "I only understand commands and buttons" in reply.text
    [welcome] = await chat.send("/start")
    _t, [_picker, _confirm, card] = await chat.press(welcome, "📚", expect=3)
    [stripped, revealed] = await chat.send("TensorFlow & PyTorch", expect=2)
    assert stripped.message_id == card.message_id and stripped.buttons == []
    text = revealed.plain_text
    assert "What are the primary deep learning frameworks mentioned?" in text
    assert "Your attempt\nTensorFlow & PyTorch\n\nAnswer\nTensorFlow, Keras, and PyTorch" in text
    labels = [label.split(" ·")[0] for label, _d in revealed.buttons]
    assert labels == ["Again", "Hard", "Good", "Easy"]
    _t, [following] = await chat.press(revealed, "Good", expect=1)
    # The graded card's message now holds the record of the grade and the next card.
    assert following.message_id == revealed.message_id and "Good — next in" in following.plain_text
    # The next card waits now: a second attempt reveals that one, not the graded card.
    [_stripped, revealed] = await chat.send("Python", expect=2)
    assert "What is the de-facto language" in revealed.plain_text
    assert "Your attempt\nPython\n\nAnswer\n" in revealed.plain_text
    assert following.message_id != revealed.message_id
