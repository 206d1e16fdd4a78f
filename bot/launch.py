"""Running the bot process: checked start-up, long polling or the webhook server, and a
quick, quiet stop.

Whatever stops start-up ends in one line on stderr that names the setting to fix, and a
non-zero exit code; SIGINT (Ctrl-C) and SIGTERM stop the bot in any state without a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.config import DatabaseSettings, Settings
from bot.services.decks import load_bundled_decks
from bot.storage.db import Database, SQLiteFileInUse, hold_sqlite_file
from bot.telegram.polling import ConfirmingPoller
from bot.web.server import WebhookServer

__all__ = [
    "EXIT_SETTING",
    "EXIT_UNREACHABLE",
    "StartupError",
    "delete_webhook",
    "migrate",
    "reach_telegram",
    "run",
    "set_webhook",
]

log = logging.getLogger(__name__)

EXIT_SETTING = 2  # a setting is wrong: fix it and start again
EXIT_UNREACHABLE = 1  # Telegram or the database could not be reached
_TELEGRAM = "https://api.telegram.org/bot"  # PTB's default base URL
_MAX_BACKOFF = 10.0
_STOP_BUDGET = 1.0  # seconds for handlers in progress when stopping; Ctrl-C ends within ~2 s


class StartupError(Exception):
    """Start-up cannot go on; the message is the one line the operator reads."""

    def __init__(self, line: str, exit_code: int) -> None:
        super().__init__(line)
        self.exit_code = exit_code


def run(settings: Settings, *, build: Callable[[Settings], Application]) -> int:
    """Run the bot `build` makes (scheduler.compose.build_bot) until SIGINT or SIGTERM;
    returns the process's exit code."""
    return _run_until_signal(_serve(settings, build))


def migrate(settings: DatabaseSettings) -> int:
    """Upgrade the database schema and sync the deck folder, once per deploy (several
    processes may start at once: they take turns); returns the process's exit code."""

    async def upgrade() -> None:
        db = Database(settings.database_url)
        try:
            await _open_database(db, settings.database_url)
            async with db.exclusive("flashtutor-startup"):
                await _database_step(db.migrate(), settings.database_url)
                log.info("database schema is up to date")
                report = await load_bundled_decks(db, settings.decks_dir, now=datetime.now(UTC))
            if report.errors:  # as at start-up: the other decks are loaded all the same
                log.error("%d deck file(s) could not be loaded; see above", len(report.errors))
        finally:
            await db.dispose()

    return _run_until_signal(upgrade())


def _run_until_signal(work: Awaitable[None]) -> int:
    async def main() -> int:
        task = asyncio.current_task()
        assert task is not None
        stopping = False

        def on_signal() -> None:
            nonlocal stopping
            if stopping:  # a second Ctrl-C: the operator does not want to wait for clean-up
                os._exit(EXIT_UNREACHABLE)
            stopping = True
            task.cancel()

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal)
        try:
            await work
        except asyncio.CancelledError:
            if not stopping:
                raise
            log.info("stopped")
        except StartupError as error:
            print(f"flashtutor: {error}", file=sys.stderr)
            return error.exit_code
        return 0

    loop = asyncio.new_event_loop()
    try:
        code = loop.run_until_complete(main())
        # What a stop cut short (a sweep's database call, a handler past its budget) gets a
        # moment to unwind; unlike asyncio.run, never an unbounded wait on it.
        leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in leftovers:
            task.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.wait(leftovers, timeout=0.5))
        return code
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


async def _serve(settings: Settings, build: Callable[[Settings], Application]) -> None:
    """Start-up checks, then poll (or serve the webhook) until cancelled; every step is
    undone on the way out."""
    from bot.telegram.app import ALLOWED_UPDATES

    application = build(settings)
    runtime = application.bot_data["runtime"]
    web: WebhookServer | None = None
    poller: ConfirmingPoller | None = None
    held: int | None = None
    try:
        await _open_database(runtime.db, settings.database_url)
        held = _hold_sqlite(settings.database_url)
        if settings.webhook_url is not None:
            web = WebhookServer(application, settings, _listen(settings), stop_budget=_STOP_BUDGET)
        else:
            poller = ConfirmingPoller(application, allowed_updates=ALLOWED_UPDATES)
        await reach_telegram(
            application.bot,
            retry_for=settings.startup_retry_seconds,
            where=settings.telegram_base_url or _TELEGRAM,
        )
        await application.initialize()
        try:
            # Migrations, decks, the command menu, the timetable (app.py's post_init).
            await _database_step(application.post_init(application), settings.database_url)
            await application.start()
            if web is not None:
                # Replicas never call setWebhook: `python -m bot set-webhook` does, once.
                web.start()
                log.info(
                    "running as @%s, webhook on %s%s; Ctrl-C stops",
                    application.bot.username,
                    settings.webhook_listen,
                    settings.webhook_path,
                )
                await web.stopped()
            else:
                assert poller is not None
                await poller.start()
                log.info("running as @%s; Ctrl-C stops", application.bot.username)
                await poller.stopped.wait()  # a signal cancels this task; else polling gave up
        finally:
            await _stop(application, poller, web)
        if poller is not None and isinstance(poller.fatal, InvalidToken):
            raise StartupError(
                "Telegram stopped accepting BOT_TOKEN (revoked?): get the current one from "
                "@BotFather",
                EXIT_SETTING,
            )
    except TelegramError as error:  # after getMe worked: Telegram went away mid-start
        raise StartupError(
            f"Telegram failed during start-up ({_reason(error)}); check TELEGRAM_BASE_URL "
            "and the network, then start again",
            EXIT_UNREACHABLE,
        ) from None
    finally:
        if web is not None:
            web.close()
        await runtime.db.dispose()
        if held is not None:
            os.close(held)


async def _stop(
    application: Application, poller: ConfirmingPoller | None, web: WebhookServer | None
) -> None:
    """Stop taking updates, give handlers in progress a moment, then close everything."""
    try:
        async with asyncio.timeout(_STOP_BUDGET):
            if web is not None:
                # Requests in progress finish (their updates are handled, then answered);
                # one cut short is never answered 200, so Telegram delivers it again.
                await web.stop()
            if poller is not None:
                await poller.stop()
            if application.running:
                await application.stop()  # waits for the updates being handled
                if poller is not None:
                    await poller.confirm()  # tell Telegram which updates are done
    except TimeoutError:
        # A handler waiting out a rate limit could hold the stop for many seconds; an
        # update it leaves unconfirmed is handled again after the restart.
        log.warning("stopped without waiting for the updates still being handled")
    await application.post_shutdown(application)
    await application.shutdown()


def _listen(settings: Settings) -> socket.socket:
    """Bind WEBHOOK_LISTEN now, so that a busy or wrong address is one line at start-up."""
    host, port = settings.listen_host_port
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as error:
        raise StartupError(
            f"WEBHOOK_LISTEN: cannot listen on {settings.webhook_listen} ({_reason(error)}); "
            "is another process using the port?",
            EXIT_SETTING,
        ) from None
    sock.set_inheritable(True)
    return sock


def set_webhook(settings: Settings) -> int:
    """Point Telegram at WEBHOOK_URL (with the secret), once per deploy; an exit code."""
    from bot.telegram.app import ALLOWED_UPDATES

    async def call() -> None:
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        async with _plain_bot(settings) as bot:
            await bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=list(ALLOWED_UPDATES),
                max_connections=settings.webhook_max_connections,
            )
            info = await bot.get_webhook_info()
            log.info(
                "webhook set to %s (%d update(s) waiting, max %s connections)",
                info.url,
                info.pending_update_count,
                info.max_connections,
            )

    if settings.webhook_url is None:
        print("flashtutor: set-webhook needs WEBHOOK_URL and WEBHOOK_SECRET", file=sys.stderr)
        return EXIT_SETTING
    return _run_until_signal(_telegram_step(call(), settings))


def delete_webhook(settings: Settings) -> int:
    """Remove the webhook (back to long polling); updates waiting at Telegram are kept."""

    async def call() -> None:
        async with _plain_bot(settings) as bot:
            await bot.delete_webhook()
            log.info("webhook removed; `python -m bot` without WEBHOOK_URL long-polls")

    return _run_until_signal(_telegram_step(call(), settings))


def _plain_bot(settings: Settings) -> Bot:
    base = (settings.telegram_base_url or _TELEGRAM).rstrip("/")
    return Bot(settings.bot_token.get_secret_value(), base_url=base)


async def _telegram_step(step: Awaitable[None], settings: Settings) -> None:
    try:
        await step
    except InvalidToken:
        raise StartupError("BOT_TOKEN was rejected by Telegram", EXIT_SETTING) from None
    except TelegramError as error:
        raise StartupError(
            f"Telegram at {settings.telegram_base_url or _TELEGRAM} refused: {_reason(error)}",
            EXIT_UNREACHABLE,
        ) from None


async def reach_telegram(bot: Bot, *, retry_for: float, where: str) -> None:
    """getMe until it answers, backing off up to `retry_for` seconds; StartupError if never."""
    # PTB logs a non-JSON answer (a wrong URL's HTML page) with a traceback; our line says it.
    request_log = logging.getLogger("telegram.request.BaseRequest")
    request_log.addFilter(_not_json_noise)
    try:
        await _get_me_with_backoff(bot, retry_for=retry_for, where=where)
    finally:
        request_log.removeFilter(_not_json_noise)


def _not_json_noise(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("Can not load invalid JSON data")


async def _get_me_with_backoff(bot: Bot, *, retry_for: float, where: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + retry_for
    delay = 1.0
    while True:
        try:
            await bot.get_me()
            return
        except InvalidToken:
            raise StartupError(
                "BOT_TOKEN was rejected by Telegram: copy it again from @BotFather (or, if "
                f"TELEGRAM_BASE_URL is set, check that {where} is a Bot API server)",
                EXIT_SETTING,
            ) from None
        except NetworkError as error:  # TimedOut included
            left = deadline - loop.time()
            if left <= 0:
                raise StartupError(
                    f"cannot reach Telegram at {where} ({_reason(error)}) after "
                    f"{retry_for:g} s: check TELEGRAM_BASE_URL and the network "
                    "(STARTUP_RETRY_SECONDS sets how long to keep trying)",
                    EXIT_UNREACHABLE,
                ) from None
            if delay == 1.0:  # one line while waiting, not one per attempt
                log.warning(
                    "Telegram not reachable at %s (%s); retrying for up to %g s",
                    where,
                    _reason(error),
                    retry_for,
                )
            await asyncio.sleep(min(delay, left))
            delay = min(delay * 2, _MAX_BACKOFF)
        except TelegramError as error:
            raise StartupError(
                f"Telegram at {where} answered getMe with an error ({_reason(error)}): "
                "check TELEGRAM_BASE_URL",
                EXIT_SETTING,
            ) from None


async def _open_database(db: Database, url: str) -> None:
    """Connect once, so that a wrong DATABASE_URL is reported before anything else starts."""
    if db.engine.dialect.name == "sqlite":
        # aiosqlite leaves a thread behind when the file cannot be opened; check first.
        database = make_url(url).database
        if database and database != ":memory:" and not Path(database).parent.is_dir():
            raise StartupError(
                f"DATABASE_URL: the folder {Path(database).parent} does not exist; create it "
                "or point DATABASE_URL at another file",
                EXIT_SETTING,
            )

    async def connect() -> None:
        async with db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    await _database_step(connect(), url)


def _hold_sqlite(url: str) -> int | None:
    try:
        return hold_sqlite_file(url)
    except SQLiteFileInUse as busy:
        raise StartupError(
            f"DATABASE_URL: another bot process is running on {busy} (SQLite is one process's "
            "database); stop it, or run several processes on Postgres (README: Running at scale)",
            EXIT_SETTING,
        ) from None


async def _database_step(step: Awaitable[None], url: str) -> None:
    """Await `step`, turning a database failure into the one line that explains it."""
    try:
        await step
    except (DBAPIError, OSError) as error:
        raise StartupError(_database_line(error, url), _database_exit_code(error)) from None


def _database_line(error: Exception, url: str) -> str:
    shown = make_url(url).render_as_string(hide_password=True)
    reason = _reason(getattr(error, "orig", None) or error)
    missing = re.search(r'database "([^"]+)" does not exist', reason)
    if missing:
        hint = f"create it (createdb {missing.group(1)}) or fix DATABASE_URL"
    elif "refused" in reason or "resolve host" in reason or "timeout" in reason:
        hint = "is the database server running there? check DATABASE_URL"
    else:
        hint = "check DATABASE_URL"
    return f"cannot use the database {shown}: {reason}; {hint}"


def _database_exit_code(error: Exception) -> int:
    reason = str(getattr(error, "orig", None) or error)
    unreachable = any(word in reason for word in ("refused", "resolve host", "timeout"))
    return EXIT_UNREACHABLE if unreachable else EXIT_SETTING


def _reason(error: BaseException) -> str:
    """The first line of an error's message, without library prefixes or FATAL markers."""
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    not_json = re.match(r"(.*) \((\d{3})\)\. Parsing the server response", message, re.S)
    if not_json:  # some other web server: PTB quotes its whole HTML page
        return f"HTTP {not_json.group(2)} {not_json.group(1)}, not a Bot API answer"
    if message == "Invalid server response":  # PTB: a 200 answer that is not JSON
        return "not a Bot API answer"
    line = message.strip().splitlines()[0]
    line = line.removeprefix("httpx.")
    # psycopg: 'connection failed: connection to server at "h", port 5432 failed: FATAL:  x'
    line = re.sub(r"^.*failed: (FATAL:\s+)?", "", line)
    return line
