"""What the fake remembers (users, chats, bot messages, polls) and their Bot API JSON shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MEMBER_STATUSES",
    "BotMessage",
    "FakeChat",
    "FakeFile",
    "FakePoll",
    "FakeUser",
    "member_json",
]

JSON = dict[str, Any]

MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "left", "kicked"})


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user acting in a test."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_json(self) -> JSON:
        """The Bot API User object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class FakeChat:
    """A chat the bot knows: a private chat with one user, or a group."""

    id: int
    type: str  # private, group, supergroup or channel
    title: str | None = None
    user: FakeUser | None = None  # the other side of a private chat

    def to_json(self) -> JSON:
        """The Bot API Chat object."""
        data: JSON = {"id": self.id, "type": self.type}
        if self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name is not None:
                data["last_name"] = self.user.last_name
            if self.user.username is not None:
                data["username"] = self.user.username
        else:
            data["title"] = self.title or f"Chat {self.id}"
        return data

    @property
    def kind(self) -> str:
        """How Telegram names this chat in errors: 'group chat', 'supergroup chat', ..."""
        return f"{self.type} chat"


@dataclass(frozen=True)
class BotMessage:
    """One version of a bot message: a new record is made for each send and each edit."""

    seq: int  # position in FakeTelegram.sent
    method: str  # the call that produced this version, e.g. "sendMessage", "editMessageText"
    chat_id: int
    message_id: int
    date: int
    text: str | None  # as the bot sent it: raw markup when parse_mode is set
    parse_mode: str | None
    plain_text: str | None  # what the user sees, markup parsed away
    entities: tuple[JSON, ...] = ()
    reply_markup: JSON | None = None  # as sent; None once removed
    poll_id: str | None = None
    edit_date: int | None = None
    # A photo, audio or document message: text/plain_text/entities then hold its caption.
    media_kind: str | None = None  # "photo", "audio" or "document"
    file_id: str | None = None

    @property
    def caption(self) -> str | None:
        """What the user reads under a media message (None for text messages and polls)."""
        return self.plain_text if self.media_kind is not None else None

    @property
    def inline_keyboard(self) -> list[list[JSON]]:
        """Rows of inline buttons, empty for other (or no) markup."""
        return list((self.reply_markup or {}).get("inline_keyboard", []))

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Inline buttons in reading order as (text, callback_data); URL buttons have None."""
        return [
            (b.get("text", ""), b.get("callback_data")) for row in self.inline_keyboard for b in row
        ]


@dataclass(frozen=True)
class FakeFile:
    """A file Telegram holds: uploaded by a user or the bot; `size` may be declared larger.

    `kind` is what it was sent as (document, photo, audio); a file_id works for that kind only.
    """

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    size: int
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    @property
    def file_path(self) -> str:
        """Where getFile says the bytes can be downloaded (below /file/bot<token>/)."""
        return f"{self.kind}s/file_{self.file_unique_id}"

    def to_json(self) -> JSON:
        """The Bot API Document, Audio or PhotoSize list for a message."""
        data: JSON = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.kind == "photo":
            return {**data, "width": self.width, "height": self.height}
        if self.file_name is not None:
            data["file_name"] = self.file_name
        if self.mime_type is not None:
            data["mime_type"] = self.mime_type
        if self.kind == "audio":
            data["duration"] = 0
        return data


@dataclass
class FakePoll:
    """A poll or quiz the bot sent, with the votes injected by tests."""

    id: str
    chat_id: int
    message_id: int
    question: str
    options: list[str]
    type: str = "regular"
    is_anonymous: bool = True
    allows_multiple_answers: bool = False
    allows_revoting: bool = True
    correct_option_ids: list[int] = field(default_factory=list)
    explanation: str | None = None
    is_closed: bool = False
    votes: dict[int, tuple[int, ...]] = field(default_factory=dict)  # user id -> chosen options

    def voter_counts(self) -> list[int]:
        """Votes per option."""
        counts = [0] * len(self.options)
        for chosen in self.votes.values():
            for option_id in chosen:
                counts[option_id] += 1
        return counts

    def persistent_id(self, option_id: int) -> str:
        """The stable option id Bot API 9.6 added next to the option index."""
        return f"{self.id}-{option_id}"

    def to_json(self) -> JSON:
        """The Bot API Poll object, as the bot that sent it sees it."""
        data: JSON = {
            "id": self.id,
            "question": self.question,
            "options": [
                {"text": text, "voter_count": count, "persistent_id": self.persistent_id(i)}
                for i, (text, count) in enumerate(
                    zip(self.options, self.voter_counts(), strict=True)
                )
            ],
            "total_voter_count": sum(1 for chosen in self.votes.values() if chosen),
            "is_closed": self.is_closed,
            "is_anonymous": self.is_anonymous,
            "type": self.type,
            "allows_multiple_answers": self.allows_multiple_answers,
            "allows_revoting": self.allows_revoting,
            "members_only": False,
        }
        if self.type == "quiz":
            data["correct_option_ids"] = list(self.correct_option_ids)
            if self.explanation:
                data["explanation"] = self.explanation
        return data


def member_json(status: str, user: FakeUser) -> JSON:
    """A Bot API ChatMember object of the given status, with the fields PTB requires."""
    data: JSON = {"status": status, "user": user.to_json()}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
        )
    elif status == "kicked":
        data["until_date"] = 0
    elif status not in MEMBER_STATUSES:
        raise ValueError(
            f"unsupported chat member status {status!r}; use one of {sorted(MEMBER_STATUSES)}"
        )
    return data
