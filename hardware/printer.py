"""The ticket printer: one layout (hardware.ticket), many transports chosen by config."""

from __future__ import annotations

import errno
import importlib.util
import logging
import socket
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Literal

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError

from hardware.errors import PaperOut, PrinterBusy, PrinterOffline, PrinterUnavailable
from hardware.preview import save_preview
from hardware.ticket import TicketPrint, ticket_bytes
from shared.devices import PrinterConfig

log = logging.getLogger(__name__)

# ESC/POS real-time status (DLE EOT n). Every answer byte has bit 1 and 4 set, bits 0 and 7
# clear; anything else is not a status byte.
ASK_PRINTER = b"\x10\x04\x01"
ASK_PAPER = b"\x10\x04\x04"
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12
_OFFLINE = 0x08
_NEAR_END = 0x0C
_PAPER_END = 0x60

Paper = Literal["ok", "near_end", "out", "unknown"]


class PrinterState(StrEnum):
    READY = "ready"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    BUSY = "busy"
    UNAVAILABLE = "unavailable"
    NOT_CONFIGURED = "not_configured"
    UNKNOWN = "unknown"  # no answer: many printers print fine, but we cannot say so


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself; silence is UNKNOWN, never READY."""

    state: PrinterState
    online: bool | None = None
    paper: Paper = "unknown"
    detail: str = ""

    @property
    def ready(self) -> bool:
        """Known good: online with paper (possibly near its end)."""
        return self.state in (PrinterState.READY, PrinterState.PAPER_NEAR_END)

    @property
    def may_print(self) -> bool:
        """Worth trying: known good, or silent (a printer that does not answer status queries)."""
        return self.ready or self.state is PrinterState.UNKNOWN


def _status_byte(data: bytes | None) -> int | None:
    if not data:
        return None
    byte = data[-1]  # the latest answer, should a chatty printer have sent more
    return byte if byte & _FIXED_MASK == _FIXED_BITS else None


def interpret_status(printer_byte: int | None, paper_byte: int | None) -> PrinterStatus:
    """Combine the answers to DLE EOT 1 and DLE EOT 4 (None = no valid answer)."""
    online = None if printer_byte is None else not printer_byte & _OFFLINE
    paper: Paper = "unknown"
    if paper_byte is not None:
        if paper_byte & _PAPER_END:
            paper = "out"
        elif paper_byte & _NEAR_END:
            paper = "near_end"
        else:
            paper = "ok"
    if paper == "out":
        state = PrinterState.PAPER_OUT  # paper end also takes the printer offline: say why
    elif online is False:
        state = PrinterState.OFFLINE
    elif online is None or paper == "unknown":
        state = PrinterState.UNKNOWN
    elif paper == "near_end":
        state = PrinterState.PAPER_NEAR_END
    else:
        state = PrinterState.READY
    return PrinterStatus(state, online, paper)


def _is_busy(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if getattr(seen, "errno", None) == errno.EBUSY or "busy" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class Printer:
    """The configured ticket printer. Opens its device per job and closes it right after."""

    def __init__(self, config: PrinterConfig, *, preview_dir: Path | None = None) -> None:
        self.config = config
        default_dir = Path(tempfile.gettempdir()) / "antrian-tickets"
        self.preview_dir = preview_dir or Path(config.preview_dir or default_dir)
        self._lock = threading.Lock()

    @property
    def kind(self) -> str:
        return self.config.kind

    def describe(self) -> str:
        c = self.config
        where = {
            "usb": f"USB {c.usb_vendor_id:04x}:{c.usb_product_id:04x}",
            "serial": f"serial {c.serial_port} @ {c.baudrate}",
            "network": f"network {c.host}:{c.port}",
            "file": f"file {c.device}",
            "virtual": f"virtual (previews in {self.preview_dir})",
            "none": "none",
        }[c.kind]
        return f"{where}, {c.paper_mm} mm"

    # -- transports -------------------------------------------------------------

    def _make(self) -> Escpos:
        c = self.config
        profile = c.profile or None
        if c.kind == "usb":
            if importlib.util.find_spec("usb") is None:
                raise PrinterUnavailable("USB printing needs pyusb: pip install 'antrian-mpp[usb]'")
            from escpos.printer import Usb

            return Usb(
                c.usb_vendor_id,
                c.usb_product_id,
                timeout=int(c.timeout_seconds * 1000),
                profile=profile,
            )
        if c.kind == "serial":
            from escpos.printer import Serial

            return Serial(
                devfile=c.serial_port,
                baudrate=c.baudrate,
                timeout=c.status_timeout_seconds,
                dsrdtr=c.serial_flow == "dsrdtr",
                xonxoff=c.serial_flow == "xonxoff",
                profile=profile,
            )
        if c.kind == "network":
            from escpos.printer import Network

            return Network(host=c.host, port=c.port, timeout=c.timeout_seconds, profile=profile)
        if c.kind == "file":
            from escpos.printer import File

            return File(devfile=c.device, profile=profile)
        raise PrinterUnavailable(f"printer kind {c.kind!r} has no device")

    def _open(self) -> Escpos:
        if self.config.kind == "none":
            raise PrinterUnavailable("no ticket printer is configured ([printer] kind)")
        p = self._make()
        try:
            p.open()
        except (EscposError, OSError, ValueError) as exc:
            p._device = False  # keep escpos's __del__ from touching a half-open device
            if _is_busy(exc):
                raise PrinterBusy(f"printer {self.describe()} is in use: {exc}") from exc
            raise PrinterUnavailable(f"printer {self.describe()} not found: {exc}") from exc
        return p

    @staticmethod
    def _close(p: Escpos) -> None:
        try:
            p.close()
        except (EscposError, OSError) as exc:
            log.debug("closing printer: %s", exc)

    def _ask(self, p: Escpos, command: bytes) -> int | None:
        """One real-time status query; None on silence, garbage or a transport error."""
        dev = p._device
        try:
            if isinstance(dev, socket.socket):
                dev.settimeout(self.config.status_timeout_seconds)
            elif hasattr(dev, "timeout"):
                dev.timeout = self.config.status_timeout_seconds
            p._raw(command)
            return _status_byte(p._read())
        except NotImplementedError:
            return None  # File transport: write-only
        except (OSError, EscposError) as exc:
            log.info("printer status query got no answer: %s", exc)
            return None
        finally:
            if isinstance(dev, socket.socket):
                dev.settimeout(self.config.timeout_seconds)

    def _status(self, p: Escpos) -> PrinterStatus:
        return interpret_status(self._ask(p, ASK_PRINTER), self._ask(p, ASK_PAPER))

    def _acquire(self) -> None:
        if not self._lock.acquire(timeout=self.config.timeout_seconds):
            raise PrinterBusy("another ticket is still printing")

    # -- public ----------------------------------------------------------------

    def check(self) -> PrinterStatus:
        """Ask the printer how it is. Never raises; opening it is the only side effect."""
        if self.config.kind == "none":
            return PrinterStatus(PrinterState.NOT_CONFIGURED, detail="no printer configured")
        if self.config.kind == "virtual":
            return PrinterStatus(PrinterState.READY, True, "ok", "virtual printer")
        try:
            self._acquire()
        except PrinterBusy as exc:
            return PrinterStatus(PrinterState.BUSY, detail=str(exc))
        try:
            p = self._open()
        except PrinterBusy as exc:
            self._lock.release()
            return PrinterStatus(PrinterState.BUSY, detail=str(exc))
        except PrinterUnavailable as exc:
            self._lock.release()
            return PrinterStatus(PrinterState.UNAVAILABLE, detail=str(exc))
        try:
            status = self._status(p)
        finally:
            self._close(p)
            self._lock.release()
        log.info("printer %s: %s", self.describe(), status.state)
        return status

    def print_ticket(self, ticket: TicketPrint) -> Path | None:
        """Print one ticket; raise PrinterUnavailable/PrinterBusy/PaperOut/PrinterOffline.

        Returns the preview PNG's path for the virtual printer, else None.
        """
        data = ticket_bytes(ticket, self.config.paper_mm, self.config.profile)
        if self.config.kind == "virtual":
            return self._save_virtual(ticket, data)
        self._acquire()
        try:
            p = self._open()
            try:
                if self.config.check_before_print:
                    status = self._status(p)
                    if status.state is PrinterState.PAPER_OUT:
                        raise PaperOut("the ticket printer is out of paper")
                    if status.state is PrinterState.OFFLINE:
                        raise PrinterOffline("the ticket printer is offline (cover open?)")
                    if status.state is PrinterState.UNKNOWN:
                        log.warning("printer did not report its status; printing anyway")
                self._send(p, data)
            finally:
                self._close(p)
        finally:
            self._lock.release()
        log.info("printed ticket %s (%d bytes) on %s", ticket.code, len(data), self.describe())
        return None

    def _send(self, p: Escpos, data: bytes) -> None:
        try:
            p._raw(data)
            flush = getattr(p, "flush", None)
            if callable(flush):
                flush()
        except TimeoutError as exc:
            raise PrinterOffline("the ticket printer stopped taking data") from exc
        except (OSError, EscposError) as exc:
            if _is_busy(exc):
                raise PrinterBusy(f"printer is in use: {exc}") from exc
            raise PrinterOffline(f"the ticket printer failed while printing: {exc}") from exc

    def _save_virtual(self, ticket: TicketPrint, data: bytes) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        stem = f"{stamp}-{ticket.code}"
        try:
            self.preview_dir.mkdir(parents=True, exist_ok=True)
            (self.preview_dir / f"{stem}.escpos").write_bytes(data)
            path = save_preview(ticket, self.preview_dir / f"{stem}.png", self.config.paper_mm)
        except OSError as exc:
            raise PrinterUnavailable(f"cannot write ticket preview: {exc}") from exc
        log.info("virtual printer: ticket %s -> %s", ticket.code, path)
        return path
