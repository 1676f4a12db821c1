"""Errors the API answers with: an HTTP status, a machine code, a human message."""

from __future__ import annotations

import re
from datetime import date

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


def refused(status: int, code: str, *errors: tuple[str, str, str]) -> Problem:
    """A refusal naming each field: (field, message in Indonesian, message in English).

    The page shows each field's message in its language (field_errors), the API answers
    them all in `errors`, the command line prints the English ones (cli/common.py)."""
    listed = [{"field": f, "message": id_, "message_en": en} for f, id_, en in errors]
    return Problem(status, code, errors[0][2], field=errors[0][0], errors=listed)


def invalid(*errors: tuple[str, str, str], code: str = "invalid_fields") -> Problem:
    """422 naming each field: (field, message in Indonesian, message in English)."""
    return refused(422, code, *errors)


_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def read_days(*fields: tuple[str, str | None], code: str = "invalid_fields") -> list[date | None]:
    """Date fields as a query, a form or a command line sends them: YYYY-MM-DD, or empty
    or absent (None). One 422 naming every field that is not a date."""
    days: list[date | None] = []
    errors: list[tuple[str, str, str]] = []
    for name, text in fields:
        value = (text or "").strip()
        try:
            if value and not _DAY.match(value):
                raise ValueError(value)
            days.append(date.fromisoformat(value) if value else None)
        except ValueError:
            days.append(None)
            errors.append(
                (
                    name,
                    "Tanggal ditulis TTTT-BB-HH, mis. 2026-11-30",
                    "A date is written YYYY-MM-DD, e.g. 2026-11-30",
                )
            )
    if errors:
        raise invalid(*errors, code=code)
    return days


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
