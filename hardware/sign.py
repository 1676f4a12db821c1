"""The LED number sign above a counter: pluggable drivers over `serial.serial_for_url`.

The app's calls never block and never raise: a worker thread owns the port, sends the
latest wanted state, and reopens the port after an unplug (the counter app must not die
because a cable came loose).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import serial

from hardware.errors import SignUnavailable
from shared.devices import SignConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignState:
    """What the sign should show; code "" means blank."""

    code: str
    blink: bool = False


class SignDriver(Protocol):
    """Turns a state into bytes on the wire (and checks the answer, if the protocol has one)."""

    def send(self, port: serial.SerialBase, state: SignState) -> None: ...


class AsciiDriver:
    """Text then CR LF: what many serial LED boards and small firmware accept."""

    def __init__(self, config: SignConfig) -> None:
        self.config = config

    def encode(self, state: SignState) -> bytes:
        c = self.config
        if not state.code:
            line = c.ascii_clear
        else:
            line = (c.ascii_blink_format if state.blink else c.ascii_format).format(code=state.code)
        return line.encode("ascii", "replace") + b"\r\n"

    def send(self, port: serial.SerialBase, state: SignState) -> None:
        # a one-way link only learns of a vanished peer by reading (EOF on socket://)
        if port.in_waiting:
            port.read(port.in_waiting)
        port.write(self.encode(state))
        port.flush()


def crc16_modbus(frame: bytes) -> bytes:
    """Modbus RTU CRC (poly 0xA001, init 0xFFFF), low byte first."""
    crc = 0xFFFF
    for byte in frame:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return bytes((crc & 0xFF, crc >> 8))


MODE_CLEAR, MODE_STEADY, MODE_BLINK = 0, 1, 2


class ModbusDriver:
    """Modbus RTU "write multiple registers" (function 16) from `modbus_address`.

    Register map: [mode (0 blank, 1 steady, 2 blink), then the code as ASCII, two
    characters per register, high byte first, padded with spaces to `modbus_chars`].
    """

    FUNCTION = 0x10

    def __init__(self, config: SignConfig) -> None:
        self.config = config

    def registers(self, state: SignState) -> list[int]:
        width = self.config.modbus_chars + self.config.modbus_chars % 2
        text = state.code.encode("ascii", "replace")[: self.config.modbus_chars].ljust(width)
        mode = MODE_CLEAR if not state.code else MODE_BLINK if state.blink else MODE_STEADY
        return [mode] + [(text[i] << 8) | text[i + 1] for i in range(0, width, 2)]

    def request(self, state: SignState) -> bytes:
        regs = self.registers(state)
        c = self.config
        pdu = bytes((c.modbus_unit, self.FUNCTION)) + c.modbus_address.to_bytes(2, "big")
        pdu += len(regs).to_bytes(2, "big") + bytes((2 * len(regs),))
        pdu += b"".join(r.to_bytes(2, "big") for r in regs)
        return pdu + crc16_modbus(pdu)

    def send(self, port: serial.SerialBase, state: SignState) -> None:
        frame = self.request(state)
        port.reset_input_buffer()  # stale bytes would be taken for the answer
        port.write(frame)
        port.flush()
        head = port.read(2)
        if len(head) < 2:
            raise SignUnavailable("modbus sign did not answer")
        length = 5 if head[1] & 0x80 else 8  # exception answer or echo of address+count
        answer = head + port.read(length - 2)
        if len(answer) < length or crc16_modbus(answer[:-2]) != answer[-2:]:
            raise SignUnavailable(f"modbus sign answered garbage: {answer.hex()}")
        if head[1] & 0x80:
            raise SignUnavailable(f"modbus sign refused the write (exception {answer[2]})")
        if answer[:6] != frame[:6]:
            raise SignUnavailable(f"modbus sign answered another request: {answer.hex()}")


DRIVERS: dict[str, Callable[[SignConfig], SignDriver]] = {
    "ascii": AsciiDriver,
    "modbus": ModbusDriver,
}


def register_driver(name: str, factory: Callable[[SignConfig], SignDriver]) -> None:
    """Add a sign protocol (the config's `driver` names it)."""
    DRIVERS[name] = factory


def open_port(url: str, baudrate: int, timeout: float) -> serial.SerialBase:
    return serial.serial_for_url(url, baudrate=baudrate, timeout=timeout, write_timeout=timeout * 4)


class CounterSign:
    """One counter's sign. `show`/`clear` return at once; a worker thread does the I/O."""

    def __init__(self, config: SignConfig, driver: SignDriver | None = None) -> None:
        self.config = config
        self.driver = driver or DRIVERS[config.driver](config)
        self._lock = threading.Condition()
        self._wanted: SignState | None = None
        self._version = 0
        self._sent_version = 0
        self._port: serial.SerialBase | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> CounterSign:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def connected(self) -> bool:
        return self._port is not None

    def start(self) -> None:
        if not self.config.url:
            log.info("no counter sign configured")
            return
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="counter-sign", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._close()

    def show(self, code: str, blink: bool = True) -> None:
        """Show a ticket code; blink=True for a new call, False for a steady refresh."""
        self._want(SignState(code, blink))

    def clear(self) -> None:
        """Blank the sign (counter paused or closed)."""
        self._want(SignState(""))

    def wait_sent(self, timeout: float) -> bool:
        """Wait until the latest state reached the sign (for tests and the CLI)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._sent_version == self._version, timeout)

    def _want(self, state: SignState) -> None:
        with self._lock:
            self._wanted = state
            self._version += 1
        self._wake.set()

    def _close(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            except (OSError, serial.SerialException) as exc:
                log.debug("closing sign port: %s", exc)
            self._port = None

    def _run(self) -> None:
        next_open = 0.0
        last_sent = 0.0
        failing = False
        while not self._stop.is_set():
            now = time.monotonic()
            with self._lock:
                wanted, version = self._wanted, self._version
            refresh = self.config.refresh_seconds
            due = version != self._sent_version or (refresh and now - last_sent >= refresh)
            if wanted is not None and due:
                if self._port is None and now >= next_open:
                    try:
                        self._port = open_port(
                            self.config.url, self.config.baudrate, self.config.timeout_seconds
                        )
                        log.info("counter sign connected on %s", self.config.url)
                        failing = False
                    except (OSError, ValueError, serial.SerialException) as exc:
                        if not failing:
                            log.warning(
                                "counter sign %s not reachable: %s; retrying every %s s",
                                self.config.url,
                                exc,
                                self.config.reconnect_seconds,
                            )
                        failing = True
                        next_open = now + self.config.reconnect_seconds
                if self._port is not None:
                    state = wanted if version != self._sent_version else SignState(wanted.code)
                    try:
                        self.driver.send(self._port, state)
                        last_sent = time.monotonic()
                        with self._lock:
                            self._sent_version = version
                            self._lock.notify_all()
                    except (OSError, serial.SerialException, SignUnavailable) as exc:
                        log.warning(
                            "counter sign %s failed: %s; reconnecting", self.config.url, exc
                        )
                        failing = True
                        self._close()
                        next_open = time.monotonic() + self.config.reconnect_seconds
            if self._port is None and wanted is not None and due:
                wait = max(0.01, next_open - time.monotonic())
            else:
                wait = refresh - (time.monotonic() - last_sent) if refresh else 3600.0
            self._wake.wait(max(0.01, wait))
            self._wake.clear()
