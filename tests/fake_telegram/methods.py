"""The Bot API methods the fake answers, with the checks real Telegram makes before acting."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import ApiError, bad_request, forbidden
from .html_check import HtmlParseError, ParsedText, parse_html, utf16_len
from .params import Params
from .records import BotMessage, FakeFile, FakePoll, member_json
from .world import FakeWorld, Webhook

__all__ = ["call_method", "canonical_name"]

JSON = dict[str, Any]
Handler = Callable[[FakeWorld, Params], Any]

# Limits from the Bot API as of version 10.0 (the one python-telegram-bot 22.8 speaks).
MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_POLL_QUESTION_LENGTH = 300
MAX_POLL_OPTION_LENGTH = 100
MIN_POLL_OPTIONS = 1  # Bot API 10.0 lowered it from 2
MAX_POLL_OPTIONS = 12  # Bot API 9.1 raised it from 10
MAX_POLL_EXPLANATION_LENGTH = 200
MAX_COMMANDS = 100
MAX_COMMAND_DESCRIPTION_LENGTH = 256
MAX_CAPTION_LENGTH = 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile: "file is too big" above this
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10_000  # width + height of a photo
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# What sendPhoto accepts as an image, by its first bytes (anything else fails to process).
IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
PARSE_MODES = ("html", "markdown", "markdownv2")
COMMAND_SCOPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")

_METHODS: dict[str, tuple[str, Handler]] = {}


def _method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under its Bot API name; lookups ignore case, as Telegram's do."""

    def register(handler: Handler) -> Handler:
        _METHODS[name.lower()] = (name, handler)
        return handler

    return register


def canonical_name(method: str) -> str | None:
    """The Bot API spelling of a method name in any case, None if the fake lacks it."""
    entry = _METHODS.get(method.lower())
    return entry[0] if entry else None


def call_method(world: FakeWorld, method: str, params: Params) -> Any:
    """Run one Bot API call; raise ApiError with Telegram's answer when it fails."""
    entry = _METHODS.get(method.lower())
    if entry is None:
        raise ApiError(404, "Not Found: method not found")
    name, handler = entry
    chat_id = params.values.get("chat_id")
    world.take_rate_limit(name, int(chat_id) if str(chat_id).lstrip("-").isdigit() else None)
    return handler(world, params)


# Shared checks.


def _chat_id(world: FakeWorld, p: Params) -> int:
    value = p.values.get("chat_id")
    if value is None or value == "":
        raise bad_request("chat_id is empty")
    if isinstance(value, str) and not value.lstrip("-").isdigit():
        raise bad_request("chat not found")  # the fake knows no @usernames
    chat_id = int(value)
    world.check_not_migrated(chat_id)
    return chat_id


def _parsed_text(text: str | None, parse_mode: str | None, entities: Any) -> ParsedText:
    if not text:
        raise bad_request("message text is empty")
    mode = (parse_mode or "").lower()
    if mode and mode not in PARSE_MODES:
        raise bad_request("unsupported parse_mode")
    if mode == "html":
        try:
            parsed = parse_html(text)
        except HtmlParseError as err:
            raise bad_request(f"can't parse entities: {err}") from None
    else:
        # Markdown is taken as plain text: the project writes HTML, and counting the
        # markup as visible only makes the length check stricter.
        if entities is not None and not isinstance(entities, list):
            raise bad_request("can't parse entities JSON object")
        parsed = ParsedText(text, tuple(entities or ()))
    if not parsed.text.strip():
        raise bad_request("message text is empty")
    if utf16_len(parsed.text) > MAX_MESSAGE_LENGTH:
        raise bad_request("message is too long")
    return parsed


def _reply_markup(p: Params) -> JSON | None:
    markup = p.object("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not any(button.get(action) is not None for action in BUTTON_ACTIONS):
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if (
                data is not None
                and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


def _inline_keyboard(markup: JSON | None) -> Any:
    return (markup or {}).get("inline_keyboard") or None


def _message_to_change(world: FakeWorld, p: Params, *, what: str = "text messages") -> BotMessage:
    if "inline_message_id" in p:
        raise bad_request("MESSAGE_ID_INVALID")  # inline-mode messages are not simulated
    chat_id = _chat_id(world, p)
    world.check_can_write(chat_id, what)
    message_id = p.integer("message_id")
    current = world.bot_message(chat_id, message_id)
    if current is None:
        if world.is_user_message(chat_id, message_id):
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return current


# Bot and updates.


@_method("getMe")
def get_me(world: FakeWorld, p: Params) -> JSON:
    """The bot's own User, with the fields only getMe carries."""
    return {
        **world.bot.to_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@_method("getUpdates")
def get_updates(world: FakeWorld, p: Params) -> list[JSON]:
    """Pending updates right now; FakeTelegram wraps this in the long-poll wait."""
    if world.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use "
            "deleteWebhook to delete the webhook first",
        )
    allowed = p.object("allowed_updates")
    limit = min(max(p.integer("limit", 100), 1), 100)
    return world.take_updates(p.integer("offset", 0), limit, allowed)


@_method("deleteWebhook")
def delete_webhook(world: FakeWorld, p: Params) -> bool:
    """Back to getUpdates; drop_pending_updates forgets what waits."""
    world.webhook = None
    if p.flag("drop_pending_updates"):
        world.drop_pending_updates()
    return True


@_method("setWebhook")
def set_webhook(world: FakeWorld, p: Params) -> bool:
    """Deliver updates by POST to `url` (FakeTelegram's delivery loop), as Telegram does."""
    url = p.string("url", "")
    if not url:
        world.webhook = None  # an empty url removes the webhook, as on Telegram
        return True
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        # Telegram takes only HTTPS; plain HTTP on loopback is the fake's test allowance.
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.string("secret_token", "")
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    max_connections = p.integer("max_connections", 40)
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = p.object("allowed_updates")
    if allowed is not None:
        world._allowed_updates = list(allowed)
    world.webhook = Webhook(url, secret or None, max_connections)
    if p.flag("drop_pending_updates"):
        world.drop_pending_updates()
    return True


@_method("getWebhookInfo")
def get_webhook_info(world: FakeWorld, p: Params) -> JSON:
    hook = world.webhook
    info: JSON = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.unconfirmed_update_ids()),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        if world._allowed_updates:
            info["allowed_updates"] = list(world._allowed_updates)
    return info


# Commands.


def _command_scope(p: Params) -> JSON:
    scope = p.object("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
        raise bad_request("invalid scope specified")
    missing = [key for key in COMMAND_SCOPES[scope["type"]] if key not in scope]
    if missing:
        raise bad_request(f"{missing[0]} is empty")
    return scope


@_method("setMyCommands")
def set_my_commands(world: FakeWorld, p: Params) -> bool:
    """Store commands for a scope and language, checked as Telegram checks them."""
    commands = p.object("commands")
    if not isinstance(commands, list):
        raise bad_request("commands is empty")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(
            str(command.get("command", ""))
        ):
            raise bad_request("BOT_COMMAND_INVALID")
        if (
            not 1
            <= len(str(command.get("description", "")).strip())
            <= MAX_COMMAND_DESCRIPTION_LENGTH
        ):
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    stored = [{"command": c["command"], "description": c["description"]} for c in commands]
    world.set_commands(_command_scope(p), p.string("language_code", "") or "", stored)
    return True


@_method("getMyCommands")
def get_my_commands(world: FakeWorld, p: Params) -> list[JSON]:
    """The commands stored for exactly this scope and language."""
    return world.get_commands(_command_scope(p), p.string("language_code", "") or "")


@_method("deleteMyCommands")
def delete_my_commands(world: FakeWorld, p: Params) -> bool:
    """Forget the commands of one scope and language."""
    world.set_commands(_command_scope(p), p.string("language_code", "") or "", [])
    return True


# Messages.


@_method("sendMessage")
def send_message(world: FakeWorld, p: Params) -> JSON:
    """Send a text message."""
    chat_id = _chat_id(world, p)
    world.check_can_write(chat_id)
    text, parse_mode = p.string("text"), p.string("parse_mode")
    parsed = _parsed_text(text, parse_mode, p.object("entities"))
    record = world.store_bot_message(
        method="sendMessage",
        chat_id=chat_id,
        message_id=world.next_message_id(chat_id),
        date=world.now(),
        text=text,
        parse_mode=parse_mode,
        plain_text=parsed.text,
        entities=parsed.entities,
        reply_markup=_reply_markup(p),
    )
    return world.message_json(record)


@_method("editMessageText")
def edit_message_text(world: FakeWorld, p: Params) -> JSON:
    """Replace a message's text; omitting reply_markup removes its keyboard, as on Telegram."""
    current = _message_to_change(world, p)
    if current.poll_id is not None or current.media_kind is not None:
        raise bad_request("there is no text in the message to edit")
    text, parse_mode = p.string("text"), p.string("parse_mode")
    parsed = _parsed_text(text, parse_mode, p.object("entities"))
    markup = _reply_markup(p)
    if (parsed.text, parsed.entities, _inline_keyboard(markup)) == (
        current.plain_text,
        current.entities,
        _inline_keyboard(current.reply_markup),
    ):
        raise bad_request(NOT_MODIFIED)
    record = world.update_bot_message(
        current,
        method="editMessageText",
        text=text,
        parse_mode=parse_mode,
        plain_text=parsed.text,
        entities=parsed.entities,
        reply_markup=markup,
        edit_date=world.now(),
    )
    return world.message_json(record)


@_method("editMessageCaption")
def edit_message_caption(world: FakeWorld, p: Params) -> JSON:
    """Replace a media message's caption; omitting reply_markup removes its keyboard."""
    current = _message_to_change(world, p)
    if current.media_kind is None:
        raise bad_request("there is no caption in the message to edit")
    caption, parse_mode = p.string("caption"), p.string("parse_mode")
    parsed = _parsed_caption(caption, parse_mode, p.object("caption_entities"))
    markup = _reply_markup(p)
    if (parsed.text, parsed.entities, _inline_keyboard(markup)) == (
        current.plain_text or "",
        current.entities,
        _inline_keyboard(current.reply_markup),
    ):
        raise bad_request(NOT_MODIFIED)
    record = world.update_bot_message(
        current,
        method="editMessageCaption",
        text=caption,
        parse_mode=parse_mode,
        plain_text=parsed.text,
        entities=parsed.entities,
        reply_markup=markup,
        edit_date=world.now(),
    )
    return world.message_json(record)


@_method("editMessageReplyMarkup")
def edit_message_reply_markup(world: FakeWorld, p: Params) -> JSON:
    """Replace (or, without reply_markup, remove) a message's inline keyboard."""
    current = _message_to_change(world, p)
    markup = _reply_markup(p)
    if _inline_keyboard(markup) == _inline_keyboard(current.reply_markup):
        raise bad_request(NOT_MODIFIED)
    record = world.update_bot_message(
        current, method="editMessageReplyMarkup", reply_markup=markup, edit_date=world.now()
    )
    return world.message_json(record)


@_method("deleteMessage")
def delete_message(world: FakeWorld, p: Params) -> bool:
    """Delete a bot or user message."""
    chat_id = _chat_id(world, p)
    if not world.delete_message(chat_id, p.integer("message_id")):
        raise bad_request("message to delete not found")
    return True


@_method("answerCallbackQuery")
def answer_callback_query(world: FakeWorld, p: Params) -> bool:
    """Answer a callback query, once."""
    text = p.string("text")
    if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    world.answer_callback_query(
        p.string("callback_query_id") or "",
        text=text,
        show_alert=p.flag("show_alert"),
        url=p.string("url"),
    )
    return True


# Files.


@_method("getFile")
def get_file(world: FakeWorld, p: Params) -> JSON:
    """A File with the path to download it from; bots may download at most 20 MB."""
    file_id = p.string("file_id") or ""
    file = world.file(file_id)
    if file is None:
        raise bad_request("invalid file_id")
    if file.size > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": file.size,
        "file_path": file.file_path,
    }


def _parsed_caption(caption: str | None, parse_mode: str | None, entities: Any) -> ParsedText:
    """A caption's visible text: optional, valid HTML when parse_mode says so, ≤ 1024 chars."""
    if not caption:
        return ParsedText("", ())
    mode = (parse_mode or "").lower()
    if mode and mode not in PARSE_MODES:
        raise bad_request("unsupported parse_mode")
    if mode == "html":
        try:
            parsed = parse_html(caption)
        except HtmlParseError as err:
            raise bad_request(f"can't parse entities: {err}") from None
    else:
        if entities is not None and not isinstance(entities, list):
            raise bad_request("can't parse entities JSON object")
        parsed = ParsedText(caption, tuple(entities or ()))
    if utf16_len(parsed.text) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return parsed


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG header; other formats get a plausible stand-in."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 320, 320


def _file_to_send(world: FakeWorld, p: Params, kind: str) -> FakeFile:
    """The file a send*(kind) call names: a fresh upload, or a file_id Telegram issued."""
    value = p.input_file(kind)
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            raise bad_request(
                "wrong file identifier/HTTP URL specified"
            )  # the fake fetches nothing
        file = world.file(value)
        if file is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if kind == "photo" and file.kind != "photo":
            raise bad_request("type of file mismatch")
        if kind == "audio" and file.kind not in ("audio", "document"):
            raise bad_request("type of file mismatch")
        return file
    data = value.data
    if not data:
        raise bad_request("file must be non-empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApiError(413, "Request Entity Too Large")
    if kind == "photo":
        if len(data) > MAX_PHOTO_BYTES:
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        if not any(data.startswith(magic) for magic, _mime in IMAGE_SIGNATURES):
            raise bad_request("IMAGE_PROCESS_FAILED")
        width, height = _image_size(data)
        # Telegram: "width and height must not exceed 10000 in total; ratio at most 20".
        if width + height > MAX_PHOTO_SIDES or max(width, height) > 20 * max(1, min(width, height)):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        file = world.store_file("photo", data, width=width, height=height)
    else:
        file = world.store_file(kind, data, file_name=value.filename, mime_type=value.content_type)
    world.uploads.append(file)
    return file


def _send_media(world: FakeWorld, p: Params, kind: str) -> JSON:
    chat_id = _chat_id(world, p)
    what = {"photo": "photos", "audio": "audios", "document": "documents"}[kind]
    world.check_can_write(chat_id, what)
    caption, parse_mode = p.string("caption"), p.string("parse_mode")
    parsed = _parsed_caption(caption, parse_mode, p.object("caption_entities"))
    markup = _reply_markup(p)
    file = _file_to_send(world, p, kind)
    record = world.store_bot_message(
        method=f"send{kind.capitalize()}",
        chat_id=chat_id,
        message_id=world.next_message_id(chat_id),
        date=world.now(),
        text=caption,
        parse_mode=parse_mode,
        plain_text=parsed.text,
        entities=parsed.entities,
        reply_markup=markup,
        media_kind=kind,
        file_id=file.file_id,
    )
    return world.message_json(record)


@_method("sendPhoto")
def send_photo(world: FakeWorld, p: Params) -> JSON:
    """Send a photo (a JPEG, PNG or GIF upload, or a photo's file_id) with an optional caption."""
    return _send_media(world, p, "photo")


@_method("sendAudio")
def send_audio(world: FakeWorld, p: Params) -> JSON:
    """Send an audio file (upload or file_id) with an optional caption."""
    return _send_media(world, p, "audio")


@_method("sendDocument")
def send_document(world: FakeWorld, p: Params) -> JSON:
    """Send a file as a document (upload or any file_id) with an optional caption."""
    return _send_media(world, p, "document")


# Polls.


def _poll_question(p: Params) -> str:
    question = p.string("question") or ""
    visible = question
    if (p.string("question_parse_mode") or "").lower() == "html":
        try:
            visible = parse_html(question).text
        except HtmlParseError as err:
            raise bad_request(f"can't parse question entities: {err}") from None
    if not visible.strip():
        raise bad_request("poll question must be non-empty")
    if len(visible) > MAX_POLL_QUESTION_LENGTH:
        raise bad_request(f"poll question length must not exceed {MAX_POLL_QUESTION_LENGTH}")
    return question


def _poll_options(p: Params) -> list[str]:
    raw = p.object("options")
    if not isinstance(raw, list):
        raise bad_request("options must be an array of InputPollOption")
    options = [str(o.get("text", "")) if isinstance(o, dict) else str(o) for o in raw]
    if len(options) < MIN_POLL_OPTIONS:
        raise bad_request(f"poll must have at least {MIN_POLL_OPTIONS} option")
    if len(options) > MAX_POLL_OPTIONS:
        raise bad_request(f"poll can't have more than {MAX_POLL_OPTIONS} options")
    for option in options:
        if not option.strip():
            raise bad_request("poll options must be non-empty")
        if len(option) > MAX_POLL_OPTION_LENGTH:
            raise bad_request(f"poll options length must not exceed {MAX_POLL_OPTION_LENGTH}")
    return options


def _correct_option_ids(p: Params, poll_type: str, option_count: int, multiple: bool) -> list[int]:
    # PTB 22.8 sends correct_option_ids (Bot API 9.6); older clients send correct_option_id.
    correct = p.object("correct_option_ids")
    if correct is None and "correct_option_id" in p:
        correct = [p.integer("correct_option_id")]
    if poll_type != "quiz":
        if correct:
            raise bad_request("correct option IDs can be specified only for quizzes")
        return []
    if not correct or not isinstance(correct, list):
        raise bad_request("quiz must have a correct option")
    if any(not isinstance(i, int) or not 0 <= i < option_count for i in correct):
        raise bad_request("wrong correct option ID")
    if len(correct) > 1 and not multiple:
        raise bad_request("quiz with a single answer must have exactly one correct option")
    return list(correct)


@_method("sendPoll")
def send_poll(world: FakeWorld, p: Params) -> JSON:
    """Send a regular poll or a quiz; the poll is kept in world.polls for tests to answer."""
    chat_id = _chat_id(world, p)
    world.check_can_write(chat_id, "polls")
    question = _poll_question(p)
    options = _poll_options(p)
    poll_type = p.string("type", "regular") or "regular"
    if poll_type not in ("regular", "quiz"):
        raise bad_request("poll type is invalid")
    multiple = p.flag("allows_multiple_answers")
    correct = _correct_option_ids(p, poll_type, len(options), multiple)
    explanation = p.string("explanation")
    if explanation is not None and len(explanation) > MAX_POLL_EXPLANATION_LENGTH:
        raise bad_request(f"poll explanation length must not exceed {MAX_POLL_EXPLANATION_LENGTH}")
    markup = _reply_markup(p)
    message_id = world.next_message_id(chat_id)
    poll = FakePoll(
        id=world.new_id(),
        chat_id=chat_id,
        message_id=message_id,
        question=question,
        options=options,
        type=poll_type,
        is_anonymous=p.flag("is_anonymous", True),
        allows_multiple_answers=multiple,
        # Telegram's default: quizzes are final, regular polls may be re-voted.
        allows_revoting=p.flag("allows_revoting", poll_type != "quiz"),
        correct_option_ids=correct,
        explanation=explanation,
        is_closed=p.flag("is_closed"),
    )
    world.polls[poll.id] = poll
    record = world.store_bot_message(
        method="sendPoll",
        chat_id=chat_id,
        message_id=message_id,
        date=world.now(),
        text=None,
        parse_mode=None,
        plain_text=None,
        reply_markup=markup,
        poll_id=poll.id,
    )
    return world.message_json(record)


@_method("stopPoll")
def stop_poll(world: FakeWorld, p: Params) -> JSON:
    """Close a poll the bot sent; returns the final Poll."""
    chat_id = _chat_id(world, p)
    world.check_can_write(chat_id, "polls")
    current = world.bot_message(chat_id, p.integer("message_id"))
    if current is None or current.poll_id is None:
        raise bad_request("message with poll to stop not found")
    if world.polls[current.poll_id].is_closed:
        raise bad_request("poll has already been closed")
    if "reply_markup" in p:
        world.update_bot_message(
            current, method="stopPoll", reply_markup=_reply_markup(p), edit_date=world.now()
        )
    return world.close_poll(current.poll_id).to_json()


# Chats and members.


@_method("getChat")
def get_chat(world: FakeWorld, p: Params) -> JSON:
    """A ChatFullInfo with the fields PTB requires."""
    chat = world.chat(_chat_id(world, p))
    return {
        **chat.to_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


@_method("getChatMember")
def get_chat_member(world: FakeWorld, p: Params) -> JSON:
    """A user's (or the bot's) membership, as set_chat_member configured it."""
    chat_id = _chat_id(world, p)
    user_id = p.integer("user_id")
    user = world.bot if user_id == world.bot.id else world.user(user_id)
    return member_json(world.member_status(chat_id, user_id), user)


@_method("getChatAdministrators")
def get_chat_administrators(world: FakeWorld, p: Params) -> list[JSON]:
    """The creator and administrators set for a group."""
    chat_id = _chat_id(world, p)
    if world.chat(chat_id).type == "private":
        raise bad_request("there are no administrators in the private chat")
    return world.administrators(chat_id)


@_method("leaveChat")
def leave_chat(world: FakeWorld, p: Params) -> bool:
    """The bot leaves a group; Telegram then sends it a my_chat_member update."""
    chat_id = _chat_id(world, p)
    chat = world.chat(chat_id)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    if world.member_status(chat_id, world.bot.id) in ("left", "kicked"):
        raise forbidden(f"bot is not a member of the {chat.kind}")
    world.bot_left(chat_id)
    return True
