"""Help comes to the visitor: a kiosk's "Butuh bantuan" opens a call for help, a floor
alert of kind `help` naming the kiosk, and a notice on every counter app, until an
officer takes it.

The alert is opened and ended in the same transaction as the call and its taking (no
waiting for the alerts' round), and `wanted_alerts` (alerts.py) keeps it while the call
is open, so the round never ends it early. Each change is an event (`help.asked`,
`help.taken`): the floor page and the counter apps follow the stream and read again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.problems import Problem, conflict, invalid, not_found
from server.queue import events as ev
from server.reports.tables import AlertRow, HelpRow
from server.store.db import Store
from server.store.tables import DeviceRow, OfficerRow, TicketRow
from shared.models import EventType, HelpInfo, HelpList, HelpOpen, TicketStatus
from shared.timeutil import utcnow

log = logging.getLogger(__name__)
KIND = "help"
DEMO_KIOSK = "Kiosk demo"  # --demo's kiosk token has no device row to name it
Publish = Callable[[list[tuple[int, str]]], None]
ASKING = (TicketStatus.WAITING, TicketStatus.CALLED)  # a ticket whose visitor may still ask


def subject(kiosk: str, help_id: int) -> str:
    """The alert's subject: the kiosk's name and the call's number (one alert per call)."""
    return f"{kiosk[:54]} #{help_id}"


def message(kiosk: str, note: str) -> str:
    return f"Butuh bantuan di {kiosk}" + (f": {note}" if note else "")


def _info(s: Session, row: HelpRow) -> HelpInfo:
    by = None
    if row.taken_by is not None:
        by = s.scalar(select(OfficerRow.name).where(OfficerRow.username == row.taken_by))
    return HelpInfo(
        id=row.id,
        kiosk=row.kiosk,
        asked_at=row.asked_at,
        taken_at=row.taken_at,
        taken_by=by or row.taken_by,
        taken_counter=row.taken_counter,
    )


def asking_ticket(s: Session, device_id: int | None, ticket_id: int) -> TicketRow:
    """ "Petugas menghampiri": the visitor's ticket. Only a ticket this kiosk issued, still
    waiting or called (a 422 naming `ticket` otherwise)."""
    row = s.get(TicketRow, ticket_id)
    if row is None or row.device_id != device_id or row.status not in ASKING:
        raise invalid(
            (
                "ticket",
                "Tiket ini tidak diterbitkan di anjungan ini atau sudah selesai.",
                "This ticket was not issued at this kiosk, or it is over.",
            )
        )
    return row


def ask(
    s: Session,
    device_id: int | None,
    note: str,
    now: datetime,
    publish: Publish | None,
    ticket: int | None = None,
) -> HelpRow:
    """A kiosk's call for help: the row, its alert and its event, in this transaction."""
    kiosk = DEMO_KIOSK
    if device_id:  # --demo's kiosk has id 0 and no row (server/access/auth.py)
        name = s.scalar(select(DeviceRow.name).where(DeviceRow.id == device_id))
        if name is None:
            raise Problem(403, "forbidden", "Only a registered kiosk asks for help.")
        kiosk = name
    note = note.strip()
    ticket_id = None
    if ticket is not None:  # the note names the number for the floor and the counters
        asking = asking_ticket(s, device_id, ticket)
        ticket_id = asking.id
        note = f"nomor antrean {asking.code}" + (f", {note}" if note else "")
    row = HelpRow(
        device_id=device_id, kiosk=kiosk, note=note[:200], asked_at=now, ticket_id=ticket_id
    )
    s.add(row)
    s.flush()
    alert = AlertRow(
        kind=KIND,
        subject=subject(row.kiosk, row.id),
        message=message(row.kiosk, row.note)[:200],
        started_at=now,
    )
    s.add(alert)
    ev.record(s, EventType.HELP_ASKED, now, help=_info(s, row), publish=publish)
    log.info("help asked at %s (#%d)", kiosk, row.id)
    return row


def take(
    s: Session, help_id: int, officer: str, counter: str | None, now: datetime, publish: Publish
) -> HelpInfo:
    """An officer takes a call: it closes, and so does its alert. A call already taken is
    a 409 naming who took it (two officers must not both walk over, nor neither)."""
    row = s.get(HelpRow, help_id)
    if row is None:
        raise not_found("help", help_id)
    if row.taken_at is not None:
        taken = _info(s, row)
        raise conflict("help_taken", f"Already taken by {taken.taken_by}.", taken_by=taken.taken_by)
    row.taken_at, row.taken_by, row.taken_counter = now, officer, counter
    alert = s.scalar(
        select(AlertRow).where(
            AlertRow.kind == KIND,
            AlertRow.subject == subject(row.kiosk, row.id),
            AlertRow.ended_at.is_(None),
        )
    )
    if alert is not None:
        alert.ended_at = now
    info = _info(s, row)
    ev.record(s, EventType.HELP_TAKEN, now, help=info, publish=publish)
    log.info("help #%d at %s taken by %s", row.id, row.kiosk, officer)
    return info


def open_calls(s: Session) -> list[HelpOpen]:
    """The calls nobody has taken yet, oldest first."""
    # the asking ticket's number in the same query (the floor reads these every refresh)
    rows = s.execute(
        select(HelpRow, TicketRow.code)
        .outerjoin(TicketRow, TicketRow.id == HelpRow.ticket_id)
        .where(HelpRow.taken_at.is_(None))
        .order_by(HelpRow.id)
    )
    return [HelpOpen(**_info(s, r).model_dump(), note=r.note, ticket=code) for r, code in rows]


# -- what the API calls: one function each, in its own transaction ----------------------


def ask_help(
    store: Store,
    device_id: int | None,
    note: str,
    publish: Publish | None,
    ticket: int | None = None,
) -> int:
    with store.write() as s:
        return ask(s, device_id, note, utcnow(), publish, ticket).id


def take_help(
    store: Store, help_id: int, officer: str, counter: str | None, publish: Publish
) -> HelpInfo:
    with store.write() as s:
        return take(s, help_id, officer, counter, utcnow(), publish)


def open_help(store: Store) -> HelpList:
    with store.read() as s:
        return HelpList(open=open_calls(s))
