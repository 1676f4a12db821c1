"""What the pages show of messages: the ticket page's panel, the console's message log.

Phones are shown masked only (0812*****890), and only to whom they concern: the visitor
on their own ticket page, an admin in the log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.notify.rules import current_entry, mask_phone
from server.notify.tables import OutboxRow, PhoneRow
from server.queue.site import Site
from server.store.tables import TicketRow
from shared.models import TicketStatus

STATES = ("due", "sending", "sent", "failed", "unknown", "expired")


@dataclass
class PhonePanel:
    """The ticket page's part about messages."""

    offered: bool  # the site sends messages and the ticket still waits: the form is shown
    phone: str = ""  # masked
    sent: list[str] = field(default_factory=list)  # kinds sent
    failed: bool = False  # a message could not be sent (failed, or in doubt)


def phone_panel(s: Session, site: Site, ticket_id: int) -> PhonePanel | None:
    """The panel of a ticket's page; None when the site sends no messages and none were."""
    row = current_entry(s, ticket_id)
    if row is None:
        return None
    chain = select(TicketRow.id).where(
        TicketRow.business_day == row.business_day, TicketRow.code == row.code
    )
    messages = s.execute(
        select(OutboxRow.kind, OutboxRow.state, OutboxRow.error).where(
            OutboxRow.ticket_id.in_(chain)
        )
    ).all()
    on = site.config.notify.channel != "none"
    if not on and not messages:
        return None
    phone = s.scalar(select(PhoneRow.phone).where(PhoneRow.ticket_id == row.id))
    panel = PhonePanel(
        offered=on and row.status == TicketStatus.WAITING,
        phone=mask_phone(phone),
        sent=[kind for kind, state, _error in messages if state == "sent"],
        # given up, in doubt, or waiting for a retry after a failure: the visitor should
        # not count on it
        failed=any(
            state in ("failed", "unknown") or (state == "due" and error)
            for _kind, state, error in messages
        ),
    )
    return panel if panel.offered or panel.phone or panel.sent or panel.failed else None


@dataclass
class LogLine:
    id: int
    at: str  # local HH:MM
    code: str
    kind: str
    phone: str  # masked
    state: str
    attempts: int
    error: str


@dataclass
class MessageLog:
    day: date
    channel: str
    counts: dict[str, int]
    total: int
    lines: list[LogLine]


def message_log(s: Session, site: Site, day: date, limit: int = 200) -> MessageLog:
    """The console's view of a day's messages: counts by state, the latest first."""
    counts = dict.fromkeys(STATES, 0)
    for state, n in s.execute(
        select(OutboxRow.state, func.count())
        .where(OutboxRow.business_day == day)
        .group_by(OutboxRow.state)
    ):
        counts[state] = int(n)
    rows = s.execute(
        select(OutboxRow, TicketRow.code)
        .outerjoin(TicketRow, TicketRow.id == OutboxRow.ticket_id)  # a booking's code: none
        .where(OutboxRow.business_day == day)
        .order_by(OutboxRow.id.desc())
        .limit(limit)
    ).all()
    lines = [
        LogLine(
            id=r.id,
            at=r.created_at.astimezone(site.tz).strftime("%H:%M"),
            code=code or "-",
            kind=r.kind,
            phone=mask_phone(r.phone),
            # due again after a failure: "retrying", not "waiting"
            state="retry" if r.state == "due" and r.error else r.state,
            attempts=r.attempts,
            error=r.error or "",
        )
        for r, code in rows
    ]
    return MessageLog(day, site.config.notify.channel, counts, sum(counts.values()), lines)


def live_key(s: Session, ticket_id: int) -> tuple[str, str] | None:
    """What the ticket page's live stream follows: (its code, its current service).

    An event of that service moves the line (the page's "N ahead"); one of that code is
    the ticket itself (called, transferred: then the page follows its new service)."""
    row = current_entry(s, ticket_id)
    return None if row is None else (row.code, row.service)


def concerns(body: str, key: tuple[str, str]) -> bool:
    """Whether an event (its JSON) changes what the ticket page shows."""
    if '"ticket":{' not in body:
        return False
    ticket = json.loads(body).get("ticket") or {}
    return ticket.get("code") == key[0] or ticket.get("service") == key[1]
