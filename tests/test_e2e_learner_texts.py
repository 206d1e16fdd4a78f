"""End to end: what a learner reads at the edges — settings shown before they are changed,
unknown names, a returning learner's /start, pickers after a choice — through the real
Application over HTTP against the fake Bot API server."""

from __future__ import annotations

from tests.fake_telegram import FakeUser
from tests.harness import Chat, GroupChat

ADA = FakeUser(5001, "Ada", username="ada")
ADMIN = FakeUser(5101, "Grace", username="grace")
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
