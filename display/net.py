"""GET /board for the TV with the standard library's http.client (httpx costs ~6 MB of RSS).

A new connection per request: the TV asks about once a minute, and a kept-alive
connection would be long closed by the server (uvicorn keeps one 5 s) by then.
"""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlencode, urlsplit

from display.wire import Board, parse_board
from shared.api import API_PATH
from shared.discovery import normalize_url
from shared.errors import ApiError, ServerUnavailable


class BoardClient:
    """Reads the board from one server; raises ServerUnavailable or ApiError."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 5.0) -> None:
        self.base_url = normalize_url(base_url)
        parts = urlsplit(self.base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port
        self._prefix = parts.path.rstrip("/") + API_PATH
        self.token = token or None
        self.timeout = timeout

    def board(self, recent: int = 10) -> Board:
        path = f"{self._prefix}/board?{urlencode({'recent': recent})}"
        status, body = self._get(path)
        if status != 200:
            raise _api_error(status, body)
        try:
            return parse_board(body)
        except ValueError as exc:  # a 200 we cannot read: another server or API version
            raise ApiError(status, "bad_answer", f"unexpected answer to /board: {exc}") from exc

    def info(self) -> bytes:
        """GET /info: what the site publishes (display/publish.py reads it)."""
        status, body = self._get(f"{self._prefix}/info")
        if status != 200:
            raise _api_error(status, body)
        return body

    def heartbeat(self, voice: str, last_seq: int) -> None:
        """POST /devices/heartbeat: the TV is there, whether its voice works, its last event."""
        body = json.dumps({"voice": voice, "last_seq": last_seq}).encode()
        status, answer = self._send("POST", f"{self._prefix}/devices/heartbeat", body)
        if status != 204:
            raise _api_error(status, answer)

    def close(self) -> None:
        """Nothing stays open between requests (kept for symmetry with ApiClient)."""

    def _get(self, path: str) -> tuple[int, bytes]:
        return self._send("GET", path, None)

    def _send(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = kind(self._host, self._port, timeout=self.timeout)
        headers = {"Accept": "application/json", "Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise ServerUnavailable(
                f"server {self.base_url} unreachable: {type(exc).__name__}: {exc}"
            ) from exc
        finally:
            conn.close()

    def __repr__(self) -> str:
        return f"BoardClient({self.base_url!r})"


def _api_error(status: int, body: bytes) -> ApiError:
    """The server's JSON error (code, message), or the raw text when it is not JSON."""
    code, message = f"http_{status}", body.decode("utf-8", "replace").strip()[:500]
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        code = str(answer.get("code") or code)
        message = str(answer.get("message") or answer.get("detail") or message)
    return ApiError(status, code, message or f"HTTP {status}")
