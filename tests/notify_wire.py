"""Fakes at the wire for messages: a GSM modem on a pty, and an HTTP gateway on 127.0.0.1."""

from __future__ import annotations

import json
import os
import select
import threading
import time
import tty
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeModem:
    """A thread that answers on a pty as a GSM modem in text mode would.

    mode: "ok"; "no_sim" (+CME ERROR: 10 to AT+CMGS); "no_network" (+CMS ERROR: 38 after
    the text); "no_smsc" (+CMS ERROR: 330); "silent" (answers nothing: unplugged);
    "silent_after_text" (takes the text, confirms nothing). `sent` holds (number, text)
    of every message it confirmed.
    """

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.sent: list[tuple[str, str]] = []
        self.taken: list[tuple[str, str]] = []  # every text that reached the modem
        self.commands: list[str] = []
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        tty.setraw(self._master)
        self.path = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-modem", daemon=True)
        self._ref = 0

    def __enter__(self) -> FakeModem:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        os.close(self._master)
        os.close(self._slave)

    def _say(self, text: str) -> None:
        os.write(self._master, text.encode("ascii"))

    def _run(self) -> None:
        buffer = b""
        number: str | None = None  # set while the modem waits for a text
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                buffer += os.read(self._master, 4096)
            except OSError:
                return
            while True:
                if number is not None:
                    if b"\x1b" in buffer:  # ESC: the text is abandoned
                        buffer = buffer.split(b"\x1b", 1)[1]
                        number = None
                        continue
                    if b"\x1a" not in buffer:
                        break
                    raw, buffer = buffer.split(b"\x1a", 1)
                    self._text(number, raw.decode("ascii", "replace"))
                    number = None
                    continue
                if b"\r" not in buffer:
                    break
                raw, buffer = buffer.split(b"\r", 1)
                command = raw.strip(b"\n\x1b ").decode("ascii", "replace")
                if command:
                    number = self._command(command)

    def _command(self, command: str) -> str | None:
        self.commands.append(command)
        if self.mode == "silent":
            return None
        if command.startswith("AT+CMGS="):
            if self.mode == "no_sim":
                self._say("\r\n+CME ERROR: 10\r\n")
                return None
            self._say("\r\n> ")
            return command.split("=", 1)[1].strip('"')
        if command.startswith("AT"):
            self._say("\r\nOK\r\n")
        else:
            self._say("\r\nERROR\r\n")
        return None

    def _text(self, number: str, text: str) -> None:
        self.taken.append((number, text))
        if self.mode == "no_network":
            self._say("\r\n+CMS ERROR: 38\r\n")
        elif self.mode == "no_smsc":
            self._say("\r\n+CMS ERROR: 330\r\n")
        elif self.mode == "silent_after_text":
            pass
        else:
            self._ref += 1
            self.sent.append((number, text))
            self._say(f"\r\n+CMGS: {self._ref}\r\n\r\nOK\r\n")


class FakeGateway:
    """An HTTP gateway on 127.0.0.1 that records every POST (and dedupes by Idempotency-Key,
    as the providers that offer one do). `status` is what it answers."""

    def __init__(self, status: int = 200, delay: float = 0.0) -> None:
        self.status = status
        self.delay = delay  # seconds before each answer (a gateway far away)
        self.posts: list[dict[str, Any]] = []  # every request: headers, body
        self.by_key: dict[str, dict[str, Any]] = {}  # the first of each Idempotency-Key
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = raw
                item = {"headers": dict(self.headers.items()), "body": body, "path": self.path}
                with gateway.lock:
                    gateway.posts.append(item)
                    key = self.headers.get("Idempotency-Key")
                    if key and gateway.status < 300:
                        gateway.by_key.setdefault(key, item)
                if gateway.delay:
                    time.sleep(gateway.delay)
                try:
                    self.send_response(gateway.status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"ok": true}')
                except OSError:  # the sender died waiting (a kill -9 test)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGateway:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    def messages(self) -> list[dict[str, Any]]:
        with self.lock:
            return [p["body"] for p in self.by_key.values()]


def site_toml(notify: str) -> str:
    """The sample site's TOML with its [notify] section replaced by these lines."""
    import re

    from shared.config import sample_path

    text = sample_path().read_text(encoding="utf-8")
    return re.sub(r"\[notify\]\n.*?(?=\n\[)", lambda _m: f"[notify]\n{notify}\n", text, count=1,
                  flags=re.S)  # fmt: skip
