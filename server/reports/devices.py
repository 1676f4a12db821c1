"""Device heartbeats: a kiosk's printer, a TV's voice and last event, last contact.

The state is kept on the device's row as JSON; a `device.state` event is recorded
only when the printer, voice or detail changed (not on every beat), so the floor
and `antrian status` follow changes without an event every 30 seconds per device.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy.orm import Session

from server.queue import events as ev
from server.store.tables import DeviceRow
from shared.models import DeviceInfo, EventType

# What makes a state "changed": last_seq moves on every beat and does not count.
CHANGES = ("printer", "voice", "detail")


class Heartbeat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    printer: str | None = Field(default=None, pattern=r"^[a-z_]{1,32}$")
    voice: Literal["ok", "failed", "off"] | None = None
    last_seq: StrictInt | None = Field(default=None, ge=0, le=2**62)  # not true/false
    detail: str | None = Field(default=None, max_length=200)


def device_state(row: DeviceRow) -> dict[str, str | int | None]:
    """The device's last reported state ({} if it never sent one)."""
    if row.state:
        try:
            loaded = json.loads(row.state)
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            return loaded
    return {"printer": row.printer_status} if row.printer_status else {}


def record_heartbeat(
    s: Session,
    device_id: int,
    beat: Heartbeat,
    now: datetime,
    address: str | None,
    publish: Callable[[list[tuple[int, str]]], None] | None = None,
) -> bool:
    """Store a beat on the device's row; True (and a device.state event) if it changed."""
    row = s.get(DeviceRow, device_id)
    if row is None:
        return False
    old = device_state(row)
    new = {k: v for k, v in beat.model_dump().items() if v is not None}
    row.last_seen_at = now
    row.last_address = address
    changed = any(old.get(k) != new.get(k) for k in CHANGES) or not row.state
    row.state = json.dumps(new, sort_keys=True)
    if beat.printer is not None:
        row.printer_status = beat.printer
    if changed:
        row.state_at = now
        info = DeviceInfo(name=row.name, role=row.role, state=new)
        ev.record(s, EventType.DEVICE_STATE, now, device=info, publish=publish)
    return changed
