"""The queue facilities the site runs, as KemenPANRB's evaluation scores them: six of them
(a loudspeaker, staff guidance, grouping by agency, online registration, a ticket
number, a queue monitor), each from the site's own setup and the devices' heartbeats.

A device counts for a period when it was registered before the period ended and last
heard from on or after its first day (a heartbeat keeps only the last contact, so a
device heard since is taken to have run through the period too). What the tickets say
(issued, online) is passed in from the summary report, never counted again here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.queue.site import Site
from server.reports.devices import device_state
from server.reports.exports import id_number
from server.reports.tables import HelpRow
from server.store.tables import DeviceRow

ROLE_NAMES_ID = {"kiosk": "Kios", "display": "TV", "survey": "Tablet survei"}
STATE_NAMES_ID = {
    "ok": "berfungsi",
    "failed": "gagal",
    "off": "mati",
    "paper_out": "kertas habis",
    "paper_low": "kertas hampir habis",
    "offline": "tidak terhubung",
    "error": "galat",
    "cover_open": "tutup terbuka",
}


@dataclass(frozen=True)
class DeviceSeen:
    name: str
    role: str
    last_seen: datetime | None  # local time
    printer: str | None
    voice: str | None

    @property
    def role_name(self) -> str:
        return ROLE_NAMES_ID.get(self.role, self.role)

    @property
    def state_text(self) -> str:
        parts = []
        if self.printer:
            parts.append(f"printer {STATE_NAMES_ID.get(self.printer, self.printer)}")
        if self.voice:
            parts.append(f"suara {STATE_NAMES_ID.get(self.voice, self.voice)}")
        return ", ".join(parts) or "-"


@dataclass(frozen=True)
class Facility:
    """One of the six: whether the site runs it in the period, and what shows it."""

    key: str  # loudspeaker, guidance, grouping, online, ticket, monitor
    name: str
    present: bool
    evidence: str
    pictures: str  # the pictures' kind that show it ("kiosk", "tv"), or ""


@dataclass(frozen=True)
class Facilities:
    items: list[Facility]
    devices: list[DeviceSeen]
    help_asked: int
    help_taken: int

    @property
    def present(self) -> int:
        return sum(1 for f in self.items if f.present)


def _bounds(site: Site, date_from: date, date_to: date) -> tuple[datetime, datetime]:
    start = datetime.combine(date_from, time(0), tzinfo=site.tz).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=site.tz).astimezone(UTC)
    return start, end


def devices_seen(s: Session, site: Site, date_from: date, date_to: date) -> list[DeviceSeen]:
    """The kiosks, TVs and tablets in use in the period (see the module's note)."""
    start, end = _bounds(site, date_from, date_to)
    rows = s.scalars(
        select(DeviceRow)
        .where(
            DeviceRow.created_at < end,
            DeviceRow.last_seen_at >= start,
            DeviceRow.role.in_(tuple(ROLE_NAMES_ID)),
        )
        .order_by(DeviceRow.role, DeviceRow.name)
    ).all()
    out = []
    for d in rows:
        state = device_state(d)
        printer, voice = state.get("printer"), state.get("voice")
        out.append(
            DeviceSeen(
                name=d.name,
                role=d.role,
                last_seen=d.last_seen_at.astimezone(site.tz) if d.last_seen_at else None,
                printer=str(printer) if printer else None,
                voice=str(voice) if voice else None,
            )
        )
    return out


def help_calls(s: Session, site: Site, date_from: date, date_to: date) -> tuple[int, int]:
    """(asked, taken) of the kiosks' "Butuh bantuan" calls in the period."""
    start, end = _bounds(site, date_from, date_to)
    asked, taken = s.execute(
        select(func.count(), func.count(HelpRow.taken_at)).where(
            HelpRow.site_id == 1, HelpRow.asked_at >= start, HelpRow.asked_at < end
        )
    ).one()
    return int(asked or 0), int(taken or 0)


def facilities(
    s: Session, site: Site, date_from: date, date_to: date, *, issued: int, online: int
) -> Facilities:
    """The six facilities in the period; `issued` and `online` are the summary's totals."""
    devices = devices_seen(s, site, date_from, date_to)
    kiosks = [d for d in devices if d.role == "kiosk"]
    tvs = [d for d in devices if d.role == "display"]
    voiced = [d for d in tvs if d.voice == "ok"]
    printing = [d for d in kiosks if d.printer]
    asked, taken = help_calls(s, site, date_from, date_to)
    agencies = site.config.agencies
    services = [svc for a in agencies for svc in a.services if not svc.hidden]
    booked = [svc for svc in services if svc.sessions]
    n = id_number
    items = [
        Facility(
            "loudspeaker",
            "Pengeras suara (pemanggilan dengan suara)",
            bool(voiced),
            f"{len(voiced)} dari {len(tvs)} TV memanggil nomor dengan suara"
            " (suara berfungsi menurut laporan perangkat terakhir).",
            "tv",
        ),
        Facility(
            "guidance",
            "Petugas pemandu (tombol Butuh bantuan di kios)",
            bool(kiosks) or asked > 0,
            f"{n(asked)} panggilan bantuan dari kios, {n(taken)} didatangi petugas.",
            "kiosk",
        ),
        Facility(
            "grouping",
            "Pengelompokan antrean per instansi",
            bool(agencies),
            f"{len(agencies)} instansi, {len(services)} layanan,"
            " masing-masing dengan huruf nomor antrean sendiri.",
            "kiosk",
        ),
        Facility(
            "online",
            "Pendaftaran antrean online",
            bool(booked),
            f"{len(booked)} layanan dengan sesi pendaftaran online;"
            f" {n(online)} antrean datang dari pendaftaran online.",
            "",
        ),
        Facility(
            "ticket",
            "Nomor antrean (tiket dicetak di kios)",
            issued > 0,
            f"{len(printing)} kios dengan printer tiket; {n(issued)} nomor antrean diterbitkan.",
            "kiosk",
        ),
        Facility(
            "monitor",
            "Monitor antrean (TV ruang tunggu)",
            bool(tvs),
            f"{len(tvs)} TV menampilkan nomor yang dipanggil.",
            "tv",
        ),
    ]
    return Facilities(items, devices, asked, taken)
