"""End-to-end harness: the real Application, long-polling a local fake Bot API over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import SecretStr

from bot.config import Settings
from bot.telegram.app import build_application
from tests.fake_telegram import BotMessage, FakeTelegram, FakeUser

__all__ = ["Chat", "RunningBot", "make_settings"]

TOKEN = "123456:TEST-token"


def make_settings(database_url: str, fake: FakeTelegram, **overrides) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=SecretStr(TOKEN),
        database_url=database_url,
        telegram_base_url=fake.base_url,
        fsrs_fuzzing=False,
        **overrides,
    )


class RunningBot:
    """Start and stop the bot as `run_polling` would, but inside the test's event loop."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime], **build_options) -> None:
        self.settings = settings
        self.clock = clock
        self.build_options = build_options
        self.app = None

    @property
    def runtime(self):
        return self.app.bot_data["runtime"]

    async def start(self) -> RunningBot:
        self.app = build_application(
            self.settings, clock=self.clock, start_timetable=False, **self.build_options
        )
        await self.app.initialize()
        await self.app.post_init(self.app)
        app = self.app
        # As run_polling does: polling errors go to the application's error handlers.
        await app.updater.start_polling(
            poll_interval=0.0,
            timeout=1,
            error_callback=lambda exc: app.create_task(app.process_error(error=exc, update=None)),
        )
        await self.app.start()
        return self

    async def stop(self) -> None:
        if self.app is None:
            return
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.post_shutdown(self.app)
        await self.app.shutdown()
        self.app = None

    async def restart(self) -> RunningBot:
        await self.stop()
        return await self.start()


class Chat:
    """A simulated person in a private chat: sends commands, presses buttons, reads replies."""

    def __init__(self, fake: FakeTelegram, user: FakeUser) -> None:
        self.fake = fake
        self.user = user

    @property
    def chat_id(self) -> int:
        return self.user.id

    async def send(self, text: str, *, expect: int = 1) -> list[BotMessage]:
        """Send text and wait until `expect` new bot messages arrived in this chat."""
        mark = len(self.fake.sent)
        self.fake.send_message(self.chat_id, text, user=self.user)
        return await self._collect(mark, expect)

    async def press(
        self,
        message: BotMessage,
        label: str | None = None,
        *,
        data: str | None = None,
        expect: int = 0,
    ) -> tuple[dict, list[BotMessage]]:
        """Press a button (by label prefix, or raw data); returns the toast and new messages."""
        if data is None:
            data = next(d for text, d in message.buttons if text.startswith(label))
        mark = len(self.fake.sent)
        update_id = self.fake.press_button(self.chat_id, message.message_id, data, user=self.user)
        answer = await self.fake.wait_for_callback_answer(update_id)
        return answer, await self._collect(mark, expect)

    async def _collect(self, mark: int, expect: int) -> list[BotMessage]:
        def ready():
            found = [m for m in self.fake.sent[mark:] if m.chat_id == self.chat_id]
            return found if len(found) >= expect else None

        if expect == 0:
            return []
        return await self.fake.wait_for(ready, description=f"{expect} messages in {self.chat_id}")

    def current(self, message_id: int) -> BotMessage:
        return next(m for m in self.fake.messages(self.chat_id) if m.message_id == message_id)

    def last(self) -> BotMessage:
        return self.fake.last_message(self.chat_id)
