"""Telegram as one bot sees it: chats, members, messages, polls and the update queue."""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from .errors import ApiError, bad_request, forbidden
from .records import BotMessage, FakeChat, FakeFile, FakePoll, FakeUser, member_json

__all__ = ["FakeWorld"]

JSON = dict[str, Any]

# Telegram's service account; it signs service messages such as group migrations.
TELEGRAM_SERVICE_USER = FakeUser(777000, "Telegram")
SEND_METHODS = ("sendMessage", "sendPoll", "sendPhoto", "sendAudio", "sendDocument")
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")


@dataclass
class Webhook:
    """What setWebhook set: where updates go, the secret header, connections at once."""

    url: str
    secret: str | None
    max_connections: int = 40


class FakeWorld:
    """In-memory Telegram state, its rules and the test-facing controls over it.

    Everything here is synchronous; FakeTelegram adds HTTP and async waiting on top and
    overrides _changed() to wake its waiters.
    """

    def __init__(
        self,
        token: str,
        *,
        bot_username: str,
        bot_first_name: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError(f"token must look like '<bot id>:<secret>', got {token!r}")
        self.token = token
        self.bot = FakeUser(int(bot_id), bot_first_name, username=bot_username, is_bot=True)
        self._clock = clock

        # Inspection: read these from tests, never write them.
        self.sent: list[BotMessage] = []
        self.requests: list[tuple[str, JSON]] = []
        self.callback_answers: list[JSON] = []
        self.polls: dict[str, FakePoll] = {}
        self.deleted: list[tuple[int, int]] = []
        # Files the bot uploaded (multipart), in order; sends by file_id add nothing here.
        self.uploads: list[FakeFile] = []
        # file_path of every download the bot made through /file/bot<token>/...
        self.downloads: list[str] = []

        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, FakeChat] = {}
        self._last_message_id: dict[int, int] = {}
        self._bot_messages: dict[tuple[int, int], BotMessage] = {}
        self._user_messages: set[tuple[int, int]] = set()
        self._members: dict[int, dict[int, str]] = {}
        self._commands: dict[tuple[tuple[tuple[str, Any], ...], str], list[JSON]] = {}
        self._updates: list[JSON] = []
        self._queued: dict[int, JSON] = {}  # every update ever queued, for redeliver()
        self._update_ids = itertools.count(10_001)
        self._object_ids = itertools.count(1)
        self._allowed_updates: list[str] = []
        self.webhook: Webhook | None = None  # set: updates are POSTed, getUpdates is 409
        self._query_updates: dict[str, int] = {}  # callback query id -> its update id
        self._update_queries: dict[int, str] = {}  # and back
        self._answers: dict[str, JSON] = {}  # callback query id -> its answer
        self._answered_queries: set[str] = set()
        self._files: dict[str, FakeFile] = {}

        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._no_send_rights: set[int] = set()
        self._rate_limited = 0
        self._retry_after = 1
        self._rate_limited_methods: frozenset[str] = frozenset()
        self._sends_per_second: int | None = None
        self._recent_sends: deque[float] = deque()
        # Every 429 answered, injected or enforced: (method, chat_id or None).
        self.too_many_requests: list[tuple[str, int | None]] = []

    def _changed(self) -> None:
        """Hook run after every state change."""

    def now(self) -> int:
        """Unix time, as Telegram stamps dates."""
        return int(self._clock())

    def new_id(self) -> str:
        """A fresh numeric-string id for callback queries and polls."""
        return str(5_000_000_000_000_000_000 + next(self._object_ids))

    # Users and chats.

    def user(self, user_id: int) -> FakeUser:
        """The user with this id as last seen in an injected update, or a stand-in."""
        return self._users.get(user_id) or FakeUser(user_id, f"User{user_id}")

    def chat(self, chat_id: int, chat_type: str | None = None) -> FakeChat:
        """The chat with this id, made up on first use (by default from the id's shape)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_type is None:
                # Telegram's shapes: users are positive, supergroups -100..., basic groups negative.
                chat_type = "private" if chat_id > 0 else "group"
                if str(chat_id).startswith("-100"):
                    chat_type = "supergroup"
            user = self.user(chat_id) if chat_type == "private" else None
            chat = self._chats[chat_id] = FakeChat(chat_id, chat_type, user=user)
        elif chat_type is not None and chat_type != chat.type:
            raise ValueError(f"chat {chat_id} is a {chat.type} chat, not {chat_type}")
        return chat

    def _remember(self, user: FakeUser) -> None:
        self._users[user.id] = user

    def _chat_for_update(
        self, chat_id: int, chat_type: str | None, user: FakeUser | None
    ) -> FakeChat:
        chat = self.chat(chat_id, chat_type)
        if chat.type == "private" and user is not None:
            if user.id != chat_id:
                raise ValueError(f"private chat {chat_id} belongs to user {chat_id}, not {user.id}")
            chat.user = user
        return chat

    def _acting_user(self, chat: FakeChat, user: FakeUser | None) -> FakeUser:
        if user is not None:
            self._remember(user)
            return user
        if chat.type != "private":
            raise ValueError(f"pass user= for an update in {chat.kind} {chat.id}")
        return self.user(chat.id)

    # Membership.

    def member_status(self, chat_id: int, user_id: int) -> str:
        """What getChatMember answers: set by tests, else a plausible default."""
        explicit = self._members.get(chat_id, {}).get(user_id)
        if explicit is not None:
            return explicit
        if self.chat(chat_id).type == "private":
            return "member" if user_id in (chat_id, self.bot.id) else "left"
        # The bot is taken to be in any group a test talks about until told otherwise.
        return "member" if user_id == self.bot.id else "left"

    def _set_member(self, chat_id: int, user_id: int, status: str) -> None:
        member_json(status, self.user(user_id))  # refuses unknown statuses early
        self._members.setdefault(chat_id, {})[user_id] = status

    def administrators(self, chat_id: int) -> list[JSON]:
        """ChatMember objects of the creator and administrators set for a group."""
        members = self._members.get(chat_id, {})
        return [
            member_json(status, self.bot if user_id == self.bot.id else self.user(user_id))
            for user_id, status in members.items()
            if status in ("creator", "administrator")
        ]

    # Guards the methods apply before acting.

    def check_not_migrated(self, chat_id: int) -> None:
        """Any call naming a migrated group answers with where it went."""
        if chat_id in self._migrated:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )

    def check_can_write(self, chat_id: int, what: str = "text messages") -> None:
        """Refuse a send or edit the way Telegram does for blocked, removed or muted bots."""
        self.check_not_migrated(chat_id)
        chat = self.chat(chat_id)
        if chat.type == "private" and chat_id in self._blocked:
            raise forbidden("bot was blocked by the user")
        status = self.member_status(chat_id, self.bot.id)
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.kind}")
        if status == "left":
            raise forbidden(f"bot is not a member of the {chat.kind}")
        if chat_id in self._no_send_rights:
            raise bad_request(f"not enough rights to send {what} to the chat")

    def take_rate_limit(self, method: str, chat_id: int | None = None) -> None:
        """Answer 429 if a test asked for this call to be limited, or it breaks the send rate."""
        if self._rate_limited > 0 and method in self._rate_limited_methods:
            self._rate_limited -= 1
            self._too_many(method, chat_id, self._retry_after)
        if self._sends_per_second is not None and method in SEND_METHODS:
            # Telegram's bulk limit: at most N new messages in any one-second window.
            moment = time.monotonic()
            while self._recent_sends and self._recent_sends[0] <= moment - 1.0:
                self._recent_sends.popleft()
            if len(self._recent_sends) >= self._sends_per_second:
                self._too_many(method, chat_id, 1)
            self._recent_sends.append(moment)

    def _too_many(self, method: str, chat_id: int | None, retry_after: int) -> None:
        self.too_many_requests.append((method, chat_id))
        raise ApiError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )

    # Bot messages.

    def next_message_id(self, chat_id: int) -> int:
        """Message ids count up per chat, shared by the bot's and the users' messages."""
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def store_bot_message(self, **fields: Any) -> BotMessage:
        """Record a new bot message (BotMessage fields except seq)."""
        return self._store(BotMessage(seq=len(self.sent), **fields))

    def update_bot_message(self, current: BotMessage, **changes: Any) -> BotMessage:
        """Record a new version of an existing bot message."""
        return self._store(replace(current, seq=len(self.sent), **changes))

    def _store(self, record: BotMessage) -> BotMessage:
        self.sent.append(record)
        self._bot_messages[(record.chat_id, record.message_id)] = record
        self._changed()
        return record

    def bot_message(self, chat_id: int, message_id: int) -> BotMessage | None:
        """The current version of a bot message, None if it never existed or was deleted."""
        return self._bot_messages.get((chat_id, message_id))

    def is_user_message(self, chat_id: int, message_id: int) -> bool:
        """Whether an injected user message with this id exists."""
        return (chat_id, message_id) in self._user_messages

    def delete_message(self, chat_id: int, message_id: int) -> bool:
        """Forget a message; False if there was none."""
        key = (chat_id, message_id)
        if self._bot_messages.pop(key, None) is None and key not in self._user_messages:
            return False
        self._user_messages.discard(key)
        self.deleted.append(key)
        self._changed()
        return True

    def message_json(self, record: BotMessage) -> JSON:
        """The Bot API Message object for the current version of a bot message."""
        data: JSON = {
            "message_id": record.message_id,
            "date": record.date,
            "chat": self.chat(record.chat_id).to_json(),
            "from": self.bot.to_json(),
        }
        if record.poll_id is not None:
            data["poll"] = self.polls[record.poll_id].to_json()
        elif record.media_kind is not None:
            file = self._files[record.file_id]
            data[record.media_kind] = [file.to_json()] if file.kind == "photo" else file.to_json()
            if record.plain_text:
                data["caption"] = record.plain_text
            if record.entities:
                data["caption_entities"] = list(record.entities)
        else:
            data["text"] = record.plain_text
            if record.entities:
                data["entities"] = list(record.entities)
        if record.inline_keyboard:
            # Only inline keyboards belong to a message; reply keyboards live in the chat.
            data["reply_markup"] = {"inline_keyboard": record.inline_keyboard}
        if record.edit_date is not None:
            data["edit_date"] = record.edit_date
        return data

    def close_poll(self, poll_id: str) -> FakePoll:
        """Close a poll for good, as stopPoll does."""
        poll = self.polls[poll_id]
        poll.is_closed = True
        self._changed()
        return poll

    # Files.

    def store_file(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        size: int | None = None,
        width: int = 0,
        height: int = 0,
    ) -> FakeFile:
        """Keep a file under a fresh file_id; its file_unique_id follows the content."""
        unique = hashlib.sha256(data).hexdigest()[:16] + ("" if size is None else f"-{size}")
        file = FakeFile(
            file_id=f"{kind[:3].upper()}{self.new_id()}-{unique[:8]}",
            file_unique_id=unique,
            kind=kind,
            data=data,
            size=len(data) if size is None else size,
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self._files[file.file_id] = file
        return file

    def file(self, file_id: str) -> FakeFile | None:
        """The file behind a file_id, None if Telegram never issued it."""
        return self._files.get(file_id)

    def file_by_path(self, file_path: str) -> FakeFile | None:
        """The file getFile named by this path."""
        return next((f for f in self._files.values() if f.file_path == file_path), None)

    # Callback queries.

    def answer_callback_query(
        self, query_id: str, *, text: str | None, show_alert: bool, url: str | None
    ) -> None:
        """Record the one answer a callback query may get."""
        if query_id not in self._query_updates or query_id in self._answered_queries:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._answered_queries.add(query_id)
        answer = {
            "callback_query_id": query_id,
            "text": text,
            "show_alert": show_alert,
            "url": url,
            "update_id": self._query_updates[query_id],
        }
        self.callback_answers.append(answer)
        self._answers[query_id] = answer
        self._changed()

    # Bot commands.

    @staticmethod
    def _scope_key(scope: JSON) -> tuple[tuple[str, Any], ...]:
        return tuple(sorted(scope.items()))

    def set_commands(self, scope: JSON, language_code: str, commands: list[JSON]) -> None:
        """Store a command list for one scope and language; an empty list deletes it."""
        key = (self._scope_key(scope), language_code)
        if commands:
            self._commands[key] = commands
        else:
            self._commands.pop(key, None)
        self._changed()

    def get_commands(self, scope: JSON, language_code: str) -> list[JSON]:
        """The command list stored for exactly this scope and language."""
        return list(self._commands.get((self._scope_key(scope), language_code), []))

    # The update queue.

    def _queue(self, kind: str, payload: JSON) -> int:
        update_id = next(self._update_ids)
        # allowed_updates filters updates as Telegram creates them, not as it delivers them.
        if not self._allowed_updates or kind in self._allowed_updates:
            self._updates.append({"update_id": update_id, kind: payload})
            self._queued[update_id] = self._updates[-1]
        self._changed()
        return update_id

    def take_updates(
        self, offset: int, limit: int, allowed_updates: list[str] | None
    ) -> list[JSON]:
        """What getUpdates answers now; an offset confirms (forgets) every earlier update."""
        if allowed_updates is not None:
            self._allowed_updates = list(allowed_updates)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        return self._updates[:limit]

    def redeliver(self, update_id: int) -> None:
        """Hand an update out again, as Telegram does when a bot crashed before confirming it."""
        if update_id not in self.unconfirmed_update_ids():
            self._updates = sorted(
                [*self._updates, self._queued[update_id]], key=lambda u: u["update_id"]
            )
        self._changed()

    def unconfirmed_update_ids(self) -> list[int]:
        """Updates Telegram would hand out again: no getUpdates has confirmed them yet."""
        return [u["update_id"] for u in self._updates]

    def confirm_update(self, update_id: int) -> None:
        """The webhook answered 2xx: Telegram forgets the update."""
        self._updates = [u for u in self._updates if u["update_id"] != update_id]
        self._changed()

    def drop_pending_updates(self) -> None:
        """Forget every queued update, as deleteWebhook(drop_pending_updates=True) does."""
        self._updates.clear()

    # Simulation controls for tests.

    def block_user(self, chat_id: int, *, notify: bool = False) -> int | None:
        """The user blocks the bot: sends to their chat get 403. notify also queues my_chat_member."""
        self._blocked.add(chat_id)
        self._changed()
        if notify:
            return self._queue_bot_status(chat_id, self.user(chat_id), "member", "kicked")
        return None

    def unblock_user(self, chat_id: int) -> None:
        """The user unblocks the bot (and undoes block_user(notify=True))."""
        self._blocked.discard(chat_id)
        self._members.get(chat_id, {}).pop(self.bot.id, None)
        self._changed()

    def expire_callback_query(self, update_id: int) -> None:
        """Telegram takes no answer for this press any more (another process answered it
        before dying, or its time ran out): answerCallbackQuery is refused."""
        self._answered_queries.add(self._update_queries[update_id])

    def rate_limit_next(
        self, n: int = 1, retry_after: int = 1, *, methods: Iterable[str] = SEND_METHODS
    ) -> None:
        """The next n calls of the given methods (default: sendMessage, sendPoll) answer 429."""
        self._rate_limited = n
        self._retry_after = retry_after
        self._rate_limited_methods = frozenset(methods)

    def limit_send_rate(self, per_second: int | None = 30) -> None:
        """Enforce Telegram's bulk limit: a send beyond `per_second` in any second answers 429.

        Counted in real time (the clock of message dates may be a test's fake clock); None
        lifts the limit.
        """
        self._sends_per_second = per_second
        self._recent_sends.clear()

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: calls naming old_id answer 400 with migrate_to_chat_id."""
        old = self.chat(old_id)
        new = self.chat(new_id)
        new.type, new.title = "supergroup", old.title
        self._members[new_id] = dict(self._members.get(old_id, {}))
        if old_id in self._no_send_rights:
            self._no_send_rights.add(new_id)
        self._migrated[old_id] = new_id
        self._changed()

    def set_chat_member(self, chat_id: int, user: int | FakeUser, status: str) -> None:
        """Configure what getChatMember / getChatAdministrators answer for a user (or the bot)."""
        if isinstance(user, FakeUser):
            self._remember(user)
            user = user.id
        self._set_member(chat_id, user, status)
        self._changed()

    def set_bot_rights(
        self, chat_id: int, can_send: bool = False, *, is_member: bool = True
    ) -> None:
        """Without membership sends answer 403; without send rights they answer 400."""
        if not is_member:
            self._set_member(chat_id, self.bot.id, "left")
        elif self.member_status(chat_id, self.bot.id) in ("left", "kicked"):
            self._set_member(chat_id, self.bot.id, "member")
        if can_send:
            self._no_send_rights.discard(chat_id)
        else:
            self._no_send_rights.add(chat_id)
        self._changed()

    # Update injection: what users do. Each returns the update_id it queued.

    def send_message(
        self,
        chat_id: int,
        text: str,
        *,
        user: FakeUser | None = None,
        chat_type: str | None = None,
        entities: list[JSON] | None = None,
    ) -> int:
        """A user writes text; a leading /command (also /command@botname) gets its entity.

        chat_type defaults to the chat's known type: private for positive ids, supergroup for
        -100..., group for other negative ids. In groups user= is required. `entities` are
        the formatting a client turned the text's markup into (code, pre, bold: UTF-16
        offsets), as Telegram delivers them.
        """
        chat = self._chat_for_update(chat_id, chat_type, user)
        sender = self._acting_user(chat, user)
        if chat.type != "private" and self.member_status(chat_id, sender.id) == "left":
            self._members.setdefault(chat_id, {})[sender.id] = "member"
        message_id = self.next_message_id(chat_id)
        self._user_messages.add((chat_id, message_id))
        message: JSON = {
            "message_id": message_id,
            "date": self.now(),
            "chat": chat.to_json(),
            "from": sender.to_json(),
            "text": text,
        }
        command = _command_length(text)
        found = [{"type": "bot_command", "offset": 0, "length": command}] if command else []
        found += entities or []
        if found:
            message["entities"] = found
        return self._queue("message", message)

    def send_document(
        self,
        chat_id: int,
        data: bytes,
        *,
        file_name: str | None,
        mime_type: str | None = None,
        declared_size: int | None = None,
        caption: str | None = None,
        user: FakeUser | None = None,
        chat_type: str | None = None,
    ) -> int:
        """A user sends a file as a document; the bot may fetch it with getFile.

        declared_size stands for a bigger file than the bytes given (Telegram knows the real
        size; getFile refuses files over 20 MB whatever is downloaded).
        """
        chat = self._chat_for_update(chat_id, chat_type, user)
        sender = self._acting_user(chat, user)
        if chat.type != "private" and self.member_status(chat_id, sender.id) == "left":
            self._members.setdefault(chat_id, {})[sender.id] = "member"
        file = self.store_file(
            "document", data, file_name=file_name, mime_type=mime_type, size=declared_size
        )
        message_id = self.next_message_id(chat_id)
        self._user_messages.add((chat_id, message_id))
        message: JSON = {
            "message_id": message_id,
            "date": self.now(),
            "chat": chat.to_json(),
            "from": sender.to_json(),
            "document": file.to_json(),
        }
        if caption:
            message["caption"] = caption
        return self._queue("message", message)

    def press_button(
        self, chat_id: int, message_id: int, data: str, *, user: FakeUser | None = None
    ) -> int:
        """A user presses an inline button; data need not match the message's keyboard."""
        chat = self._chat_for_update(chat_id, None, user)
        sender = self._acting_user(chat, user)
        record = self.bot_message(chat_id, message_id)
        if record is not None:
            message = self.message_json(record)
        else:
            # What Telegram sends for a deleted or too old message: an InaccessibleMessage.
            message = {"chat": chat.to_json(), "message_id": message_id, "date": 0}
        query_id = self.new_id()
        update_id = self._queue(
            "callback_query",
            {
                "id": query_id,
                "from": sender.to_json(),
                "message": message,
                "chat_instance": str(abs(chat_id) * 7919),
                "data": data,
            },
        )
        self._query_updates[query_id] = update_id
        self._update_queries[update_id] = query_id
        return update_id

    def press_inline_button(self, user: FakeUser, data: str) -> int:
        """A user presses a button of an inline-mode message: the query has no message or chat."""
        self._remember(user)
        query_id = self.new_id()
        update_id = self._queue(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_json(),
                "inline_message_id": f"inline-{query_id}",
                "chat_instance": str(user.id * 7919),
                "data": data,
            },
        )
        self._query_updates[query_id] = update_id
        self._update_queries[update_id] = query_id
        return update_id

    def add_bot_to_group(
        self, chat_id: int, title: str, *, by_user: FakeUser, status: str = "member"
    ) -> int:
        """A user adds the bot to a group (as member, or administrator): a my_chat_member update."""
        chat = self.chat(chat_id)
        if chat.type == "private":
            raise ValueError(f"{chat_id} is a private chat id; groups have negative ids")
        chat.title = title
        self._remember(by_user)
        if self.member_status(chat_id, by_user.id) == "left":
            self._set_member(chat_id, by_user.id, "member")
        # Only an explicit status counts here: the implicit "member" default means "not told".
        old = self._members.get(chat_id, {}).get(self.bot.id, "left")
        return self._queue_bot_status(chat_id, by_user, old, status)

    def remove_bot_from_group(self, chat_id: int, *, by_user: FakeUser) -> int:
        """A user removes the bot: kicked from a supergroup, left from a basic group."""
        chat = self.chat(chat_id)
        self._remember(by_user)
        new = "kicked" if chat.type == "supergroup" else "left"
        return self._queue_bot_status(
            chat_id, by_user, self.member_status(chat_id, self.bot.id), new
        )

    def bot_left(self, chat_id: int) -> int:
        """The bot left on its own (leaveChat); Telegram reports that as my_chat_member too."""
        return self._queue_bot_status(
            chat_id, self.bot, self.member_status(chat_id, self.bot.id), "left"
        )

    def _queue_bot_status(self, chat_id: int, by_user: FakeUser, old: str, new: str) -> int:
        self._set_member(chat_id, self.bot.id, new)
        return self._queue(
            "my_chat_member",
            {
                "chat": self.chat(chat_id).to_json(),
                "from": by_user.to_json(),
                "date": self.now(),
                "old_chat_member": member_json(old, self.bot),
                "new_chat_member": member_json(new, self.bot),
            },
        )

    def answer_poll(self, poll_id: str, user: FakeUser, option_ids: Iterable[int]) -> int:
        """A user votes in a non-anonymous poll (an empty list retracts): a poll_answer update."""
        poll = self.polls.get(poll_id)
        if poll is None:
            raise ValueError(f"no poll {poll_id!r}; the bot sent {sorted(self.polls)}")
        chosen = tuple(option_ids)
        if poll.is_anonymous:
            raise ValueError(
                "Telegram sends no poll_answer for anonymous polls; send with is_anonymous=False"
            )
        if poll.is_closed:
            raise ValueError(f"poll {poll_id} is closed")
        if any(not 0 <= i < len(poll.options) for i in chosen) or len(set(chosen)) != len(chosen):
            raise ValueError(f"option ids {chosen} do not fit {len(poll.options)} options")
        if len(chosen) > 1 and not poll.allows_multiple_answers:
            raise ValueError("this poll takes a single answer")
        if poll.votes.get(user.id) and not poll.allows_revoting:
            raise ValueError("this poll does not allow changing an answer")
        self._remember(user)
        poll.votes[user.id] = chosen
        return self._queue(
            "poll_answer",
            {
                "poll_id": poll_id,
                "user": user.to_json(),
                "option_ids": list(chosen),
                "option_persistent_ids": [poll.persistent_id(i) for i in chosen],
            },
        )

    def group_migrated(self, old_id: int, new_id: int, *, by_user: FakeUser | None = None) -> int:
        """A group is upgraded: service messages in both chats; returns the old chat's update.

        Like Telegram, the old group gets a message with migrate_to_chat_id and the new
        supergroup one with migrate_from_chat_id; calls naming old_id then answer 400.
        """
        sender = by_user or TELEGRAM_SERVICE_USER
        self.migrate_chat(old_id, new_id)
        first = self._queue(
            "message",
            {
                "message_id": self.next_message_id(old_id),
                "date": self.now(),
                "chat": self.chat(old_id).to_json(),
                "from": sender.to_json(),
                "migrate_to_chat_id": new_id,
            },
        )
        self._queue(
            "message",
            {
                "message_id": self.next_message_id(new_id),
                "date": self.now(),
                "chat": self.chat(new_id).to_json(),
                "from": sender.to_json(),
                "migrate_from_chat_id": old_id,
            },
        )
        return first

    # Inspection for tests.

    def messages(self, chat_id: int) -> list[BotMessage]:
        """Current version of each bot message in a chat that is not deleted, oldest first."""
        return sorted(
            (m for (chat, _), m in self._bot_messages.items() if chat == chat_id),
            key=lambda m: m.message_id,
        )

    def message(self, chat_id: int, message_id: int) -> BotMessage | None:
        """Current version of one bot message, None if it never existed or was deleted."""
        return self.bot_message(chat_id, message_id)

    def last_message(self, chat_id: int) -> BotMessage | None:
        """Current version of the newest bot message in a chat, None if there is none."""
        messages = self.messages(chat_id)
        return messages[-1] if messages else None

    def mark(self) -> int:
        """Index into sent where the next record will go, for wait_for_message(after=...)."""
        return len(self.sent)

    def callback_answer_for(self, key: int | str) -> JSON | None:
        """The answer to a callback query, by its update id (int) or query id (str)."""
        query_id = key if isinstance(key, str) else self._update_queries.get(key)
        return self._answers.get(query_id)

    def commands(
        self, scope_type: str = "default", *, language_code: str = "", **scope_fields: Any
    ) -> list[tuple[str, str]]:
        """(command, description) pairs set for a scope, e.g. commands("chat", chat_id=-1)."""
        stored = self.get_commands({"type": scope_type, **scope_fields}, language_code)
        return [(c["command"], c["description"]) for c in stored]


def _command_length(text: str) -> int:
    """Length of a leading /command or /command@botname, 0 if there is none (ASCII only)."""
    match = _COMMAND.match(text)
    return match.end() if match else 0
