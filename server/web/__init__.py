"""The web side's pages: templates rendered by the server, a little vendored JavaScript.

No rules here: a page calls the same functions as its API endpoint (server/office/,
server/reports/...), and only lays out what they return.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from server.web.forms import FormRefused, form_guard
from server.web.session import NotAllowed, SignInRequired

STATIC = Path(__file__).with_name("static")


class OnceNotes:
    """Things a page shows once after a redirect (a new token): kept in memory, popped on
    the first view, gone after a few minutes anyway. Bounded."""

    TTL = 300.0

    def __init__(self) -> None:
        self._notes: dict[str, tuple[float, Any]] = {}

    def put(self, value: Any) -> str:
        now = time.monotonic()
        self._notes = {k: v for k, v in self._notes.items() if now - v[0] < self.TTL}
        if len(self._notes) > 1000:
            self._notes.clear()
        key = secrets.token_urlsafe(16)
        self._notes[key] = (now, value)
        return key

    def pop(self, key: str) -> Any:
        hit = self._notes.pop(key, None)
        if hit is None or time.monotonic() - hit[0] >= self.TTL:
            return None
        return hit[1]


def install(app: FastAPI) -> None:
    """Mount the static files and every room's pages on the app."""
    from server.web import (
        booking,
        complaints,
        console,
        info,
        notify,
        people,
        reports,
        setup,
        skm,
        tickets,
    )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.state.once = OnceNotes()

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(exc.location, status_code=303)

    @app.exception_handler(NotAllowed)
    async def _not_allowed(request: Request, exc: NotAllowed) -> Response:
        from server.web.render import page
        from server.web.session import signed_in

        return page(request, "console/forbidden.html", await signed_in(request), status=403)

    @app.exception_handler(FormRefused)
    async def _refused(request: Request, exc: FormRefused) -> Response:
        from server.web.i18n import t
        from server.web.render import page
        from server.web.session import language, signed_in

        if exc.json:
            message = t("expired_form", language(request))
            return JSONResponse({"code": "csrf", "message": message}, status_code=403)
        visitor = await signed_in(request) if request.url.path.startswith("/console/") else None
        back = request.url.path if request.url.path.startswith("/") else "/"
        return page(request, "expired.html", visitor, status=403, back=back)

    # Every page router gets the form guard: no state-changing page route goes unchecked.
    for module in (
        console,
        people,
        setup,
        notify,
        skm,
        booking,
        complaints,
        reports,
        info,
        tickets,
    ):
        app.include_router(
            module.router, include_in_schema=False, dependencies=[Depends(form_guard)]
        )
