"""The poller confirms an update to Telegram only once it has been handled.

A bare Application over real HTTP against the fake server, with handlers the test controls:
an update whose handler has not finished stays unconfirmed (a crash would not lose it), is
handled once while it waits, and an update stuck for long stops holding the others back.
"""

from __future__ import annotations

import asyncio
import contextlib

from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from bot.telegram.polling import ConfirmingPoller
from bot.telegram.update_order import PerChatUpdateProcessor
from tests.fake_telegram import FakeUser

TOKEN = "123456:TEST-token"
ADA = FakeUser(7001, "Ada")
BOB = FakeUser(7002, "Bob")


class _Bot:
    """A bare Application whose /slow waits until the test releases it; /fast replies."""

    def __init__(self, fake, **poller_options) -> None:
        self.fake = fake
        self.release = asyncio.Event()
        self.handled: list[tuple[int, str]] = []
        self.app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(fake.base_url)
            .updater(None)
            .concurrent_updates(PerChatUpdateProcessor())
            .build()
        )
        self.app.add_handler(CommandHandler("slow", self._slow))
        self.app.add_handler(CommandHandler("fast", self._fast))
        self.poller = ConfirmingPoller(self.app, timeout=1, **poller_options)

    async def _slow(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.handled.append((update.update_id, "slow"))
        await self.release.wait()
        await context.bot.send_message(update.effective_chat.id, "slow done")

    async def _fast(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.handled.append((update.update_id, "fast"))
        await context.bot.send_message(update.effective_chat.id, "fast done")

    async def start(self) -> _Bot:
        await self.app.initialize()
        await self.app.start()
        await self.poller.start()
        return self

    async def stop(self) -> None:
        await self.poller.stop()
        await self.app.stop()
        await self.poller.confirm()
        await self.app.shutdown()

    async def crash(self) -> None:
        """Die without finishing or confirming anything, as a kill -9 would."""
        await self.poller.stop()
        for task in asyncio.all_tasks():
            if task.get_name().startswith("update:"):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        with contextlib.suppress(Exception):
            await self.app.stop()
        await self.app.shutdown()


def _replies(fake, chat_id, text):
    return [m for m in fake.sent if m.chat_id == chat_id and m.text == text]


async def test_an_update_stays_unconfirmed_until_handled_and_survives_a_crash(fake):
    bot = await _Bot(fake).start()
    slow = fake.send_message(ADA.id, "/slow", user=ADA)
    fast = fake.send_message(BOB.id, "/fast", user=BOB)
    await fake.wait_for(lambda: _replies(fake, BOB.id, "fast done"))
    # Bob's update is done, but Ada's older one is not: both stay unconfirmed, and the
    # polls that hand them out again while Ada's runs do not handle them twice.
    await fake.wait_for(lambda: len(fake.long_polls) > 5, description="more polls")
    assert fake.unconfirmed_update_ids() == [slow, fast]
    assert bot.handled == [(slow, "slow"), (fast, "fast")]
    await bot.crash()

    # After a restart the unfinished update is handled; so is Bob's, which the crash left
    # unconfirmed behind it (handlers must be idempotent).
    again = _Bot(fake)
    again.release.set()
    await again.start()
    await fake.wait_for(lambda: _replies(fake, ADA.id, "slow done"))
    await again.stop()
    assert again.handled == [(slow, "slow"), (fast, "fast")]
    assert fake.unconfirmed_update_ids() == []


async def test_a_graceful_stop_confirms_what_was_handled(fake):
    bot = await _Bot(fake).start()
    fake.send_message(BOB.id, "/fast", user=BOB)
    await fake.wait_for(lambda: _replies(fake, BOB.id, "fast done"))
    await bot.stop()
    assert fake.unconfirmed_update_ids() == []


async def test_an_update_stuck_for_long_stops_holding_back_newer_ones(fake):
    # More updates than one getUpdates page arrive behind a stuck one; all get handled.
    bot = await _Bot(fake, hold_seconds=0.2).start()
    slow = fake.send_message(ADA.id, "/slow", user=ADA)
    await fake.wait_for(lambda: bot.handled)
    for _ in range(150):
        fake.send_message(BOB.id, "/fast", user=BOB)
    await fake.wait_for(lambda: len(_replies(fake, BOB.id, "fast done")) == 150, timeout=60)
    # Confirmed past, though still being handled: the price of not stalling everyone.
    assert slow not in fake.unconfirmed_update_ids()
    bot.release.set()
    await bot.stop()
    assert len(bot.handled) == 151
    assert fake.unconfirmed_update_ids() == []
