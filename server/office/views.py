"""What the office's pages and its API show: the setup, people and devices (view models).

A page and its JSON twin (GET /admin/...) read the same view, so they never differ.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from server.office import definition
from server.office.definition import Stored
from server.office.edits import SETTING_SECTIONS
from server.problems import Problem
from shared.config import Schedule, SiteDefinition, TimeRange


class PersonAnswer(BaseModel):
    username: str
    name: str
    role: str
    counters: list[str]
    active: bool
    has_pin: bool
    has_password: bool


class DeviceAnswer(BaseModel):
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


class DeviceRegistered(DeviceAnswer):
    token: str = Field(description="The device's token: shown only in this answer")


def stored(s: Session) -> Stored:
    found = definition.load(s)
    if found is None:
        raise Problem(
            409,
            "no_site",
            "Database belum berisi data gedung: jalankan server sekali.",
            message_en="The database holds no site yet: start the server once.",
        )
    return found


def range_text(r: TimeRange) -> str:
    end = "24:00" if r.end == time(23, 59, 59) else r.end.strftime("%H:%M")
    return f"{r.start.strftime('%H:%M')}-{end}"


def schedule_view(schedule: Schedule | None) -> dict[str, Any] | None:
    """Hours as the TOML writes them: "08:00-11:30" per period."""
    if schedule is None:
        return None
    return {
        "week": {day: [range_text(r) for r in ranges] for day, ranges in schedule.week.items()},
        "holidays": [d.isoformat() for d in schedule.holidays],
        "dates": {
            d.isoformat(): [range_text(r) for r in ranges] for d, ranges in schedule.dates.items()
        },
        "last_issue_minutes": schedule.last_issue_minutes,
        "always_open": schedule.always_open,
    }


def agencies_view(st: Stored) -> list[dict[str, Any]]:
    d = st.target()
    return [
        {
            **a.model_dump(mode="json", exclude={"services", "schedule"}),
            "services": [svc.code for svc in a.services],
            "own_hours": a.schedule is not None,
        }
        for a in d.agencies
    ]


def services_view(st: Stored, today_def: SiteDefinition | None = None) -> list[dict[str, Any]]:
    """Services as set, with the prefix in force today when a change waits for tomorrow."""
    d = st.target()
    now = {svc.code: svc.prefix for a in st.definition.agencies for svc in a.services}
    out = []
    for a in d.agencies:
        for svc in a.services:
            pending = st.pending.get(svc.code)
            item = svc.model_dump(mode="json", exclude={"schedule"})
            item["agency"] = a.code
            item["own_hours"] = svc.schedule is not None
            item["prefix_today"] = now.get(svc.code, svc.prefix) if pending else svc.prefix
            item["prefix_from"] = pending.start.isoformat() if pending else None
            out.append(item)
    return out


def counters_view(st: Stored) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json") for c in st.target().counters]


def settings_view(st: Stored) -> dict[str, Any]:
    d = st.target()
    return {name: getattr(d, name).model_dump(mode="json") for name in SETTING_SECTIONS}


def schedules_view(st: Stored) -> dict[str, Any]:
    d = st.target()
    return {
        "site": schedule_view(d.schedule),
        "agencies": {a.code: schedule_view(a.schedule) for a in d.agencies},
        "services": {
            svc.code: schedule_view(svc.schedule) for a in d.agencies for svc in a.services
        },
    }
