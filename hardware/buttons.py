"""The serial call-button keypad of a counter: messages -> actions, in a reader thread.

Garbage, partial lines and bursts are dropped and logged; a held key (which repeats)
fires once. The callback runs on the reader thread: a Kivy app hands it to
`Clock.schedule_once`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import serial

from shared.devices import ButtonsConfig

log = logging.getLogger(__name__)

# A partial line older than this is noise (half a message from a replug), not a prefix.
STALE_PARTIAL_SECONDS = 1.0


class KeypadParser:
    """Bytes in, actions out. Pure and clock-injected, so the rules are testable exactly."""

    def __init__(self, config: ButtonsConfig) -> None:
        self.config = config
        self._buffer = bytearray()
        self._buffer_since = 0.0
        self._last_message_at: float | None = None
        self.dropped = 0

    def feed(self, data: bytes, now: float) -> list[str]:
        """Feed received bytes; return the actions to fire (in order)."""
        if self.config.framing == "byte":
            messages = [bytes((b,)) for b in data]
        else:
            messages = self._lines(data, now)
        actions = []
        for raw in messages:
            action = self._decode(raw)
            if action is None:
                continue
            last, self._last_message_at = self._last_message_at, now
            # one press per quiet gap: a held key's repeats and bursts keep the window open
            if last is not None and now - last < self.config.debounce_seconds:
                self.dropped += 1
                log.info("call button: %r ignored (repeat or burst)", raw)
                continue
            actions.append(action)
        return actions

    def _lines(self, data: bytes, now: float) -> list[bytes]:
        if self._buffer and now - self._buffer_since > STALE_PARTIAL_SECONDS:
            log.info("call button: stale partial message %r dropped", bytes(self._buffer))
            self.dropped += 1
            self._buffer.clear()
        lines = []
        for byte in data:
            if byte in b"\r\n":
                if self._buffer:
                    lines.append(bytes(self._buffer))
                    self._buffer.clear()
                continue
            if not self._buffer:
                self._buffer_since = now
            self._buffer.append(byte)
            if len(self._buffer) > self.config.max_line:
                log.warning("call button: overlong message dropped")
                self.dropped += 1
                self._buffer.clear()
        return lines

    def _decode(self, raw: bytes) -> str | None:
        try:
            key = raw.decode("ascii").strip()
        except UnicodeDecodeError:
            key = ""
        action = self.config.keys.get(key) if key else None
        if action is None:
            self.dropped += 1
            log.info("call button: unknown message %r ignored", raw)
        return action


class CallButtons:
    """Reads the keypad in its own thread and calls `on_action("next" | "recall" | ...)`."""

    def __init__(self, config: ButtonsConfig, on_action: Callable[[str], None]) -> None:
        self.config = config
        self.on_action = on_action
        self.parser = KeypadParser(config)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()

    def __enter__(self) -> CallButtons:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if not self.config.url:
            log.info("no call buttons configured")
            return
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="call-buttons", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop reading and close the port; returns when the thread is gone."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                # a short read timeout is what lets stop() end the thread promptly
                port = serial.serial_for_url(
                    self.config.url, baudrate=self.config.baudrate, timeout=0.1
                )
            except (OSError, ValueError, serial.SerialException) as exc:
                if not failing:
                    log.warning("call buttons %s not reachable: %s; retrying", self.config.url, exc)
                failing = True
                self._stop.wait(self.config.reconnect_seconds)
                continue
            failing = False
            self.connected.set()
            log.info("call buttons connected on %s", self.config.url)
            try:
                self._read(port)
            except (OSError, serial.SerialException) as exc:
                log.warning("call buttons %s lost: %s; reconnecting", self.config.url, exc)
                self._stop.wait(self.config.reconnect_seconds)
            finally:
                self.connected.clear()
                port.close()

    def _read(self, port: serial.SerialBase) -> None:
        while not self._stop.is_set():
            data = port.read(max(1, min(port.in_waiting, 256)))
            if not data:
                continue
            for action in self.parser.feed(data, time.monotonic()):
                log.info("call button: %s", action)
                try:
                    self.on_action(action)
                except Exception:  # the app's bug must not kill the keypad
                    log.exception("call button handler failed for %s", action)
