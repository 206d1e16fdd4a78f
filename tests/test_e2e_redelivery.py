"""End to end: updates Telegram hands out again after a crash change nothing twice.

The poller confirms an update only once it is handled, so a crash between storing an
update's effect and confirming it means the restarted bot gets it again. Each kind must then
be a no-op: a grade carries its card's version, a study button its question number, and a
message that changes state on each delivery (/undo, a typed answer) is applied once per
message id.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.core.srs import Grade
from bot.services import review as reviews
from bot.services import review_messages
from bot.services.users import UserDefaults, claim_message, ensure_user
from bot.storage.models import ReviewLog, User
from bot.telegram import callbacks as cb
from tests.fake_telegram import FakeUser
from tests.harness import Chat

ADA = FakeUser(1301, "Ada")


async def _grade_cards(chat: Chat, count: int):
    [welcome] = await chat.send("/start")
    _toast, [_picker, _confirm, card] = await chat.press(welcome, "📚", expect=3)
    presses, shown_cards = [], set()
    for _ in range(count):
        shown_cards.add(card.buttons[0][1])
        _t, [shown] = await chat.press(card, "Show answer", expect=1)
        data = next(d for t, d in shown.buttons if t.startswith("Good"))
        presses.append(chat.fake.press_button(chat.chat_id, shown.message_id, data, user=ADA))
        await chat.fake.wait_for_callback_answer(presses[-1])
        # The next card: a Show answer button not pressed yet (in a new or the edited message).
        card = await chat.fake.wait_for(
            lambda: next(
                (
                    x
                    for x in chat.fake.messages(chat.chat_id)
                    if x.buttons
                    and x.buttons[0][0] == "Show answer"
                    and x.buttons[0][1] not in shown_cards
                ),
                None,
            )
        )
    return presses


async def _handled_again(fake, update_id: int) -> None:
    """Telegram hands the update out again; wait until the bot has handled and confirmed it."""
    fake.redeliver(update_id)
    await fake.wait_for(lambda: update_id not in fake.unconfirmed_update_ids(), timeout=10)


async def _logs(running_bot):
    async with running_bot.runtime.db.session() as s:
        return (await s.execute(select(ReviewLog).order_by(ReviewLog.id))).scalars().all()


async def test_a_redelivered_undo_and_grade_change_nothing(running_bot, fake):
    chat = Chat(fake, ADA)
    presses = await _grade_cards(chat, 3)
    mark = fake.mark()
    undo = fake.send_message(ADA.id, "/undo", user=ADA)
    await fake.wait_for_message(ADA.id, lambda m: "Undid" in (m.text or ""), after=mark)
    # The bot dies before confirming; restarted, it gets the /undo and the last grade again.
    await running_bot.restart()
    await _handled_again(fake, undo)
    await _handled_again(fake, presses[1])
    logs = await _logs(running_bot)
    assert [log.undone for log in logs] == [False, False, True]  # one /undo, one undone
    # A new /undo is a new message: it still works.
    mark = fake.mark()
    fake.send_message(ADA.id, "/undo", user=ADA)
    await fake.wait_for_message(ADA.id, lambda m: "Undid" in (m.text or ""), after=mark)
    assert [log.undone for log in await _logs(running_bot)] == [False, True, True]


async def _answer_shown(chat: Chat):
    """Enrol and press Show answer: the card's message with the four grades."""
    [welcome] = await chat.send("/start")
    _toast, [_picker, _confirm, card] = await chat.press(welcome, "📚", expect=3)
    _t, [shown] = await chat.press(card, "Show answer", expect=1)
    return shown


async def test_a_press_telegram_takes_no_answer_for_still_does_its_work(running_bot, fake):
    """A press answered by a process that died before finishing it (or one past Telegram's
    answer window) reaches the bot: its toast is refused, its grade and next card are not."""
    chat = Chat(fake, ADA)
    shown = await _answer_shown(chat)
    good = next(d for t, d in shown.buttons if t.startswith("Good"))
    mark = fake.mark()
    update_id = fake.press_button(ADA.id, shown.message_id, good, user=ADA)
    fake.expire_callback_query(update_id)
    following = await fake.wait_for_message(ADA.id, after=mark)
    assert following.message_id == shown.message_id and "✓ Good" in following.text
    assert following.buttons[0][0] == "Show answer"
    assert fake.callback_answer_for(update_id) is None
    assert len(await _logs(running_bot)) == 1


async def test_a_grade_stored_before_a_crash_shows_the_next_card_when_handled_again(
    running_bot, fake, clock
):
    """The process that took a grade stored it and died before showing the next card: the
    press, handled again, shows it (and records nothing more)."""
    chat = Chat(fake, ADA)
    shown = await _answer_shown(chat)
    good = next(d for t, d in shown.buttons if t.startswith("Good"))
    grading = cb.decode(good)
    runtime = running_bot.runtime
    async with runtime.db.session() as session:  # what the dead process did
        user = await session.get(User, ADA.id)
        outcome = await reviews.grade_card(
            session,
            user=user,
            card_id=grading.card_id,
            version=grading.version,
            grade=Grade.GOOD,
            now=clock(),
            scheduler=runtime.scheduler_for(user),
            chat_id=ADA.id,
        )
        await review_messages.card_message_closed(session, user_id=ADA.id, card_id=grading.card_id)
    assert outcome.status is reviews.GradeStatus.OK
    toast, [following] = await chat.press(shown, data=good, expect=1)
    assert toast["text"] == "Already graded — this card has moved on."
    assert following.message_id == shown.message_id
    assert following.text.startswith("<i>✓ Good — next in 10m:</i>")
    assert following.buttons[0][0] == "Show answer"
    assert len(await _logs(running_bot)) == 1


async def test_a_message_is_claimed_once_per_user(db, clock):
    async with db.session() as s:
        assert await claim_message(s, user_id=42, message_id=7) is None  # nobody yet
        await ensure_user(
            s, user_id=42, first_name="A", username=None, now=clock(), defaults=UserDefaults()
        )
    async with db.session() as s:
        assert await claim_message(s, user_id=42, message_id=7) is True
    async with db.session() as s:
        assert await claim_message(s, user_id=42, message_id=7) is False  # handed out again
        assert await claim_message(s, user_id=42, message_id=5) is False  # older
        assert await claim_message(s, user_id=42, message_id=8) is True
