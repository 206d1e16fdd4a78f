"""End-to-end harness: the real Application, long-polling a local fake Bot API over HTTP."""

from __future__ import annotations

import asyncio
import inspect
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from pydantic import SecretStr

from bot.config import DEFAULT_DECKS_DIR, Settings
from bot.core.charts import warm_up
from bot.fit_pool import FitPool
from bot.telegram.app import ALLOWED_UPDATES
from bot.telegram.polling import ConfirmingPoller
from bot.web.server import WebhookServer
from scheduler.compose import build_bot
from tests.fake_telegram import BotMessage, FakeTelegram, FakeUser

T = TypeVar("T")

__all__ = [
    "Chat",
    "GroupChat",
    "RunningBot",
    "WebhookBot",
    "enrol_in_every_deck",
    "eventually",
    "make_settings",
    "seed_decks_dir",
    "shared_chart_pool",
]

TOKEN = "123456:TEST-token"
SEED_DECK = "deep-learning-tools.md"


def make_settings(database_url: str, fake: FakeTelegram, **overrides) -> Settings:
    # One message a second per chat is Telegram's pace, not something most flows test: they run
    # it faster (tests of the limiter itself pass chat_messages_per_second=1).
    overrides.setdefault("chat_messages_per_second", 50.0)
    return Settings(
        _env_file=None,
        bot_token=SecretStr(TOKEN),
        database_url=database_url,
        telegram_base_url=fake.base_url,
        fsrs_fuzzing=False,
        **overrides,
    )


def seed_decks_dir(parent: Path) -> Path:
    """A decks folder in `parent` holding the seed deck, for a test to add its own decks to."""
    decks = parent / "decks"
    decks.mkdir()
    (decks / SEED_DECK).write_text((DEFAULT_DECKS_DIR / SEED_DECK).read_text())
    return decks


async def eventually(
    probe: Callable[[], T | Awaitable[T]],
    timeout: float = 5.0,  # noqa: ASYNC109 - a deadline is this helper's whole contract
    *,
    description: str | None = None,
) -> T:
    """Return probe()'s first truthy value (the probe may be async), polled every 20 ms.

    For what the fake server does not see (the database, the log); what the bot sends to
    Telegram is awaited with FakeTelegram.wait_for. Raises AssertionError after `timeout`.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = probe()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if loop.time() >= deadline:
            what = description or getattr(probe, "__qualname__", repr(probe))
            raise AssertionError(f"Timed out after {timeout:g}s waiting for {what}")
        await asyncio.sleep(0.02)


_chart_pool: FitPool | None = None


async def handled(fake: FakeTelegram) -> None:
    """Wait until the bot has confirmed every update: its handlers are done, their
    transactions committed (a reply can arrive while its handler still holds a row lock that
    a sweep's FOR UPDATE SKIP LOCKED would skip)."""
    await fake.wait_for(
        lambda: not fake.unconfirmed_update_ids(), description="every update confirmed"
    )


async def shared_chart_pool() -> FitPool:
    """One chart worker process for every test bot (conftest stops it at the end): charts are
    drawn in a real worker, but matplotlib is imported once, before the first bot starts, not
    while a test waits for a reply."""
    global _chart_pool
    if _chart_pool is None:
        _chart_pool = FitPool(workers=1)
    await _chart_pool.run(warm_up)  # the first time imports matplotlib; then a round trip
    return _chart_pool


def stop_shared_chart_pool() -> None:
    global _chart_pool
    if _chart_pool is not None:
        _chart_pool.shutdown()
        _chart_pool = None


class RunningBot:
    """Start and stop the bot as `bot.launch` does, but inside the test's event loop."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime], **build_options) -> None:
        self.settings = settings
        self.clock = clock
        self.build_options = build_options
        self.app = None
        self.poller = None

    @property
    def runtime(self):
        return self.app.bot_data["runtime"]

    async def start(self) -> RunningBot:
        options = {"chart_pool": await shared_chart_pool()} | self.build_options
        self.app = build_bot(self.settings, clock=self.clock, start_timetable=False, **options)
        await self.app.initialize()
        await self.app.post_init(self.app)
        await self.app.start()
        self.poller = ConfirmingPoller(self.app, allowed_updates=ALLOWED_UPDATES, timeout=1)
        await self.poller.start()
        return self

    async def stop(self) -> None:
        if self.app is None:
            return
        await self.poller.stop()
        await self.app.stop()
        await self.poller.confirm()
        await self.app.post_shutdown(self.app)
        await self.app.shutdown()
        self.app = None

    async def restart(self) -> RunningBot:
        await self.stop()
        return await self.start()


class WebhookBot(RunningBot):
    """The bot in webhook mode, serving its ASGI app on 127.0.0.1 (a free port) as
    `bot.launch` does; the fake server POSTs updates to it once setWebhook has been called."""

    SECRET = "test_Webhook-secret"

    def __init__(self, database_url: str, fake: FakeTelegram, clock, **overrides) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        port = self.sock.getsockname()[1]
        self.origin = f"http://127.0.0.1:{port}"
        settings = make_settings(
            database_url,
            fake,
            webhook_url=f"{self.origin}/telegram",
            webhook_secret=SecretStr(self.SECRET),
            webhook_listen=f"127.0.0.1:{port}",
            **overrides,
        )
        super().__init__(settings, clock)
        self.web = None

    async def start(self) -> WebhookBot:
        self.app = build_bot(self.settings, clock=self.clock, start_timetable=False)
        await self.app.initialize()
        await self.app.post_init(self.app)
        await self.app.start()
        self.web = WebhookServer(self.app, self.settings, self.sock)
        self.web.start()
        return self

    async def stop(self) -> None:
        if self.app is None:
            return
        await self.web.stop()
        await self.app.stop()
        await self.app.post_shutdown(self.app)
        await self.app.shutdown()
        self.sock.close()
        self.app = None


class _Conversation:
    """One chat as people see it: what they send and press, and the bot messages that follow."""

    def __init__(self, fake: FakeTelegram, chat_id: int) -> None:
        self.fake = fake
        self.chat_id = chat_id

    async def _send_as(
        self, user: FakeUser, text: str, expect: int, entities: list[dict] | None = None
    ) -> list[BotMessage]:
        """Send text and wait until `expect` new bot messages arrived in this chat."""
        mark = self.fake.mark()
        self.fake.send_message(self.chat_id, text, user=user, entities=entities)
        return await self._collect(mark, expect)

    async def _press_as(
        self, user: FakeUser, message: BotMessage, label: str | None, data: str | None, expect: int
    ) -> tuple[dict, list[BotMessage]]:
        """Press a button (by label prefix, or raw data); returns the toast and new messages."""
        if data is None:
            data = next(d for text, d in message.buttons if text.startswith(label))
        mark = self.fake.mark()
        update_id = self.fake.press_button(self.chat_id, message.message_id, data, user=user)
        answer = await self.fake.wait_for_callback_answer(update_id)
        return answer, await self._collect(mark, expect)

    async def _collect(self, mark: int, expect: int) -> list[BotMessage]:
        def ready():
            found = [m for m in self.fake.sent[mark:] if m.chat_id == self.chat_id]
            return found if len(found) >= expect else None

        if expect == 0:
            return []
        return await self.fake.wait_for(ready, description=f"{expect} messages in {self.chat_id}")


class Chat(_Conversation):
    """A simulated person in a private chat: sends commands, presses buttons, reads replies."""

    def __init__(self, fake: FakeTelegram, user: FakeUser) -> None:
        super().__init__(fake, user.id)
        self.user = user

    async def send(
        self, text: str, *, expect: int = 1, entities: list[dict] | None = None
    ) -> list[BotMessage]:
        """Send text (with the formatting `entities` a client made) and wait until `expect`
        new bot messages arrived in this chat."""
        return await self._send_as(self.user, text, expect, entities)

    async def press(
        self,
        message: BotMessage,
        label: str | None = None,
        *,
        data: str | None = None,
        expect: int = 0,
    ) -> tuple[dict, list[BotMessage]]:
        """Press a button (by label prefix, or raw data); returns the toast and new messages."""
        return await self._press_as(self.user, message, label, data, expect)

    def current(self, message_id: int) -> BotMessage:
        return next(m for m in self.fake.messages(self.chat_id) if m.message_id == message_id)

    def last(self) -> BotMessage:
        return self.fake.last_message(self.chat_id)


class GroupChat(_Conversation):
    """A simulated group: members send commands and press buttons; bot messages are read back."""

    def __init__(self, fake: FakeTelegram, chat_id: int, title: str = "Study Club") -> None:
        super().__init__(fake, chat_id)
        self.title = title

    async def add_bot(self, by_user: FakeUser, *, status: str = "member") -> BotMessage:
        """An admin adds the bot; returns its introduction."""
        self.fake.set_chat_member(self.chat_id, by_user, "administrator")
        mark = self.fake.mark()
        self.fake.add_bot_to_group(self.chat_id, self.title, by_user=by_user, status=status)
        [intro] = await self._collect(mark, 1)
        return intro

    async def send(self, user: FakeUser, text: str, *, expect: int = 1) -> list[BotMessage]:
        """`user` sends text; waits until `expect` new bot messages arrived in the group."""
        return await self._send_as(user, text, expect)

    async def press(
        self,
        user: FakeUser,
        message: BotMessage,
        label: str | None = None,
        *,
        data: str | None = None,
        expect: int = 0,
    ) -> tuple[dict, list[BotMessage]]:
        """`user` presses a button; returns the toast and new messages."""
        return await self._press_as(user, message, label, data, expect)

    def current(self, message: BotMessage) -> BotMessage:
        return self.fake.message(self.chat_id, message.message_id)

    def posts(self) -> list[BotMessage]:
        """The daily card posts in this chat, current versions, oldest first."""
        return [
            m
            for m in self.fake.messages(self.chat_id)
            if any((d or "").startswith("gg:") for _t, d in m.buttons)
        ]


async def enrol_in_every_deck(chat: Chat) -> None:
    """/start, then press every deck button of the welcome message in turn.

    Each press redraws the picker, confirms and sends a first card; from the second deck on,
    the card message still open from the one before is also settled ("Moved on").
    """
    [welcome] = await chat.send("/start")
    for number, (label, _data) in enumerate(welcome.buttons):
        await chat.press(welcome, label, expect=3 if number == 0 else 4)
