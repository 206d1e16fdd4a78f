"""Settings read from the environment or `.env`; the one place configuration enters."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["DEFAULT_DECKS_DIR", "DatabaseSettings", "Settings", "async_database_url"]

DEFAULT_DECKS_DIR = Path(__file__).resolve().parent.parent / "decks"

# Telegram tokens are "<bot id>:<35 url-safe characters>"; tests use shorter fake secrets.
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{5,}$")
_PLACEHOLDERS = {"changeme", "your-token-here", "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"}
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class DatabaseSettings(BaseSettings):
    """What `python -m bot migrate` needs: the database, no token."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///flashtutor.db"
    log_level: str = "INFO"
    decks_dir: Path = DEFAULT_DECKS_DIR  # `migrate` syncs them too

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        url = async_database_url(value.strip())
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            backend = None
        if backend not in {"sqlite", "postgresql"}:
            # Never echo the value: it may hold a password.
            raise ValueError(
                "must be a SQLite or Postgres URL, e.g. sqlite:///flashtutor.db or "
                "postgresql://user:password@host:5432/flashtutor"
            )
        return url

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)} (got {value.strip()!r})")
        return level


class Settings(DatabaseSettings):
    """Everything the bot needs to run; see README and .env.example."""

    bot_token: SecretStr
    telegram_base_url: str | None = None
    # A deploy may start the bot before the network: keep trying Telegram this long at start.
    startup_retry_seconds: float = Field(default=60, ge=0, le=3600)
    sweep_interval_seconds: int = Field(default=60, ge=1, le=3600)
    # How often the timetable looks for learners due a fit of their FSRS parameters.
    fit_sweep_interval_seconds: int = Field(default=3600, ge=10, le=86_400)
    # A daily push or group post claimed by a process that dies before sending it is sent by
    # a later sweep once this lease runs out: at most one duplicate in a crash, no lost day.
    claim_lease_seconds: int = Field(default=300, ge=10, le=86_400)
    # Daily pushes, group posts and admin notices share this many messages a second, less
    # what replies to people use (Telegram allows about 30 in bulk).
    broadcast_per_second: float = Field(default=25.0, gt=0, le=1000)
    # New messages a second into one private chat once a burst of 5 is spent (Telegram: ~1).
    chat_messages_per_second: float = Field(default=1.0, gt=0, le=1000)
    default_timezone: str = "UTC"
    default_review_time: time = time(9, 0)
    default_new_cards_per_day: int = Field(default=20, ge=0, le=1000)
    fsrs_fuzzing: bool = True
    # Deck files learners send: Telegram lets bots download at most 20 MB, so that is the cap;
    # a smaller one is refused before downloading, by the size Telegram declares.
    max_import_bytes: int = Field(default=20 * 1024 * 1024, ge=1, le=20 * 1024 * 1024)
    max_import_cards: int = Field(default=20_000, ge=1, le=200_000)
    # Webhook mode (README "Running at scale"): set WEBHOOK_URL and Telegram POSTs updates to
    # its path on WEBHOOK_LISTEN; unset, the bot long-polls. The secret comes back in each
    # request's X-Telegram-Bot-Api-Secret-Token header.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0:8080"
    # A webhook update taken by a process that died is taken again after this (on SQLite; on
    # Postgres at once, the holder's advisory lock having died with it).
    update_lease_seconds: int = Field(default=60, ge=1, le=3600)
    # Telegram's connections at once to the webhook (setWebhook max_connections, 1-100).
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    # How many bot processes share the database (compose's replicas): SQLite allows one. The
    # broadcast budget is split between them, since Telegram's ~30/s is per bot.
    replicas: int = Field(default=1, ge=1, le=64)

    @property
    def broadcast_share_per_second(self) -> float:
        """This process's part of the broadcast budget: Telegram's limit is per bot."""
        return self.broadcast_per_second / self.replicas

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value().strip()
        if not raw:
            raise ValueError("is required (see README: get a token from @BotFather)")
        if raw in _PLACEHOLDERS or not _TOKEN_RE.match(raw):
            # Never echo the value: it is a secret even when malformed.
            raise ValueError("must look like '123456789:AA...' (ask @BotFather)")
        return SecretStr(raw)

    @field_validator("telegram_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if not value:
            return None  # Telegram itself
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (e.g. http://127.0.0.1:8081/bot)")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if not value:
            return None  # long polling
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be the public https:// URL Telegram posts updates to")
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, _, port = value.strip().rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be host:port, e.g. 0.0.0.0:8080")
        return value.strip()

    @model_validator(mode="after")
    def _webhook_mode(self) -> Settings:
        if self.webhook_url is not None:
            secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
            if not _WEBHOOK_SECRET_RE.match(secret):
                # Never echo the value.
                raise ValueError(
                    "WEBHOOK_SECRET is required with WEBHOOK_URL: 1-256 characters of "
                    "A-Z, a-z, 0-9, _ and -"
                )
        if self.replicas > 1 and self.webhook_url is None:
            raise ValueError(
                f"REPLICAS={self.replicas} needs WEBHOOK_URL: long polling allows one process "
                "per bot (Telegram answers a second one with 409 Conflict)"
            )
        if self.replicas > 1 and self.database_url.startswith("sqlite"):
            raise ValueError(
                f"REPLICAS={self.replicas} needs Postgres: SQLite is one process's database "
                "(set DATABASE_URL to postgresql://... or REPLICAS=1)"
            )
        return self

    @property
    def webhook_path(self) -> str:
        """The path of WEBHOOK_URL, where the ASGI app takes Telegram's POSTs."""
        path = urlsplit(self.webhook_url or "").path
        return path or "/"

    @property
    def listen_host_port(self) -> tuple[str, int]:
        host, _, port = self.webhook_listen.rpartition(":")
        return host.strip("[]"), int(port)

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value


def async_database_url(url: str) -> str:
    """Map plain `postgresql://` / `sqlite://` URLs to the async drivers we ship."""
    for plain, driver in (
        ("postgresql://", "postgresql+psycopg://"),
        ("postgres://", "postgresql+psycopg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url
