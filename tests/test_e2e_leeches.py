"""End to end: leeches through time (a controllable clock), in private review and group posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.telegram import texts
from bot.telegram.callbacks import CardEdit, decode
from bot.telegram.keyboards import leech_notice
from tests.fake_telegram import FakeUser
from tests.harness import Chat, GroupChat

ADA = FakeUser(1201, "Ada")
ADMIN = FakeUser(1202, "Admin")
BOB = FakeUser(1203, "Bob")
GROUP_ID = -1204
MONDAY_8 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


async def _review_once(chat: Chat, clock, grade: str, *, expect: int = 1):
    """/review at the current time, Show answer, grade; returns (toast, messages after)."""
    [card] = await chat.send("/review")
    assert card.buttons[0][0] == "Show answer", card.text
    _t, [shown] = await chat.press(card, "Show answer", expect=1)
    return await chat.press(shown, grade, expect=expect)


async def test_a_leech_is_suspended_the_learner_chooses_and_lists_bring_it_back(
    running_bot, fake, clock
):
    chat = Chat(fake, ADA)
    [reply] = await chat.send("/leech 1")  # every lapse makes a leech: quick to reach
    assert "forget 1 time will be suspended" in reply.text
    [reply] = await chat.send("/leech many")
    assert reply.text == texts.LEECH_USAGE
    await chat.send("/newcards 1")
    [welcome] = await chat.send("/start")
    _t, [_picker, _confirm, card] = await chat.press(welcome, "📚", expect=3)
    _t, [shown] = await chat.press(card, "Show answer", expect=1)
    await chat.press(shown, "Easy", expect=1)  # into Review, due in days
    await chat.send("/newcards 0")  # from now on only this card comes

    # Days later it is due; Again on a review card is a lapse: a leech at once.
    clock.advance(days=30)
    toast, [record, notice] = await _review_once(chat, clock, "Again", expect=2)
    assert toast["text"].startswith("Recorded: Again")
    assert "Again" in record.plain_text and "Show answer" not in str(record.buttons)
    assert "Leech" in notice.text and "forgotten this card 1 time" in notice.text
    assert [t for t, _d in notice.buttons] == ["▶️ Keep studying it", "⏸ Leave it suspended"]
    [stats] = await chat.send("/stats")
    assert "suspended 1" in stats.text and "Due now 0" in stats.text

    # Keep studying it: back in reviews once its relearning step comes (10 minutes).
    toast, [kept] = await chat.press(notice, "▶️", expect=1)
    assert toast["text"] == "Back in your reviews" and kept.message_id == notice.message_id
    assert "Back in your reviews (lapses so far: 1)" in kept.text and not kept.buttons
    clock.advance(minutes=11)
    await _review_once(chat, clock, "Good")

    # The next lapse warns again (half of 1 is every lapse); this time it stays suspended.
    clock.advance(days=30)
    _t, [_record, notice] = await _review_once(chat, clock, "Again", expect=2)
    assert "forgotten this card 2 times" in notice.text
    toast, [left] = await chat.press(notice, "⏸", expect=1)
    assert toast["text"] == "Left suspended" and "Left suspended" in left.text
    clock.advance(days=30)  # its relearning step is long due, but it never comes
    [nothing] = await chat.send("/review")
    assert "Show answer" not in [t for t, _d in nothing.buttons]

    [listing] = await chat.send("/leeches")
    assert "Suspended cards</b> (1)" in listing.text and "2 lapses" in listing.text
    assert [t for t, _d in listing.buttons] == ["▶️ 1"]
    toast, [redrawn] = await chat.press(listing, "▶️ 1", expect=1)
    assert toast["text"] == "Back in your reviews" and "No suspended cards" in redrawn.text
    [card] = await chat.send("/review")
    assert card.buttons[0][0] == "Show answer"

    [settings] = await chat.send("/settings")
    assert "Leeches: suspended after 1 lapse (/leech N)" in settings.text
    await chat.send("/leech 0")
    [settings] = await chat.send("/settings")
    assert "Leeches: off (/leech N)" in settings.text


def test_the_owner_of_the_deck_gets_edit_under_the_notice():
    [row, [edit]] = leech_notice(7, editable=True).inline_keyboard
    assert decode(edit.callback_data) == CardEdit(7, "menu") and edit.text == "✏️ Edit"
    assert len(leech_notice(7, editable=False).inline_keyboard) == 1 and len(row) == 2


async def _sweep(running_bot, clock, at: datetime):
    clock.set(at)
    return await running_bot.runtime.timetable.sweep(at)


async def test_a_group_post_grade_that_makes_a_leech_follows_the_same_rule(
    running_bot, fake, clock
):
    clock.set(MONDAY_8)
    group = GroupChat(fake, GROUP_ID)
    await group.add_bot(ADMIN)
    await group.send(ADMIN, "/deck deep-learning-tools")
    await group.send(ADMIN, "/time 09:00")
    await group.send(ADMIN, "/cards_per_post 1")
    bob = Chat(fake, BOB)
    await bob.send("/start")  # Bob can be written to in private
    await bob.send("/leech 1")

    await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=1, minutes=1))
    [first] = group.posts()
    question = first.plain_text.split("\n")[2]
    await group.press(BOB, first, "Easy")
    # Day by day until the card is due for Bob and posted again.
    for day in range(1, 40):
        await _sweep(running_bot, clock, MONDAY_8 + timedelta(days=day, hours=1, minutes=1))
        post = group.posts()[-1]
        if question in post.plain_text:
            break
    else:
        raise AssertionError("the card never came back in a post")
    mark = fake.mark()
    toast, _ = await group.press(BOB, post, "Again")
    assert toast["show_alert"] and "suspended for you (a leech)" in toast["text"]
    [notice] = await bob._collect(mark, 1)
    assert "Leech" in notice.text and question in notice.plain_text
    # The card's relearning step is due for Bob tomorrow, yet the post leaves it out.
    await _sweep(running_bot, clock, clock() + timedelta(days=1))
    assert question not in group.posts()[-1].plain_text
    # /undo of that grade brings it back.
    [undone, *_rest] = await bob.send("/undo", expect=2)
    assert "Undid your <b>Again</b>" in undone.text
    [listing] = await bob.send("/leeches")
    assert "No suspended cards" in listing.text
