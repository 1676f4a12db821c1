"""The console's door: sign-in, sign-out, the home page, and the menu each room adds to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from server.access.deps import get_ctx
from server.access.signin import console_sign_in, end_session, sign_in_allowed
from server.complaints import register
from server.problems import Problem
from server.reports.views import Floor, floor_view
from server.web.i18n import t
from server.web.render import page
from server.web.session import COOKIE, ConsoleDep, language, signed_in
from shared.timeutil import utcnow

router = APIRouter()


def safe_next(target: str) -> str:
    """Only a path of this console: never another site (an open redirect)."""
    if target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/"


@router.get("/console")
async def console_root() -> Response:
    return RedirectResponse("/console/", status_code=307)


@router.get("/console/", response_class=HTMLResponse)
async def home(request: Request, visitor: ConsoleDep) -> HTMLResponse:
    ctx = await get_ctx(request)
    complaints = await run_in_threadpool(
        register.open_counts, ctx.store, ctx.site, visitor.who, utcnow()
    )

    def today() -> Floor:
        with ctx.store.read() as s:
            return floor_view(s, ctx.site, utcnow())

    # The day at a glance, not the menu again (the links are in the row above).
    floor = await run_in_threadpool(today)
    return page(request, "console/home.html", visitor, complaints=complaints, floor=floor)


@router.get("/console/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/console/") -> Response:
    if await signed_in(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return page(request, "console/login.html", next=safe_next(next), username="", problem="")


@router.post("/console/login", response_class=HTMLResponse)
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=300)] = "/console/",
) -> Response:
    """The same sign-in as POST /api/v1/sessions {username, password}, into a cookie."""
    ctx = await get_ctx(request)
    lang = language(request)
    address = request.client.host if request.client else None
    # No session yet, so no CSRF token: a sign-in posted from another site's page (to sign
    # the browser into the attacker's account) is refused by its Origin (web/forms.py).

    def attempt() -> tuple[str, int]:
        sign_in_allowed(ctx, address)
        token, row, _ = console_sign_in(ctx, username.strip(), password)
        return token, int((row.expires_at - row.created_at).total_seconds())

    try:
        token, seconds = await run_in_threadpool(attempt)
    except Problem as problem:
        if problem.status == 423:
            text = t("locked", lang, n=problem.extra.get("minutes", 5))
        elif problem.status == 429:
            text = t("too_many", lang, n=problem.extra.get("retry_after", 60))
        else:
            text = t("wrong_password", lang)
        return page(
            request,
            "console/login.html",
            status=problem.status if problem.status in (423, 429) else 401,
            next=safe_next(next),
            username=username,
            problem=text,
        )
    answer = RedirectResponse(safe_next(next), status_code=303)
    answer.set_cookie(COOKIE, token, max_age=seconds, httponly=True, samesite="strict", path="/")
    return answer


@router.post("/console/logout")
async def logout(request: Request, visitor: ConsoleDep) -> Response:
    ctx = await get_ctx(request)

    await run_in_threadpool(end_session, ctx, visitor.token)
    answer = RedirectResponse("/console/login", status_code=303)
    answer.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return answer
