"""The SKM's follow-up (rencana tindak lanjut): per period and unit (the site, an agency,
a service), actions answering its lowest-scoring unsur, their status and evidence; the
share done and the days taken are figures of the SKM report (report.py) and its PDF.

The unit and the period are the report's filters: an action belongs to the report of
any period that contains its own.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.access.auth import Principal
from server.office import audit, evidence_files
from server.office.evidence_files import Evidence
from server.problems import invalid, not_found
from server.skm.tables import ActionRow
from server.store.db import Store

log = logging.getLogger(__name__)

STATES = ("planned", "in_progress", "done")
WHAT_MAX = 500
EVIDENCE_MAX = 1000


def unit_of(agency: str | None, service: str | None) -> str:
    """The unit a report's filters name: a service, else an agency, else the site."""
    if service:
        return f"service:{service}"
    if agency:
        return f"agency:{agency}"
    return "site"


@dataclass(frozen=True)
class Action:
    id: int
    period_from: date
    period_to: date
    unit: str
    unsur: int
    what: str
    who: str
    due: date
    status: str
    evidence: str | None
    created_at: datetime
    done_at: datetime | None
    files: list[Evidence] = dataclasses.field(default_factory=list)  # photos or PDFs of it done

    @property
    def days_taken(self) -> int | None:
        """Calendar days from recorded to done (None while not done)."""
        if self.done_at is None:
            return None
        return (self.done_at.date() - self.created_at.date()).days


@dataclass(frozen=True)
class FollowUp:
    """The follow-up of one report: its actions and their figures."""

    unit: str
    actions: list[Action]

    @property
    def done(self) -> int:
        return sum(1 for a in self.actions if a.status == "done")

    @property
    def share_done(self) -> float | None:
        """Done / all actions, as a percentage with one decimal."""
        return round(100.0 * self.done / len(self.actions), 1) if self.actions else None

    @property
    def median_days(self) -> float | None:
        days = sorted(d for a in self.actions if (d := a.days_taken) is not None)
        if not days:
            return None
        mid = len(days) // 2
        return float(days[mid]) if len(days) % 2 else (days[mid - 1] + days[mid]) / 2

    @property
    def done_on_time(self) -> int:
        return sum(1 for a in self.actions if a.done_at is not None and a.done_at.date() <= a.due)


def _view(row: ActionRow, files: list[Evidence] | None = None) -> Action:
    return Action(
        row.id, row.period_from, row.period_to, row.unit, row.unsur, row.what, row.who,
        row.due, row.status, row.evidence, row.created_at, row.done_at, files or [],
    )  # fmt: skip


def of_report(s: Session, start: date, end: date, unit: str) -> FollowUp:
    """The actions of `unit` whose period lies within start..end, oldest first."""
    rows = s.scalars(
        select(ActionRow)
        .where(
            ActionRow.site_id == 1,
            ActionRow.unit == unit,
            ActionRow.period_from >= start,
            ActionRow.period_to <= end,
        )
        .order_by(ActionRow.unsur, ActionRow.id)
    ).all()
    files = evidence_files.of_owners(s, "skm_action", [r.id for r in rows])
    return FollowUp(unit, [_view(r, files.get(r.id)) for r in rows])


def add(
    store: Store,
    who: Principal,
    *,
    start: date,
    end: date,
    unit: str,
    unsur: int,
    what: str,
    person: str,
    due: date,
    now: datetime,
) -> Action:
    """Record an action for a period's unit; 422 naming the field; audited."""
    errors: list[tuple[str, str, str]] = []
    if not 1 <= unsur <= 9:
        errors.append(("unsur", "Pilih unsur U1 sampai U9", "Choose an unsur U1 to U9"))
    for field, value, most in (("what", what, WHAT_MAX), ("who", person, 80)):
        if not 3 <= len(value.strip()) <= most:
            errors.append((field, f"Isi 3 sampai {most} karakter", f"Give 3 to {most} characters"))
    if end < start:
        errors.append(("period", "Periode terbalik", "The period ends before it starts"))
    if errors:
        raise invalid(*errors)
    with store.write() as s:
        row = ActionRow(
            site_id=1, period_from=start, period_to=end, unit=unit[:48], unsur=unsur,
            what=what.strip(), who=person.strip(), due=due, status="planned",
            created_at=now,
        )  # fmt: skip
        s.add(row)
        s.flush()
        audit.record(
            s, audit.actor(who, "console"), now,
            [audit.Entry("create", "skm_action", str(row.id), None,
                         {"unit": row.unit, "unsur": unsur, "due": due.isoformat()})],
        )  # fmt: skip
        made = _view(row)
    log.info("SKM follow-up action %d for %s U%d", made.id, unit, unsur)
    return made


def update(
    store: Store,
    who: Principal,
    action_id: int,
    status: str,
    note_text: str,
    now: datetime,
    file: bytes | None = None,
) -> Action:
    """A new status (done: dated now), its evidence note and, optionally, a file (a photo
    or PDF of it done, checked by its content); audited. Refused, nothing is kept."""
    errors: list[tuple[str, str, str]] = []
    if status not in STATES:
        errors.append(("status", "Status tidak dikenal", "Unknown status"))
    note = note_text.strip() or None
    if note is not None and len(note) > EVIDENCE_MAX:
        errors.append(("evidence", f"Paling banyak {EVIDENCE_MAX} karakter",
                       f"At most {EVIDENCE_MAX} characters"))  # fmt: skip
    media_type = ""
    if file is not None:
        media_type, wrong = evidence_files.refusals(file, "evidence_file")
        errors.extend(wrong)
    if errors:
        raise invalid(*errors)
    with store.write() as s:
        row = s.get(ActionRow, action_id) if 1 <= action_id <= 2**31 - 1 else None
        if row is None:
            raise not_found("action", action_id)
        before = {"status": row.status}
        row.status = status
        row.evidence = note or row.evidence
        row.done_at = (row.done_at or now) if status == "done" else None
        after: dict[str, object] = {"status": status}
        if file is not None:
            kept = evidence_files.keep(s, "skm_action", row.id, file, media_type,
                                 who.username or who.role, now)  # fmt: skip
            after["evidence_file"] = kept.id
        audit.record(s, audit.actor(who, "console"), now,
                     [audit.Entry("update", "skm_action", str(row.id), before, after)])  # fmt: skip
        return _view(row, evidence_files.of_owners(s, "skm_action", [row.id]).get(row.id))
