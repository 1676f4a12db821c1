"""Who is at the browser: the console's cookie session, its CSRF token, the language.

The cookie holds the same session token `POST /sessions {username, password}` gives
(HttpOnly, SameSite=Strict, so no other site's page can send it or read it). Every
form carries a CSRF token derived from that session token: a page of another origin
can neither read the cookie nor compute the token.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from server.access.auth import Principal
from server.access.context import ServerContext
from server.access.deps import get_ctx, principal_for
from server.web.i18n import LANGUAGES

COOKIE = "antrian_console"
LANG_COOKIE = "antrian_lang"
# A citizen's browser on the booking pages: a random key its forms' tokens derive from.
BOOKING_COOKIE = "antrian_booking"
# A signed-in survey tablet: its device token.
SURVEY_COOKIE = "antrian_survey"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(Exception):
    """The page needs a signed-in console user: go to the sign-in page."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class NotAllowed(Exception):
    """Signed in, but this role may not open the page."""


def csrf_for(secret: str, purpose: str = "csrf") -> str:
    """A form's token: derived from a secret the browser holds in an HttpOnly cookie (or,
    on the ticket page, the unguessable page token), so another site's page can neither
    read it nor compute it."""
    return hashlib.sha256(f"{purpose}:{secret}".encode()).hexdigest()[:32]


def language(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "id"
    return wanted if wanted in LANGUAGES else "id"


class Visitor:
    """The browser's user on a console page: principal, session token, language."""

    def __init__(self, who: Principal, token: str, lang: str) -> None:
        self.who = who
        self.token = token
        self.lang = lang

    @property
    def csrf(self) -> str:
        return csrf_for(self.token)


async def signed_in(request: Request) -> Visitor | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    ctx: ServerContext = await get_ctx(request)
    who = ctx.cached_principal(token)
    if who is None:
        address = request.client.host if request.client else None
        who = await run_in_threadpool(principal_for, ctx, token, address)
    if who is None or who.role not in ("admin", "supervisor"):
        return None
    if who.kind != "console":  # a supervisor's PIN at a counter: the console is password-only
        return None
    return Visitor(who, token, language(request))


def console_user(*roles: str) -> Any:
    """A dependency: the signed-in console user with one of `roles`, or a redirect."""

    async def dependency(request: Request) -> Visitor:
        visitor = await signed_in(request)
        if visitor is None:
            path = request.url.path
            raise SignInRequired(f"/console/login?next={path}")
        if roles and visitor.who.role not in roles:
            raise NotAllowed(visitor.who.role)
        return visitor

    return Depends(dependency)


AdminDep = Annotated[Visitor, console_user("admin")]
ConsoleDep = Annotated[Visitor, console_user("admin", "supervisor")]
