"""What every answer carries, pages and API alike: the standard protective headers, a
redirect that never takes its host from the request, cookies marked Secure behind TLS.

- `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`: no page can be framed by
  another site (clickjacking the console's buttons);
- `X-Content-Type-Options: nosniff`; `Referrer-Policy: same-origin` (a ticket's page and a
  booking's link carry their token in the path: it must not leave in a Referer to another
  site; `no-referrer` would also make browsers send `Origin: null` with our own forms,
  which server/web/forms.py refuses);
- `Location`: only a path. Starlette's own redirects (a trailing slash dropped) are
  absolute, built from the request's `Host` header: `Host: evil.example` gave
  `Location: http://evil.example/...`. Ours are relative already. Leading slashes are
  folded to one, so `//evil.example` never becomes a scheme-relative redirect.
- `Set-Cookie ... ; Secure` when the request came over HTTPS, which uvicorn reports when
  the configured TLS proxy (FORWARDED_ALLOW_IPS) forwards `X-Forwarded-Proto: https`.

HSTS is the TLS proxy's to send (docs/INSTALL.md): the server itself speaks plain HTTP
on the LAN, where HSTS means nothing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def relative(location: str) -> str:
    """The path (and query) of a Location, never a host."""
    parts = urlsplit(location)
    path = "/" + parts.path.lstrip("/")
    return path + (f"?{parts.query}" if parts.query else "")


class StandardHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                for key, value in message.get("headers", []):
                    if key == b"location":
                        value = relative(value.decode("latin-1")).encode("latin-1")
                    elif key == b"set-cookie" and secure and b"; secure" not in value.lower():
                        value += b"; Secure"
                    headers.append((key, value))
                have = {k for k, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in have]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
