"""Devices: kiosks, TV displays and survey tablets; tokens shown once, revoked at once.

The one place their rules live: the console's page, `/api/v1/admin/devices`,
`antrian device` and the tests' seeds all call these (server/access/auth.py makes and
hashes the token, and resolves it).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.access import auth
from server.access.context import ServerContext
from server.office import audit
from server.office.views import DeviceAnswer, DeviceRegistered
from server.problems import Problem, invalid
from server.store.tables import DeviceRow
from shared.timeutil import utcnow

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # matched whole (fullmatch)
ROLES = ("kiosk", "display", "survey")


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


def demo_devices() -> list[tuple[str, str]]:
    """(token, role) of the demo's built-in devices: no row, so never in devices()."""
    return sorted(auth.DEMO_TOKENS.items(), key=lambda item: item[1])


def devices(s: Session) -> list[DeviceView]:
    rows = s.scalars(select(DeviceRow).order_by(DeviceRow.revoked, DeviceRow.role, DeviceRow.name))
    return [view(r) for r in rows]


def _audited(d: DeviceView | None) -> dict[str, object] | None:
    if d is None:
        return None
    keep = ("name", "role", "counter", "revoked")
    return {k: v for k, v in asdict(d).items() if k in keep}


def register(
    s: Session,
    name: str,
    role: str,
    counter: str | None,
    known_counters: set[str],
    now: datetime,
    *,
    actor: audit.Actor,
) -> tuple[str, DeviceView]:
    """A new device (or a new token for a known name: a box swapped); the token, once."""
    errors: list[tuple[str, str, str]] = []
    if not NAME.fullmatch(name):
        errors.append(
            (
                "name",
                "1-64 huruf, angka, titik, garis bawah atau tanda hubung",
                "1-64 letters, digits, dots, underscores or hyphens",
            )
        )
    if role not in ROLES:
        errors.append(("role", "Pilih jenis perangkat", "Choose the kind of device"))
    if role == "survey" and counter not in known_counters:
        errors.append(
            ("counter", "Tablet survei perlu loketnya", "A survey tablet needs its counter")
        )
    if errors:
        raise invalid(*errors)
    row = s.scalar(select(DeviceRow).where(DeviceRow.name == name))
    before = view(row) if row is not None else None
    token = auth.new_token("dev")
    if row is None:
        row = DeviceRow(name=name, created_at=now)
        s.add(row)
    # Re-adding a name gives it a new token: how a technician swaps a broken box.
    row.role = role
    row.token_hash = auth.token_hash(token)
    row.counter = counter if role == "survey" else None
    row.revoked = False
    row.revoked_at = None
    s.flush()
    after = view(row)
    action = "create" if before is None else "new_token"
    audit.record(
        s, actor, now, [audit.Entry(action, "device", name, _audited(before), _audited(after))]
    )
    return token, after


def revoke(s: Session, device_id: int, now: datetime, *, actor: audit.Actor) -> DeviceView:
    row = s.get(DeviceRow, device_id)
    if row is None:
        raise Problem(404, "unknown_device", f"No device {device_id}.")
    if not row.revoked:
        before = view(row)
        row.revoked = True
        row.revoked_at = now
        entry = audit.Entry("revoke", "device", row.name, _audited(before), _audited(view(row)))
        audit.record(s, actor, now, [entry])
    return view(row)


def register_device(
    ctx: ServerContext, name: str, role: str, counter: str | None, by: audit.Actor
) -> DeviceRegistered:
    """For the API and the console page alike; the token is in this answer only."""
    with ctx.store.write() as s:
        token, saved = register(s, name, role, counter, set(ctx.site.counters), utcnow(), actor=by)
    ctx.forget_principals()  # a re-registered name's old token stops at once
    return DeviceRegistered(**asdict(saved), token=token)


def revoke_device(ctx: ServerContext, device_id: int, by: audit.Actor) -> DeviceAnswer:
    """The device's token stops working at once."""
    with ctx.store.write() as s:
        saved = revoke(s, device_id, utcnow(), actor=by)
    ctx.forget_principals()
    return DeviceAnswer(**asdict(saved))


class RevocationWatch:
    """A round of the server's watch loop: a device revoked (or re-registered) by another
    process, the command line, stops at the next round, not after the principals' cache
    (ServerContext.PRINCIPAL_TTL). One indexed count a second."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.seen: tuple[int, int | None] | None = None

    def __call__(self) -> None:
        with self.ctx.store.read() as s:
            count, last = s.execute(
                select(func.count(), func.max(DeviceRow.id)).where(DeviceRow.revoked.is_(True))
            ).one()
        now = (int(count), last)
        if self.seen is not None and now != self.seen:
            self.ctx.forget_principals()
        self.seen = now
