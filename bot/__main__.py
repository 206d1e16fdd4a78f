"""`python -m bot` runs the bot (long polling, or webhook with WEBHOOK_URL); `python -m bot
migrate` only migrates; `set-webhook` / `delete-webhook` talk to Telegram once."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy.engine import make_url

from bot.config import DatabaseSettings, Settings
from bot.logs import configure_logging

DESCRIPTION = """\
Flashtutor, a Telegram flashcard tutor. Settings come from the environment or .env
(see README.md and .env.example)."""

EPILOG = """\
exit codes: 0 stopped by Ctrl-C or SIGTERM; 1 Telegram or the database could not be
reached; 2 a setting is wrong (the one line on stderr names it)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    commands.add_parser(
        "run",
        help="migrate the database, load the decks, then answer Telegram (the default)",
        description="Migrate the database, load the decks, then long-poll Telegram until "
        "Ctrl-C. Needs BOT_TOKEN.",
    )
    commands.add_parser(
        "migrate",
        help="only upgrade the database schema and sync the decks (needs no BOT_TOKEN)",
        description="Upgrade the database at DATABASE_URL to this version's schema, load the "
        "deck folder (DECKS_DIR), then exit: once per deploy, before the bot processes start.",
    )
    commands.add_parser(
        "set-webhook",
        help="point Telegram at WEBHOOK_URL with WEBHOOK_SECRET (once per deploy)",
        description="Call setWebhook with WEBHOOK_URL, WEBHOOK_SECRET, the update kinds the "
        "bot handles and WEBHOOK_MAX_CONNECTIONS, then exit. Bot processes never do this "
        "themselves.",
    )
    commands.add_parser(
        "delete-webhook",
        help="remove the webhook (to go back to long polling)",
        description="Call deleteWebhook, keeping the updates waiting at Telegram, then exit.",
    )
    return parser


S = TypeVar("S", bound=DatabaseSettings)


def _settings(kind: type[S]) -> S:
    try:
        return kind()
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"]).upper() or "settings"
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing":
                message = "is required (see README: get a token from @BotFather)"
            # One line per problem, no traceback, and never the offending value.
            line = f"{field} {message}" if error["loc"] else message  # a rule across settings
            print(f"flashtutor: {line}", file=sys.stderr)
        sys.exit(2)


def main(argv: list[str]) -> int:
    command = _parser().parse_args(argv).command or "run"
    from bot import launch  # after parsing: `--help` needs none of the bot's imports

    if command == "migrate":
        storage = _settings(DatabaseSettings)
        configure_logging(storage.log_level, secrets=_secrets(storage))
        return launch.migrate(storage)
    settings = _settings(Settings)
    configure_logging(settings.log_level, secrets=_secrets(settings))
    if command == "set-webhook":
        return launch.set_webhook(settings)
    if command == "delete-webhook":
        return launch.delete_webhook(settings)
    # The one composition place: the bot with the timetable, the layer above it.
    from scheduler.compose import build_bot

    return launch.run(settings, build=build_bot)


def _secrets(settings: DatabaseSettings) -> list[str]:
    """What the log must never show: the token (and its secret half), the DB password."""
    secrets = [make_url(settings.database_url).password or ""]
    if isinstance(settings, Settings):
        token = settings.bot_token.get_secret_value()
        secrets += [token, token.split(":", 1)[1]]
        if settings.webhook_secret is not None:
            secrets.append(settings.webhook_secret.get_secret_value())
    return secrets


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # Everything was closed in order by now. A library thread left behind (aiosqlite's
    # worker, when a stop cut a connection short) must not keep the process alive.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
