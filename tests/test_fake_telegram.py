"""The fake Bot API server, driven through python-telegram-bot over real HTTP."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.fake_telegram import FakeTelegram, FakeUser

pytestmark = pytest.mark.asyncio

TOKEN = "123456:TEST-token"
ALICE = FakeUser(42, "Alice", username="alice")
BOB = FakeUser(43, "Bob")
GROUP = -1001234567890


@pytest.fixture
async def fake():
    async with FakeTelegram(TOKEN) as server:
        yield server


@pytest.fixture
async def bot(fake):
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url) as client:
        yield client


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(d or "empty", callback_data=d) for d in data]]
    )


# Transport and identity.


async def test_get_me_answers_the_bot_from_the_token(bot):
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "FlashtutorTestBot")


async def test_wrong_token_is_unauthorized(fake):
    with pytest.raises(InvalidToken):
        async with Bot("123456:other", base_url=fake.base_url):
            pass


async def test_unknown_method_is_not_found_and_names_are_case_insensitive(fake, bot):
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("frobnicate")
    assert await bot.do_api_request("GETME") is not None
    assert [method for method, _ in fake.requests][-2:] == ["frobnicate", "getMe"]


# Text messages and HTML.


async def test_valid_html_is_sent_and_recorded_as_sent(fake, bot):
    text = (
        '<b>Card</b> 1/3: <i>der Hund</i> &lt;noun&gt; <a href="https://x.org/?a=1&amp;b=2">x</a>'
    )
    message = await bot.send_message(ALICE.id, text, parse_mode="HTML", reply_markup=keyboard("a"))

    assert message.text == "Card 1/3: der Hund <noun> x"
    assert message.text_html == text.replace("&amp;", "&")  # PTB renders URLs unescaped
    record = fake.last_message(ALICE.id)
    assert (record.text, record.parse_mode, record.buttons) == (text, "HTML", [("a", "a")])
    assert record.plain_text == message.text
    assert fake.sent == [record]
    assert fake.requests[-1][1]["chat_id"] == ALICE.id


@pytest.mark.parametrize(
    "markup",
    [
        "<b>unclosed",
        "<div>block</div>",
        "1 < 2",
        "Tom &foo; Jerry",
        "AT&T",
        "<b><i>crossed</b></i>",
        "closing only</b>",
        "<span>spoiler without class</span>",
        "<b/>",
    ],
)
async def test_invalid_html_is_refused(fake, bot, markup):
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ALICE.id, markup, parse_mode="HTML")
    assert fake.sent == []


async def test_plain_text_keeps_html_characters_literally(bot):
    message = await bot.send_message(ALICE.id, "1 < 2 & <div>")
    assert message.text == "1 < 2 & <div>"


async def test_length_is_counted_after_parsing_in_utf16_units(fake, bot):
    await bot.send_message(ALICE.id, "a" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE.id, "a" * 4097)

    padded = "<b>" + "a" * 4000 + "</b>" + "&lt;" * 90 + "<i>" + "&#65;" * 6 + "</i>"
    assert len(padded) > 4096
    message = await bot.send_message(ALICE.id, padded, parse_mode="HTML")
    assert len(message.text) == 4096

    await bot.send_message(ALICE.id, "😀" * 2048)  # each emoji is two UTF-16 units
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE.id, "😀" * 2048 + "a")
    assert len(fake.messages(ALICE.id)) == 3


@pytest.mark.parametrize(("text", "parse_mode"), [("   ", None), ("<b></b>", "HTML")])
async def test_empty_text_is_refused(bot, text, parse_mode):
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ALICE.id, text, parse_mode=parse_mode)


async def test_callback_data_is_limited_to_64_utf8_bytes(fake, bot):
    await bot.send_message(ALICE.id, "ok", reply_markup=keyboard("x" * 64, "ж" * 32))
    assert [data for _, data in fake.last_message(ALICE.id).buttons] == ["x" * 64, "ж" * 32]

    for data in ("x" * 65, "ж" * 32 + "x", "😀" * 16 + "x"):
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(ALICE.id, "too long", reply_markup=keyboard(data))
    # Tests read back what was refused, to assert that a bot never tried it.
    assert fake.refusals() == ["sendMessage -> 400 Bad Request: BUTTON_DATA_INVALID"] * 3
    assert fake.refusals(400) == fake.refusals() and fake.refusals(403) == []


# Edits and deletes.


async def test_edit_with_identical_content_is_not_modified(fake, bot):
    sent = await bot.send_message(
        ALICE.id, "<b>Q</b>", parse_mode="HTML", reply_markup=keyboard("a")
    )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>Q</b>", ALICE.id, sent.message_id, parse_mode="HTML", reply_markup=keyboard("a")
        )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(ALICE.id, sent.message_id, reply_markup=keyboard("a"))

    edited = await bot.edit_message_text("<b>Q</b> ✓", ALICE.id, sent.message_id, parse_mode="HTML")
    assert edited.text == "Q ✓" and edited.edit_date is not None
    current = fake.message(ALICE.id, sent.message_id)
    assert (current.text, current.buttons) == ("<b>Q</b> ✓", [])  # no markup: keyboard removed
    assert [r.method for r in fake.sent] == ["sendMessage", "editMessageText"]


async def test_edit_and_delete_of_missing_messages_are_refused(fake, bot):
    sent = await bot.send_message(ALICE.id, "bye")
    assert await bot.delete_message(ALICE.id, sent.message_id)
    assert fake.messages(ALICE.id) == [] and fake.deleted == [(ALICE.id, sent.message_id)]

    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("again", ALICE.id, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ALICE.id, 999)


# Simulated trouble.


async def test_blocked_user_is_forbidden(fake, bot):
    fake.block_user(ALICE.id)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(ALICE.id, "hello?")
    await bot.send_message(BOB.id, "others still reachable")


# PTB itself warns about RetryAfter.retry_after turning into a timedelta; not our concern here.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limit_answers_retry_after_then_recovers(fake, bot):
    fake.rate_limit_next(2, retry_after=3)
    for _ in range(2):
        with pytest.raises(RetryAfter, match="3 seconds"):
            await bot.send_message(ALICE.id, "hi")
    await bot.send_message(ALICE.id, "hi")
    assert len(fake.sent) == 1


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_enforced_send_rate_answers_429_beyond_n_a_second(fake, bot):
    fake.limit_send_rate(3)
    sent = await bot.send_message(ALICE.id, "one")
    for n in range(5):  # edits are not new messages: they do not count
        await bot.edit_message_text(f"edit {n}", ALICE.id, sent.message_id)
    await bot.send_message(ALICE.id, "two")
    await bot.send_message(BOB.id, "three")
    with pytest.raises(RetryAfter, match="1 second"):
        await bot.send_message(BOB.id, "one too many")
    assert fake.too_many_requests == [("sendMessage", BOB.id)]
    fake.limit_send_rate(None)
    for _ in range(5):
        await bot.send_message(ALICE.id, "no limit now")


async def test_calls_are_told_apart_by_the_url_they_came_through(fake):
    for name in ("one", "two"):
        async with Bot(TOKEN, base_url=fake.base_url_via(name)) as replica:
            await replica.send_message(ALICE.id, f"from {name}")
    assert [c["text"] for c in fake.calls("sendMessage", via="one")] == ["from one"]
    assert [c["text"] for c in fake.calls("sendMessage")] == ["from one", "from two"]


async def test_the_balancer_takes_a_target_that_does_not_answer_out_of_rotation(fake, bot):
    """Updates go to the targets in turn; one that leaves a request unanswered (a process
    killed) is skipped from then on, and what it left is retried on the others."""
    received: list[int] = []

    async def take(request: web.Request) -> web.Response:
        received.append((await request.json())["update_id"])
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", take)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    live = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    with socket.socket() as closed:  # a port nobody listens on: refused, as after a kill
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}/hook"
    try:
        await bot.set_webhook(live)
        fake.webhook_targets = [dead, live]
        fake.target_down_seconds = 3600  # no second health check during the test
        updates = [fake.send_message(ALICE.id, f"message {n}") for n in range(6)]
        await fake.wait_for(lambda: sorted(received) == updates)
        refused = [d for d in fake.deliveries if d.target == dead]
        assert [d.status for d in refused] == [0]  # tried once, then out of rotation
        assert fake.unconfirmed_update_ids() == []
    finally:
        await runner.cleanup()


async def test_migrated_group_answers_chat_migrated(fake, bot):
    fake.migrate_chat(-4001, GROUP)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-4001, "hello group")
    assert caught.value.new_chat_id == GROUP
    await bot.send_message(GROUP, "hello supergroup")


async def test_bot_rights_refuse_sends(fake, bot):
    fake.set_bot_rights(GROUP, can_send=False)
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to send text messages"):
        await bot.send_message(GROUP, "muted")
    fake.set_bot_rights(GROUP, can_send=True, is_member=False)
    with pytest.raises(Forbidden, match=r"(?i)bot is not a member of the supergroup chat"):
        await bot.send_message(GROUP, "gone")


# Updates.


async def test_get_updates_long_poll_returns_as_soon_as_an_update_is_injected(fake, bot):
    poll = asyncio.create_task(bot.get_updates(timeout=60))
    await fake.wait_for(lambda: fake.long_polls, description="a held getUpdates")
    [held] = fake.long_polls
    assert held.ended is None  # nothing is pending, so the server holds the request
    update_id = fake.send_message(ALICE.id, "/start", user=ALICE)
    # The injection wakes the held poll before the server can read any later request, so
    # once getMe is answered the poll has ended with the update, long before its timeout.
    await bot.get_me()
    assert held.ended == "updates"
    updates = await poll

    assert [u.update_id for u in updates] == [update_id]
    assert [method for method, _ in fake.requests].count("getUpdates") == 1
    message = updates[0].message
    assert (message.text, message.from_user.username, message.chat.type) == (
        "/start",
        "alice",
        "private",
    )
    assert message.entities[0].type == "bot_command"


async def test_get_updates_waits_out_its_timeout_and_offset_confirms(fake, bot):
    assert await bot.get_updates(timeout=1) == ()
    # Held, then answered empty because its own timeout passed (not at once, not by shutdown).
    assert [(poll.timeout, poll.ended) for poll in fake.long_polls] == [(1, "timeout")]

    first = fake.send_message(ALICE.id, "one")
    second = fake.send_message(ALICE.id, "/start@FlashtutorTestBot deck", user=ALICE)
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, second]
    assert updates[1].message.entities[0].length == len("/start@FlashtutorTestBot")
    assert [u.update_id for u in await bot.get_updates(offset=first + 1)] == [second]
    assert await bot.get_updates(offset=second + 1) == ()


async def test_callback_query_is_answered_once(fake, bot):
    sent = await bot.send_message(ALICE.id, "Q", reply_markup=keyboard("show"))
    update_id = fake.press_button(ALICE.id, sent.message_id, "show")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert (query.data, query.message.message_id, query.message.text) == (
        "show",
        sent.message_id,
        "Q",
    )

    with pytest.raises(BadRequest, match=r"(?i)message_too_long"):
        await bot.answer_callback_query(query.id, text="x" * 201)
    assert await bot.answer_callback_query(query.id, text="Shown", show_alert=True)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await bot.answer_callback_query("123")

    answer = fake.callback_answer_for(update_id)
    assert answer == fake.callback_answer_for(query.id) == fake.callback_answers[0]
    assert (answer["text"], answer["show_alert"]) == ("Shown", True)


async def test_an_inline_button_press_has_no_message_and_no_chat(fake, bot):
    update_id = fake.press_inline_button(ALICE, "g:1:1:3")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query.message is None and update.effective_chat is None
    assert query.inline_message_id and query.data == "g:1:1:3"
    assert await bot.answer_callback_query(query.id, text="Not here")
    assert fake.callback_answer_for(update_id)["text"] == "Not here"


async def test_pressing_a_deleted_message_sends_an_inaccessible_message(fake, bot):
    sent = await bot.send_message(ALICE.id, "gone soon", reply_markup=keyboard("x"))
    await bot.delete_message(ALICE.id, sent.message_id)
    fake.press_button(ALICE.id, sent.message_id, "forged:data", user=ALICE)
    (update,) = await bot.get_updates()
    assert not update.callback_query.message.is_accessible
    assert update.callback_query.data == "forged:data"


async def test_a_second_poller_ends_the_first_with_conflict(fake, bot):
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await fake.wait_for(lambda: fake.requests[-1][0] == "getUpdates")
    # A second process running the same bot: PTB gives each Bot one getUpdates connection.
    async with Bot(TOKEN, base_url=fake.base_url) as second:
        assert await second.get_updates() == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, timeout=2)


async def test_group_membership_updates(fake, bot):
    fake.add_bot_to_group(GROUP, "German A1", by_user=ALICE)
    fake.remove_bot_from_group(GROUP, by_user=BOB)
    added, removed = await bot.get_updates()

    assert added.my_chat_member.chat.title == "German A1"
    assert (
        added.my_chat_member.old_chat_member.status,
        added.my_chat_member.new_chat_member.status,
    ) == (
        "left",
        "member",
    )
    assert removed.my_chat_member.new_chat_member.status == "kicked"
    assert removed.my_chat_member.from_user.id == BOB.id
    with pytest.raises(Forbidden, match=r"(?i)bot was kicked"):
        await bot.send_message(GROUP, "still here?")


async def test_group_migration_update_and_error(fake, bot):
    update_id = fake.group_migrated(-4001, GROUP)
    migrate_to, migrate_from = await bot.get_updates()
    assert migrate_to.update_id == update_id
    assert migrate_to.message.migrate_to_chat_id == GROUP
    assert migrate_from.message.migrate_from_chat_id == -4001
    with pytest.raises(ChatMigrated):
        await bot.send_message(-4001, "old id")


# Polls.


async def test_quiz_over_the_limits_is_refused(fake, bot):
    options = ["der", "die", "das"]
    with pytest.raises(BadRequest, match=r"(?i)poll question length"):
        await bot.send_poll(ALICE.id, "q" * 301, options, type="quiz", correct_option_ids=[0])
    with pytest.raises(BadRequest, match=r"(?i)poll options length"):
        await bot.send_poll(
            ALICE.id, "Hund?", ["x" * 101, "die"], type="quiz", correct_option_ids=[0]
        )
    with pytest.raises(BadRequest, match=r"(?i)more than 12 options"):
        await bot.send_poll(
            ALICE.id, "Hund?", [str(i) for i in range(13)], type="quiz", correct_option_ids=[0]
        )
    with pytest.raises(BadRequest, match=r"(?i)correct option"):
        await bot.send_poll(ALICE.id, "Hund?", options, type="quiz", correct_option_ids=[3])
    assert fake.polls == {} and fake.sent == []


async def test_quiz_is_stored_answered_and_stopped(fake, bot):
    message = await bot.send_poll(
        ALICE.id,
        "q" * 300,
        ["der", "die", "x" * 100],
        type="quiz",
        correct_option_ids=[0],
        is_anonymous=False,
    )
    poll = fake.polls[message.poll.id]
    assert (poll.type, poll.correct_option_ids, poll.is_anonymous) == ("quiz", [0], False)
    assert fake.last_message(ALICE.id).poll_id == poll.id

    update_id = fake.answer_poll(poll.id, ALICE, [1])
    (update,) = await bot.get_updates()
    assert update.update_id == update_id
    assert (update.poll_answer.poll_id, update.poll_answer.option_ids) == (poll.id, (1,))

    stopped = await bot.stop_poll(ALICE.id, message.message_id)
    assert stopped.is_closed and [o.voter_count for o in stopped.options] == [0, 1, 0]
    with pytest.raises(ValueError, match="closed"):
        fake.answer_poll(poll.id, BOB, [0])


# Commands and members.


async def test_commands_are_stored_per_scope_and_language(fake, bot):
    await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("review", "Due cards")])
    await bot.set_my_commands(
        [BotCommand("quiz", "Group quiz")], scope=BotCommandScopeAllGroupChats()
    )
    await bot.set_my_commands([BotCommand("start", "Anfangen")], language_code="de")

    assert fake.commands() == [("start", "Begin"), ("review", "Due cards")]
    assert fake.commands("all_group_chats") == [("quiz", "Group quiz")]
    assert fake.commands(language_code="de") == [("start", "Anfangen")]
    assert fake.commands("all_private_chats") == []
    group = await bot.get_my_commands(scope=BotCommandScopeAllGroupChats())
    assert [c.command for c in group] == ["quiz"]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start!", "bad")])


async def test_chat_members_and_administrators(fake, bot):
    fake.set_chat_member(GROUP, ALICE, "creator")
    fake.set_chat_member(GROUP, BOB.id, "administrator")
    fake.set_chat_member(GROUP, fake.bot.id, "administrator")

    owner = await bot.get_chat_member(GROUP, ALICE.id)
    assert (owner.status, owner.user.first_name) == ("creator", "Alice")
    assert (await bot.get_chat_member(GROUP, 777)).status == "left"
    admins = await bot.get_chat_administrators(GROUP)
    assert sorted(a.user.id for a in admins) == sorted([ALICE.id, BOB.id, fake.bot.id])
    assert (await bot.get_chat(GROUP)).type == "supergroup"
    assert await bot.leave_chat(GROUP)
    (update,) = await bot.get_updates()
    assert update.my_chat_member.new_chat_member.status == "left"


# Waiting helpers.


async def test_wait_for_times_out_with_a_summary_of_recent_calls(fake, bot):
    with pytest.raises(BadRequest):
        await bot.send_message(ALICE.id, "<div>", parse_mode="HTML")
    with pytest.raises(AssertionError) as caught:
        await fake.wait_for_message(ALICE.id, timeout=0.1)
    report = str(caught.value)
    assert "waiting for a bot message in chat 42" in report
    assert "sendMessage" in report and "400 Bad Request: can't parse entities" in report


# A real Application, polling the fake.


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer a card with a button."""
    await update.message.reply_html("<b>Hund</b>", reply_markup=keyboard("flip"))


async def on_flip(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and reveal the back."""
    await update.callback_query.answer("Flipped")
    await update.callback_query.edit_message_text("<b>Hund</b> = dog", parse_mode="HTML")


async def test_application_polling_handles_a_command_and_a_button(fake):
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CallbackQueryHandler(on_flip, pattern="^flip$"))
    async with app:
        await app.updater.start_polling(timeout=5)
        await app.start()
        try:
            mark = fake.mark()
            fake.send_message(ALICE.id, "/start", user=ALICE)
            card = await fake.wait_for_message(ALICE.id, after=mark)
            assert (card.text, card.buttons) == ("<b>Hund</b>", [("flip", "flip")])

            update_id = fake.press_button(ALICE.id, card.message_id, "flip", user=ALICE)
            answer = await fake.wait_for_callback_answer(update_id)
            assert answer["text"] == "Flipped"
            edited = await fake.wait_for_message(
                ALICE.id, lambda m: m.method == "editMessageText", after=mark
            )
            assert edited.plain_text == "Hund = dog" and edited.message_id == card.message_id
        finally:
            await app.updater.stop()
            await app.stop()


# Files: user uploads, getFile and downloads, bot photos, audio and documents.

# A 1×1 PNG: signature, IHDR (width 1, height 1), IDAT, IEND.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


async def test_a_user_document_is_fetched_with_get_file_and_downloaded(fake, bot):
    update_id = fake.send_document(
        ALICE.id, b"front\tback\n", file_name="cards.txt", mime_type="text/plain", user=ALICE
    )
    (update,) = await bot.get_updates()
    assert update.update_id == update_id
    document = update.message.document
    assert (document.file_name, document.mime_type, document.file_size) == (
        "cards.txt",
        "text/plain",
        11,
    )
    file = await bot.get_file(document.file_id)
    assert file.file_size == 11
    assert bytes(await file.download_as_bytearray()) == b"front\tback\n"
    assert fake.downloads == [file.file_path.rsplit("/file/bot" + TOKEN + "/", 1)[1]]


async def test_get_file_refuses_over_20_mb_and_unknown_ids(fake, bot):
    fake.send_document(ALICE.id, b"x", file_name="big.apkg", declared_size=21 * 1024**2, user=ALICE)
    (update,) = await bot.get_updates()
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(update.message.document.file_id)
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("no-such-file")
    assert fake.downloads == []


async def test_photos_must_be_images_and_captions_fit_1024_characters(fake, bot):
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(ALICE.id, b"GIF? no, text", filename="x.png")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(ALICE.id, PNG, caption="a" * 1025)
    for width, height in ((6000, 4001), (2100, 100)):  # sides over 10000; a ratio over 20
        header = PNG[:16] + width.to_bytes(4, "big") + height.to_bytes(4, "big") + PNG[24:]
        with pytest.raises(BadRequest, match=r"(?i)PHOTO_INVALID_DIMENSIONS"):
            await bot.send_photo(ALICE.id, header)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_photo(ALICE.id, PNG, caption="<div>x</div>", parse_mode="HTML")
    assert fake.sent == [] and fake.uploads == []

    # 1024 visible characters pass: markup does not count.
    message = await bot.send_photo(
        ALICE.id, PNG, caption="<b>" + "a" * 1024 + "</b>", parse_mode="HTML"
    )
    assert (message.photo[-1].width, message.photo[-1].height) == (1, 1)
    assert message.caption == "a" * 1024
    record = fake.last_message(ALICE.id)
    assert (record.media_kind, record.caption) == ("photo", "a" * 1024)
    assert [f.data for f in fake.uploads] == [PNG]


async def test_file_ids_are_reused_without_upload_and_unknown_ones_refused(fake, bot):
    photo = (await bot.send_photo(ALICE.id, PNG)).photo[-1]
    audio = (await bot.send_audio(ALICE.id, b"ID3 silent", filename="hola.mp3")).audio
    assert audio.file_name == "hola.mp3"
    again = await bot.send_photo(BOB.id, photo.file_id, caption="again")
    assert again.photo[-1].file_unique_id == photo.file_unique_id
    await bot.send_audio(BOB.id, audio.file_id)
    assert len(fake.uploads) == 2  # the reuses uploaded nothing

    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(ALICE.id, "AgACAgIAAxkBAAIBunknown")
    with pytest.raises(BadRequest, match=r"(?i)type of file mismatch"):
        await bot.send_photo(ALICE.id, audio.file_id)
    document = await bot.send_document(ALICE.id, b"a,b\n", filename="deck.csv")
    assert document.document.file_name == "deck.csv"


async def test_a_photo_message_has_no_text_to_edit_but_a_caption(fake, bot):
    sent = await bot.send_photo(ALICE.id, PNG, caption="question", reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match=r"(?i)there is no text in the message to edit"):
        await bot.edit_message_text("answer", ALICE.id, sent.message_id)
    edited = await bot.edit_message_caption(
        ALICE.id, sent.message_id, caption="<b>answer</b>", parse_mode="HTML"
    )
    assert edited.caption == "answer"
    assert fake.message(ALICE.id, sent.message_id).buttons == []  # no markup: keyboard removed
    text = await bot.send_message(ALICE.id, "text")
    with pytest.raises(BadRequest, match=r"(?i)there is no caption in the message to edit"):
        await bot.edit_message_caption(ALICE.id, text.message_id, caption="x")
