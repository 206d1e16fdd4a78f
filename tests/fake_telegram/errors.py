"""The Bot API's error answers: an exception carrying the JSON body Telegram would send."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "bad_request", "forbidden"]


class ApiError(Exception):
    """A non-ok Bot API answer: HTTP status, description and optional ResponseParameters."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        """The response body, shaped like Telegram's."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """A 400 answer, worded 'Bad Request: <detail>' as Telegram does."""
    return ApiError(400, f"Bad Request: {detail}", parameters)


def forbidden(detail: str) -> ApiError:
    """A 403 answer, worded 'Forbidden: <detail>' as Telegram does."""
    return ApiError(403, f"Forbidden: {detail}")
