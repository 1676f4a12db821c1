"""Errors the API answers with: an HTTP status, a machine code, a human message."""

from __future__ import annotations

from shared.errors import AntrianError


class Problem(AntrianError):
    """A request that cannot be carried out, with the answer to give."""

    def __init__(self, status: int, code: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def answer(self) -> dict[str, object]:
        """The JSON body: {code, message} and any extra fields."""
        return {"code": self.code, "message": self.message, **self.extra}


def not_found(what: str, key: object) -> Problem:
    return Problem(404, f"unknown_{what}", f"No {what} {key!r}.")


def conflict(code: str, message: str, **extra: object) -> Problem:
    return Problem(409, code, message, **extra)
