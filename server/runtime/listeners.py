"""How every listener of the server is set up: one place, so all share the same limits.

uvicorn's httptools protocol (the one it picks when httptools is installed, as
here) bounds nothing in a request's head: four 32 MB headers were accepted and
the server grew by 200 MB (httptools gathers a header's value whole before
handing it over). BoundedHttpTools counts the bytes of a head as they arrive,
and the headers as they are parsed, and past MAX_HEAD_BYTES or MAX_HEADERS
answers 431 (JSON, as every refusal) and closes the connection, holding at
most MAX_HEAD_BYTES of it. h11 (the fallback) is bounded by its own
max_incomplete_event_size; its overflow is a 400 from uvicorn, still bounded.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httptools
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)

# A request's line and headers together; a kiosk's is ~200 bytes, a browser's with its
# cookies a few KB (Node and nginx stop at 16 KB and 8-32 KB).
MAX_HEAD_BYTES = 16 * 1024
MAX_HEADERS = 100

_REFUSAL = json.dumps(
    {
        "code": "headers_too_large",
        "message": f"Request headers over {MAX_HEAD_BYTES} bytes or {MAX_HEADERS} headers.",
    }
).encode()
_431 = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/json\r\n"
    b"content-length: " + str(len(_REFUSAL)).encode() + b"\r\nconnection: close\r\n\r\n" + _REFUSAL
)


class _TooLarge(Exception):
    pass


class BoundedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bounded request head."""

    def connection_made(self, transport: Any) -> None:
        self._head = 0  # bytes of the current head received so far
        self._in_head = True  # between messages, the next bytes start a head
        self._headers = 0
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if not self._in_head:
            super().data_received(data)
            return
        room = MAX_HEAD_BYTES - self._head
        if len(data) <= room:
            self._head += len(data)
            self._feed(data)
            return
        # Only what fits goes to the parser; the rest is body if the head ended within it.
        self._head = MAX_HEAD_BYTES
        self._feed(data[:room])
        if self._in_head:
            self._refuse()
        elif not self.transport.is_closing():
            super().data_received(data[room:])

    def _feed(self, data: bytes) -> None:
        if self._headers > MAX_HEADERS:
            return
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError:
            if self._headers > MAX_HEADERS:
                self._refuse()
                return
            raise
        except httptools.HttpParserError:
            self.logger.warning("Invalid HTTP request received.")
            self.send_400_response("Invalid HTTP request received.")
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()

    def _refuse(self) -> None:
        if not self.transport.is_closing():
            log.info("refused a request head over its bounds from %s", self.client)
            self.transport.write(_431)
            self.transport.close()

    def on_message_begin(self) -> None:
        self._in_head = True
        self._headers = 0
        super().on_message_begin()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers += 1
        if self._headers > MAX_HEADERS:
            raise _TooLarge
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
        self._head = 0


def server_config(app: ASGIApp, **options: Any) -> uvicorn.Config:
    """The uvicorn.Config of a listener for `app` (pass it the socket at run)."""
    settings: dict[str, Any] = {
        "http": BoundedHttpTools,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
        "ws": "websockets-sansio",
        "log_level": "warning",
        "lifespan": "on",
        # No reverse proxy on the LAN; our own log says what happened (cheaper per request).
        "proxy_headers": False,
        "access_log": False,
        "timeout_graceful_shutdown": 3,
    }
    return uvicorn.Config(app, **{**settings, **options})
