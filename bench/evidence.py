"""The evaluation's evidence pack of a generated year: how long it takes, how big it is.

    .venv/bin/python -m bench.evidence [--db sqlite:///tmp/year.sqlite] [--tickets 500000]

A fresh database gets bench.history's year of tickets, then what the other parts of
the pack read: SKM answers for about one served ticket in twenty (bulk rows, as the
history's tickets are), complaints filed and answered through the complaints room, an
SKM follow-up action, two kiosks and two TVs heard from, and pictures of their screens
in a data directory. The months are sealed as the server does at start; then the pack
is made as the API makes it (PDF, then ZIP), each timed. The target: under a minute.
"""

from __future__ import annotations

import argparse
import io
import logging
import random
import sys
import tempfile
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import func, insert, select

from bench.common import machine
from bench.history import generate
from server.access.auth import Principal
from server.complaints import register
from server.complaints.register import ComplaintChange, ComplaintRequest
from server.evidence.exports import evidence_download
from server.office import audit, devices
from server.queue.pages import TicketPages
from server.queue.site import Site
from server.reports.devices import Heartbeat, record_heartbeat
from server.reports.months import seal_due
from server.skm import followup
from server.skm.tables import SurveyRow
from server.store.db import Store
from server.store.tables import DeviceRow, TicketRow
from shared.config import load_config

log = logging.getLogger(__name__)
MANAGER = Principal(role="admin", username="bench")
BENCH = audit.Actor("bench", "technician", "cli")


def _surveys(store: Store, site: Site, rng: random.Random) -> int:
    """SKM answers for about 5% of the done tickets, scores mostly 3 and 4."""
    with store.read() as s:
        done = s.execute(
            select(
                TicketRow.id, TicketRow.business_day, TicketRow.finished_at, TicketRow.service,
                TicketRow.counter, TicketRow.officer,
            ).where(TicketRow.status == "done")
        ).all()  # fmt: skip
    rows = []
    for tid, day, finished, service, counter, officer in done:
        if rng.random() >= 0.05:
            continue
        agency, svc = site.services[service]
        scores = {f"u{i}": rng.choices((2, 3, 4), (1, 6, 4))[0] for i in range(1, 10)}
        rows.append(
            {
                "ticket_id": tid,
                "business_day": day,
                "answered_at": finished,
                "channel": "tablet",
                **scores,
                "service": service,
                "agency": agency.code,
                "counter": counter,
                "officer": officer,
                "target_minutes": svc.target_minutes,
            }
        )
    with store.write_engine.begin() as conn:
        for i in range(0, len(rows), 20_000):
            conn.execute(insert(SurveyRow), rows[i : i + 20_000])
    return len(rows)


def _complaints(store: Store, site: Site, first: date, days: int, rng: random.Random) -> int:
    pages = TicketPages.load(store)
    agencies = list(site.config.agencies)
    channels = ("web", "letter", "phone", "social")
    made = 0
    for i in range(120):
        day = first + timedelta(days=rng.randrange(days))
        when = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
        a = rng.choice(agencies)
        req = ComplaintRequest(
            agency=a.code, text=f"Pengaduan contoh nomor {i + 1}.", channel=rng.choice(channels)
        )
        entry = register.file(store, site, pages, MANAGER, req, when)
        if rng.random() < 0.8:
            answer = ComplaintChange(answer="Sudah ditindaklanjuti.", status="answered")
            later = when + timedelta(days=rng.randrange(1, 10))
            register.change(store, site, MANAGER, entry.id, answer, later)
        made += 1
    return made


def _devices(store: Store, site: Site, now: datetime, folder: Path) -> None:
    known = set(site.counters)
    with store.write() as s:
        for name, role, beat in (
            ("kios-lobi", "kiosk", Heartbeat(printer="ok")),
            ("kios-lantai-2", "kiosk", Heartbeat(printer="paper_low")),
            ("tv-ruang-tunggu", "display", Heartbeat(voice="ok")),
            ("tv-lantai-2", "display", Heartbeat(voice="ok")),
        ):
            devices.register(s, name, role, None, known, now - timedelta(days=400), actor=BENCH)
            device = s.scalar(select(DeviceRow.id).where(DeviceRow.name == name))
            assert device is not None
            record_heartbeat(s, device, beat, now, "127.0.0.1")
    folder.mkdir(parents=True, exist_ok=True)
    # screens the size the apps' --screenshots write (kiosk portrait, TV landscape)
    Image.new("RGB", (1080, 1920), "#1565c0").save(folder / "kiosk-home.png")
    Image.new("RGB", (1920, 1080), "#0b3d6b").save(folder / "tv-board.png")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.evidence", description=__doc__.split("\n")[0])
    p.add_argument("--db", help="an empty database (default: a SQLite file in a temp dir)")
    p.add_argument("--tickets", type=int, default=500_000)
    p.add_argument("--start", type=date.fromisoformat, default=date(2026, 1, 5))
    p.add_argument("--days", type=int, default=365)
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-evidence-"))
    url = args.db or f"sqlite:///{work}/year.sqlite"
    config = load_config(None)
    site = Site(config)
    rng = random.Random(7)
    t0 = time.perf_counter()
    rows = generate(url, args.tickets, args.start, args.days)
    store = Store(url)
    try:
        answers = _surveys(store, site, rng)
        filed = _complaints(store, site, args.start, args.days, rng)
        last = args.start + timedelta(days=args.days - 1)
        followup.add(
            store, MANAGER, start=args.start, end=last, unit="site", unsur=3,
            what="Papan perkiraan waktu tunggu di setiap loket", person="Kepala Seksi Pelayanan",
            due=last, now=datetime.now(UTC),
        )  # fmt: skip
        now = datetime.combine(last, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
        _devices(store, site, now, work / "evidence")
        print(
            f"history: {rows:,} ticket rows, {answers:,} SKM answers, {filed} complaints "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        t1 = time.perf_counter()
        sealed = seal_due(store, site, last + timedelta(days=1))
        took = time.perf_counter() - t1
        print(f"sealed {sealed} months in {took:.1f} s (the server does it at start)")
        with store.read() as s:
            days = s.scalar(select(func.count(func.distinct(TicketRow.business_day))))
        period = (args.start.isoformat(), last.isoformat())
        for fmt in ("pdf", "zip"):
            t2 = time.perf_counter()
            got = evidence_download(store, site, *period, fmt, str(work))
            took = time.perf_counter() - t2
            (work / got.name).write_bytes(got.data)
            size = len(got.data) / 1024
            print(f"evidence {fmt}: {took:.1f} s, {size:,.0f} KB ({machine()}) -> {got.name}")
            if fmt == "zip":
                for info in zipfile.ZipFile(io.BytesIO(got.data)).infolist():
                    print(f"  {info.filename}: {info.file_size / 1024:,.0f} KB")
        print(f"period {period[0]} .. {period[1]}: {days} open days; files in {work}")
    finally:
        store.dispose()
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    sys.exit(main())
