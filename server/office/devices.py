"""Devices: kiosks, TV displays and survey tablets; tokens shown once, revoked at once.

The one place their rules live: the console's page, `/api/v1/admin/devices` and
`antrian device` all call these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import auth
from server.problems import Problem, invalid
from server.tables import DeviceRow

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class DeviceView:
    id: int
    name: str
    role: str
    counter: str | None
    created_at: datetime
    last_seen_at: datetime | None
    last_address: str | None
    printer: str | None
    revoked: bool
    revoked_at: datetime | None


def view(row: DeviceRow) -> DeviceView:
    return DeviceView(
        id=row.id,
        name=row.name,
        role=row.role,
        counter=row.counter,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        last_address=row.last_address,
        printer=row.printer_status,
        revoked=row.revoked,
        revoked_at=row.revoked_at,
    )


def devices(s: Session) -> list[DeviceView]:
    rows = s.scalars(select(DeviceRow).order_by(DeviceRow.revoked, DeviceRow.role, DeviceRow.name))
    return [view(r) for r in rows]


def register(
    s: Session, name: str, role: str, counter: str | None, known_counters: set[str], now: datetime
) -> tuple[str, DeviceView]:
    """A new device (or a new token for a known name: a box swapped); the token, once."""
    errors: list[tuple[str, str, str]] = []
    if not NAME.match(name):
        errors.append(
            (
                "name",
                "1-64 huruf, angka, titik, garis bawah atau tanda hubung",
                "1-64 letters, digits, dots, underscores or hyphens",
            )
        )
    if role not in auth.ROLES_DEVICE:
        errors.append(("role", "Pilih jenis perangkat", "Choose the kind of device"))
    if role == "survey" and counter not in known_counters:
        errors.append(
            ("counter", "Tablet survei perlu loketnya", "A survey tablet needs its counter")
        )
    if errors:
        raise invalid(*errors)
    token = auth.add_device(s, name, role, now, counter=counter if role == "survey" else None)
    s.flush()
    row = s.scalar(select(DeviceRow).where(DeviceRow.name == name))
    assert row is not None
    return token, view(row)


def revoke(s: Session, device_id: int, now: datetime) -> DeviceView:
    row = s.get(DeviceRow, device_id)
    if row is None:
        raise Problem(404, "unknown_device", f"No device {device_id}.")
    if not row.revoked:
        auth.revoke_device(s, device_id, now)
    return view(row)
