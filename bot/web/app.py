"""The ASGI app of webhook mode: Telegram's POSTs, /healthz and /metrics on one port.

Each update is handled before its request is answered. Telegram sends a chat's next update
only once the request for the previous one has ended, so every chat's updates stay in order
across all processes behind the load balancer without a lock of ours; and an update whose
process dies mid-way is never answered, so Telegram delivers it again (to any process).

On Postgres a process holds an advisory lock on each update while it handles it: a redelivery
finding the lock taken is told to come back later, and one finding it free (its holder died,
and the lock with its connection) handles the update at once; the chat waits for no lease.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from datetime import timedelta

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.metrics import DUPLICATE_UPDATES, PUSHES_PENDING
from bot.runtime import Runtime
from bot.services import handled_updates
from bot.services.handled_updates import Take
from bot.services.push import pending_pushes
from bot.storage.db import DATABASE_ERRORS

__all__ = ["MAX_BODY_BYTES", "SECRET_HEADER", "build_web_app"]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024  # an update is a few KB; anything near this is not Telegram
_PRUNE_EVERY = timedelta(hours=1)


class _Webhook:
    """POST <path of WEBHOOK_URL>: check, take once across processes, handle, answer."""

    def __init__(self, application: Application, secret: str) -> None:
        self.application = application
        self.runtime: Runtime = application.bot_data["runtime"]
        self._secret = secret.encode()
        self._pruned_at = None
        self._locks = self.runtime.db.process_locks("flashtutor-updates")
        # Without process locks (SQLite), a take left by a process that died is retaken by a
        # redelivery after this (UPDATE_LEASE_SECONDS).
        self._lease = (
            timedelta(seconds=self.runtime.settings.update_lease_seconds)
            if self._locks is None
            else None
        )

    async def receive(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return PlainTextResponse("wrong secret token\n", status_code=403)
        try:
            body = await _read_body(request)
        except ClientDisconnect:
            return Response(status_code=400)
        if body is None:
            return PlainTextResponse("body over 1 MB\n", status_code=400)
        update = self._parse(body)
        if update is None:
            return PlainTextResponse("not a Telegram update (JSON expected)\n", status_code=400)
        locks = self._locks
        try:
            if locks is not None and not await locks.try_hold(update.update_id):
                return _being_handled()
        except DATABASE_ERRORS:
            return _database_unavailable(update)
        try:
            return await self._handle_once(update)
        finally:
            if locks is not None:
                await asyncio.shield(locks.release(update.update_id))

    async def _handle_once(self, update: Update) -> Response:
        """Take the update in handled_updates, handle it and mark it done; or skip it."""
        db, now = self.runtime.db, self.runtime.now()
        try:
            async with db.session() as session:
                take = await handled_updates.take_update(
                    session, update_id=update.update_id, now=now, lease=self._lease
                )
        except DATABASE_ERRORS:
            return _database_unavailable(update)
        if take is Take.DONE:
            DUPLICATE_UPDATES.inc()
            return Response(status_code=200)
        if take is Take.BUSY:
            return _being_handled()
        application = self.application
        try:
            await application.update_processor.process_update(
                update, application.process_update(update)
            )
        except BaseException:
            # Cut short (shutdown): never answered 200, so Telegram delivers it again.
            await asyncio.shield(self._release(update.update_id))
            raise
        try:
            async with db.session() as session:
                await handled_updates.finish_update(session, update_id=update.update_id)
        except DATABASE_ERRORS:
            # Handled all the same; a redelivery is handled again (handlers are idempotent: a
            # grade carries its card's version), after the lease where there are no locks.
            log.warning("could not record update %s as handled", update.update_id)
        await self._prune(now)
        return Response(status_code=200)

    def _parse(self, body: bytes) -> Update | None:
        try:
            data = json.loads(body)
        except ValueError:  # UnicodeDecodeError included
            return None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return None
        try:
            return Update.de_json(data, self.application.bot)
        except Exception:  # a payload PTB cannot read
            log.warning("could not read update %s; refused", data.get("update_id"))
            return None

    async def _release(self, update_id: int) -> None:
        try:
            async with self.runtime.db.session() as session:
                await handled_updates.release_update(session, update_id=update_id)
        except DATABASE_ERRORS:
            pass  # the take's lease runs out instead

    async def _prune(self, now) -> None:
        if self._pruned_at is not None and now - self._pruned_at < _PRUNE_EVERY:
            return
        self._pruned_at = now
        try:
            async with self.runtime.db.session() as session:
                await handled_updates.prune_updates(session, now=now)
        except DATABASE_ERRORS:
            log.warning("could not prune handled updates; trying again later")


def _being_handled() -> Response:
    """Another process is on it; Telegram asks again later."""
    return PlainTextResponse("being handled\n", status_code=503)


def _database_unavailable(update: Update) -> Response:
    log.warning("database unavailable: update %s left to Telegram's retry", update.update_id)
    return PlainTextResponse("database unavailable\n", status_code=503)


async def _read_body(request: Request) -> bytes | None:
    """The body, or None when it is over MAX_BODY_BYTES (read no further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)


def build_web_app(application: Application, *, webhook_path: str, secret: str) -> Starlette:
    """The ASGI app: the webhook at `webhook_path`, /healthz and /metrics."""
    runtime: Runtime = application.bot_data["runtime"]

    async def healthz(_request: Request) -> Response:
        """200 while the database answers, 503 otherwise (the load balancer's check)."""
        if await runtime.db.answers():
            return PlainTextResponse("ok\n")
        return PlainTextResponse("database unavailable\n", status_code=503)

    async def metrics(_request: Request) -> Response:
        """Prometheus text; the pending pushes are read from the database now."""
        try:
            async with asyncio.timeout(2.0), runtime.db.session() as session:
                PUSHES_PENDING.set(await pending_pushes(session, now=runtime.now()))
        except (TimeoutError, *DATABASE_ERRORS):
            pass  # the last value stands; /healthz says the database is away
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route(webhook_path, _Webhook(application, secret).receive, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ]
    )
