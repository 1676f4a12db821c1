"""Forms: every state-changing page route is checked by default, and one way to answer one.

`form_guard` is a dependency of every page router (web/__init__.py `install`), not of
single handlers: a POST (or PUT, PATCH, DELETE) to a page runs only when it comes from
this site's own page (its Origin) and carries the token of the browser's own key, the
key being what that part of the site knows the browser by:

    /console/login, /survey/login   none yet: the Origin alone (no sign-in from elsewhere)
    /console/...                    the console session's cookie
    /survey/...                     the survey tablet's cookie (its token: a JSON header)
    /booking/...                    the booking pages' cookie
    /pengaduan/                     the booking pages' cookie (the complaint form)
    /t/{token}                      the ticket page's own token (a phone keeps no cookie)

A page path no rule names is refused: a new form is protected before anyone thinks of it.
`answer_form` is the one way a handler answers a form: run the room's function, then
redirect (303) when it is done, or show the same page again with the Problem (each
field's error beside its field, via problems.field_errors).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from server.office import evidence_files
from server.problems import Problem
from server.web.session import (
    BOOKING_COOKIE,
    COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SURVEY_COOKIE,
    csrf_for,
)

T = TypeVar("T")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class FormRefused(Exception):
    """A state-changing request without this site's origin or the browser's own token."""

    def __init__(self, json: bool) -> None:
        super().__init__("form refused")
        self.json = json  # the answer is JSON (a page's script posted it), not a page


def _cookie_token(cookie: str, purpose: str = "csrf") -> Callable[[Request], str | None]:
    def expected(request: Request) -> str | None:
        key = request.cookies.get(cookie)
        return csrf_for(key, purpose) if key else None

    return expected


def _ticket_page(request: Request) -> str | None:
    pages = request.app.state.ctx.pages
    token = str(request.path_params.get("token", ""))
    if pages.ticket_id(token) is None:
        return NO_SUCH_PAGE  # a forged or unknown token: the page's own 404, as for a GET
    return pages.form_key(token)


# What `Rule.expected` answers for a page that does not exist: its handler answers 404 and
# changes nothing, so there is nothing to guard and the answer stays the page's own.
NO_SUCH_PAGE = ""


@dataclass(frozen=True)
class Rule:
    prefix: str
    # The token the form must carry (None: the browser has no key, refused; NO_SUCH_PAGE);
    # no function: a sign-in form, checked by its Origin alone.
    expected: Callable[[Request], str | None] | None
    json: bool = False


# Longest prefix first.
RULES = (
    Rule("/console/login", None),
    Rule("/console/", _cookie_token(COOKIE)),
    Rule("/survey/login", None),
    Rule("/survey/", _cookie_token(SURVEY_COOKIE), json=True),
    Rule("/booking/", _cookie_token(BOOKING_COOKIE, "booking-csrf")),
    # the complaint form beside booking: the same browser key, a token of its own
    Rule("/pengaduan/", _cookie_token(BOOKING_COOKIE, "complaint-csrf")),
    Rule("/t/", _ticket_page),
)


def same_origin(request: Request) -> bool:
    """A browser's POST names the page it came from; absent (curl, old browsers) is let be."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin != "null"
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


async def form_guard(request: Request) -> None:
    """Every page router's dependency: refuse a forged or expired state-changing request."""
    if request.method in SAFE_METHODS:
        return
    path = request.url.path
    rule = next((r for r in RULES if path.startswith(r.prefix)), None)
    if rule is None or not same_origin(request):
        raise FormRefused(json=rule is not None and rule.json)
    if rule.expected is None:
        return
    expected = rule.expected(request)
    if expected == NO_SUCH_PAGE:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        # Starlette keeps the parsed form on the request: the handler reads it again free.
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else ""
    if expected is None or not hmac.compare_digest(sent, expected):
        raise FormRefused(json=rule.json)


async def answer_form(
    act: Callable[[], T],
    done: str | Callable[[T], str],
    again: Callable[[Problem], Awaitable[Response]],
) -> Response:
    """Post, then redirect or re-render: run `act` (a room's function) in a worker thread;
    303 to `done` (or `done(result)`) when it is done, else `again(problem)`: the same
    page, with each field's error beside the field and nothing saved."""
    try:
        result = await run_in_threadpool(act)
    except Problem as problem:
        return await again(problem)
    target = done if isinstance(done, str) else done(result)
    return RedirectResponse(target, status_code=303)


# The pages that take an evidence file: a body up to UPLOAD_BODY, so that a file over
# evidence_files.MAX_BYTES (a phone's big photo) is the page's own refusal, with what was typed
# kept; only a body over this gets the bare 413 every other request gets over 64 KB.
UPLOAD_BODY = 24 * 1024 * 1024
_UPLOADS = re.compile(r"/console/(skm/actions|complaints)/[1-9][0-9]{0,9}")


def upload_limit(method: str, path: str) -> int | None:
    """The body limit of a page taking a file (None: the server's usual one)."""
    return UPLOAD_BODY if method == "POST" and _UPLOADS.fullmatch(path) else None


async def uploaded(part: object, most: int = evidence_files.MAX_BYTES) -> bytes | None:
    """A file field's bytes (None when no file was chosen), read to one byte past `most`
    so that the room's check says "too big" without holding more."""
    if not isinstance(part, UploadFile) or (not part.filename and not part.size):
        return None
    return await part.read(most + 1)


def download(found: evidence_files.Evidence, data: bytes) -> Response:
    """An evidence file as an attachment under our own name, its type as its content said."""
    return Response(
        data,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )
