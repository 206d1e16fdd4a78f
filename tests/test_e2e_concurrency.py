"""End to end: chats are handled side by side, each chat's own updates strictly in order."""

from __future__ import annotations

from tests.fake_telegram import FakeUser
from tests.harness import GroupChat

GROUP_ID = -4242
ADMIN = FakeUser(6001, "Admin")
CHATTY = FakeUser(6002, "Chatty")
ADA = FakeUser(6003, "Ada")
FLOOD = 22  # more than Telegram's 20 messages a minute in one group


def _group_settings(fake, mark):
    return [
        m for m in fake.sent[mark:] if m.chat_id == GROUP_ID and "Group settings" in (m.text or "")
    ]


async def test_a_flooded_group_does_not_hold_up_a_private_chat(running_bot, fake):
    group = GroupChat(fake, GROUP_ID)
    await group.add_bot(ADMIN)
    fake.set_chat_member(GROUP_ID, CHATTY, "member")
    mark = len(fake.sent)
    for _ in range(FLOOD):
        fake.send_message(GROUP_ID, "/settings", user=CHATTY)
    fake.send_message(ADA.id, "/help", user=ADA)
    help_reply = await fake.wait_for_message(ADA.id, timeout=30)
    # Handled one update at a time, /help would wait behind every group reply, and the
    # rate limiter holds the group's replies beyond its budget for seconds each.
    before_help = [m for m in _group_settings(fake, mark) if m.seq < help_reply.seq]
    assert len(before_help) < FLOOD
    # The group still gets every reply once the limiter lets them through.
    await fake.wait_for(lambda: len(_group_settings(fake, mark)) == FLOOD, timeout=60)


async def test_one_chats_updates_are_handled_in_the_order_sent(running_bot, fake):
    mark = len(fake.sent)
    for command in ("/newcards 3", "/newcards 4", "/newcards 5", "/settings"):
        fake.send_message(ADA.id, command, user=ADA)

    def replies():
        found = [m for m in fake.sent[mark:] if m.chat_id == ADA.id]
        return found if len(found) >= 4 else None

    first, second, third, settings = (await fake.wait_for(replies))[:4]
    assert [first.plain_text, second.plain_text, third.plain_text] == [
        "New cards per day: 3.",
        "New cards per day: 4.",
        "New cards per day: 5.",
    ]
    assert "New cards per day: 5" in settings.plain_text
