"""Fakes at the wire only: a pty pair and a TCP printer that answers ESC/POS status queries."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import tty
from collections.abc import Callable
from dataclasses import dataclass, replace

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


@dataclass(frozen=True)
class Mode:
    """A printer's character mode as ESC @ leaves it."""

    align: str = "left"
    bold: bool = False
    width: int = 1
    height: int = 1
    invert: bool = False
    smooth: bool = False


@dataclass(frozen=True)
class Printed:
    """One thing on the paper: a run of text in one mode, a QR code, an image or the cut."""

    kind: str
    content: str
    mode: Mode


_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


class EscposReader:
    """What an ESC/POS printer makes of a job: the wire-side twin of the preview canvas.

    Knows the commands python-escpos sends for a ticket; anything else fails loudly.
    """

    def __init__(self) -> None:
        self.printed: list[Printed] = []
        self.rasters: list[bytes] = []  # GS v 0 rows: 1 bit a dot, 1 = black
        self.mode = Mode()
        self._line: list[tuple[str, Mode]] = []
        self._qr = ""

    def _feed(self) -> None:
        runs: list[tuple[str, Mode]] = []
        for char, mode in self._line:
            if runs and runs[-1][1] == mode:
                runs[-1] = (runs[-1][0] + char, mode)
            else:
                runs.append((char, mode))
        self.printed.extend(Printed("text", text, mode) for text, mode in runs)
        self._line.clear()

    def read(self, data: bytes) -> EscposReader:
        i = 0
        while i < len(data):
            i = self._command(data, i)
        return self

    def _command(self, data: bytes, i: int) -> int:
        """Act on the command at i; return where the next one starts."""
        at = data[i : i + 3]
        arg = data[i + 2] if i + 2 < len(data) else 0
        if data[i] == 0x0A:
            self._feed()
            return i + 1
        if at[:2] == b"\x1b@":
            self._line.clear()
            self.mode = Mode()
            return i + 2
        if at[:2] == b"\x1b!":  # bold is bit 3 of the print mode
            self.mode = replace(
                self.mode,
                bold=bool(arg & 0x08),
                width=2 if arg & 0x20 else 1,
                height=2 if arg & 0x10 else 1,
            )
        elif at[:2] == b"\x1d!":
            self.mode = replace(self.mode, width=(arg >> 4) + 1, height=(arg & 0x0F) + 1)
        elif at[:2] == b"\x1bE":
            self.mode = replace(self.mode, bold=bool(arg & 1))
        elif at[:2] == b"\x1ba":
            if not self._line:  # ESC a counts only at the start of a line
                self.mode = replace(self.mode, align=_ALIGN[arg])
        elif at[:2] == b"\x1dB":
            self.mode = replace(self.mode, invert=bool(arg & 1))
        elif at[:2] == b"\x1db":
            self.mode = replace(self.mode, smooth=bool(arg & 1))
        elif at[:2] == b"\x1bt":
            if arg != 0:  # the text is read as CP437 below
                raise ValueError(f"code page {arg} at {i}")
        elif at[:2] == b"\x1bd":
            if self._line:
                self._feed()
        elif at[:2] == b"\x1dV":
            self.printed.append(Printed("cut", "PART" if arg in (1, 49, 66) else "FULL", self.mode))
            if arg in (65, 66):  # the feed-and-cut forms carry a feed length
                return i + 4
        elif at == b"\x1d(k":
            size = data[i + 3] + 256 * data[i + 4]
            body = data[i + 5 : i + 5 + size]  # cn fn m data
            if body[1:2] == b"P":
                self._qr = body[3:].decode()
            elif body[1:2] == b"Q":
                self.printed.append(Printed("qr", self._qr, self.mode))
            return i + 5 + size
        elif at == b"\x1dv0":
            row = data[i + 4] + 256 * data[i + 5]
            rows = data[i + 6] + 256 * data[i + 7]
            self.rasters.append(data[i + 8 : i + 8 + row * rows])
            self.printed.append(Printed("image", f"{row * 8}x{rows}", self.mode))
            return i + 8 + row * rows
        elif data[i] >= 0x20:
            self._line.append((bytes(data[i : i + 1]).decode("cp437"), self.mode))
            return i + 1
        else:
            raise ValueError(f"unread ESC/POS at {i}: {data[i : i + 8]!r}")
        return i + 3
