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


def invalid(*errors: tuple[str, str, str]) -> Problem:
    """422 naming each field: (field, message in Indonesian, message in English)."""
    listed = [{"field": f, "message": id_, "message_en": en} for f, id_, en in errors]
    return Problem(422, "invalid_fields", errors[0][2], field=errors[0][0], errors=listed)


def field_errors(problem: Problem, lang: str) -> dict[str, str]:
    """A 422's messages by field, in the page's language, for the form to show."""
    out: dict[str, str] = {}
    listed = problem.extra.get("errors")
    for e in listed if isinstance(listed, list) else []:
        if isinstance(e, dict) and "field" in e:
            text = e.get("message_en") if lang == "en" else e.get("message")
            out.setdefault(str(e["field"]), str(text or e.get("message") or problem.message))
    if not out and "field" in problem.extra:
        out[str(problem.extra["field"])] = problem.message
    return out
