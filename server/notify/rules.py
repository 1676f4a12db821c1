"""What the notify room decides: a visitor's phone, and which message a queue event causes.

Every message is decided inside the write transaction of the event that causes it (the
queue core calls `Notifier.on_event` there: server/queue/rules.py EventHook), as one
outbox row per (ticket, kind): a message is decided once, sent by the worker
(server/notify/sender.py), and never decided again by a retry of the same event.
"""

from __future__ import annotations

import contextlib
import logging
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.notify.tables import OutboxRow, PhoneRow
from server.problems import conflict, invalid, not_found
from server.queue.rules import Issued, QueueService
from server.queue.site import Site
from server.queue.wire import estimate
from server.store.tables import TicketRow
from shared.config import NotifyConfig
from shared.models import CounterInfo, EventType, Ticket, TicketStatus
from shared.phones import mobile_number
from shared.timeutil import business_day

log = logging.getLogger(__name__)

KINDS = ("near", "called", "transferred", "stopped")
# The longest a message may be: one SMS of the GSM alphabet.
SMS_LENGTH = 160
# How far down a line the "estimate under M minutes" rule looks (a long line is never near).
_LONGEST_NEAR = 200


# -- the phone ----------------------------------------------------------------------------


def normalize_phone(text: str) -> str:
    """An Indonesian mobile number as 62812... (shared/phones.py); 422 naming phone otherwise."""
    number = mobile_number(text)
    if number is None:
        raise invalid(
            (
                "phone",
                "Isi nomor HP Indonesia, mis. 0812 3456 7890.",
                "Give an Indonesian mobile number, e.g. 0812 3456 7890.",
            )
        )
    return number


def local_number(phone: str) -> str:
    """62812... as dialled in Indonesia: 0812... (what a GSM modem is given)."""
    return "0" + phone[2:] if phone.startswith("62") else phone


def mask_phone(phone: str | None) -> str:
    """0812****7890 style: enough for the visitor to recognise, not to dial."""
    if not phone:
        return ""
    local = local_number(phone)
    return local[:4] + "*" * (len(local) - 7) + local[-3:]


# -- the texts ----------------------------------------------------------------------------


def sms_text(text: str) -> str:
    """One SMS: the GSM alphabet's plain letters only (no emoji, no curly quotes), 160 long."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"\s+", " ", plain).strip()
    return plain if len(plain) <= SMS_LENGTH else plain[: SMS_LENGTH - 3].rstrip() + "..."


def near_text(code: str, ahead: int, minutes: int | None, site: str, lang: str) -> str:
    if lang == "en":
        when = "you are next" if ahead == 0 else f"{ahead} to go"
        about = f" (about {minutes} min)" if minutes else ""
        return sms_text(f"{code}: Your turn is near: {when}{about}. Please come back. {site}")
    when = "Anda berikutnya" if ahead == 0 else f"{ahead} antrean lagi"
    about = f" (sekitar {minutes} menit)" if minutes else ""
    return sms_text(
        f"{code}: Giliran Anda sebentar lagi: {when}{about}. Silakan kembali ke {site}."
    )


def called_text(code: str, counter: str, site: str, lang: str) -> str:
    if lang == "en":
        return sms_text(f"{code} is called to {counter}. {site}")
    return sms_text(f"Nomor {code} dipanggil ke {counter}. {site}")


def transferred_text(code: str, service: str, ahead: int, site: str, lang: str) -> str:
    if lang == "en":
        return sms_text(f"{code} is moved to {service}: {ahead} ahead of you. {site}")
    return sms_text(f"Nomor {code} dipindahkan ke layanan {service}: {ahead} antrean lagi. {site}")


def stopped_text(code: str, service: str, reason: str, site: str, lang: str) -> str:
    if lang == "en":
        return sms_text(f"{code}: {service} service stopped today: {reason}. {site}")
    return sms_text(f"{code}: Layanan {service} dihentikan hari ini: {reason}. {site}")


# Codes' texts waiting in memory at the most; the oldest goes first (then expires unsent).
HELD_AT_MOST = 10_000


def code_text(code: str, site: str, lang: str) -> str:
    """A booking's one-time code (server/booking/phone_codes.py), one SMS long."""
    if lang == "en":
        return sms_text(f"{code} is your booking code for {site}. Valid 5 minutes. Never share it.")
    return sms_text(
        f"{code} adalah kode verifikasi booking {site}. Berlaku 5 menit. Jangan berikan"
        " kepada siapa pun."
    )


# -- deciding -----------------------------------------------------------------------------


def code_sender(
    site: Site, held: dict[int, str]
) -> Callable[[Session, str, str, str, datetime], None]:
    """send_code bound to the site and the worker's memory: what the booking room calls."""

    def deliver(s: Session, phone: str, code: str, lang: str, now: datetime) -> None:
        send_code(s, site, phone, code, lang, now, held)

    return deliver


def send_code(
    s: Session,
    site: Site,
    phone: str,
    code: str,
    lang: str,
    now: datetime,
    held: dict[int, str],
) -> None:
    """A booking's one-time code into the outbox, in the caller's transaction, with the
    code masked: the text to send is `held` in this process's memory only (the sender
    takes it from there), so no copy of the database or its backups holds a live code."""
    row = OutboxRow(
        ticket_id=None,
        kind="code",
        business_day=business_day(site.tz, now),
        phone=normalize_phone(phone),
        text=code_text("*" * len(code), site.name, lang),
        state="due",
        attempts=0,
        created_at=now,
        next_try_at=now,
    )
    s.add(row)
    s.flush()
    if len(held) >= HELD_AT_MOST:  # rows rolled back after the flush leave theirs here
        # the sender's thread pops too: losing that race only spares one more old text
        with contextlib.suppress(StopIteration, RuntimeError, KeyError):
            held.pop(next(iter(held)))
    held[row.id] = code_text(code, site.name, lang)


def decide(
    s: Session, ticket_id: int, kind: str, phone: str, text: str, day: date, now: datetime
) -> bool:
    """One message into the outbox, unless this ticket already has one of this kind.

    The caller holds the write lock (every queue write is serialised), so the look then
    the insert cannot race; the unique key stays as the last word.
    """
    have = s.scalar(
        select(OutboxRow.id).where(OutboxRow.ticket_id == ticket_id, OutboxRow.kind == kind)
    )
    if have is not None:
        return False
    s.add(
        OutboxRow(
            ticket_id=ticket_id,
            kind=kind,
            business_day=day,
            phone=phone,
            text=text,
            state="due",
            attempts=0,
            created_at=now,
            next_try_at=now,
        )
    )
    return True


def near_limit(s: Session, site: Site, service: str) -> int:
    """How many may be ahead of a ticket that is "near" (the larger of the two rules)."""
    cfg = site.config.notify
    if cfg.near_minutes <= 0:
        return cfg.near_ahead
    # the most ahead whose estimate is still under near_minutes (the estimate is cached
    # per service, so each look is arithmetic)
    under = -1
    for ahead in range(_LONGEST_NEAR + 1):
        if estimate(s, site, service, ahead)[0] >= cfg.near_minutes:
            break
        under = ahead
    return max(cfg.near_ahead, under)


def check_near(s: Session, site: Site, day: date, service: str, now: datetime) -> int:
    """Decide "near" for the waiting phones of a service within the limit; returns how many."""
    waiting = s.scalar(
        select(PhoneRow.ticket_id)
        .where(
            PhoneRow.business_day == day,
            PhoneRow.service == service,
            PhoneRow.near_done.is_(False),
        )
        .limit(1)
    )
    if waiting is None:  # the common case: nobody in this line left a number
        return 0
    limit = near_limit(s, site, service)
    if limit < 0:
        return 0
    # The line in call-next's order (server/queue/wire.py): its first limit+1 are near.
    line = s.execute(
        select(TicketRow.id, TicketRow.code)
        .where(
            TicketRow.business_day == day,
            TicketRow.service == service,
            TicketRow.status == TicketStatus.WAITING,
        )
        .order_by(TicketRow.priority.desc(), TicketRow.queued_at, TicketRow.id)
        .limit(limit + 1)
    ).all()
    place = {row.id: (ahead, row.code) for ahead, row in enumerate(line)}
    phones = s.scalars(
        select(PhoneRow).where(PhoneRow.ticket_id.in_(list(place)), PhoneRow.near_done.is_(False))
    ).all()
    cfg = site.config.notify
    told = 0
    for p in phones:
        p.near_done = True
        if p.phone is None:
            continue
        ahead, code = place[p.ticket_id]
        minutes = estimate(s, site, service, ahead)[0] if cfg.near_minutes > 0 else None
        text = near_text(code, ahead, minutes, site.name, p.lang)
        told += decide(s, p.ticket_id, "near", p.phone, text, day, now)
    return told


def attach_phone(
    s: Session,
    site: Site,
    ticket: Ticket | TicketRow,
    phone: str,
    lang: str,
    now: datetime,
) -> None:
    """Keep a waiting ticket's phone (a second number replaces the first), and tell it at
    once if it is near already."""
    row = s.get(PhoneRow, ticket.id)
    if row is None:
        row = PhoneRow(
            ticket_id=ticket.id,
            business_day=ticket.business_day,
            service=ticket.service,
            phone=phone,
            lang=lang,
            near_done=False,
            created_at=now,
        )
        s.add(row)
    else:
        row.phone, row.lang = phone, lang
    s.flush()
    if site.config.notify.channel != "none":
        check_near(s, site, ticket.business_day, ticket.service, now)


def current_entry(s: Session, ticket_id: int) -> TicketRow | None:
    """The entry standing for a ticket now: a transfer makes a new entry with the same code
    on the same day (the latest one is the ticket's place)."""
    row = s.get(TicketRow, ticket_id)
    if row is None:
        return None
    return s.scalar(
        select(TicketRow)
        .where(TicketRow.business_day == row.business_day, TicketRow.code == row.code)
        .where(TicketRow.id >= row.id)
        .order_by(TicketRow.id.desc())
        .limit(1)
    )


def attach_from_page(queue: QueueService, ticket_id: int, phone: str, lang: str = "id") -> None:
    """The ticket page's "Kirim pesan" form: the phone of a ticket still waiting."""
    number = normalize_phone(phone)
    with queue.store.write() as s:
        row = current_entry(s, ticket_id)
        if row is None:
            raise not_found("ticket", ticket_id)
        if row.status != TicketStatus.WAITING:
            raise conflict("not_waiting", f"Ticket {row.code} is {row.status}, not waiting.")
        attach_phone(s, queue.site, row, number, lang, queue.clock())


def issue_with_phone(
    queue: QueueService,
    service: str,
    priority: bool,
    request_id: str,
    device_id: int | None,
    phone: str,
    lang: str = "id",
    group: str | None = None,
) -> Issued:
    """A kiosk's issue with a phone: the ticket and its phone in one transaction."""
    number = normalize_phone(phone)
    with queue.store.write() as s:
        issued = queue.issue_in(s, service, priority, request_id, device_id, group=group)
        if issued.created:
            attach_phone(s, queue.site, issued.ticket, number, lang, queue.clock())
        return issued


class Notifier:
    """The queue core's event hook (server/queue/rules.py EventHook), wired by the runtime.

    `site` is read at each event (the console swaps the site); `wake` runs after the
    commit of a transaction that decided a message (the worker's doorbell).
    """

    def __init__(self, site: Callable[[], Site], wake: Callable[[], None] | None = None) -> None:
        self._site = site
        self.wake = wake

    def on_event(
        self,
        s: Session,
        kind: EventType,
        at: datetime,
        ticket: Ticket | None,
        counter: CounterInfo | None,
    ) -> None:
        if kind is EventType.ISSUED:
            return  # the kiosk's hot path: a new ticket is last in line, nobody moved up
        site = self._site()
        cfg = site.config.notify
        if cfg.channel == "none":
            return
        try:
            # Its own savepoint: a fault here undoes only the messages, never the event.
            with s.begin_nested():
                decided = self._decide(s, site, cfg, kind, at, ticket, counter)
        except Exception:
            log.exception("deciding messages for a %s event failed", kind.value)
            return
        if decided and self.wake is not None:
            s.info["after_commit"].append(self.wake)

    def _decide(
        self,
        s: Session,
        site: Site,
        cfg: NotifyConfig,
        kind: EventType,
        at: datetime,
        ticket: Ticket | None,
        counter: CounterInfo | None,
    ) -> int:
        decided = 0
        services: set[str] = set()
        if ticket is not None:
            day = ticket.business_day
            services.add(ticket.service)
            if kind is EventType.CALLED:
                decided += self._called(s, site, ticket, at)
            elif kind is EventType.TRANSFERRED:
                decided += self._transferred(s, site, ticket, at)
        elif counter is not None and cfg.near_minutes > 0 and counter.code in site.counters:
            # a counter opened or paused: the estimates of its services changed
            day = business_day(site.tz, at)
            services.update(site.counters[counter.code].services)
        else:
            return 0
        moves = kind in (EventType.CALLED, EventType.CANCELLED, EventType.TRANSFERRED)
        if moves or cfg.near_minutes > 0:
            for service in sorted(services):
                decided += check_near(s, site, day, service, at)
        return decided

    def on_phone(self, s: Session, ticket: Ticket, phone: str, at: datetime) -> None:
        """A ticket issued with a contact phone (a booking's check-in: server/queue/rules.py
        PhoneHook): kept as a number left at the kiosk is, when it is a mobile one."""
        site = self._site()
        number = mobile_number(phone)
        if number is None or site.config.notify.channel == "none":
            return  # a landline, or no messages at this site: nothing kept
        try:
            with s.begin_nested():
                attach_phone(s, site, ticket, number, "id", at)
        except Exception:
            log.exception("keeping the phone of ticket %s failed", ticket.code)
            return
        if self.wake is not None:
            s.info["after_commit"].append(self.wake)

    def on_stop(self, s: Session, service: str, reason: str, at: datetime) -> None:
        """A service stopped for the day (server/queue/rules.py StopHook): its waiting
        visitors with a number are told, in the same transaction."""
        site = self._site()
        if site.config.notify.channel == "none" or service not in site.services:
            return
        try:
            with s.begin_nested():
                decided = self._stopped(s, site, service, reason, at)
        except Exception:
            log.exception("deciding the messages of a stopped service failed")
            return
        if decided and self.wake is not None:
            s.info["after_commit"].append(self.wake)

    @staticmethod
    def _stopped(s: Session, site: Site, service: str, reason: str, at: datetime) -> int:
        day = business_day(site.tz, at)
        rows = s.execute(
            select(PhoneRow, TicketRow.code)
            .join(TicketRow, TicketRow.id == PhoneRow.ticket_id)
            .where(
                PhoneRow.business_day == day,
                PhoneRow.service == service,
                PhoneRow.phone.is_not(None),
                TicketRow.status == TicketStatus.WAITING,
            )
        ).all()
        svc = site.services[service][1]
        decided = 0
        for p, code in rows:
            name = svc.name_en or svc.name if p.lang == "en" else svc.name
            text = stopped_text(code, name, reason, site.name, p.lang)
            decided += decide(s, p.ticket_id, "stopped", p.phone or "", text, day, at)
        return decided

    @staticmethod
    def _called(s: Session, site: Site, ticket: Ticket, at: datetime) -> int:
        p = s.get(PhoneRow, ticket.id)
        if p is None or p.phone is None:
            return 0
        p.near_done = True  # called: "near" would come too late
        where = ticket.counter_name or ticket.counter or ""
        text = called_text(ticket.code, where, site.name, p.lang)
        return int(decide(s, ticket.id, "called", p.phone, text, ticket.business_day, at))

    @staticmethod
    def _transferred(s: Session, site: Site, ticket: Ticket, at: datetime) -> int:
        """The ticket is the new waiting entry; its phone follows it from the old one."""
        if ticket.transferred_from is None:
            return 0
        old = s.get(PhoneRow, ticket.transferred_from)
        if old is None or old.phone is None:
            return 0
        limit = site.config.notify.near_ahead
        s.add(
            PhoneRow(
                ticket_id=ticket.id,
                business_day=ticket.business_day,
                service=ticket.service,
                phone=old.phone,
                lang=old.lang,
                # the transfer's message says how many are ahead: no "near" right after it
                near_done=ticket.ahead <= limit,
                created_at=at,
            )
        )
        s.flush()
        text = transferred_text(ticket.code, ticket.service_name, ticket.ahead, site.name, old.lang)
        return int(decide(s, ticket.id, "transferred", old.phone, text, ticket.business_day, at))
