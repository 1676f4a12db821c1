"""The floor's alerts: the site's thresholds against the floor now.

`evaluate_alerts` compares the floor (server/reports/views.py) with the site's
thresholds and keeps the alerts table in step: an alert opens when its condition starts
and ends when it stops, so the list says when each started and ended.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.queue.site import Site
from server.reports import help
from server.reports.tables import AlertRow
from server.reports.views import PRINTER_DOWN, WATCHED_ROLES, Floor, floor_view
from server.store.tables import DeviceRow

log = logging.getLogger(__name__)


def wanted_alerts(
    site: Site, floor: Floor, guessing: Mapping[str, int] | None = None
) -> dict[tuple[str, str], str]:
    """(kind, subject) -> message for every condition that holds on this floor.

    `guessing`: kiosk name -> check-ins it had refused lately (server/access/limits.py),
    for those that keep trying codes that do not exist."""
    cfg = site.config.alerts
    want: dict[tuple[str, str], str] = {}
    waiting_by_service = {}
    for agency in floor.agencies:
        for svc in agency.services:
            waiting_by_service[svc.code] = svc.waiting
            if (
                svc.longest_wait_minutes is not None
                and svc.longest_wait_minutes > svc.target_minutes
            ):
                want[("wait", svc.code)] = (
                    f"{svc.name}: menunggu {svc.longest_wait_minutes:.0f} menit"
                    f" (batas {svc.target_minutes} menit)"
                )
            if svc.quota_left is not None and svc.quota_left <= cfg.quota_left:
                want[("quota", svc.code)] = f"{svc.name}: kuota tersisa {svc.quota_left}"
    for c in floor.counters:
        if c.paused_minutes is None or c.paused_minutes < cfg.pause_minutes:
            continue
        services = site.counters[c.code].services if c.code in site.counters else []
        people = sum(waiting_by_service.get(x, 0) for x in services)
        if people:
            want[("pause", c.code)] = (
                f"{c.name}: jeda {c.paused_minutes:.0f} menit, {people} orang menunggu"
            )
    for d in floor.devices:
        if d.role not in WATCHED_ROLES:
            continue
        printer = str(d.state.get("printer") or "")
        if d.role == "kiosk" and printer in PRINTER_DOWN:
            want[("printer", d.name)] = f"Printer {d.name}: {printer}"
        if d.silent_minutes is not None and d.silent_minutes >= cfg.device_silent_minutes:
            want[("silent", d.name)] = (
                f"{d.name} ({d.role}) tidak terdengar {d.silent_minutes:.0f} menit"
            )
    for name, refused in (guessing or {}).items():
        want[("guessing", name)] = (
            f"{name}: {refused} kode booking salah dalam 5 menit (ada yang menebak kode?)"
        )
    for h in floor.help:  # opened and ended by help.py; kept while the call is open
        want[(help.KIND, help.subject(h.kiosk, h.id))] = help.message(h.kiosk, h.note)
    return want


# Alerts another room raises (e.g. overdue complaints), computed by the caller: this room
# does not import its siblings (the layers' contract, setup.cfg).
More = Mapping[tuple[str, str], str]


def guessing_names(s: Session, guessing: Mapping[int, int]) -> dict[str, int]:
    """Device ids -> their names (the demo kiosk's id 0 is "demo-kiosk")."""
    out = {}
    for device, n in guessing.items():
        row = s.get(DeviceRow, device) if device > 0 else None
        name = row.name if row is not None else ("demo-kiosk" if device == 0 else f"#{device}")
        out[name] = n
    return out


def _diff(
    s: Session,
    site: Site,
    now: datetime,
    more: More | None = None,
    guessing: Mapping[int, int] | None = None,
) -> tuple[dict[tuple[str, str], str], list[AlertRow]]:
    """The alerts to open (key -> message) and the open rows to end."""
    names = guessing_names(s, guessing or {})
    want = {**wanted_alerts(site, floor_view(s, site, now), names), **(more or {})}
    open_rows = s.scalars(select(AlertRow).where(AlertRow.ended_at.is_(None))).all()
    have = {(a.kind, a.subject) for a in open_rows}
    to_open = {k: m for k, m in want.items() if (k[0], k[1][:64]) not in have}
    to_end = [a for a in open_rows if (a.kind, a.subject) not in {(k, x[:64]) for k, x in want}]
    return to_open, to_end


def alerts_due(
    s: Session,
    site: Site,
    now: datetime,
    more: More | None = None,
    guessing: Mapping[int, int] | None = None,
) -> bool:
    """Read-only: would evaluate_alerts change anything? (No write lock every few seconds.)"""
    to_open, to_end = _diff(s, site, now, more, guessing)
    return bool(to_open or to_end)


def evaluate_alerts(
    s: Session,
    site: Site,
    now: datetime,
    more: More | None = None,
    guessing: Mapping[int, int] | None = None,
) -> tuple[int, int]:
    """Open the alerts that now hold, end those that no longer do; (opened, ended).

    An alert's message is the one it started with; the floor shows the live figures.
    """
    to_open, to_end = _diff(s, site, now, more, guessing)
    for row in to_end:
        row.ended_at = now
    for (kind, subject), message in to_open.items():
        s.add(AlertRow(kind=kind, subject=subject[:64], message=message[:200], started_at=now))
    if to_open or to_end:
        log.info("alerts: %d opened, %d ended", len(to_open), len(to_end))
    return len(to_open), len(to_end)
