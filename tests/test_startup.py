"""`python -m bot` as an operator meets it: a real process, its stderr and its exit code."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import pytest
from aiohttp import web

from bot.config import Settings
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_ENV = {name.upper() for name in Settings.model_fields}
TOKEN = "123456:TEST-token"
# A hang guard, not a timing assertion: a process that ignores Ctrl-C fails the test.
STOP_GUARD = 20


class BotProcess:
    """`python -m bot ARGS` with a clean environment; stderr read line by line as it comes."""

    def __init__(self, tmp_path: Path, env: dict[str, str], *args: str) -> None:
        self.tmp_path = tmp_path
        self.env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
        self.env |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
        self.env |= env
        self.args = args
        self.lines: list[str] = []
        self.stdout = ""
        self._changed = asyncio.Event()

    async def __aenter__(self) -> BotProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *self.args,
            cwd=self.tmp_path,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *_exc) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        await self._reader

    async def _read(self) -> None:
        assert self.process.stderr is not None and self.process.stdout is not None
        async for raw in self.process.stderr:
            self.lines.append(raw.decode().rstrip("\n"))
            self._changed.set()
        self.stdout = (await self.process.stdout.read()).decode()

    async def wait_for_line(self, needle: str, within: float = 60) -> str:
        async with asyncio.timeout(within):
            while True:
                found = [line for line in self.lines if needle in line]
                if found:
                    return found[0]
                self._changed.clear()
                await self._changed.wait()

    async def exit_code(self, within: float = 120) -> int:
        async with asyncio.timeout(within):
            code = await self.process.wait()
            await self._reader
        return code

    async def interrupt(self) -> int:
        """Ctrl-C, then the exit code (the process must end well before the guard)."""
        self.process.send_signal(signal.SIGINT)
        try:
            return await self.exit_code(within=STOP_GUARD)
        except TimeoutError:
            raise AssertionError(f"still running after Ctrl-C:\n{self.stderr}") from None

    @property
    def stderr(self) -> str:
        return "\n".join(self.lines)


def _records(lines: list[str]) -> list[str]:
    """The log's records as 'logger: message', a message's continuation lines joined."""
    records: list[str] = []
    for line in lines:
        if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", line):
            records.append(line.split(" ", 3)[3])
        else:
            records[-1] += "\n" + line
    return records


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_telegram_unreachable_is_retried_then_one_line_naming_the_setting(tmp_path):
    """A port that accepts and hangs up: each connection is one attempt by the bot."""
    attempts = 0

    async def hang_up(_reader, writer) -> None:
        nonlocal attempts
        attempts += 1
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}/bot"
    env = {"BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": url, "STARTUP_RETRY_SECONDS": "3"}
    async with server, BotProcess(tmp_path, env) as bot:
        code = await bot.exit_code()
    assert code == 1
    assert attempts >= 3  # backed off and retried (after 0, 1, 3 s), not a single try
    assert "Traceback" not in bot.stderr, bot.stderr
    waiting, final = bot.lines  # one line while waiting, one when giving up
    assert "WARNING" in waiting and f"Telegram not reachable at {url}" in waiting
    assert final.startswith(f"flashtutor: cannot reach Telegram at {url} (")
    assert final.endswith(
        "after 3 s: check TELEGRAM_BASE_URL and the network "
        "(STARTUP_RETRY_SECONDS sets how long to keep trying)"
    )
    assert "TEST-token" not in bot.stderr


async def test_a_web_server_that_is_not_the_bot_api_is_named_in_one_line(tmp_path):
    async def page(_request):
        return web.Response(text="<html><body>It works!</body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}/bot"
    env = {"BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": url, "STARTUP_RETRY_SECONDS": "0"}
    try:
        async with BotProcess(tmp_path, env) as bot:
            code = await bot.exit_code()
    finally:
        await runner.cleanup()
    assert code == 2
    assert bot.lines == [
        f"flashtutor: Telegram at {url} answered getMe with an error (not a Bot API answer): "
        "check TELEGRAM_BASE_URL"
    ]


async def test_telegram_coming_up_after_the_bot_is_waited_for(tmp_path, clock):
    """A deploy that starts the bot before the network: it waits, then works."""
    from tests.fake_telegram import FakeTelegram, FakeUser

    port = _free_port()
    env = {"BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": f"http://127.0.0.1:{port}/bot"}
    fake = FakeTelegram(clock=lambda: clock().timestamp())
    async with BotProcess(tmp_path, env) as bot:
        await bot.wait_for_line("Telegram not reachable")
        await fake.start(port)
        try:
            await bot.wait_for_line("running as @")
            fake.send_message(5001, "/start", user=FakeUser(5001, "Ada"))
            await fake.wait_for_message(5001, timeout=30)
            code = await bot.interrupt()
        finally:
            await fake.stop()
    assert code == 0
    assert "Traceback" not in bot.stderr, bot.stderr


async def test_rejected_token_is_one_line_without_the_token(tmp_path, fake):
    env = {"BOT_TOKEN": "999999:WRONG-secret-token", "TELEGRAM_BASE_URL": fake.base_url}
    async with BotProcess(tmp_path, env) as bot:
        code = await bot.exit_code()
    assert code == 2
    assert bot.lines == [
        "flashtutor: BOT_TOKEN was rejected by Telegram: copy it again from @BotFather (or, if "
        f"TELEGRAM_BASE_URL is set, check that {fake.base_url} is a Bot API server)"
    ]


@pytest.mark.postgres
@pytest.mark.parametrize("command", [[], ["migrate"]])
async def test_missing_postgres_database_is_one_line(tmp_path, fake, command):
    base = POSTGRES_URL.rsplit("/", 1)[0]
    url = f"{base}/flashtutor_no_such_db"
    env = {"BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake.base_url, "DATABASE_URL": url}
    async with BotProcess(tmp_path, env, *command) as bot:
        code = await bot.exit_code()
    assert code == 2
    [line] = bot.lines
    assert line.startswith("flashtutor: cannot use the database ")
    assert line.endswith(
        'database "flashtutor_no_such_db" does not exist; '
        "create it (createdb flashtutor_no_such_db) or fix DATABASE_URL"
    )
    assert not fake.requests  # nothing reached Telegram


async def test_unreachable_postgres_hides_the_password(tmp_path):
    url = f"postgresql://flashtutor:pa55word@127.0.0.1:{_free_port()}/flashtutor"
    async with BotProcess(tmp_path, {"DATABASE_URL": url}, "migrate") as bot:
        code = await bot.exit_code()
    assert code == 1
    assert bot.lines == [
        f"flashtutor: cannot use the database postgresql+psycopg://flashtutor:***@"
        f"{url.split('@')[1]}: Connection refused; is the database server running there? "
        "check DATABASE_URL"
    ]


async def test_sqlite_file_in_a_missing_folder_is_one_line(tmp_path):
    url = f"sqlite:///{tmp_path}/nowhere/bot.db"
    async with BotProcess(tmp_path, {"DATABASE_URL": url}, "migrate") as bot:
        code = await bot.exit_code()
    assert code == 2
    assert bot.lines == [
        f"flashtutor: DATABASE_URL: the folder {tmp_path}/nowhere does not exist; create it "
        "or point DATABASE_URL at another file"
    ]


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"LOG_LEVEL": "verbose"},
            "flashtutor: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL "
            "(got 'verbose')",
        ),
        (
            {"TELEGRAM_BASE_URL": "127.0.0.1:8081/bot"},
            "flashtutor: TELEGRAM_BASE_URL must start with http:// or https:// "
            "(e.g. http://127.0.0.1:8081/bot)",
        ),
        (
            {"DATABASE_URL": "mysql://root:secret@db/flashtutor"},
            "flashtutor: DATABASE_URL must be a SQLite or Postgres URL, e.g. "
            "sqlite:///flashtutor.db or postgresql://user:password@host:5432/flashtutor",
        ),
        (
            {"WEBHOOK_URL": "https://bot.example.org/telegram"},
            "flashtutor: WEBHOOK_SECRET is required with WEBHOOK_URL: 1-256 characters of "
            "A-Z, a-z, 0-9, _ and -",
        ),
        (
            {"WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": "s3cret!"},
            "flashtutor: WEBHOOK_SECRET is required with WEBHOOK_URL: 1-256 characters of "
            "A-Z, a-z, 0-9, _ and -",
        ),
        (
            {
                "WEBHOOK_URL": "https://bot.example.org/telegram",
                "WEBHOOK_SECRET": "ok",
                "REPLICAS": "2",
            },
            "flashtutor: REPLICAS=2 needs Postgres: SQLite is one process's database "
            "(set DATABASE_URL to postgresql://... or REPLICAS=1)",
        ),
        (
            {
                "WEBHOOK_URL": "https://bot.example.org/telegram",
                "WEBHOOK_SECRET": "ok",
                "WEBHOOK_LISTEN": "8080",
            },
            "flashtutor: WEBHOOK_LISTEN must be host:port, e.g. 0.0.0.0:8080",
        ),
    ],
)
async def test_a_wrong_setting_is_one_line_and_exit_code_2(tmp_path, env, line):
    async with BotProcess(tmp_path, {"BOT_TOKEN": TOKEN} | env) as bot:
        code = await bot.exit_code()
    assert code == 2
    assert bot.lines == [line]


async def test_migrate_needs_no_token(tmp_path):
    async with BotProcess(tmp_path, {}, "migrate") as bot:
        code = await bot.exit_code()
    assert code == 0, bot.stderr
    assert (tmp_path / "bot.db").exists()
    assert "BOT_TOKEN" not in bot.stderr
    assert any(
        line.endswith("INFO bot.launch: database schema is up to date") for line in bot.lines
    )


async def test_help_lists_the_commands_and_exits_0(tmp_path):
    async with BotProcess(tmp_path, {}, "--help") as bot:
        code = await bot.exit_code()
    assert code == 0
    assert bot.lines == []
    assert "usage: python -m bot" in bot.stdout
    assert "    run " in bot.stdout and "    migrate " in bot.stdout
    assert "needs no BOT_TOKEN" in " ".join(bot.stdout.split())


async def test_ctrl_c_while_waiting_for_telegram_stops_at_once(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}/bot"
    env = {"BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": url, "STARTUP_RETRY_SECONDS": "3600"}
    async with BotProcess(tmp_path, env) as bot:
        await bot.wait_for_line("Telegram not reachable")
        code = await bot.interrupt()
    assert code == 0
    assert "Traceback" not in bot.stderr, bot.stderr
    assert bot.lines[-1].endswith("INFO bot.launch: stopped")


async def test_ctrl_c_while_polling_stops_cleanly_with_a_quiet_log(tmp_path, fake):
    env = {"BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake.base_url}
    async with BotProcess(tmp_path, env) as bot:
        await bot.wait_for_line("running as @")
        await fake.wait_for(lambda: any(m == "getUpdates" for m, _ in fake.requests), timeout=60)
        code = await bot.interrupt()
    assert code == 0
    assert "Traceback" not in bot.stderr, bot.stderr
    # The whole INFO log of a start and a stop: migrations, the deck, running, stopped (and
    # the first sweep, if the stop came while it ran). No APScheduler or PTB chatter.
    messages = _records(bot.lines)
    upgrades = [m for m in messages if m.startswith("alembic.runtime.migration: Running upgrade")]
    assert upgrades and messages[: len(upgrades)] == upgrades
    cut_short = "scheduler.timetable: push sweep cut short by the stop"
    assert [m for m in messages[len(upgrades) :] if m != cut_short] == [
        "bot.services.decks: deck deep-learning-tools: 16 added, 0 updated, 0 retired",
        "bot.launch: running as @FlashtutorTestBot; Ctrl-C stops",
        "bot.launch: stopped",
    ]


async def test_ctrl_c_while_a_reply_waits_out_a_rate_limit_stops_at_once(tmp_path, fake):
    """A handler that would wait a minute for Telegram does not hold the stop."""
    from tests.fake_telegram import FakeUser

    env = {"BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake.base_url}
    async with BotProcess(tmp_path, env) as bot:
        await bot.wait_for_line("running as @")
        fake.rate_limit_next(1, retry_after=60)  # a reply waits that out (within patience)
        fake.send_message(5001, "/start", user=FakeUser(5001, "Ada"))
        await fake.wait_for(lambda: any(m == "sendMessage" for m, _ in fake.requests), timeout=60)
        code = await bot.interrupt()
    assert code == 0
    assert "Traceback" not in bot.stderr, bot.stderr
    assert "stopped without waiting for the updates still being handled" in bot.stderr


async def test_webhook_mode_serves_updates_never_sets_the_webhook_and_stops_on_ctrl_c(
    tmp_path, fake
):
    from tests.fake_telegram import FakeUser
    from tests.fake_telegram.world import Webhook

    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    env = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake.base_url,
        "WEBHOOK_URL": url,
        "WEBHOOK_SECRET": "Process-secret_1",
        "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }
    async with BotProcess(tmp_path, env) as bot:
        line = await bot.wait_for_line("running as @")
        assert f"webhook on 127.0.0.1:{port}/telegram" in line
        # A replica never registers the webhook (nor removes it, as polling would).
        assert not {"setWebhook", "deleteWebhook", "getUpdates"} & {m for m, _ in fake.requests}
        fake.webhook = Webhook(url, "Process-secret_1")  # what `set-webhook` did once
        fake.send_message(5001, "/start", user=FakeUser(5001, "Ada"))
        welcome = await fake.wait_for_message(5001, timeout=30)
        assert "Ada" in welcome.text
        await fake.wait_for(lambda: not fake.unconfirmed_update_ids())
        code = await bot.interrupt()
    assert code == 0
    assert "Traceback" not in bot.stderr, bot.stderr
    assert "Process-secret_1" not in bot.stderr
    assert bot.lines[-1].endswith("bot.launch: stopped")


async def test_webhook_port_in_use_is_one_line(tmp_path, fake):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": fake.base_url,
            "WEBHOOK_URL": "https://bot.example.org/telegram",
            "WEBHOOK_SECRET": "s",
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        }
        async with BotProcess(tmp_path, env) as bot:
            code = await bot.exit_code()
    assert code == 2
    assert bot.lines[-1].startswith(
        f"flashtutor: WEBHOOK_LISTEN: cannot listen on 127.0.0.1:{port}"
    )


async def test_a_second_bot_on_one_sqlite_file_is_one_line_and_the_first_runs_on(tmp_path, fake):
    """SQLite is one process's database: a second process on the same file (here in webhook
    mode, where several processes are the point) is refused at start, not run beside it."""
    env = {"BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake.base_url}
    async with BotProcess(tmp_path, env) as first:
        await first.wait_for_line("running as @")
        webhook = {
            "WEBHOOK_URL": "https://bot.example.org/telegram",
            "WEBHOOK_SECRET": "s",
            "WEBHOOK_LISTEN": f"127.0.0.1:{_free_port()}",
        }
        async with BotProcess(tmp_path, env | webhook) as second:
            code = await second.exit_code()
        assert code == 2
        assert second.lines[-1] == (
            f"flashtutor: DATABASE_URL: another bot process is running on {tmp_path / 'bot.db'} "
            "(SQLite is one process's database); stop it, or run several processes on Postgres "
            "(README: Running at scale)"
        )
        assert first.process.returncode is None
        assert await first.interrupt() == 0
    # Once the first has stopped, the file is free again.
    async with BotProcess(tmp_path, env) as again:
        await again.wait_for_line("running as @")
        assert await again.interrupt() == 0
