"""`python -m bot` runs the bot (long polling); `python -m bot migrate` only migrates."""

from __future__ import annotations

import asyncio
import sys

from pydantic import ValidationError

from bot.config import Settings
from bot.logs import configure_logging

USAGE = "usage: python -m bot [run|migrate]"


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"]).upper() or "settings"
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing":
                message = "is required (see README: get a token from @BotFather)"
            # One line per problem, no traceback, and never the offending value.
            print(f"flashtutor: {field} {message}", file=sys.stderr)
        sys.exit(2)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command not in {"run", "migrate"}:
        print(USAGE, file=sys.stderr)
        return 2
    settings = _settings()
    token = settings.bot_token.get_secret_value()
    configure_logging(settings.log_level, secrets=[token, token.split(":", 1)[1]])
    if command == "migrate":
        from bot.storage.db import Database

        async def migrate() -> None:
            db = Database(settings.database_url)
            await db.migrate()
            await db.dispose()

        asyncio.run(migrate())
        return 0
    from telegram.error import InvalidToken

    from bot.telegram.app import ALLOWED_UPDATES, build_application
    from bot.telegram.polling import run_polling

    try:
        run_polling(build_application(settings), allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        # PTB's message quotes the whole token; say what happened without it.
        print(
            "flashtutor: BOT_TOKEN was rejected by Telegram (check it with @BotFather)",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
