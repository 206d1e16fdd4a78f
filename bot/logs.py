"""Logging set-up that never writes a secret: every record is redacted, tracebacks included."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

__all__ = ["RedactingFilter", "configure_logging", "redact"]

REDACTED = "[REDACTED]"


def redact(text: str, secrets: list[str]) -> str:
    """`text` with every secret replaced by [REDACTED]."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record so no secret survives: message, arguments and exception text.

    PTB logs its API URL (which contains the token) at DEBUG, and InvalidToken's message
    quotes the token in full; the record is formatted and redacted here, before any handler
    or formatter sees it, whatever logger or argument carried the secret.
    """

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted((s for s in secrets if s), key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: logging would print its raw arguments
            message = f"{record.msg} (log arguments did not fit the message)"
        record.msg = redact(message, self._secrets)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = "".join(traceback.format_exception(*record.exc_info))
            record.exc_text = redact(text.rstrip("\n"), self._secrets)
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self._secrets)
        return True


def configure_logging(level: str, *, secrets: list[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO; the URL carries the token (redacted anyway).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # An exception nobody caught is printed by the interpreter, not by logging: redact it too.
    kept = [s for s in secrets if s]

    def excepthook(
        kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        text = "".join(traceback.format_exception(kind, error, tb))
        sys.stderr.write(redact(text, sorted(kept, key=len, reverse=True)))

    sys.excepthook = excepthook
    # A quiet INFO log: our own lines say what happened (one per push batch, one at start-up);
    # the libraries' routine chatter shows at DEBUG only.
    quiet = root.level > logging.DEBUG
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING if quiet else logging.NOTSET)
    migration = logging.getLogger("alembic.runtime.migration")
    migration.removeFilter(_only_upgrades)
    if quiet:
        migration.addFilter(_only_upgrades)


# APScheduler logs two lines per sweep and its start; PTB its start and stop; Alembic its
# plugins. Their warnings and errors still show.
_CHATTY = ("apscheduler", "telegram.ext.Application", "alembic.runtime.plugins")


def _only_upgrades(record: logging.LogRecord) -> bool:
    """Alembic's INFO lines: keep "Running upgrade 0001 -> 0002", drop the set-up chatter."""
    return record.levelno > logging.INFO or record.getMessage().startswith("Running upgrade")
