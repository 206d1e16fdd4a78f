"""Serving bot.web's ASGI app with uvicorn inside the bot's own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import uvicorn
from telegram.ext import Application

from bot.config import Settings
from bot.web.app import build_web_app

__all__ = ["WebhookServer"]


class _Server(uvicorn.Server):
    def capture_signals(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # bot.launch owns SIGINT and SIGTERM


class WebhookServer:
    """uvicorn serving bot.web's ASGI app on our event loop; signals stay ours."""

    def __init__(
        self,
        application: Application,
        settings: Settings,
        sock: socket.socket,
        *,
        stop_budget: float = 1.0,
    ) -> None:
        assert settings.webhook_secret is not None
        app = build_web_app(
            application,
            webhook_path=settings.webhook_path,
            secret=settings.webhook_secret.get_secret_value(),
        )
        config = uvicorn.Config(
            app,
            lifespan="off",
            access_log=False,
            log_config=None,  # our logging (bot.logs) formats and redacts
            timeout_graceful_shutdown=stop_budget,
        )

        self.server = _Server(config)
        self.sock = sock
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.server.serve([self.sock]), name="webhook server")

    async def stopped(self) -> None:
        assert self._task is not None
        await asyncio.shield(self._task)

    async def stop(self) -> None:
        if self._task is None:
            return
        self.server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    def close(self) -> None:
        self.sock.close()
