"""Subscribers at the wire, without our client: to test the server's stream itself."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from websockets.asyncio.client import connect
from websockets.client import ClientProtocol
from websockets.frames import Close, Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

from shared.client import ApiClient


class DeadSubscriber:
    """Completes the WebSocket handshake, then never reads (a hung TV)."""

    def __init__(self, base_url: str, after: int = 0, rcvbuf: int = 4096) -> None:
        uri = base_url.replace("http://", "ws://") + f"/api/v1/events?after={after}"
        self.protocol = ClientProtocol(parse_uri(uri), max_size=None)
        parts = urlsplit(base_url)
        self.sock = socket.socket()
        # A small receive window, so the server's side fills up after few events.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        # And a small MSS: loopback's 64 KB segments make the server's send buffer huge.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
        self.sock.connect((parts.hostname, parts.port))
        self.protocol.send_request(self.protocol.connect())
        self.sock.sendall(b"".join(self.protocol.data_to_send()))
        self.sock.settimeout(5)
        while not any(isinstance(e, Response) for e in self._pump_once()):
            pass
        self.frames: list[Frame] = []

    def _pump_once(self) -> list[object]:
        data = self.sock.recv(65536)
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()
        return list(self.protocol.events_received())

    def read_all(self, timeout: float = 10.0) -> tuple[list[int], int | None]:
        """Now read everything: the seqs that came, and the close code (None if no close)."""
        seqs: list[int] = []
        code: int | None = None
        deadline = time.monotonic() + timeout
        while code is None and time.monotonic() < deadline:
            try:
                events = self._pump_once()
            except (TimeoutError, OSError):
                break
            for frame in events:
                if not isinstance(frame, Frame):
                    continue
                if frame.opcode is Opcode.TEXT:
                    seqs.append(json.loads(bytes(frame.data))["seq"])
                elif frame.opcode is Opcode.CLOSE:
                    code = Close.parse(frame.data).code
            if self.protocol.close_rcvd is not None:
                code = self.protocol.close_rcvd.code
        return seqs, code

    def close(self) -> None:
        self.sock.close()


class LiveSubscribers:
    """N raw WebSocket subscribers on one asyncio loop in a thread, recording seqs."""

    def __init__(self, base_url: str, count: int, after: int = 0) -> None:
        self.uri = base_url.replace("http://", "ws://") + f"/api/v1/events?after={after}"
        self.seqs: list[list[int]] = [[] for _ in range(count)]
        self.codes: list[int | None] = [None] * count
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="live-subscribers")
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("subscribers did not connect")

    def _run(self) -> None:
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        connected = 0

        async def one(i: int) -> None:
            nonlocal connected
            async with connect(self.uri, proxy=None, max_queue=None) as ws:
                connected += 1
                if connected == len(self.seqs):
                    self._ready.set()
                reader = asyncio.ensure_future(self._read(ws, i))
                stopper = asyncio.ensure_future(self._stop.wait())  # type: ignore[union-attr]
                await asyncio.wait({reader, stopper}, return_when=asyncio.FIRST_COMPLETED)
                reader.cancel()
                stopper.cancel()

        await asyncio.gather(*(one(i) for i in range(len(self.seqs))), return_exceptions=True)
        self._ready.set()

    async def _read(self, ws: object, i: int) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for message in ws:  # type: ignore[attr-defined]
                self.seqs[i].append(json.loads(message)["seq"])
        except ConnectionClosed as exc:
            self.codes[i] = exc.rcvd.code if exc.rcvd else None

    def wait_for(self, seq: int, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(s and s[-1] >= seq for s in self.seqs):
                return True
            time.sleep(0.02)
        return False

    def close(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


def issue_many(
    url: str, count: int, services: list[str], threads: int = 4, token: str = "demo-kiosk"
) -> list[float]:
    """Issue `count` tickets from `threads` kiosks; return each call's latency in seconds."""
    import uuid

    def kiosk(n: int) -> list[float]:
        took = []
        with ApiClient(url, token=token) as client:
            for i in range(n):
                t0 = time.perf_counter()
                client.issue(services[i % len(services)], False, uuid.uuid4().hex)
                took.append(time.perf_counter() - t0)
        return took

    shares = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]
    with ThreadPoolExecutor(threads) as pool:
        return [t for part in pool.map(kiosk, shares) for t in part]


def background(fn: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=fn)
    thread.start()
    return thread
