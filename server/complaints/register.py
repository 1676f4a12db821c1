"""The register: file, look up, list, follow up and erase complaints.

Called by the JSON routes (server/api/complaints.py), the pages (server/web/complaints.py)
and the floor's alerts alike, so each rule is decided once (rules.py). Writes are one
serialized write each (`Store.write`, or the writer thread through `in_writer`): the
reference's count within the year is taken there, so it is gapless and unique.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.access.auth import Principal
from server.complaints import rules
from server.complaints.rules import ANSWERED, CLOSED, IN_PROCESS, RECEIVED
from server.complaints.tables import ComplaintRow
from server.office import audit, evidence_files
from server.problems import Problem, invalid, not_found
from server.queue.pages import TicketPages
from server.queue.site import Site
from server.store.db import Store
from server.store.tables import CounterRow, OfficerRow, TicketRow
from shared.models import ComplaintCreated
from shared.timeutil import business_day

log = logging.getLogger(__name__)
T = TypeVar("T")

# -- on the wire -------------------------------------------------------------------------


class ComplaintRequest(BaseModel):
    """A new complaint. The public links its ticket by the ticket page's token only."""

    agency: str | None = Field(default=None, max_length=32)
    service: str | None = Field(default=None, max_length=32)
    ticket_page: str | None = Field(default=None, max_length=100)
    ticket: int | None = Field(default=None, ge=1, le=2**31 - 1)
    text: str = Field(max_length=20_000)
    contact: str | None = Field(default=None, max_length=200)
    channel: str | None = Field(default=None, max_length=16)
    # Staff's client may send one: the same id again (after a lost answer) is the complaint
    # it filed before, answered with a fresh follow-up token. The public's is not kept.
    request_id: str | None = Field(
        default=None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$"
    )


class ComplaintStatus(BaseModel):
    """What the complainant reads on the follow-up link (never the contact)."""

    reference: str
    status: str
    agency: str
    agency_name: str
    service: str | None
    service_name: str | None
    text: str
    answer: str | None
    filed_at: datetime
    in_process_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    due: date  # the answer's target day


class ComplaintEntry(ComplaintStatus):
    """One line of the register (admins and the responsible agency)."""

    id: int
    channel: str
    contact: str | None  # masked
    ticket: str | None  # the ticket's code
    ticket_id: int | None  # its view: /console/tickets/{ticket_id}
    ticket_service: str | None  # the ticket's service (its name) and business day
    ticket_day: date | None
    assignee: str | None
    lapor_number: str | None
    filed_by: str | None
    answer_days: int | None
    overdue: bool
    evidence_files: list[int] = []  # files attached to the answer (the handlers download them)


class ComplaintChange(BaseModel):
    status: str | None = Field(default=None, max_length=16)
    assignee: str | None = Field(default=None, max_length=64)
    answer: str | None = Field(default=None, max_length=20_000)
    lapor_number: str | None = Field(default=None, max_length=64)


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    agency: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    overdue: bool = False
    ticket_id: int | None = None  # the complaints about one ticket
    reference: str | None = None


# -- helpers ---------------------------------------------------------------------------


def holidays(site: Site) -> set[date]:
    return set(site.config.schedule.holidays)


def today(site: Site, now: datetime) -> date:
    return business_day(site.tz, now)


def due_of(site: Site, row: ComplaintRow) -> date:
    return rules.due_day(row.filed_day, site.config.complaints.target_days, holidays(site))


def is_overdue(site: Site, row: ComplaintRow, now: datetime) -> bool:
    return row.status in rules.OPEN_STATES and today(site, now) > due_of(site, row)


def responsible(s: Session, site: Site, who: Principal) -> set[str]:
    """The agencies a supervisor is responsible for: those of the counters they are given."""
    if who.role == "admin":
        return set(site.agencies)
    if who.role != "supervisor" or not who.username:
        return set()
    codes = s.scalar(select(OfficerRow.counters).where(OfficerRow.username == who.username))
    counters = [c for c in (codes or "").split(",") if c]
    return {site.counters[c].agency for c in counters if c in site.counters}


def _service_name(site: Site, code: str) -> str:
    found = site.services.get(code)
    return found[1].name if found else code


def _names(site: Site, row: ComplaintRow) -> tuple[str, str | None]:
    agency = site.agencies.get(row.agency)
    found = site.services.get(row.service) if row.service else None
    return (agency.name if agency else row.agency), (found[1].name if found else row.service)


def status_wire(site: Site, row: ComplaintRow) -> ComplaintStatus:
    agency_name, service_name = _names(site, row)
    return ComplaintStatus(
        reference=row.reference,
        status=row.status,
        agency=row.agency,
        agency_name=agency_name,
        service=row.service,
        service_name=service_name,
        text=row.text,
        answer=row.answer if row.status in (ANSWERED, CLOSED) else None,
        filed_at=row.filed_at,
        in_process_at=row.in_process_at,
        answered_at=row.answered_at,
        closed_at=row.closed_at,
        due=due_of(site, row),
    )


def entry_wire(s: Session, site: Site, row: ComplaintRow, now: datetime) -> ComplaintEntry:
    base = status_wire(site, row).model_dump()
    base["answer"] = row.answer  # the handler sees a draft too
    ticket = s.get(TicketRow, row.ticket_id) if row.ticket_id is not None else None
    return ComplaintEntry(
        **base,
        id=row.id,
        channel=row.channel,
        contact=row.contact_masked,
        ticket=ticket.code if ticket else None,
        ticket_id=ticket.id if ticket else None,
        ticket_service=_service_name(site, ticket.service) if ticket else None,
        ticket_day=ticket.business_day if ticket else None,
        assignee=row.assignee,
        lapor_number=row.lapor_number,
        filed_by=row.filed_by,
        answer_days=row.answer_days,
        overdue=is_overdue(site, row, now),
        evidence_files=[
            f.id for f in evidence_files.of_owners(s, "complaint", [row.id]).get(row.id, [])
        ],
    )


def _audit(s: Session, who: Principal, source: str, at: datetime, entry: audit.Entry) -> None:
    audit.record(s, audit.actor(who, source), at, [entry])


def _audited(row: ComplaintRow) -> dict[str, object]:
    """A complaint in the audit log: its state, never the contact or the citizen's text."""
    return {
        "status": row.status,
        "agency": row.agency,
        "service": row.service,
        "channel": row.channel,
        "assignee": row.assignee,
        "lapor_number": row.lapor_number,
        "answered": row.answer is not None,
    }


# -- filing ------------------------------------------------------------------------------


def _ticket_for(
    s: Session, pages: TicketPages, who: Principal | None, req: ComplaintRequest
) -> TicketRow | None:
    """The ticket a complaint is linked to, by who may link it: the visitor by their
    page's token; an officer only the ticket their counter serves (or served last);
    a supervisor or admin any ticket. The public never by id."""
    if req.ticket_page:
        ticket_id = pages.ticket_id(req.ticket_page)
        row = s.get(TicketRow, ticket_id) if ticket_id is not None else None
        if row is None:
            raise Problem(404, "unknown_ticket_page", "No ticket at this page's token.")
        return row
    if req.ticket is None:
        return None
    if who is None or who.role not in ("officer", "supervisor", "admin"):
        raise Problem(
            403,
            "forbidden",
            "A ticket is linked by its page's token, or by the officer serving it.",
        )
    row = s.get(TicketRow, req.ticket)
    if row is None:
        raise not_found("ticket", req.ticket)
    if who.role == "officer":
        serving = s.scalar(select(CounterRow.ticket_id).where(CounterRow.code == who.counter))
        if row.id != serving and row.counter != who.counter:
            raise Problem(
                403, "not_your_ticket", f"Ticket {row.code} is not served at {who.counter}."
            )
    return row


def _checked(found: list[tuple[str, str, str]], check: Callable[[], T], fallback: T) -> T:
    """`check()`, or `fallback` with its 422's field messages added to `found`."""
    try:
        return check()
    except Problem as problem:
        listed = problem.extra.get("errors")
        if problem.status != 422 or not isinstance(listed, list):
            raise
        found.extend((e["field"], e["message"], e["message_en"]) for e in listed)
        return fallback


def file(
    store: Store,
    site: Site,
    pages: TicketPages,
    who: Principal | None,
    req: ComplaintRequest,
    now: datetime,
    survey_id: int | None = None,
) -> ComplaintCreated:
    """A new complaint, received; 201 with its reference and its follow-up link's token.

    `who` is None for the public (the booking site, the ticket page), else the signed-in
    person entering it for the citizen (desk, letter, phone, social, a promoted SKM
    suggestion: `survey_id`, once each). Bad input is a 422 naming the field, and
    nothing is kept.
    """
    staff = who is not None and who.role in ("officer", "supervisor", "admin")
    default = "desk" if staff else ("ticket_page" if req.ticket_page else "web")
    mistakes: list[tuple[str, str, str]] = []  # every field's at once, for the form
    channel = _checked(mistakes, lambda: rules.clean_channel(req.channel, default), default)
    if not staff and channel not in ("web", "ticket_page"):
        mistakes.append(
            (
                "channel",
                "Saluran ini hanya dicatat oleh petugas.",
                "Only staff record a complaint of this channel.",
            )
        )
    text = _checked(mistakes, lambda: rules.clean_text(req.text), "")
    contact = _checked(mistakes, lambda: rules.clean_contact(req.contact), None)
    if mistakes:
        raise invalid(*mistakes)
    token = rules.new_token()
    request_id = req.request_id if staff and who is not None else None
    with store.write() as s:
        if request_id is not None and who is not None:
            before = s.scalar(
                select(ComplaintRow).where(
                    ComplaintRow.filed_by == who.username, ComplaintRow.request_id == request_id
                )
            )
            if before is not None:
                # The first answer never reached the client, so neither did its token: the
                # link is given again with a new token (the old one stops working).
                before.token_hash = rules.token_hash(token)
                log.info("complaint %s asked again (request %s)", before.reference, request_id)
                return ComplaintCreated(
                    id=before.id, reference=before.reference, token=token, repeated=True
                )
        ticket = _ticket_for(s, pages, who, req)
        service = req.service or (ticket.service if ticket else None)
        agency = req.agency
        if service:
            found = site.services.get(service)
            if found is None:
                raise invalid(("service", "Layanan tidak dikenal", f"Unknown service {service}"))
            if agency and agency != found[0].code:
                raise invalid(
                    (
                        "service",
                        "Layanan bukan dari instansi ini",
                        "The service is not the agency's",
                    )
                )
            agency = found[0].code
        if not agency or agency not in site.agencies:
            raise invalid(("agency", "Pilih instansi", "Choose an agency"))
        if survey_id is not None:
            if who is None:
                raise Problem(403, "forbidden", "Only staff promote a suggestion.")
            rules.require_handler(who, agency, responsible(s, site, who))
            done = s.scalar(
                select(ComplaintRow.reference).where(ComplaintRow.survey_id == survey_id)
            )
            if done is not None:
                raise Problem(409, "already_promoted", f"This suggestion is complaint {done}.")
        day = today(site, now)
        last = s.scalar(
            select(func.max(ComplaintRow.seq)).where(
                ComplaintRow.site_id == 1, ComplaintRow.year == day.year
            )
        )
        seq = int(last or 0) + 1
        row = ComplaintRow(
            site_id=1,
            year=day.year,
            seq=seq,
            reference=rules.reference(day.year, seq),
            token_hash=rules.token_hash(token),
            agency=agency,
            service=service,
            channel=channel,
            text=text,
            contact=contact,
            contact_masked=rules.mask_contact(contact) if contact else None,
            ticket_id=ticket.id if ticket else None,
            filed_by=who.username if staff and who is not None else None,
            survey_id=survey_id,
            request_id=request_id,
            status=RECEIVED,
            filed_at=now,
            filed_day=day,
        )
        s.add(row)
        s.flush()
        if staff and who is not None:
            _audit(
                s,
                who,
                "api",
                now,
                audit.Entry("create", "complaint", row.reference, None, _audited(row)),
            )
        created = ComplaintCreated(id=row.id, reference=row.reference, token=token)
    log.info("complaint %s filed (%s, %s)", created.reference, agency, channel)
    return created


# -- the complainant's link --------------------------------------------------------------


def _by_token(s: Session, token: str) -> ComplaintRow:
    row = None
    if 20 <= len(token) <= 100:
        row = s.scalar(
            select(ComplaintRow).where(ComplaintRow.token_hash == rules.token_hash(token))
        )
    if row is None:
        raise Problem(404, "unknown_complaint", "No complaint at this link.")
    return row


def lookup(store: Store, site: Site, token: str) -> ComplaintStatus:
    with store.read() as s:
        return status_wire(site, _by_token(s, token))


# -- the register ------------------------------------------------------------------------


def _view_audit(
    store: Store, who: Principal, source: str, now: datetime, key: str, ids: list[str]
) -> None:
    """Each look at the register (masked contacts are personal data too) is audited."""
    entry = audit.Entry("view", "personal_data", key, None, {"complaints": ids})
    with store.write() as s:
        _audit(s, who, source, now, entry)


def listing(
    store: Store, site: Site, who: Principal, filters: Filters, now: datetime, source: str = "api"
) -> list[ComplaintEntry]:
    """The register as `who` may see it (admin: all; a supervisor: their agencies), newest
    first; 403 for anyone else."""
    if who.role not in ("admin", "supervisor"):
        raise Problem(403, "forbidden", "Only an admin or a supervisor reads the register.")
    with store.read() as s:
        agencies = responsible(s, site, who)
        query = select(ComplaintRow).where(ComplaintRow.site_id == 1)
        if who.role != "admin":
            query = query.where(ComplaintRow.agency.in_(sorted(agencies)))
        if filters.status:
            query = query.where(ComplaintRow.status == filters.status)
        if filters.agency:
            query = query.where(ComplaintRow.agency == filters.agency)
        if filters.date_from:
            query = query.where(ComplaintRow.filed_day >= filters.date_from)
        if filters.date_to:
            query = query.where(ComplaintRow.filed_day <= filters.date_to)
        if filters.ticket_id is not None:
            query = query.where(ComplaintRow.ticket_id == filters.ticket_id)
        if filters.reference:
            query = query.where(ComplaintRow.reference == filters.reference)
        rows = s.scalars(query.order_by(ComplaintRow.id.desc()).limit(1000)).all()
        found = [entry_wire(s, site, r, now) for r in rows]
    if filters.overdue:
        found = [e for e in found if e.overdue]
    _view_audit(store, who, source, now, "complaints", [e.reference for e in found])
    return found


def one(
    store: Store, site: Site, who: Principal, complaint_id: int, now: datetime, source: str = "api"
) -> ComplaintEntry:
    with store.read() as s:
        row = s.get(ComplaintRow, complaint_id)
        if row is None:
            raise not_found("complaint", complaint_id)
        rules.require_handler(who, row.agency, responsible(s, site, who))
        entry = entry_wire(s, site, row, now)
    _view_audit(store, who, source, now, entry.reference, [entry.reference])
    return entry


class ContactShown(BaseModel):
    reference: str
    contact: str | None  # None: none given, or erased after the retention


def evidence_of(
    store: Store, site: Site, who: Principal, file_id: int, now: datetime, source: str = "api"
) -> tuple[evidence_files.Evidence, bytes]:
    """A file attached to a complaint's answer: its handlers only, each look audited."""
    found = evidence_files.find(store, file_id)
    if found.owner != "complaint":
        raise not_found("evidence", file_id)
    with store.read() as s:
        row = s.get(ComplaintRow, found.owner_id)
        if row is None:
            raise not_found("evidence", file_id)
        rules.require_handler(who, row.agency, responsible(s, site, who))
    return found, evidence_files.content(store, who, file_id, now, source)


def contact_of(
    store: Store, site: Site, who: Principal, complaint_id: int, now: datetime, source: str = "api"
) -> ContactShown:
    """The whole contact, to reach the complainant: the handlers only, each look audited."""
    with store.read() as s:
        row = s.get(ComplaintRow, complaint_id)
        if row is None:
            raise not_found("complaint", complaint_id)
        rules.require_handler(who, row.agency, responsible(s, site, who))
        shown = ContactShown(reference=row.reference, contact=row.contact)
    entry = audit.Entry("view", "personal_data", shown.reference, None, {"contact": "whole"})
    with store.write() as s:
        _audit(s, who, source, now, entry)
    return shown


def change(
    store: Store,
    site: Site,
    who: Principal,
    complaint_id: int,
    req: ComplaintChange,
    now: datetime,
    source: str = "api",
    file: bytes | None = None,
) -> ComplaintEntry:
    """Assign, answer, close, record the LAPOR! number, attach a file to the answer (a
    photo or PDF, checked by its content): one step, timestamped, audited.

    An assignee moves a received complaint in process; an answer moves it answered
    (`answered` and `closed` need one); 409 for a step back or after closing.
    """
    mistakes: list[tuple[str, str, str]] = []
    typed_answer, typed_lapor = req.answer, req.lapor_number
    answer = (
        _checked(mistakes, lambda: rules.clean_answer(typed_answer), None)
        if typed_answer is not None
        else None
    )
    lapor = (
        _checked(mistakes, lambda: rules.clean_lapor(typed_lapor), None)
        if typed_lapor is not None
        else None
    )
    media_type = ""
    if file is not None:
        media_type, wrong = evidence_files.refusals(file, "evidence_file")
        mistakes.extend(wrong)
    if mistakes:
        raise invalid(*mistakes)
    with store.write() as s:
        row = s.get(ComplaintRow, complaint_id)
        if row is None:
            raise not_found("complaint", complaint_id)
        rules.require_handler(who, row.agency, responsible(s, site, who))
        before = _audited(row)
        wanted = req.status or (
            ANSWERED
            if answer is not None and row.status in rules.OPEN_STATES
            else IN_PROCESS
            if req.assignee and row.status == RECEIVED
            else row.status
        )
        rules.check_step(row.status, wanted)
        if row.status == CLOSED and (answer is not None or req.assignee is not None):
            raise Problem(409, "complaint_closed", "This complaint is closed.")
        if req.assignee is not None:
            assignee = req.assignee.strip()
            person = s.scalar(
                select(OfficerRow).where(OfficerRow.username == assignee, OfficerRow.active)
            )
            if person is None:
                raise invalid(("assignee", "Petugas tidak dikenal", "Unknown person"))
            row.assignee = assignee
        if wanted == IN_PROCESS and not row.assignee:
            raise invalid(("assignee", "Pilih penanggung jawab", "Choose who handles it"))
        if answer is not None:
            row.answer = answer
        if wanted in (ANSWERED, CLOSED) and not row.answer:
            raise invalid(("answer", "Tuliskan jawabannya", "Give the answer"))
        if lapor is not None or req.lapor_number is not None:
            row.lapor_number = lapor
        if wanted != row.status:
            if wanted == IN_PROCESS:
                row.in_process_at = now
            if wanted in (ANSWERED, CLOSED) and row.answered_at is None:
                row.answered_at = now
                row.answer_days = rules.working_days(
                    row.filed_day, today(site, now), holidays(site)
                )
            if wanted == CLOSED:
                row.closed_at = now
            row.status = wanted
        after = _audited(row)
        if file is not None:
            if row.answer is None:
                raise invalid(("answer", "Tuliskan jawabannya", "Give the answer"))
            kept = evidence_files.keep(
                s, "complaint", row.id, file, media_type, who.username or who.role, now
            )
            after["evidence_file"] = kept.id
        _audit(
            s, who, source, now, audit.Entry("update", "complaint", row.reference, before, after)
        )
        entry = entry_wire(s, site, row, now)
    log.info("complaint %s: %s by %s", entry.reference, entry.status, who.username)
    return entry


def promoted(store: Store, survey_ids: list[int]) -> dict[int, tuple[int, str]]:
    """The SKM suggestions already promoted: survey id -> (complaint id, reference)."""
    if not survey_ids:
        return {}
    with store.read() as s:
        rows = s.execute(
            select(ComplaintRow.survey_id, ComplaintRow.id, ComplaintRow.reference).where(
                ComplaintRow.survey_id.in_(survey_ids)
            )
        ).all()
    return {int(r[0] or 0): (int(r[1]), str(r[2])) for r in rows}


# -- housekeeping and alerts -------------------------------------------------------------


def erase(store: Store, site: Site, now: datetime) -> int:
    """Erase the contacts of complaints filed before the site's retention; the row stays."""
    last = today(site, now) - timedelta(days=site.config.complaints.retention_days)
    with store.write() as s:
        rows = s.scalars(
            select(ComplaintRow).where(
                ComplaintRow.filed_day < last, ComplaintRow.contact_erased_at.is_(None)
            )
        ).all()
        for row in rows:
            row.contact = None
            row.contact_masked = None
            row.contact_erased_at = now
    if rows:
        log.info("contacts of %d complaints erased (filed before %s)", len(rows), last)
    return len(rows)


def overdue(s: Session, site: Site, now: datetime) -> list[tuple[str, str, date]]:
    """Open complaints past their target day: (reference, agency, due), oldest first."""
    rows = s.scalars(
        select(ComplaintRow)
        .where(ComplaintRow.status.in_(rules.OPEN_STATES))
        .order_by(ComplaintRow.filed_day, ComplaintRow.id)
    ).all()
    return [(r.reference, r.agency, due_of(site, r)) for r in rows if is_overdue(site, r, now)]


def overdue_alerts(s: Session, site: Site, now: datetime) -> dict[tuple[str, str], str]:
    """The floor's alerts for overdue complaints, one per agency: ("complaint", agency)."""
    per_agency: dict[str, list[str]] = {}
    for reference, agency, _due in overdue(s, site, now):
        per_agency.setdefault(agency, []).append(reference)
    out: dict[tuple[str, str], str] = {}
    for agency, refs in per_agency.items():
        name = site.agencies[agency].name if agency in site.agencies else agency
        out[("complaint", agency)] = (
            f"{name}: {len(refs)} pengaduan lewat target"
            f" {site.config.complaints.target_days} hari kerja ({refs[0]}"
            + (", ...)" if len(refs) > 1 else ")")
        )
    return out


def open_counts(store: Store, site: Site, who: Principal, now: datetime) -> tuple[int, int]:
    """(open, overdue) complaints of the agencies `who` handles: the console home's count."""
    with store.read() as s:
        agencies = responsible(s, site, who)
        rows = s.scalars(
            select(ComplaintRow).where(
                ComplaintRow.status.in_(rules.OPEN_STATES),
                ComplaintRow.agency.in_(sorted(agencies)),
            )
        ).all()
    return len(rows), sum(1 for r in rows if is_overdue(site, r, now))
