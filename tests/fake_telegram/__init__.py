"""A local fake of the Telegram Bot API for end-to-end tests of the bot over real HTTP."""

from .errors import ApiError
from .html_check import HtmlParseError, ParsedText, parse_html, utf16_len
from .records import BotMessage, FakeChat, FakePoll, FakeUser
from .server import Delivery, FakeTelegram, LongPoll

__all__ = [
    "ApiError",
    "BotMessage",
    "Delivery",
    "FakeChat",
    "FakePoll",
    "FakeTelegram",
    "FakeUser",
    "HtmlParseError",
    "LongPoll",
    "ParsedText",
    "parse_html",
    "utf16_len",
]
