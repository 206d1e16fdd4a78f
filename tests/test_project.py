"""Project wiring: the compose file, .env.example, and the command line's failure modes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_ENV = {name.upper() for name in Settings.model_fields}


def _run_bot(args, env_extra, cwd):
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    env |= {"PYTHONPATH": str(ROOT)} | env_extra
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_uv_lock_is_in_sync_with_pyproject():
    """Every install (scripts/bootstrap.sh, CI, the image) takes uv.lock as it is (--frozen)."""
    uv = Path(sys.executable).with_name("uv")
    uv_path = str(uv) if uv.exists() else shutil.which("uv")
    assert uv_path, "uv is missing: run scripts/bootstrap.sh dev"
    result = subprocess.run(
        [uv_path, "lock", "--check", "--offline"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_compose_services_match_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "migrate", "bot", "caddy", "set-webhook"}
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["bot"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    bot_env = set(services["bot"]["environment"])
    assert {"BOT_TOKEN", "DATABASE_URL"} <= bot_env
    assert bot_env <= SETTINGS_ENV, bot_env - SETTINGS_ENV
    url = services["bot"]["environment"]["DATABASE_URL"]
    db_env = services["db"]["environment"]
    # The bot connects with the credentials the database was created with (both from .env).
    user = db_env["POSTGRES_USER"]
    database = db_env["POSTGRES_DB"]
    assert url == f"postgresql+psycopg://{user}:${{POSTGRES_PASSWORD}}@db:5432/{database}"


def test_env_example_names_are_settings():
    names = {
        line.lstrip("# ").split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and line.lstrip("# ").split("=", 1)[0].isupper()
    }
    assert "BOT_TOKEN" in names
    # POSTGRES_*, WEBHOOK_DOMAIN and BOT_REPLICAS are read by docker-compose.yml only.
    compose_only = {
        "POSTGRES_USER",
        "POSTGRES_PASSWORD",
        "POSTGRES_DB",
        "WEBHOOK_DOMAIN",
        "BOT_REPLICAS",
    }
    assert names - compose_only <= SETTINGS_ENV, names - compose_only - SETTINGS_ENV


def test_missing_token_is_one_line_and_exit_code_2(tmp_path):
    result = _run_bot([], {}, tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "flashtutor: BOT_TOKEN is required (see README: get a token from @BotFather)"
    ]


def test_empty_token_reads_as_missing(tmp_path):
    result = _run_bot([], {"BOT_TOKEN": "  "}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "flashtutor: BOT_TOKEN is required (see README: get a token from @BotFather)"
    ]


def test_malformed_token_is_refused_without_echoing_it(tmp_path):
    secret = "not-a-token-s3cr3t"
    result = _run_bot([], {"BOT_TOKEN": secret}, tmp_path)
    assert result.returncode == 2
    assert secret not in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "flashtutor: BOT_TOKEN must look like '123456789:AA...' (ask @BotFather)"
    ]


def test_migrate_command_creates_the_sqlite_schema(tmp_path):
    result = _run_bot(
        ["migrate"],
        {"BOT_TOKEN": "123456:TEST-token", "DATABASE_URL": "sqlite:///flashtutor.db"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    tables = {
        row[0]
        for row in sqlite3.connect(tmp_path / "flashtutor.db").execute(
            "select name from sqlite_master where type='table'"
        )
    }
    assert {"users", "decks", "cards", "card_states", "review_logs", "alembic_version"} <= tables


async def test_token_never_reaches_the_log_even_at_debug(tmp_path, fake):
    """The bot runs as a process against the fake server at DEBUG; its log has no token."""
    import asyncio

    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    env |= {
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": fake.token,
        "TELEGRAM_BASE_URL": fake.base_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "LOG_LEVEL": "DEBUG",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    # Read the log while the bot runs: at DEBUG it soon fills the pipe's 64 KB buffer, and a
    # bot blocked writing its log would never answer.
    output = asyncio.ensure_future(process.communicate())
    try:
        await fake.wait_for(lambda: any(m == "getUpdates" for m, _ in fake.requests), timeout=60)
        fake.send_message(5001, "/start", user=None)
        await fake.wait_for_message(5001, timeout=30)
    finally:
        process.terminate()
        _out, err = await output
    log = err.decode()
    assert "DEBUG" in log and "getUpdates" in log  # it really logged at DEBUG
    secret = fake.token.split(":", 1)[1]
    assert secret not in log
    assert "[REDACTED]" in log


async def test_a_token_telegram_rejects_is_not_printed(tmp_path, fake):
    """The fake server refuses the token (401): one clean line, and the token nowhere."""
    import asyncio

    rejected = "987654321:AAH-the-secret-part-of-a-rejected-token"
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    env |= {
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": rejected,
        "TELEGRAM_BASE_URL": fake.base_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "LOG_LEVEL": "DEBUG",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    output = out.decode() + err.decode()
    assert process.returncode == 2
    assert "BOT_TOKEN was rejected by Telegram" in output
    assert "DEBUG" in output  # it logged at DEBUG, and still:
    assert rejected not in output and rejected.split(":", 1)[1] not in output


def test_log_records_and_their_tracebacks_are_redacted(capsys):
    import logging

    from bot.logs import RedactingFilter

    token = "123456789:AAH-secret-value"
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter([token, token.split(":", 1)[1]]))
    log = logging.getLogger("test.redaction")
    log.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"The token `{token}` was rejected by the server.")
        except RuntimeError:
            log.exception("start failed for %s", token)
        log.warning("secret alone: %s", token.split(":", 1)[1])
        log.warning("a malformed call %s %s", token)  # one argument short
    finally:
        log.removeHandler(handler)
    err = capsys.readouterr().err
    assert "AAH-secret-value" not in err and "123456789" not in err
    assert err.count("[REDACTED]") == 3 and "did not fit" in err
