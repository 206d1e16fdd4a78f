"""Logging set-up that never writes a secret: every formatted line is redacted."""

from __future__ import annotations

import logging
import sys

__all__ = ["RedactingFormatter", "configure_logging"]


class RedactingFormatter(logging.Formatter):
    """Replaces each secret with [REDACTED] in the final line, tracebacks included.

    PTB logs its API URL (which contains the token) at DEBUG; redacting the formatted
    output catches that and anything else, whatever logger or argument carried it.
    """

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self._secrets:
            line = line.replace(secret, "[REDACTED]")
        return line


def configure_logging(level: str, *, secrets: list[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO; the URL carries the token (redacted anyway).
    logging.getLogger("httpx").setLevel(logging.WARNING)
