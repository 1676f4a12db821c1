"""Fakes at the wire only: a pty pair and a TCP printer that answers ESC/POS status queries."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import tty
from collections.abc import Callable

# ESC/POS answers: (DLE EOT 1, DLE EOT 4); None = stay silent
PRINTER_ANSWERS: dict[str, tuple[int | None, int | None]] = {
    "ready": (0x12, 0x12),
    "near_end": (0x12, 0x1E),
    "paper_out": (0x1A, 0x72),  # paper end stops the printer, so it is offline too
    "offline": (0x1A, 0x12),  # cover open
    "slow": (None, None),
    "garbage": (0xFF, 0x00),
}


def answer_status(buffer: bytearray, mode: str) -> bytes:
    """Consume DLE EOT n queries from buffer; return what a printer in `mode` would answer."""
    out = bytearray()
    while True:
        i = buffer.find(b"\x10\x04")
        if i < 0 or i + 2 >= len(buffer):
            return bytes(out)
        n = buffer[i + 2]
        del buffer[i : i + 3]
        printer, paper = PRINTER_ANSWERS[mode]
        answer = printer if n == 1 else paper if n == 4 else None
        if answer is not None:
            out.append(answer)


class NetworkPrinter:
    """A port-9100 printer on 127.0.0.1: records the job, answers status as `mode` says."""

    def __init__(self, mode: str = "ready") -> None:
        self.mode = mode
        self.received = bytearray()
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.05)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-net-printer", daemon=True)

    def __enter__(self) -> NetworkPrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(0.05)
                pending = bytearray()
                while not self._stop.is_set():
                    try:
                        chunk = conn.recv(4096)
                    except TimeoutError:
                        continue
                    except OSError:
                        break
                    if not chunk:
                        break
                    self.received += chunk
                    pending += chunk
                    reply = answer_status(pending, self.mode)
                    if reply:
                        conn.sendall(reply)
                    del pending[:-2]  # a query may straddle two reads


class PtyPeer:
    """The far end of a pty: the test talks through `master`, the code opens `port`."""

    def __init__(self, on_data: Callable[[bytes], bytes] | None = None) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)
        self.received = bytearray()
        self._on_data = on_data
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> PtyPeer:
        self._thread = threading.Thread(target=self._run, name="pty-peer", daemon=True)
        self._thread.start()
        return self

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                continue  # EIO while nobody holds the slave open
            self.received += chunk
            if self._on_data:
                reply = self._on_data(chunk)
                if reply:
                    os.write(self.master, reply)

    def close(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(5)
        for fd in (self.master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)
