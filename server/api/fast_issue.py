"""POST /tickets from a known kiosk, answered beneath the framework.

Issuing must reach 500 tickets/s on two cores (docs/ARCHITECTURE.md), and the route
through FastAPI (middleware, routing, dependencies, body parsing) costs about
twice the event loop's share of the work itself. This layer, in front of the
whole FastAPI app (server/runtime/app.py), answers only
the plain case: a kiosk token already checked within PRINCIPAL_TTL, a small
JSON body that IssueRequest accepts. Anything else (no or unknown token,
another role, a bad or large body) goes on to the route, which gives the
documented answer, so refusals are decided in one place. The work and the
answer's bytes are the route's own (`kiosk.issue_ticket`).
"""

from __future__ import annotations

from pydantic import ValidationError
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.access.context import ServerContext
from server.access.deps import bearer_from_headers
from server.api.errors import internal_error
from server.api.kiosk import issue_ticket
from server.problems import Problem
from shared.models import API_PATH, IssueRequest

PATH = f"{API_PATH}/tickets"
# An issue request is about 100 bytes; anything bigger takes the documented route.
SMALL = 1024
_JSON = (b"content-type", b"application/json")


class FastIssue:
    def __init__(self, app: ASGIApp, ctx: ServerContext) -> None:
        self.app = app
        self.ctx = ctx
        self.answered = 0  # issues answered here (tests check that this path is taken)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        token = bearer_from_headers(headers.get(b"authorization", b"").decode("latin-1"))
        who = self.ctx.cached_principal(token) if token else None
        length = headers.get(b"content-length", b"")
        if (
            who is None
            or who.role != "kiosk"
            or headers.get(b"content-type") != b"application/json"
            or not length.isdigit()
            or int(length) > SMALL
        ):
            await self.app(scope, receive, send)
            return
        messages, body = await _read(receive)
        if messages[-1]["type"] != "http.request":  # the kiosk went away mid-body
            await self.app(scope, _replay(messages, receive), send)
            return
        try:
            request = IssueRequest.model_validate_json(body)
        except ValidationError:  # the route says what is wrong, in the documented form
            await self.app(scope, _replay(messages, receive), send)
            return
        try:
            status, answer = await issue_ticket(self.ctx, who, request)
        except Problem as problem:  # closed, quota...: as the route's exception handler answers
            self.answered += 1
            await JSONResponse(problem.answer(), problem.status)(scope, receive, send)
            return
        except Exception as exc:  # e.g. the database failed: as errors.install answers it
            self.answered += 1
            await internal_error("POST", PATH, exc, self.ctx.store.guard)(scope, receive, send)
            return
        self.answered += 1
        head = [_JSON, (b"content-length", str(len(answer)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": head})
        await send({"type": "http.response.body", "body": answer})


async def _read(receive: Receive) -> tuple[list[Message], bytes]:
    """The body's messages (kept for a replay) and its bytes; stops at a disconnect."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return messages, b"".join(chunks)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay
