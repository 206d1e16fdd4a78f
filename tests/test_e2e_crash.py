"""Kill -9 a real bot process while people grade, restart it, and compare.

`python -m bot` runs as a subprocess against the fake Bot API over HTTP, on SQLite and on
Postgres. Simulated learners grade cards (Show answer, then Good) while the process is killed
three times mid-stream and restarted. Afterwards: every grade whose toast said "Recorded" is
in the review log, no grade is there twice, and every press got an answer (the ones in flight
at a kill were handed out again by Telegram and handled by the restarted bot).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from sqlalchemy import select

from bot.storage.db import Database
from bot.storage.models import ReviewLog
from bot.telegram import callbacks as cb
from tests.fake_telegram import FakeUser
from tests.harness import TOKEN

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = 5
GRADES_EACH = 8
KILLS = 3


class BotProcess:
    """`python -m bot` as a child process, started, killed and stopped by the test."""

    def __init__(self, database_url: str, base_url: str, log_path: Path, **settings: str) -> None:
        """`settings` are more environment variables (WEBHOOK_URL="...", ...)."""
        self.env = os.environ | {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": base_url,
            "DATABASE_URL": database_url,
            "FSRS_FUZZING": "false",
            "LOG_LEVEL": "WARNING",
            **settings,
        }
        self.log_path = log_path
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log_path.open("a") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=ROOT, env=self.env, stdout=log, stderr=log
            )

    async def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            return await self.proc.wait()


def _good_button(fake, person, message_id):
    message = fake.message(person.id, message_id)
    return next((d for t, d in (message.buttons if message else []) if t.startswith("Good")), None)


def _fresh_card(fake, person, used):
    # A grade edits its message into the next card, and /review may show a card again in a new
    # message: a card on screen is its message and its button, pressed once.
    cards = [
        m
        for m in fake.messages(person.id)
        if m.buttons
        and m.buttons[0][0] == "Show answer"
        and (m.message_id, m.buttons[0][1]) not in used
    ]
    return cards[-1] if cards else None


async def _learner(fake, person, acked, presses) -> None:
    fake.send_message(person.id, "/start deep-learning-tools", user=person)
    used: set[str] = set()  # Show answer buttons pressed
    graded = 0
    while graded < GRADES_EACH:
        try:
            card = await fake.wait_for(lambda: _fresh_card(fake, person, used), timeout=8)
        except AssertionError:
            # Nothing new to press for a while: /review, as a person would.
            fake.send_message(person.id, "/review", user=person)
            continue
        used.add((card.message_id, card.buttons[0][1]))
        show = fake.press_button(person.id, card.message_id, card.buttons[0][1], user=person)
        presses.append(show)
        await fake.wait_for_callback_answer(show, timeout=90)
        try:
            data = await fake.wait_for(
                lambda c=card: _good_button(fake, person, c.message_id), timeout=8
            )
        except AssertionError:
            continue  # stale: the card was graded before a kill
        press = fake.press_button(person.id, card.message_id, data, user=person)
        presses.append(press)
        answer = await fake.wait_for_callback_answer(press, timeout=90)
        if (answer["text"] or "").startswith("Recorded"):
            grading = cb.decode(data)
            acked.append((person.id, grading.card_id, grading.version))
            graded += 1


async def test_kill_9_while_grading_loses_no_acknowledged_grade_and_no_press(
    database_url, fake, tmp_path
):
    bot = BotProcess(database_url, fake.base_url, tmp_path / "bot.log")
    await bot.start()
    people = [FakeUser(8000 + i, f"Learner {i}") for i in range(LEARNERS)]
    acked: list[tuple[int, int, int]] = []
    presses: list[int] = []
    learners = asyncio.gather(*(_learner(fake, p, acked, presses) for p in people))
    total = LEARNERS * GRADES_EACH
    try:
        for kill in range(1, KILLS + 1):
            await fake.wait_for(
                lambda k=kill: len(acked) >= k * total // (KILLS + 1),
                timeout=120,
                description=f"grades before kill {kill}",
            )
            await bot.kill()  # presses are in flight: nobody waits for them
            await bot.start()
        async with asyncio.timeout(180):
            await learners
        assert await bot.terminate() == 0
    finally:
        if bot.proc.returncode is None:
            await bot.kill()
        if not learners.done():
            learners.cancel()
        print((tmp_path / "bot.log").read_text()[-4000:])

    db = Database(database_url)
    try:
        async with db.session() as s:
            logs = (await s.execute(select(ReviewLog))).scalars().all()
    finally:
        await db.dispose()
    recorded = [(log.user_id, log.card_id, (log.state_before or {}).get("reps", 0)) for log in logs]
    assert len(recorded) == len(set(recorded))  # no grade twice
    assert set(acked) <= set(recorded)  # no acknowledged grade lost
    assert len(acked) == total
    unanswered = [u for u in presses if fake.callback_answer_for(u) is None]
    assert unanswered == []
    assert fake.unconfirmed_update_ids() == []
