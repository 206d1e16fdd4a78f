"""The fake Bot API over real HTTP (aiohttp on 127.0.0.1), plus async waiting for tests."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from .errors import ApiError
from .methods import call_method, canonical_name
from .params import Params, UploadedFile, decode_form
from .records import BotMessage
from .world import FakeWorld

__all__ = ["Delivery", "FakeTelegram", "LongPoll"]

T = TypeVar("T")
JSON = dict[str, Any]

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # sendDocument/sendAudio by multipart
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # what getFile serves to bots
CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
_REPORTED_CALLS = 15


@dataclass
class _Call:
    method: str
    params: dict[str, Any]
    outcome: str = "pending"  # "ok" or "<code> <description>"
    via: str | None = None  # the name in base_url_via(name) the call came through


@dataclass
class LongPoll:
    """One getUpdates as the server held it, and why it ended (None while still held)."""

    timeout: float
    ended: str | None = None  # "updates", "timeout", "closing" or "conflict"


@dataclass
class Delivery:
    """One webhook POST the server made and how the bot answered it (0: no answer)."""

    update_id: int
    target: str
    status: int | None = None  # None while in flight
    # How many Bot API calls the server had received when the answer came: the calls a
    # handler made before answering are below this index in `requests`.
    calls_at_answer: int | None = None


SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_RETRY_SECONDS = 0.2  # Telegram backs off longer; tests want the retry soon


class FakeTelegram(FakeWorld):
    """A local Bot API server: pass base_url to PTB, inject updates, inspect what the bot did.

    Usable as ``async with FakeTelegram() as fake:``. All state lives in FakeWorld; this
    class adds the HTTP transport, getUpdates long polling and the wait_for helpers.
    """

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        bot_username: str = "FlashtutorTestBot",
        bot_first_name: str = "Flashtutor",
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            token, bot_username=bot_username, bot_first_name=bot_first_name, clock=clock
        )
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing = False
        self._wakeup = asyncio.Event()
        self._poll_generation = 0
        # Every getUpdates, in order: tests read how each ended without timing it.
        self.long_polls: list[LongPoll] = []
        # Every call with its outcome, for timeout reports (tests may clear requests).
        self._calls: list[_Call] = []
        # Webhook mode (after setWebhook): every POST made, in order. `webhook_targets`, when
        # set, stands for a load balancer: requests go to these in turn instead of the URL,
        # passing over one that left a request unanswered.
        self.deliveries: list[Delivery] = []
        self.webhook_targets: list[str] | None = None
        # A target that left a request unanswered (refused, reset, timed out) is out of the
        # balancer's rotation this long, as a passive health check takes a dead backend out.
        self.target_down_seconds = 1.0
        self._targets_down_until: dict[str, float] = {}
        self._delivery_task: asyncio.Task | None = None
        self._slow_answers: dict[str, float] = {}
        self._held_answers: dict[str, asyncio.Event] = {}

    # Lifecycle.

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1, on an ephemeral port unless one is given."""
        if self._runner is not None:
            raise RuntimeError("FakeTelegram is already started")
        # Telegram takes multipart uploads up to 50 MB (aiohttp's default cap is 1 MB).
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._handle_file)
        app.router.add_route("*", "/{via}/bot{token}/{method}", self._handle_api)
        # A short shutdown timeout: stop() wakes every held getUpdates, so nothing should linger.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        self._closing = False
        self._delivery_task = asyncio.create_task(self._deliver(), name="fake webhook delivery")

    async def stop(self) -> None:
        """Release held long polls and close the server."""
        self._closing = True
        self._changed()
        if self._delivery_task is not None:
            self._delivery_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery_task
            self._delivery_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._port = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For ApplicationBuilder().base_url(...) / Bot(base_url=...): PTB appends token and method."""
        return f"{self._origin()}/bot"

    def base_url_via(self, name: str) -> str:
        """base_url for one of several bots sharing the token (processes behind a load
        balancer): the calls made through it are told apart by `name` (see `calls`)."""
        return f"{self._origin()}/{name}/bot"

    @property
    def base_file_url(self) -> str:
        """For ApplicationBuilder().base_file_url(...); the fake serves no files."""
        return f"{self._origin()}/file/bot"

    def _origin(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started; await start() or use 'async with'")
        return f"http://127.0.0.1:{self._port}"

    # HTTP.

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").to_json(), status=401)
        method = request.match_info["method"]
        values = await _read_params(request)
        name = canonical_name(method) or method
        self.requests.append((name, values))
        call = _Call(name, values, via=request.match_info.get("via"))
        self._calls.append(call)
        self._changed()
        try:
            if name == "getUpdates":
                result = await self._long_poll(Params(values))
            else:
                result = call_method(self, method, Params(values))
                # Done, but the bot hears of it later (a slow network), as set by slow_answers
                # or hold_answers.
                await asyncio.sleep(self._slow_answers.get(name, 0.0))
                if name in self._held_answers:
                    await self._held_answers[name].wait()
        except ApiError as err:
            call.outcome = f"{err.code} {err.description}"
            return web.json_response(err.to_json(), status=err.code)
        call.outcome = "ok"
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        """A download of a file getFile named; anything else is 404, as on Telegram."""
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").to_json(), status=401)
        path = request.match_info["path"]
        file = self.file_by_path(path)
        if file is None or file.size > MAX_DOWNLOAD_BYTES:
            return web.json_response(ApiError(404, "Not Found").to_json(), status=404)
        self.downloads.append(path)
        self._changed()
        return web.Response(body=file.data, content_type="application/octet-stream")

    async def _long_poll(self, params: Params) -> Any:
        """Hold getUpdates until an update is pending, the timeout passes or the server stops."""
        # A newer getUpdates ends this one with 409, as on Telegram: two pollers are a bug.
        self._poll_generation += 1
        generation = self._poll_generation
        poll = LongPoll(max(params.number("timeout", 0.0), 0.0))
        self.long_polls.append(poll)
        self._changed()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + poll.timeout
        while True:
            if generation != self._poll_generation:
                poll.ended = "conflict"
                raise ApiError(409, CONFLICT)
            wakeup = self._wakeup
            updates = call_method(self, "getUpdates", params)
            remaining = deadline - loop.time()
            if updates:
                poll.ended = "updates"
            elif self._closing:
                poll.ended = "closing"
            elif remaining <= 0:
                poll.ended = "timeout"
            if poll.ended is not None:
                return updates
            await _wait(wakeup, remaining)

    def slow_answers(self, method: str, seconds: float) -> None:
        """Carry out `method` at once but answer it `seconds` later (0: normal again)."""
        self._slow_answers[method] = seconds

    def hold_answers(self, method: str) -> asyncio.Event:
        """Carry out `method` at once but answer it only once the returned event is set (from
        then on, at once): a test decides what happens while the bot waits for the answer."""
        release = asyncio.Event()
        self._held_answers[method] = release
        return release

    # Webhook delivery, as Telegram does it.

    async def _deliver(self) -> None:
        """POST pending updates to the webhook: oldest first, one request in flight per chat
        (a chat's next update waits until the previous request ended), at most
        max_connections at once; anything but a 2xx is retried, so nothing is lost."""
        in_flight: dict[int, asyncio.Task] = {}  # update id -> its POST
        retry_at: dict[int, float] = {}
        turn = 0
        loop = asyncio.get_running_loop()
        async with aiohttp.ClientSession() as session:
            while True:
                wakeup = self._wakeup
                hook = self.webhook
                if hook is not None:
                    busy = {_chat_key(self._queued[i]) for i in in_flight}
                    for update in list(self._updates):
                        key = _chat_key(update)
                        update_id = update["update_id"]
                        if key in busy or len(in_flight) >= hook.max_connections:
                            busy.add(key)  # later updates of this chat wait their turn
                            continue
                        busy.add(key)
                        if retry_at.get(update_id, 0.0) > loop.time():
                            continue
                        target, turn = self._next_target(hook.url, turn)
                        in_flight[update_id] = asyncio.create_task(
                            self._post_update(session, hook.secret, target, update)
                        )
                        in_flight[update_id].add_done_callback(
                            functools.partial(
                                _delivered, in_flight, retry_at, update_id, loop, self._changed
                            )
                        )
                await _wait(wakeup, _RETRY_SECONDS / 2)

    def _next_target(self, url: str, turn: int) -> tuple[str, int]:
        """The load balancer's pick: round robin over the targets in rotation (all of them,
        if none is); returns the target and the next turn."""
        targets = self.webhook_targets or [url]
        now = asyncio.get_running_loop().time()
        alive = [t for t in targets if self._targets_down_until.get(t, 0.0) <= now] or targets
        return alive[turn % len(alive)], turn + 1

    async def _post_update(
        self, session: aiohttp.ClientSession, secret: str | None, target: str, update: JSON
    ) -> bool:
        delivery = Delivery(update["update_id"], target)
        self.deliveries.append(delivery)
        headers = {SECRET_HEADER: secret} if secret else {}
        try:
            async with session.post(
                target, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=60)
            ) as response:
                delivery.status = response.status
                delivery.calls_at_answer = len(self.requests)
        except (aiohttp.ClientError, TimeoutError):
            delivery.status = 0  # no answer (a process killed mid-request): retried
            self._targets_down_until[target] = (
                asyncio.get_running_loop().time() + self.target_down_seconds
            )
        if 200 <= delivery.status < 300:
            self.confirm_update(update["update_id"])
        else:
            self._changed()
        return 200 <= delivery.status < 300

    def _changed(self) -> None:
        """Wake everything waiting on the state: long polls and wait_for callers."""
        wakeup, self._wakeup = self._wakeup, asyncio.Event()
        wakeup.set()

    def refusals(self, code: int | None = None) -> list[str]:
        """The bot's calls this server refused (optionally only those with `code`), in order.

        Each reads '<method> -> <code> <description>', e.g. 'sendMessage -> 400 Bad Request:
        message is too long': what the bot tried that Telegram would not have taken.
        """
        prefix = f"{code} " if code is not None else ""
        return [
            f"{c.method} -> {c.outcome}"
            for c in self._calls
            if c.outcome not in ("ok", "pending") and c.outcome.startswith(prefix)
        ]

    def calls(self, method: str, *, via: str | None = None) -> list[dict[str, Any]]:
        """The parameters of every call of `method` Telegram carried out, in order; with
        `via`, only those made through base_url_via(via)."""
        return [
            c.params
            for c in self._calls
            if c.method == method and c.outcome == "ok" and (via is None or c.via == via)
        ]

    def outcomes(self, method: str) -> list[str]:
        """How each call of `method` ended, in order: "ok" or "<code> <description>"."""
        return [c.outcome for c in self._calls if c.method == method]

    # Waiting, for tests.

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline is this helper's whole contract
        *,
        description: str | None = None,
    ) -> T:
        """Return predicate()'s first truthy value, re-checked on every state change.

        On timeout raise AssertionError naming what was awaited and the bot's recent calls.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            wakeup = self._wakeup
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = description or getattr(predicate, "__qualname__", repr(predicate))
                raise AssertionError(self._timeout_report(what, timeout))
            await _wait(wakeup, remaining)

    async def wait_for_callback_answer(
        self,
        key: int | str,
        timeout: float = 5.0,  # noqa: ASYNC109 - passed on to wait_for
    ) -> dict[str, Any]:
        """The answer to a callback query, by update id (int) or query id (str)."""
        return await self.wait_for(
            lambda: self.callback_answer_for(key),
            timeout,
            description=f"an answer to callback query {key!r}",
        )

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[BotMessage], bool] | None = None,
        *,
        after: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - passed on to wait_for
    ) -> BotMessage:
        """The first record in sent[after:] for chat_id (sends and edits) matching predicate."""

        def find() -> BotMessage | None:
            return next(
                (
                    m
                    for m in self.sent[after:]
                    if m.chat_id == chat_id and (predicate is None or predicate(m))
                ),
                None,
            )

        condition = "" if predicate is None else " matching the predicate"
        return await self.wait_for(
            find,
            timeout,
            description=f"a bot message in chat {chat_id}{condition} at sent[{after}:]",
        )

    def _timeout_report(self, what: str, timeout: float) -> str:
        calls = [c for c in self._calls if c.method != "getUpdates"]
        polls = len(self._calls) - len(calls)
        lines = [f"Timed out after {timeout:g}s waiting for {what}."]
        if calls:
            shown = calls[-_REPORTED_CALLS:]
            lines.append(f"Last {len(shown)} Bot API calls (besides {polls} getUpdates):")
            lines += [f"  {c.method} {_abbreviate(c.params)} -> {c.outcome}" for c in shown]
        else:
            lines.append(f"The bot made no Bot API call besides {polls} getUpdates.")
        lines.append(f"Updates queued and not yet confirmed by the bot: {len(self._updates)}")
        return "\n".join(lines)


def _chat_key(update: JSON) -> int | str:
    """The chat (or, without one, the user) whose updates Telegram sends one at a time.

    A poll answer belongs to no chat: it is not held behind the chat's other updates (so it
    can reach the bot while the command that sent the poll is still being handled)."""
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        if kind == "poll_answer":
            return f"poll:{payload['poll_id']}"
        chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
        if chat:
            return chat["id"]
        person = payload.get("from") or payload.get("user") or {}
        return person.get("id", 0)
    return 0


def _delivered(
    in_flight: dict,
    retry_at: dict,
    update_id: int,
    loop: asyncio.AbstractEventLoop,
    wake: Callable[[], None],
    task,
) -> None:
    in_flight.pop(update_id, None)
    if task.cancelled() or not task.result():
        retry_at[update_id] = loop.time() + _RETRY_SECONDS
    # The chat is free now: its next update goes at once, not at the loop's next poll (the
    # answer's own wake-up came before this callback, while the chat still looked busy).
    wake()


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Wait for the event, at most the given time."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus body, as Telegram accepts: form, multipart or JSON."""
    values = decode_form(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            values.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        values.update(decode_form({k: v for k, v in form.items() if isinstance(v, str)}))
        # File parts keep their bytes: sendPhoto checks them and getFile serves them back.
        values.update(
            {
                k: UploadedFile(v.filename, v.content_type, v.file.read())
                for k, v in form.items()
                if not isinstance(v, str)
            }
        )
    return values


def _abbreviate(params: dict[str, Any], limit: int = 160) -> str:
    shown = {
        k: f"<file {v.filename} {len(v.data)} B>" if isinstance(v, UploadedFile) else v
        for k, v in params.items()
    }
    text = repr(shown)
    return text if len(text) <= limit else text[: limit - 3] + "..."
