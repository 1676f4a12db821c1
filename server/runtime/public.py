"""What the public listener (`[server] public_port`) answers: booking and ticket pages only.

It is meant for the site's reverse proxy to the internet, so it serves an
allow-list and nothing else: the booking pages and their API, the visitor's
ticket page (`/t/{token}`), the complaint form and its follow-up page
(`/pengaduan/`) with their API (file one, read one by its token), the information
page (`/info/`, GET /api/v1/info), and the static files those pages use. Everything
else there (console, officer and device endpoints, the event stream, the
OpenAPI document and /docs) is a plain 404, as if it did not exist.
"""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.models import API_PATH

# Paths anyone on the internet may reach, per method (a prefix ends with "/").
_PAGES = ("/booking/", "/t/", "/pengaduan/", "/static/")
# Read-only: the information page and its JSON twin.
_INFO = ("/info", "/info/", f"{API_PATH}/info")
_API = re.compile(
    rf"^{re.escape(API_PATH)}/bookings"
    r"(/services|/slots|/find|/sms-code|/(?!check-in$)[A-Za-z0-9_-]{20,100}(/cancel)?)?$"
)
_COMPLAINTS = re.compile(rf"^{re.escape(API_PATH)}/complaints(/[A-Za-z0-9_-]{{20,100}})?$")
_NOT_FOUND = json.dumps({"code": "not_found", "message": "Not Found"}).encode()


def allowed(method: str, path: str) -> bool:
    """Whether the public listener passes this request on (else 404)."""
    if path in ("/booking", "/pengaduan") or path.startswith(_PAGES):
        return method in ("GET", "HEAD", "POST")
    if path in _INFO:
        return method in ("GET", "HEAD")
    complaint = _COMPLAINTS.match(path)
    if complaint is not None:
        return method == "POST" if complaint.group(1) is None else method in ("GET", "HEAD")
    m = _API.match(path)
    if m is None:
        return False
    if path.endswith(("/cancel", "/find", "/sms-code")) or path == f"{API_PATH}/bookings":
        return method == "POST"
    return method in ("GET", "HEAD")


class PublicOnly:
    """The app behind the allow-list; WebSockets are never public."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http" and allowed(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        if kind == "lifespan":  # the LAN listener runs the app's lifespan
            return
        head = [
            (b"content-type", b"application/json"),
            (b"content-length", b"%d" % len(_NOT_FOUND)),
        ]
        if kind == "websocket":
            if "websocket.http.response" in scope.get("extensions", {}):
                await send(
                    {"type": "websocket.http.response.start", "status": 404, "headers": head}
                )
                await send({"type": "websocket.http.response.body", "body": _NOT_FOUND})
            else:
                await send({"type": "websocket.close", "code": 1008})
            return
        await send({"type": "http.response.start", "status": 404, "headers": head})
        await send({"type": "http.response.body", "body": _NOT_FOUND})
