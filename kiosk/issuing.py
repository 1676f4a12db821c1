"""A ticket taken from the server and printed, one at a time.

A second tap while one is in flight is ignored. Taking the ticket is retried with
the same request_id (the server gives the same ticket again, never a second one),
and a ticket the printer then fails to print is cancelled.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from hardware.errors import PaperOut
from hardware.printer import PrinterState, PrinterStatus
from hardware.ticket import TicketPrint
from kiosk.catalog import Catalog
from kiosk.link import ServerLink
from kiosk.navigation import Navigation
from kiosk.ports import Client, Run, Timing
from kiosk.printers import PrinterWatch, problem_of
from shared.config import Config
from shared.errors import ApiError, HardwareError, ServerUnavailable
from shared.models import IssuedTicket, Ticket

log = logging.getLogger(__name__)
T = TypeVar("T")
Ended = Callable[[Ticket | None, BaseException | None], None]


class PrinterProblem(HardwareError):
    """The printer said before issuing that it cannot print (no ticket was issued)."""

    def __init__(self, status: PrinterStatus) -> None:
        super().__init__(f"printer not ready: {status.state} {status.detail}".strip())
        self.status = status


class PrintFailed(HardwareError):
    """Printing an issued ticket failed; the ticket was cancelled (or will be)."""

    def __init__(self, ticket: Ticket, cause: HardwareError, cancelled: bool) -> None:
        super().__init__(f"printing {ticket.code} failed ({cause}); cancelled: {cancelled}")
        self.ticket = ticket
        self.cause = cause
        self.cancelled = cancelled


def retry(call: Callable[[], T], delays: tuple[float, ...]) -> T:
    """Call, retrying a lost connection; the request_id inside makes it idempotent."""
    for delay in delays:
        try:
            return call()
        except ServerUnavailable as exc:
            log.warning("server unavailable (%s); retrying in %.1f s", exc, delay)
            time.sleep(delay)
    return call()


class Issuer:
    def __init__(
        self,
        config: Config,
        link: ServerLink,
        catalog: Catalog,
        printers: PrinterWatch,
        nav: Navigation,
        timing: Timing,
        run: Run,
    ) -> None:
        self.config = config
        self.link = link
        self.catalog = catalog
        self.printers = printers
        self.nav = nav
        self.timing = timing
        self.run = run
        self.busy = False  # a ticket is being taken and printed
        self.ticket: Ticket | None = None  # the last one printed
        self.issued: list[Ticket] = []  # this session's printed tickets, newest last
        self.unprinted: list[Ticket] = []  # issued but the printer failed (cancelled)

    @property
    def ready(self) -> bool:
        """Tiles take touches: connected, printer not known bad, nothing in flight."""
        return self.link.up and self.printers.problem is None and not self.busy

    def issue(
        self, service: str, priority: bool, phone: str | None = None, group: str | None = None
    ) -> None:
        """Issue and print one ticket; a second tap while this runs is ignored. `phone`: the
        visitor's number for messages (kiosk/asking.py), in the screen's language; `group`:
        who a priority ticket is for (one of the site's priority groups)."""
        client = self.link.client
        if not self.ready or client is None:
            log.info("ignored a tap while issuing or unusable (service %s)", service)
            return
        request_id = uuid.uuid4().hex  # once per attempt: every retry reuses it
        log.info(
            "issuing %s priority=%s group=%s request_id=%s", service, priority, group, request_id
        )
        self.start(
            client,
            lambda: client.issue(service, priority, request_id, phone, self.nav.lang, group),
            lambda ticket, exc: self.ended(service, priority, request_id, ticket, exc),
        )

    def start(self, client: Client, take: Callable[[], IssuedTicket], ended: Ended) -> None:
        """The printing screen while the worker takes the ticket (`take`) and prints it."""
        self.busy = True
        self.nav.show("printing")
        qr_base = self.link.public_url or client.base_url

        def done(ticket: Ticket | None, exc: BaseException | None) -> None:
            self.busy = False
            ended(ticket, exc)

        self.run(lambda: self._print_job(client, take, qr_base), done)

    def _print_job(self, client: Client, take: Callable[[], IssuedTicket], qr_base: str) -> Ticket:
        """Check the printer, take the ticket (retried: its request_id makes that safe), print."""
        printer, printers = self.printers.printer, self.printers
        assert printer is not None
        status = printer.check()
        printers.report(client, status)
        if not status.may_print:
            raise PrinterProblem(status)
        ticket = retry(take, self.timing.issue_retry_delays)
        try:
            printer.print_ticket(
                TicketPrint.from_ticket(
                    ticket,
                    self.config.site,
                    qr_base,
                    self.config.printer.status_url,
                    page=ticket.page,
                )
            )
        except HardwareError as exc:
            log.error("printing ticket %s failed: %s; cancelling it", ticket.code, exc)
            cancelled = self._cancel(client, ticket)
            state = PrinterState.PAPER_OUT if isinstance(exc, PaperOut) else PrinterState.OFFLINE
            printers.report(client, PrinterStatus(state, detail=str(exc)[:200]))
            raise PrintFailed(ticket, exc, cancelled) from exc
        printers.report(client, status)
        return ticket

    def _cancel(self, client: Client, ticket: Ticket) -> bool:
        try:
            retry(lambda: client.cancel(ticket.id), self.timing.issue_retry_delays)
        except (ServerUnavailable, ApiError) as exc:
            log.error("could not cancel ticket %s (id %s): %s", ticket.code, ticket.id, exc)
            return False
        log.info("cancelled ticket %s after the print failure", ticket.code)
        return True

    def ended(
        self,
        service: str,
        priority: bool,
        request_id: str,
        ticket: Ticket | None,
        exc: BaseException | None,
    ) -> None:
        """The ticket on screen, or what went wrong and what the visitor should do."""
        if ticket is not None:
            log.info("ticket %s printed (%d ahead)", ticket.code, ticket.ahead)
            self.ticket = ticket
            self.issued.append(ticket)
            self.catalog.refresh.soon()
            self.nav.show("done")
            return
        log.warning("issuing %s failed: %s", service, exc)
        if isinstance(exc, PrinterProblem):
            self.printers.failed(problem_of(exc.status))
            self.nav.show_notice(problem_of(exc.status))
        elif isinstance(exc, PrintFailed):
            self.unprinted.append(exc.ticket)
            paper = isinstance(exc.cause, PaperOut)
            self.printers.failed("paper_out" if paper else "printer_failed")
            self.nav.show_notice("print_failed")
        elif isinstance(exc, ServerUnavailable):
            # the server may have made the ticket before the line dropped: cancel it later
            self.link.lost(orphan=(service, priority, request_id))
            self.nav.show_notice("server_down")
        elif isinstance(exc, ApiError) and exc.code == "service_stopped":
            self.catalog.refresh.soon()
            self.nav.show_notice("stopped_today", {"reason": exc.extra.get("reason") or ""})
        elif isinstance(exc, ApiError) and exc.code in ("service_closed", "quota_reached"):
            self.catalog.refresh.soon()
            self.nav.show_notice("quota_full" if exc.code == "quota_reached" else "closed")
        elif isinstance(exc, ApiError) and exc.status == 404:
            self.catalog.refresh.soon()
            self.nav.show_notice("service_unknown")
        elif isinstance(exc, ApiError) and exc.status in (401, 403):
            self.nav.config_error("no_token")
        else:
            log.error("unexpected failure while issuing", exc_info=exc)
            failed = "printer_failed" if isinstance(exc, HardwareError) else "server_down"
            self.nav.show_notice(failed)
