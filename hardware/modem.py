"""A USB GSM modem that sends SMS in text mode, over `serial.serial_for_url`.

The classic SMS gateway of Indonesian e-government: AT, AT+CMGF=1, then
AT+CMGS="0812..." and, at the modem's "> " prompt, the text and Ctrl-Z; the modem
answers +CMGS: <ref> and OK once the network took it. Errors a real modem gives:
+CME ERROR: 10 (no SIM), +CMS ERROR: 330 (SMSC unknown), +CMS ERROR: 38 (network
out of order), or nothing at all (unplugged).

What is known of a failed send is kept apart, because a message must never go twice:
`ModemUnavailable` means it was not sent (before the text, or the modem refused it);
`SmsNotConfirmed` means the text went to the modem and no answer came (it may have gone).
"""

from __future__ import annotations

import logging
import re
import time

import serial

from hardware.errors import ModemUnavailable, SmsNotConfirmed

log = logging.getLogger(__name__)

CTRL_Z = b"\x1a"
ESC = b"\x1b"
_ERROR = re.compile(r"^(\+CM[ES] ERROR: ?.*|ERROR)$")
_REF = re.compile(r"^\+CMGS: ?(\d+)")


class GsmModem:
    """One modem on one port: open, send texts, close. Not thread-safe (one sender)."""

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 115200,
        command_timeout: float = 3.0,
        send_timeout: float = 40.0,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.command_timeout = command_timeout
        # a network can take tens of seconds to accept an SMS
        self.send_timeout = send_timeout
        self._port: serial.SerialBase | None = None
        self._buffer = b""

    def open(self) -> None:
        if self._port is not None:
            return
        try:
            self._port = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=0.1)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise ModemUnavailable(f"cannot open modem {self.url}: {exc}") from exc
        self._buffer = b""
        try:
            self._port.write(ESC)  # leaves a "> " prompt a crash may have left open
            self._command("ATE0")  # no echo: the answers are the modem's own lines
            self._command("AT+CMGF=1")  # text mode
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                log.debug("closing the modem failed", exc_info=True)

    def __enter__(self) -> GsmModem:
        self.open()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def send(self, number: str, text: str) -> int:
        """Send one SMS to `number` (as dialled: 0812...); the modem's message reference."""
        if not re.fullmatch(r"\+?[0-9]{6,16}", number):
            raise ModemUnavailable(f"not a number to send to: {number!r}")
        self.open()
        port = self._require()
        try:
            port.write(f'AT+CMGS="{number}"\r'.encode("ascii"))
            self._prompt()
            port.write(text.encode("ascii", "replace") + CTRL_Z)
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise SmsNotConfirmed(f"modem {self.url} failed while sending: {exc}") from exc
        # From here on the text is with the modem: silence is "maybe sent".
        ref: int | None = None
        deadline = time.monotonic() + self.send_timeout
        while True:
            try:
                line = self._line(deadline)
            except (serial.SerialException, OSError) as exc:
                self.close()
                raise SmsNotConfirmed(f"modem {self.url} failed after the text: {exc}") from exc
            if line is None:
                self.close()
                raise SmsNotConfirmed(f"modem {self.url} did not confirm the SMS")
            m = _REF.match(line)
            if m:
                ref = int(m.group(1))
            elif line == "OK" and ref is not None:
                return ref
            elif _ERROR.match(line):
                raise ModemUnavailable(f"modem {self.url} refused the SMS: {line}")

    # -- the wire -----------------------------------------------------------------------

    def _require(self) -> serial.SerialBase:
        if self._port is None:
            raise ModemUnavailable(f"modem {self.url} is not open")
        return self._port

    def _command(self, command: str) -> list[str]:
        """A command answered by OK: its lines before OK. Any failure: not sent."""
        port = self._require()
        try:
            port.write(command.encode("ascii") + b"\r")
            deadline = time.monotonic() + self.command_timeout
            lines: list[str] = []
            while True:
                line = self._line(deadline)
                if line is None:
                    raise ModemUnavailable(f"modem {self.url} did not answer {command}")
                if line == "OK":
                    return lines
                if _ERROR.match(line):
                    raise ModemUnavailable(f"modem {self.url} answered {command}: {line}")
                if line != command:  # an echo, before ATE0 took effect
                    lines.append(line)
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise ModemUnavailable(f"modem {self.url} failed: {exc}") from exc

    def _prompt(self) -> None:
        """Wait for the "> " that asks for the text (an error line instead: not sent)."""
        port = self._require()
        deadline = time.monotonic() + self.command_timeout
        while time.monotonic() < deadline:
            if b">" in self._buffer:
                self._buffer = self._buffer.split(b">", 1)[1].lstrip(b" ")
                return
            for raw in self._buffer.split(b"\n")[:-1]:
                text = raw.strip().decode("ascii", "replace")
                if _ERROR.match(text):
                    self._buffer = b""
                    raise ModemUnavailable(f"modem {self.url} refused the number: {text}")
            self._buffer += port.read(port.in_waiting or 1)
        port.write(ESC)
        raise ModemUnavailable(f"modem {self.url} did not ask for the text")

    def _line(self, deadline: float) -> str | None:
        """The next non-empty line, or None at the deadline."""
        port = self._require()
        while True:
            while b"\n" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\n", 1)
                text = raw.strip().decode("ascii", "replace")
                if text:
                    return text
            if time.monotonic() >= deadline:
                return None
            self._buffer += port.read(port.in_waiting or 1)
