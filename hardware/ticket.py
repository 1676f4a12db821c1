"""The ticket: its data (`TicketPrint`) and its one ESC/POS layout, shared by every transport.

`layout_ticket` is the only description of a ticket: the printer's bytes come from running
it on a python-escpos printer, the PNG preview from running it on
`hardware.preview.TicketCanvas`. `TicketPaper` is what the layout may call on either.
"""

from __future__ import annotations

import logging
import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from shared.i18n import queue_lines
from shared.timeutil import format_date, format_time

if TYPE_CHECKING:
    from shared.config import SiteConfig
    from shared.models import Ticket

log = logging.getLogger(__name__)

# Font A is 12 dots wide; printable width in dots and characters per paper width.
DOTS = {58: 384, 80: 576}
COLUMNS = {58: 32, 80: 48}
FONT_A_WIDTH = 12

HEADING = "Nomor Antrean Anda"
PRIORITY_MARK = "PRIORITAS"
# A booking checked in at the kiosk ("antrean online", docs/ARCHITECTURE.md, Words).
ONLINE_MARK = "ANTREAN ONLINE"
QR_HINT = "Pindai untuk melihat status antrean"


@dataclass(frozen=True)
class TicketPrint:
    """Everything printed on one ticket, already decided (no config look-ups in the layout)."""

    site_name: str
    code: str
    agency_name: str
    service_name: str
    issued_at: datetime
    priority: bool = False
    online: bool = False  # a booking's check-in
    ahead: int | None = None
    estimated_wait_minutes: int | None = None
    counters_open: int | None = None  # 0: no counter open yet for the service
    status_url: str = ""
    footer: str = ""
    timezone: str = "Asia/Jakarta"
    zone_label: str = "WIB"
    logo: str = ""  # path to an image; skipped when empty or unreadable

    @classmethod
    def from_ticket(
        cls,
        ticket: Ticket,
        site: SiteConfig,
        server_url: str,
        status_url: str = "{server}{page}",
        *,
        page: str = "",
    ) -> TicketPrint:
        """From the server's wire ticket, the site config, the base URL QR codes use (the
        site's public URL, else the server's as the kiosk reaches it) and the ticket's own
        page (`page` of the issue answer, /t/{token}). No page to point to: no QR code."""
        if "{page}" in status_url and not page:
            server_url = ""
        url = status_url.format(
            server=server_url.rstrip("/"), id=ticket.id, code=ticket.code, page=page
        )
        return cls(
            site_name=site.name,
            code=ticket.code,
            agency_name=ticket.agency_name,
            service_name=ticket.service_name,
            issued_at=ticket.issued_at,
            priority=ticket.priority,
            online=bool(getattr(ticket, "online", False)),
            ahead=ticket.ahead,
            estimated_wait_minutes=ticket.estimated_wait_minutes,
            counters_open=ticket.counters_open,
            status_url=url if server_url else "",
            footer=site.footer,
            timezone=site.timezone,
            zone_label=site.zone_label,
            logo=site.logo,
        )

    @property
    def local_time(self) -> datetime:
        """The issue time on the site's wall clock (never UTC, never the box's own zone)."""
        return self.issued_at.astimezone(ZoneInfo(self.timezone))

    def date_line(self) -> str:
        return format_date(self.local_time, "id")

    def time_line(self) -> str:
        return f"Pukul {format_time(self.local_time, 'id')} {self.zone_label}".strip()

    def ahead_line(self) -> str:
        return self._queue_lines()[0]

    def wait_line(self) -> str:
        return self._queue_lines()[1]

    def _queue_lines(self) -> tuple[str, str]:
        if self.ahead is None:
            return "", ""
        return queue_lines(self.ahead, self.counters_open, self.estimated_wait_minutes)


def code_magnification(code: str, paper_mm: int) -> int:
    """The largest character size (1-8) at which the code still fits the paper with margin."""
    cap = 5 if paper_mm == 58 else 6
    fit = int(DOTS[paper_mm] * 0.9) // (FONT_A_WIDTH * max(1, len(code)))
    return max(1, min(cap, fit))


def qr_module_size(paper_mm: int) -> int:
    return 5 if paper_mm == 58 else 6


def wrap(text: str, paper_mm: int, magnification: int = 1) -> list[str]:
    """Lines that fit the paper at a character width multiplier."""
    width = max(4, COLUMNS[paper_mm] // magnification)
    return textwrap.wrap(text, width) or [""]


class TicketPaper(Protocol):
    """The part of python-escpos's `Escpos` API the layout uses: same names, parameters and
    defaults. A call outside it fails mypy, so the preview canvas cannot fall behind."""

    def hw(self, hw: str) -> None: ...

    def set(
        self,
        *,
        align: str | None = None,
        bold: bool | None = None,
        width: int | None = None,
        height: int | None = None,
        invert: bool | None = None,
        smooth: bool | None = None,
        normal_textsize: bool | None = None,
        double_width: bool | None = None,
        double_height: bool | None = None,
        custom_size: bool | None = None,
    ) -> None: ...

    def textln(self, txt: str = "") -> None: ...

    def ln(self, count: int = 1) -> None: ...

    def image(self, img_source: str, *, center: bool = False) -> None: ...

    def qr(self, content: str, *, size: int = 3, native: bool = False) -> None: ...

    def cut(self) -> None: ...


def _rule(p: TicketPaper, paper_mm: int) -> None:
    p.set(align="center", normal_textsize=True, bold=False)
    p.textln("-" * COLUMNS[paper_mm])


def layout_ticket(p: TicketPaper, t: TicketPrint, paper_mm: int = 80) -> None:
    """Lay out one ticket on an escpos printer (a Dummy records the exact bytes) or on the
    preview's canvas, which draws the same calls."""
    p.hw("INIT")
    p.set(align="center", bold=True, double_height=True, double_width=True)
    for line in wrap(t.site_name, paper_mm, 2):
        p.textln(line)
    if t.logo:
        logo = Path(t.logo)
        if logo.is_file():
            p.set(normal_textsize=True)
            p.image(str(logo), center=True)
        else:
            log.warning("ticket logo %s not found; printing without it", logo)
    _rule(p, paper_mm)

    p.set(align="center", normal_textsize=True, bold=False)
    p.textln(HEADING)
    size = code_magnification(t.code, paper_mm)
    p.set(align="center", bold=True, custom_size=True, width=size, height=size, smooth=True)
    p.textln(t.code)
    if t.priority:
        p.set(align="center", bold=True, double_height=True, double_width=True, invert=True)
        p.textln(f" {PRIORITY_MARK} ")
        p.set(invert=False)
        p.ln()
    if t.online:
        p.set(align="center", bold=True, double_height=True, double_width=False)
        p.textln(ONLINE_MARK)
        p.ln()
    # Double width as well as height: tall alone reads as a squeezed, narrow font.
    p.set(align="center", bold=True, double_height=True, double_width=True, smooth=False)
    for line in wrap(t.agency_name, paper_mm, 2):
        p.textln(line)
    p.set(align="center", bold=False, normal_textsize=True)
    for line in wrap(t.service_name, paper_mm):
        p.textln(line)
    _rule(p, paper_mm)

    for line in wrap(t.date_line(), paper_mm) + wrap(t.time_line(), paper_mm):
        p.textln(line)
    p.set(align="center", bold=True, normal_textsize=True)
    for text in (t.ahead_line(), t.wait_line()):
        for line in wrap(text, paper_mm) if text else []:
            p.textln(line)
    p.set(align="center", bold=False, normal_textsize=True)
    if t.status_url:
        p.ln()
        # native: the printer draws the code, ~200 bytes instead of a 3.5 KB raster image
        p.qr(t.status_url, size=qr_module_size(paper_mm), native=True)
        for line in wrap(QR_HINT, paper_mm):
            p.textln(line)
    if t.footer:
        p.ln()
        for line in wrap(t.footer, paper_mm):
            p.textln(line)
    p.cut()


def ticket_bytes(t: TicketPrint, paper_mm: int = 80, profile: str = "") -> bytes:
    """The exact ESC/POS bytes of one ticket."""
    from escpos.printer import Dummy

    dummy = Dummy(profile=profile or None)
    layout_ticket(dummy, t, paper_mm)
    return bytes(dummy.output)
