"""Bot API request parameters: decoding what clients post and reading them with Telegram's checks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import bad_request

__all__ = ["Params", "UploadedFile", "decode_form"]

# Form fields whose Bot API type is String. PTB JSON-encodes every other value
# (telegram/request/_requestparameter.py: json_value), so those are JSON-decoded; these
# must stay as sent, or a text of "42" or "true" would turn into a number or a bool.
STRING_FIELDS = frozenset(
    {
        "business_connection_id",
        "callback_query_id",
        "caption",
        "custom_title",
        "description",
        "description_parse_mode",
        "emoji",
        "explanation",
        "explanation_parse_mode",
        "inline_message_id",
        "language_code",
        "message_effect_id",
        "parse_mode",
        "question",
        "question_parse_mode",
        "secret_token",
        "text",
        "title",
        "type",
        "url",
    }
)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, as the bot uploaded it."""

    filename: str | None
    content_type: str | None
    data: bytes


def decode_form(fields: Mapping[str, str]) -> dict[str, Any]:
    """Turn posted form fields into typed values, leaving String fields untouched."""
    values: dict[str, Any] = {}
    for name, raw in fields.items():
        if name in STRING_FIELDS:
            values[name] = raw
            continue
        try:
            values[name] = json.loads(raw)
        except ValueError:
            values[name] = raw  # e.g. chat_id="@channelusername"
    return values


class Params:
    """Typed, checked access to one request's parameters."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None

    def integer(self, name: str, default: int | None = None) -> int:
        """An Integer parameter; 400 when missing without default or not a number."""
        value = self.values.get(name)
        if value is None:
            if default is None:
                raise bad_request(f"{name} is empty")
            return default
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str, default: float) -> float:
        """A Float or Integer parameter."""
        value = self.values.get(name)
        if value is None:
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def string(self, name: str, default: str | None = None) -> str | None:
        """A String parameter; numbers sent unquoted are read back as text."""
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def flag(self, name: str, default: bool = False) -> bool:
        """A Boolean parameter."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def input_file(self, name: str) -> UploadedFile | str:
        """An InputFile parameter: an upload (also by attach://<part>) or a file_id/URL string."""
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"there is no {name} in the request")
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.values.get(value.removeprefix("attach://"))
            if not isinstance(value, UploadedFile):
                raise bad_request(f"wrong file identifier/HTTP URL specified for {name}")
        if isinstance(value, UploadedFile):
            return value
        if not isinstance(value, str):
            raise bad_request(f"wrong type of the {name} parameter")
        return value

    def object(self, name: str) -> Any:
        """A JSON-serialized object parameter (reply_markup, entities, scope, ...), or None."""
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value
