"""End to end: an import's long work is a job (bot.services.jobs, scheduler.jobs) — the update is
answered first, a stopped process's job is finished after the restart, one chat's jobs keep
their order, and a job failing every attempt tells the learner and loses nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, update

from bot.services.jobs import MAX_ATTEMPTS, retry_delay
from bot.storage.db import Database
from bot.storage.models import Job, PendingImport
from tests.fake_telegram import FakeUser
from tests.harness import Chat, WebhookBot, eventually
from tests.test_e2e_webhook import fake_set_webhook

FIXTURES = Path(__file__).parent / "fixtures" / "import"
ADA = FakeUser(6001, "Ada")


def _send(fake, name: str) -> int:
    """Ada sends a fixture as a document; returns the update's id."""
    data = (FIXTURES / name).read_bytes()
    return fake.send_document(ADA.id, data, file_name=name, user=ADA)


async def _preview_of(fake, status_id: int):
    """The "Reading…" status once a job has turned it into the file's preview."""
    return await fake.wait_for(
        lambda: (
            "Nothing is saved until you press Import"
            in ((m := fake.message(ADA.id, status_id)).plain_text or "")
            and m
        ),
        description="the preview",
    )


def _calls(fake, method: str) -> list[int]:
    return [i for i, (name, _params) in enumerate(fake.requests) if name == method]


async def _jobs(bot) -> list[Job]:
    async with bot.runtime.db.session() as session:
        return list((await session.execute(select(Job).order_by(Job.id))).scalars())


async def test_a_webhook_upload_is_answered_before_the_file_is_read(database_url, fake, clock):
    bot = await WebhookBot(database_url, fake, clock).start()
    try:
        await fake_set_webhook(fake, bot)
        release = fake.hold_answers("getFile")  # the job waits on Telegram until released
        update_id = _send(fake, "cards.csv")
        [delivery] = await eventually(
            lambda: [d for d in fake.deliveries if d.update_id == update_id and d.status],
            description="the webhook answer",
        )
        assert delivery.status == 200
        status = fake.last_message(ADA.id)
        assert status.plain_text == "📥 Reading cards.csv…"
        assert _calls(fake, "sendMessage")[-1] < delivery.calls_at_answer
        assert _calls(fake, "editMessageText") == []  # nothing read yet, yet answered

        release.set()
        preview = await _preview_of(fake, status.message_id)
        assert "8 cards from 8 notes" in preview.plain_text
        # Every call from index calls_at_answer on came after the answer.
        assert _calls(fake, "editMessageText")[0] >= delivery.calls_at_answer
        [job] = await _jobs(bot)
        assert (job.kind, job.outcome, job.attempts) == ("import.read", "done", 1)
    finally:
        await bot.stop()


async def test_a_job_cut_short_by_a_stop_is_finished_after_the_restart(running_bot, fake):
    release = fake.hold_answers("getFile")
    _send(fake, "cards.csv")
    await fake.wait_for(lambda: _calls(fake, "getFile"), description="the job's getFile")
    status = fake.last_message(ADA.id)
    await running_bot.stop()  # mid-job: the download is cut short, the claim given back
    release.set()
    db = Database(running_bot.settings.database_url)
    try:
        async with db.session() as session:
            [job] = (await session.execute(select(Job))).scalars()
    finally:
        await db.dispose()
    assert (job.attempts, job.leased_until, job.finished_at) == (1, None, None)

    await running_bot.start()
    preview = await _preview_of(fake, status.message_id)
    assert "8 cards from 8 notes" in preview.plain_text
    [job] = await _jobs(running_bot)
    assert (job.attempts, job.outcome) == (2, "done")
    async with running_bot.runtime.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(PendingImport)) == 1


async def test_a_press_while_the_chats_job_runs_is_answered_and_loses_nothing(running_bot, fake):
    chat = Chat(fake, ADA)
    _send(fake, "cards.csv")
    first = await _preview_of(
        fake, (await fake.wait_for(lambda: fake.last_message(ADA.id))).message_id
    )

    release = fake.hold_answers("getFile")  # a second file is being read
    _send(fake, "quizlet_custom.txt")
    await fake.wait_for(lambda: len(_calls(fake, "getFile")) == 2, description="second getFile")
    second_status = fake.last_message(ADA.id)
    toast, _ = await chat.press(first, "✅ Import")
    assert toast["text"] == "⏳ Still working on your file — try again in a moment."
    assert chat.current(first.message_id).plain_text == first.plain_text  # untouched

    release.set()
    second = await _preview_of(fake, second_status.message_id)
    assert "12 cards from 12 notes" in second.plain_text
    await chat.press(first, "✅ Import")  # the same button, now the chat's jobs are done
    await fake.wait_for(
        lambda: "Imported cards: 8 cards" in chat.current(first.message_id).plain_text
    )


async def test_an_import_failing_every_attempt_says_so_and_the_same_button_retries(
    running_bot, fake, clock
):
    chat = Chat(fake, ADA)
    _send(fake, "deck_modern.apkg")
    status = await fake.wait_for(lambda: fake.last_message(ADA.id))
    preview = await _preview_of(fake, status.message_id)
    # The held bytes go bad, and a restart forgot the draft read for the preview: every
    # attempt to read the file again for Import fails.
    async with running_bot.runtime.db.session() as session:
        await session.execute(update(PendingImport).values(data=b"not a zip any more"))
    await running_bot.restart()

    await chat.press(preview, "✅ Import")
    for attempt in range(1, MAX_ATTEMPTS):

        async def retried(attempt=attempt):
            saves = [j for j in await _jobs(running_bot) if j.kind == "import.save"]
            return [(j.attempts, j.run_after) for j in saves] == [
                (attempt, clock() + retry_delay(attempt))
            ]

        await eventually(retried, description=f"attempt {attempt} failed")
        assert chat.current(preview.message_id).plain_text == "⏳ Importing…"
        clock.advance(seconds=retry_delay(attempt).total_seconds())
        running_bot.runtime.wake_jobs()
    failed = await fake.wait_for(
        lambda: "Saving the deck failed" in (m := chat.current(preview.message_id)).plain_text and m
    )
    [job] = [j for j in await _jobs(running_bot) if j.kind == "import.save"]
    assert (job.attempts, job.outcome) == (MAX_ATTEMPTS, "gave_up")
    assert "DeckImportError" in job.last_error

    async with running_bot.runtime.db.session() as session:
        held = (await session.execute(select(PendingImport))).scalar_one()
        assert held.status == "pending"  # nothing lost: the file still waits for Import
        held.data = (FIXTURES / "deck_modern.apkg").read_bytes()
    await chat.press(failed, "✅ Import")  # the same button imports it
    await fake.wait_for(
        lambda: "Imported Spanish Basics: 15 cards" in chat.current(preview.message_id).plain_text
    )
