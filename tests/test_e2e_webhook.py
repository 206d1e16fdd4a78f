"""End to end in webhook mode: the fake server acts as Telegram and POSTs updates to the
bot's ASGI app (the real Application, over real HTTP), with the secret header."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fake_telegram import FakeUser
from tests.harness import TOKEN, Chat, WebhookBot, eventually
from tests.test_e2e_db_outage import OUTAGE_DB, _admin, _cut_off

ADA = FakeUser(5001, "Ada")
BEN = FakeUser(5002, "Ben")


@pytest.fixture
async def webhook_bot(database_url, fake, clock):
    bot = WebhookBot(database_url, fake, clock)
    await bot.start()
    yield bot
    await bot.stop()


async def _cli(fake, bot: WebhookBot, command: str) -> tuple[int, str]:
    """`python -m bot <command>` with the bot's settings, as an operator runs it."""
    settings = bot.settings
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "DATABASE_URL": settings.database_url,
        "TELEGRAM_BASE_URL": fake.base_url,
        "WEBHOOK_URL": settings.webhook_url,
        "WEBHOOK_SECRET": WebhookBot.SECRET,
        "WEBHOOK_MAX_CONNECTIONS": "7",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        command,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode, output.decode()


async def _metrics(origin: str) -> dict[tuple[str, tuple], float]:
    async with aiohttp.ClientSession() as http, http.get(f"{origin}/metrics") as response:
        assert response.status == 200
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_set_webhook_then_updates_are_posted_and_handled_before_the_answer(webhook_bot, fake):
    code, output = await _cli(fake, webhook_bot, "set-webhook")
    assert code == 0, output
    assert WebhookBot.SECRET not in output and TOKEN.split(":")[1] not in output
    assert fake.webhook.url == webhook_bot.settings.webhook_url
    assert fake.webhook.secret == WebhookBot.SECRET
    assert fake.webhook.max_connections == 7

    chat = Chat(fake, ADA)
    [welcome] = await chat.send("/start")
    assert "Ada" in welcome.text
    [delivery] = await eventually(
        lambda: [d for d in fake.deliveries if d.status is not None], description="the answer"
    )
    assert delivery.status == 200
    # The welcome was sent before the webhook request was answered.
    sends = [i for i, (name, _p) in enumerate(fake.requests) if name == "sendMessage"]
    assert sends and sends[-1] < delivery.calls_at_answer

    code, output = await _cli(fake, webhook_bot, "delete-webhook")
    assert code == 0, output
    assert fake.webhook is None


async def test_wrong_secret_and_bad_bodies_are_refused(webhook_bot, fake):
    url = webhook_bot.settings.webhook_url
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1}}}
    good = {"X-Telegram-Bot-Api-Secret-Token": WebhookBot.SECRET}
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": WebhookBot.SECRET + "x"}):
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 403
        async with http.post(url, data=b"{not json", headers=good) as response:
            assert response.status == 400
        async with http.post(url, data=b"[1, 2]", headers=good) as response:
            assert response.status == 400
        big = json.dumps({**update, "pad": "x" * (1024 * 1024)}).encode()
        async with http.post(url, data=big, headers=good) as response:
            assert response.status == 400
        async with http.get(url) as response:
            assert response.status == 405
    assert fake.sent == []


async def test_a_redelivered_update_is_handled_once_and_metrics_parse(webhook_bot, fake):
    fake.webhook = None
    code, output = await _cli(fake, webhook_bot, "set-webhook")
    assert code == 0, output
    # Counters are per process (and this is the test's process): compare before and after.
    before = await _metrics(webhook_bot.origin)
    chat = Chat(fake, BEN)
    await chat.send("/start")
    [stats] = await chat.send("/stats")
    await eventually(lambda: not fake.unconfirmed_update_ids(), description="answers")
    update_id = max(d.update_id for d in fake.deliveries)
    sent = len(fake.sent)

    fake.redeliver(update_id)  # Telegram sends it again (to any process)
    await eventually(
        lambda: [d for d in fake.deliveries if d.update_id == update_id and d.status == 200][1:],
        description="the second delivery answered",
    )
    assert len(fake.sent) == sent  # answered 200, nothing sent twice
    assert fake.unconfirmed_update_ids() == []

    after = await _metrics(webhook_bot.origin)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after[key] - before.get(key, 0.0)

    assert grew("flashtutor_duplicate_updates_total") == 1
    assert grew("flashtutor_updates_handled_total", kind="message") == 2
    assert grew("flashtutor_update_handling_seconds_count") == 2
    assert grew("flashtutor_bot_api_calls_total", method="sendMessage", outcome="ok") == 2
    assert ("flashtutor_pushes_pending", ()) in after
    assert "not studying any deck" in stats.text


@pytest.mark.postgres
async def test_healthz_follows_the_database(fake, clock):
    from tests.conftest import POSTGRES_URL

    _admin(f"DROP DATABASE IF EXISTS {OUTAGE_DB} WITH (FORCE)")
    _admin(f"CREATE DATABASE {OUTAGE_DB}")
    bot = WebhookBot(POSTGRES_URL.rsplit("/", 1)[0] + f"/{OUTAGE_DB}", fake, clock)
    await bot.start()
    try:
        await fake_set_webhook(fake, bot)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{bot.origin}/healthz") as response:
                assert response.status == 200
            _cut_off(False)
            async with http.get(f"{bot.origin}/healthz") as response:
                assert response.status == 503
            # An update that cannot be recorded is not acknowledged: Telegram keeps it.
            update_id = fake.send_message(ADA.id, "/stats", user=ADA)
            await eventually(
                lambda: [d for d in fake.deliveries if d.update_id == update_id and d.status]
            )
            assert all(d.status == 503 for d in fake.deliveries if d.update_id == update_id)
            assert update_id in fake.unconfirmed_update_ids()
            _cut_off(True)
            async with http.get(f"{bot.origin}/healthz") as response:
                assert response.status == 200
            # Back: the retry is handled and answered.
            reply = await fake.wait_for_message(ADA.id)
            assert "not studying any deck" in reply.text
    finally:
        _cut_off(True)
        await bot.stop()
        _admin(f"DROP DATABASE IF EXISTS {OUTAGE_DB} WITH (FORCE)")


async def fake_set_webhook(fake, bot: WebhookBot) -> None:
    """setWebhook as `python -m bot set-webhook` calls it (that command is tested above)."""
    await bot.app.bot.set_webhook(bot.settings.webhook_url, secret_token=WebhookBot.SECRET)


@pytest.mark.postgres
async def test_two_processes_a_vote_reaching_one_before_the_other_saved_its_poll_counts(
    fake, clock, _postgres_migrated
):
    """Behind a load balancer, a quiz vote can reach a process before the process that sent
    the poll has saved it (here Telegram's answer to sendPoll comes 1 s late): never dropped."""
    from sqlalchemy import select

    from bot.storage.models import QuizAnswer

    url = _postgres_migrated.emptied()
    one = await WebhookBot(url, fake, clock, replicas=2).start()
    two = await WebhookBot(url, fake, clock, replicas=2).start()
    try:
        for bot in (one, two):
            bot.runtime.study_seed = 4
        await fake_set_webhook(fake, one)
        fake.webhook_targets = [one.settings.webhook_url, two.settings.webhook_url]
        chat = Chat(fake, ADA)
        [welcome] = await chat.send("/start")
        await chat.press(welcome, "📚", expect=3)
        fake.slow_answers("sendPoll", 1.0)
        mark = fake.mark()
        quiz_update = fake.send_message(ADA.id, "/quiz", user=ADA)
        # Questions whose options do not fit a quiz poll come with buttons: answer those.
        while True:
            found = await fake.wait_for(
                lambda start=mark: fake.polls or [m for m in fake.sent[start:] if m.buttons],
                timeout=10,
            )
            if fake.polls:
                break
            question = found[-1]
            mark = fake.mark()
            quiz_update = fake.press_button(ADA.id, question.message_id, question.buttons[0][1])
        [poll] = fake.polls.values()
        vote_update = fake.answer_poll(poll.id, ADA, poll.correct_option_ids)

        async def credited():
            async with one.runtime.db.session() as session:
                return (
                    await session.execute(select(QuizAnswer).where(QuizAnswer.poll_id == poll.id))
                ).first()

        await eventually(credited, timeout=10, description="the vote credited")
        targets = {d.update_id: d.target for d in fake.deliveries}
        assert targets[quiz_update] != targets[vote_update]  # two processes, as intended
        [row] = await credited()
        assert row.correct and row.user_id == ADA.id
    finally:
        fake.slow_answers("sendPoll", 0)
        await one.stop()
        await two.stop()
