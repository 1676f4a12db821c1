"""Every error is JSON {code, message}; nothing a client sends yields a 500.

The OpenAPI document says so too: install() replaces FastAPI's default 422 body
(`detail`, which we never send) and adds what this module's middleware answers
(400 and 413 to a body, 401 and 403 to a write). A route lists its own errors
(404, 409...) with `responses=answers(...)`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.problems import Problem
from server.store.storage import Guard, storage_problem
from shared.models import API_PATH, ErrorAnswer

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024

WHY = {
    400: "The body could not be read (not UTF-8, not JSON)",
    401: "No token, or an unknown, revoked or expired one",
    403: "This caller may not do this (role, counter, kiosk)",
    404: "Unknown counter, service or ticket",
    409: "Not possible in the current state (closed, quota, ticket state...)",
    413: f"Request body over {MAX_BODY} bytes",
    422: "Invalid request: the first problem in `message`, all of them in `errors`",
    423: "Account locked after repeated wrong PINs or passwords; `minutes` left",
    429: "Too many attempts; `retry_after` seconds to wait (also the Retry-After header)",
    503: "Storage failing: storage_full, storage_read_only or storage_unavailable",
}
ERROR_SCHEMA = "ErrorAnswer"
BEARER = "bearer"


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: the error answers it gives, each {code, message}."""
    return {status: {"model": ErrorAnswer, "description": WHY[status]} for status in statuses}


def day(alias: str) -> Any:
    """A date query parameter as sent (YYYY-MM-DD; empty or absent: none): the room reads
    it, so a page's form, the API and the command line get the same 422 for a bad one."""
    return Query(alias=alias, max_length=1000, json_schema_extra={"format": "date"})


def _answer(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, **extra}, status_code=status)


def internal_error(
    method: str, path: str, exc: BaseException | None = None, guard: Guard | None = None
) -> JSONResponse:
    """The answer to a bug or a failed database (call it while handling the exception).

    A failing disk or database is a 503 with a storage code, logged once by the guard
    (server/store/storage.py) rather than with a traceback per request."""
    problem = storage_problem(exc) if exc is not None else None
    if problem is not None:
        if guard is not None:
            guard.note(problem)
        return JSONResponse(problem.answer(), status_code=problem.status)
    log.exception("unhandled error on %s %s", method, path)
    return _answer(500, "internal_error", "The server failed; the error is in its log.")


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        answer = JSONResponse(exc.answer(), status_code=exc.status)
        if "retry_after" in exc.extra:
            answer.headers["Retry-After"] = str(exc.extra["retry_after"])
        return answer

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": str(e.get("msg"))}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"where": "", "problem": "invalid"}
        message = f"Invalid request: {first['where']}: {first['problem']}"
        return _answer(422, "invalid_request", message, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        code = codes.get(exc.status_code, f"http_{exc.status_code}")
        answer = _answer(exc.status_code, code, str(exc.detail))
        # A 405 must say what is allowed (RFC 9110): Starlette puts it in the exception.
        answer.headers.update(exc.headers or {})
        return answer

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        ctx = getattr(request.app.state, "ctx", None)
        guard = ctx.store.guard if ctx is not None else None
        return internal_error(request.method, request.url.path, exc, guard)

    _document(app)


def _document(app: FastAPI) -> None:
    """Add the common answers to the generated OpenAPI document (idempotent, cheap)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        doc = generate()  # FastAPI's, cached until the routes change
        _add_common_answers(doc)
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


def _add_common_answers(doc: dict[str, Any]) -> None:
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas[ERROR_SCHEMA] = ErrorAnswer.model_json_schema()
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A device token (kiosk, display) or an officer's session token",
    }
    error = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            statuses: list[int] = []
            if "requestBody" in operation:
                statuses += [400, 413]  # FastAPI's unreadable body; BodyLimit
            if needs_bearer(method, path):
                statuses += [401, 403]  # RequireBearer and the caller dependency
                operation["security"] = [{BEARER: []}]
            if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
                statuses.append(503)  # a write the storage cannot keep (server/store/storage.py)
            if "422" in responses:  # FastAPI's default describes `detail`, which we never send
                responses["422"] = {"description": WHY[422], "content": error}
            for status in statuses:
                responses.setdefault(str(status), {"description": WHY[status], "content": error})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


# A visitor answers the survey with its ticket page token in the body, not a bearer;
# anyone books (and looks a booking up by its code and phone), anyone files a complaint.
OPEN_WRITES = (
    API_PATH + "/sessions",
    API_PATH + "/surveys",
    API_PATH + "/bookings",
    API_PATH + "/bookings/find",
    API_PATH + "/bookings/sms-code",
    API_PATH + "/complaints",
)
# A booker cancels by the link's token (the path's {token} in the OpenAPI document).
_OPEN_WRITE = re.compile(rf"^{re.escape(API_PATH)}/bookings/(?!check-in/)[^/]+/cancel$")


def needs_bearer(method: str, path: str) -> bool:
    """Writes need a token, except logging in, booking, a booker's look-up and cancel and
    a visitor's survey."""
    return (
        method.upper() in ("POST", "PUT", "PATCH", "DELETE")
        and path.startswith(API_PATH + "/")
        and path not in OPEN_WRITES
        and not _OPEN_WRITE.match(path)
    )


class BodyLimit:
    """Refuse request bodies over MAX_BODY, declared or streamed, with a JSON 413."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int = MAX_BODY,
        larger: Callable[[str, str], int | None] | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.larger = larger  # (method, path) -> a higher limit (a page taking a file)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wider = self.larger(scope["method"], scope["path"]) if self.larger else None
        limit = wider or self.limit
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _answer(413, "too_large", f"Request body over {limit} bytes.")(
                scope, receive, send
            )
            return
        seen = 0
        exceeded = False

        async def limited() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # Tell the app the client went away; we answer 413 ourselves below.
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not exceeded:
                await send(message)

        await self.app(scope, limited, guarded_send)
        if exceeded:
            await _answer(413, "too_large", f"Request body over {limit} bytes.")(
                scope, receive, send
            )


def _routed(scope: Scope) -> bool:
    """Whether a route takes this method at this path (else routing answers 404 or 405)."""
    routes = scope["app"].router.routes
    return any(route.matches(scope)[0] == Match.FULL for route in routes)


class RequireBearer:
    """Writes without any token get 401 before their body is even parsed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and needs_bearer(scope["method"], scope["path"])
            and not any(k == b"authorization" for k, _ in scope.get("headers") or [])
            and _routed(scope)
        ):
            await _answer(401, "unauthorized", "This needs Authorization: Bearer TOKEN.")(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)
