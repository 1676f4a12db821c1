"""`antrian status`: what a technician checks at 7 a.m. (server, devices, printers, counters).

Reads the database directly (no migration, no writes) and asks the server's
/health; either may be missing and the report says so instead of failing.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from server.cli.settings import config_from, db_url
from server.office.live import site_config
from server.reports.devices import device_state
from server.store.db import Store
from server.store.identity import StartRefused, check_wal
from server.store.opening import safe_url
from server.store.tables import CounterRow, DeviceRow, SessionRow, TicketRow
from shared.config import Config
from shared.errors import AntrianError
from shared.models import API_PATH, Health
from shared.timeutil import business_day, utcnow

# Printer states a kiosk reports (POST /devices/status) that need someone with paper or a cable.
PRINTER_PROBLEMS = {
    "paper_near_end": "paper near end",
    "paper_out": "PAPER OUT",
    "offline": "OFFLINE",
    "error": "ERROR",
}


@dataclass
class DeviceLine:
    name: str
    role: str
    last_seen: datetime | None
    address: str
    printer: str
    seen_today: bool
    voice: str = ""  # a TV's heartbeat: ok, failed, off
    last_seq: int | None = None  # the last event a TV has


@dataclass
class CounterLine:
    code: str
    name: str
    status: str
    officer: str
    ticket: str
    since: datetime | None


@dataclass
class Status:
    site: str
    tz: ZoneInfo
    now: datetime
    server_url: str
    health: Health | None = None
    server_error: str = ""
    database: str = ""
    database_error: str = ""
    issued_today: int = 0
    waiting_now: int = 0
    devices: list[DeviceLine] = field(default_factory=list)
    counters: list[CounterLine] = field(default_factory=list)
    sessions: list[tuple[str, str, datetime]] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        out = []
        if self.health is None:
            out.append(f"server not reachable at {self.server_url}")
        if self.database_error:
            out.append(self.database_error)
        for d in self.devices:
            if not d.seen_today:
                out.append(f"{d.name} has not connected today")
            if d.printer in PRINTER_PROBLEMS:
                out.append(f"{d.name}: printer {PRINTER_PROBLEMS[d.printer]}")
            if d.voice == "failed":
                out.append(f"{d.name}: voice FAILED")
        return out


def server_url(config: Config, flag: str | None) -> str:
    if flag:
        return flag.rstrip("/")
    if config.client.server:
        return config.client.server.rstrip("/")
    return f"http://127.0.0.1:{config.server.port}"


def ask_health(url: str, timeout: float = 3.0) -> tuple[Health | None, str]:
    try:
        answer = httpx.get(f"{url}{API_PATH}/health", timeout=timeout)
        answer.raise_for_status()
        return Health.model_validate(answer.json()), ""
    except (httpx.HTTPError, ValueError) as exc:
        return None, str(exc) or type(exc).__name__


def read_database(status: Status, url: str, today: date, config: Config) -> None:
    """Fill devices, counters and sessions from the database; errors land in the status.
    Counter names and the site's name are the database's (the TOML's while it holds none)."""
    status.database = safe_url(url)
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[-1])
        if not path.is_file():
            status.database_error = f"no database at {path} (has the server ever run?)"
            return
        try:
            check_wal(path)  # opening it beside a foreign -wal would replay that log into it
        except StartRefused as exc:
            status.database_error = str(exc)
            return
    store = Store(url)
    try:
        try:
            site = site_config(store, config)
        except SQLAlchemyError:  # a database from before the site moved into it
            site = config
        status.site = site.site.name
        with store.read() as s:
            _read(s, status, today, {c.code: c.name for c in site.counters})
    except SQLAlchemyError as exc:
        status.database_error = (
            f"cannot read the database {status.database}: {getattr(exc, 'orig', None) or exc}"
        )
    finally:
        store.dispose()


def _count(s: Session, *where: ColumnElement[bool]) -> int:
    return s.scalar(select(func.count()).select_from(TicketRow).where(*where)) or 0


def _read(s: Session, status: Status, today: date, names: dict[str, str]) -> None:
    status.issued_today = _count(
        s, TicketRow.business_day == today, TicketRow.transferred_from.is_(None)
    )
    status.waiting_now = _count(s, TicketRow.business_day == today, TicketRow.status == "waiting")
    devices = select(DeviceRow).where(DeviceRow.revoked.is_(False))
    for d in s.scalars(devices.order_by(DeviceRow.name)):
        seen = d.last_seen_at
        state = device_state(d)  # the heartbeat's state, the same the floor shows
        last_seq = state.get("last_seq")
        status.devices.append(
            DeviceLine(
                name=d.name,
                role=d.role,
                last_seen=seen,
                address=d.last_address or "",
                printer=str(state.get("printer") or ""),
                seen_today=seen is not None and business_day(status.tz, seen) == today,
                voice=str(state.get("voice") or ""),
                last_seq=last_seq if isinstance(last_seq, int) else None,
            )
        )
    current = select(CounterRow.ticket_id).where(CounterRow.ticket_id.is_not(None))
    codes = {t.id: t.code for t in s.scalars(select(TicketRow).where(TicketRow.id.in_(current)))}
    for c in s.scalars(select(CounterRow).order_by(CounterRow.code)):
        status.counters.append(
            CounterLine(
                code=c.code,
                name=names.get(c.code, ""),
                status=c.status,
                officer=c.officer or "",
                ticket=codes.get(c.ticket_id, "") if c.ticket_id else "",
                since=c.updated_at,
            )
        )
    sessions = select(SessionRow).where(  # at counters: the console's sign-ins are not
        SessionRow.ended.is_(False),
        SessionRow.expires_at > status.now,
        SessionRow.kind == "counter",
    )
    for row in s.scalars(sessions.order_by(SessionRow.counter)):
        status.sessions.append((row.username, row.counter, row.created_at))


def gather(config: Config, db: str | None, server: str | None) -> Status:
    """Ask the server and read the database; never raises for a missing part."""
    tz = config.site.tz
    now = utcnow()
    status = Status(site=config.site.name, tz=tz, now=now, server_url=server_url(config, server))
    status.health, status.server_error = ask_health(status.server_url)
    read_database(status, db_url(config, db), business_day(tz, now), config)
    return status


def _when(at: datetime | None, status: Status) -> str:
    if at is None:
        return "never"
    local = at.astimezone(status.tz)
    today = business_day(status.tz, status.now)
    if local.date() == today:
        return f"today {local:%H:%M}"
    days = (today - local.date()).days
    ago = "yesterday" if days == 1 else f"{days} days ago"
    return f"{local:%Y-%m-%d %H:%M} ({ago})"


def _voice(d: DeviceLine) -> str:
    if d.role != "display":
        return "-"
    voice = {"failed": "FAILED"}.get(d.voice, d.voice) or "unknown"
    return voice if d.last_seq is None else f"{voice} (event {d.last_seq})"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*headers), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*r) for r in rows]
    lines = [line.rstrip() for line in lines]
    return ["  " + line for line in lines]


def render(status: Status) -> str:
    """The readable report."""
    local = status.now.astimezone(status.tz)
    out = [f"{status.site}: status at {local:%Y-%m-%d %H:%M} ({status.tz.key})", ""]
    if status.health is not None:
        h = status.health
        mode = ", DEMO mode" if h.demo else ""
        out.append(
            f"Server    {status.server_url}  OK  (site {h.site!r}, version {h.version}"
            f", server clock {h.time.astimezone(status.tz):%H:%M:%S}{mode})"
        )
    else:
        out.append(f"Server    {status.server_url}  NOT REACHABLE  ({status.server_error})")
    if status.database_error:
        out.append(f"Database  {status.database_error}")
    else:
        out.append(
            f"Database  {status.database}  (today: issued {status.issued_today}, "
            f"waiting {status.waiting_now})"
        )
    out += ["", "Devices (kiosks, displays and survey tablets)"]
    if status.devices:
        rows = []
        for d in status.devices:
            printer = PRINTER_PROBLEMS.get(d.printer, d.printer) if d.role == "kiosk" else ""
            flag = "" if d.seen_today else "  <- not seen today"
            rows.append(
                [
                    d.name,
                    d.role,
                    _when(d.last_seen, status) + flag,
                    d.address or "-",
                    printer or ("unknown" if d.role == "kiosk" else "-"),
                    _voice(d),
                ]
            )
        out += _table(["NAME", "ROLE", "LAST CONTACT", "ADDRESS", "PRINTER", "VOICE"], rows)
    else:
        out.append("  none registered (antrian device add NAME --role kiosk|display)")
    open_counters = [c for c in status.counters if c.status != "closed"]
    closed = len(status.counters) - len(open_counters)
    out += ["", f"Counters: {len(open_counters)} open or paused, {closed} closed"]
    if open_counters:
        rows = [
            [c.code, c.name, c.status, c.officer or "-", c.ticket or "-", _when(c.since, status)]
            for c in open_counters
        ]
        out += _table(["COUNTER", "NAME", "STATUS", "OFFICER", "TICKET", "SINCE"], rows)
    out += ["", f"Officers signed in: {len(status.sessions)}"]
    if status.sessions:
        rows = [[u, c, _when(at, status)] for u, c, at in status.sessions]
        out += _table(["OFFICER", "COUNTER", "SINCE"], rows)
    problems = status.problems
    out += ["", f"Problems: {len(problems)}" if problems else "Problems: none"]
    out += [f"  - {p}" for p in problems]
    return "\n".join(out) + "\n"


def status_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="antrian status",
        description="Server, devices (last contact, printer paper), counters and officers now. "
        "Exit code 1 when something needs attention.",
    )
    p.add_argument("--config", help="site config (TOML)")
    p.add_argument("--db", help="database URL; default as for `antrian server`")
    p.add_argument("--server", help="server URL; default [client] server or 127.0.0.1:PORT")
    args = p.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one request; its INFO line is noise
    try:
        config = config_from(args.config)
        status = gather(config, args.db, args.server)
    except AntrianError as exc:
        print(f"antrian status: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render(status))
    return 1 if status.problems else 0
