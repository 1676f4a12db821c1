"""The audit log of the site's setup: who, when, from where, what before and after."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.access.auth import Principal
from server.office.definition import SETTINGS, Pending, schedules_of
from server.office.tables import SITE, AuditRow
from shared.config import SiteDefinition

SOURCES = ("console", "api", "cli", "import", "seed")


@dataclass(frozen=True)
class Actor:
    """Who changes the site, and through what."""

    username: str
    role: str
    source: str  # one of SOURCES


def actor(who: Principal, source: str) -> Actor:
    """The actor an audit line names for a signed-in caller (source: api, console, cli)."""
    return Actor(who.username or who.role, who.role, source)


@dataclass(frozen=True)
class Entry:
    action: str  # create | update | delete
    entity: str  # site | agency | service | counter | schedule
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _settings(d: SiteDefinition) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in SETTINGS:
        for k, v in getattr(d, name).model_dump(mode="json").items():
            out[f"{name}.{k}"] = v
    return out


def _entities(d: SiteDefinition | None, pending: dict[str, Pending]) -> dict[tuple[str, str], Any]:
    if d is None:
        return {}
    out: dict[tuple[str, str], Any] = {}
    for a in d.agencies:
        out[("agency", a.code)] = a.model_dump(mode="json", exclude={"services", "schedule"})
        for svc in a.services:
            item = svc.model_dump(mode="json", exclude={"schedule"})
            item["agency"] = a.code
            if svc.code in pending:
                item["prefix_from"] = pending[svc.code].start.isoformat()
            out[("service", svc.code)] = item
    for c in d.counters:
        out[("counter", c.code)] = c.model_dump(mode="json")
    for (scope, owner), schedule in schedules_of(d).items():
        out[("schedule", f"{scope}:{owner}" if owner else scope)] = schedule.model_dump(mode="json")
    return out


def diff(
    before: SiteDefinition | None,
    after: SiteDefinition,
    pending_before: dict[str, Pending],
    pending_after: dict[str, Pending],
) -> list[Entry]:
    """One entry per entity that changed (the settings: only the fields that changed)."""
    entries: list[Entry] = []
    new_settings = _settings(after)
    if before is None:
        entries.append(Entry("create", "site", "site", None, new_settings))
    else:
        old_settings = _settings(before)
        changed = [k for k in new_settings if old_settings.get(k) != new_settings[k]]
        if changed:
            entries.append(
                Entry(
                    "update",
                    "site",
                    "site",
                    {k: old_settings.get(k) for k in changed},
                    {k: new_settings[k] for k in changed},
                )
            )
    old, new = _entities(before, pending_before), _entities(after, pending_after)
    for key, value in new.items():
        if key not in old:
            entries.append(Entry("create", key[0], key[1], None, value))
        elif old[key] != value:
            entries.append(Entry("update", key[0], key[1], old[key], value))
    for key, value in old.items():
        if key not in new:
            entries.append(Entry("delete", key[0], key[1], value, None))
    return entries


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def record(
    s: Session, actor: Actor, at: datetime, entries: list[Entry], site_id: int = SITE
) -> None:
    for e in entries:
        s.add(
            AuditRow(
                site_id=site_id,
                at=at,
                actor=actor.username[:64],
                actor_role=actor.role[:16],
                source=actor.source,
                action=e.action,
                entity=e.entity,
                key=e.key[:80],
                before=_json(e.before),
                after=_json(e.after),
            )
        )


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditRow]
    total: int
    page: int
    size: int


def page(s: Session, number: int = 1, size: int = 50, site_id: int = SITE) -> AuditPage:
    """Newest first."""
    total = int(
        s.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.site_id == site_id)) or 0
    )
    rows = list(
        s.scalars(
            select(AuditRow)
            .where(AuditRow.site_id == site_id)
            .order_by(AuditRow.id.desc())
            .offset((number - 1) * size)
            .limit(size)
        )
    )
    return AuditPage(rows, total, number, size)


def entry_view(row: AuditRow) -> dict[str, Any]:
    """An entry as the console and GET /admin/audit show it (before and after parsed)."""
    return {
        "id": row.id,
        "at": row.at,
        "actor": row.actor,
        "actor_role": row.actor_role,
        "source": row.source,
        "action": row.action,
        "entity": row.entity,
        "key": row.key,
        "before": json.loads(row.before) if row.before else None,
        "after": json.loads(row.after) if row.after else None,
    }
