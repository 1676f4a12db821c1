"""The kiosk's logic, plain Python with no Kivy: screens, issuing, printing, failures.

Every public method runs on the UI thread. Network and printer I/O go to a
worker (`submit`) and their results come back through `post`, which the app
wires to `Clock.schedule_once`; so the state below is only touched on one thread.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from hardware.errors import PaperOut
from hardware.printer import PrinterState, PrinterStatus
from hardware.ticket import TicketPrint
from kiosk import view
from kiosk.ports import Client, Locator, Post, Submit, TicketPrinter, Timing, off_ui_thread
from kiosk.texts import t
from shared.api import BOOKING_CODE_ALPHABET
from shared.config import Config
from shared.errors import ApiError, HardwareError, ServerUnavailable
from shared.models import (
    AgencyInfo,
    Health,
    IssuedTicket,
    ServiceInfo,
    ServicesAnswer,
    Ticket,
)
from shared.timeutil import utcnow

log = logging.getLogger(__name__)

# the server's words for a kiosk's printer (POST /devices/heartbeat)
SERVER_PRINTER_STATE = {
    PrinterState.READY: "ok",
    PrinterState.PAPER_NEAR_END: "paper_near_end",
    PrinterState.PAPER_OUT: "paper_out",
    PrinterState.OFFLINE: "offline",
    PrinterState.UNAVAILABLE: "offline",
    PrinterState.BUSY: "error",
    PrinterState.NOT_CONFIGURED: "error",
    PrinterState.UNKNOWN: "unknown",
}

T = TypeVar("T")


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


class NoToken(Exception):
    """The server is not in demo mode and the config holds no kiosk token."""


class KioskController:
    """Screens: connecting, home, services, priority, checkin, printing, done, notice,
    config_error."""

    def __init__(
        self,
        config: Config,
        locator: Locator,
        make_client: Callable[[str, str | None], Client],
        printer: TicketPrinter | None,
        submit: Submit,
        post: Post,
        clock: Callable[[], float] = time.monotonic,
        timing: Timing | None = None,
    ) -> None:
        self.config = config
        self.locator = locator
        self.make_client = make_client
        self.printer = printer
        self._run = off_ui_thread(submit, post)
        self.clock = clock
        self.timing = timing or Timing()
        self.listeners: list[Callable[[], None]] = []

        self.lang = config.kiosk.language
        self.screen = "connecting"
        self.client: Client | None = None
        self.server_url = config.client.server
        # Where printed QR codes point: the site's public URL, when the server has one.
        self.public_url = ""
        self.tz = config.site.tz
        self.services: ServicesAnswer | None = None
        self.agency: AgencyInfo | None = None
        self.service: ServiceInfo | None = None
        self.ticket: Ticket | None = None
        self.problem: str | None = None  # "server_down", "paper_out", "printer_failed"
        self.notice = ""  # the message on the notice screen (a text key)
        self.notice_values: dict[str, object] = {}  # what its text says (a time, a date)
        self.booking_code = ""  # typed on the check-in keypad (antrean online)
        self._keys = ""  # what a barcode scanner typed so far (it ends with Enter)
        self._pending_check_in: tuple[str, str] | None = None  # (code, request_id) unanswered
        self.config_problem = ""  # "no_printer", "no_token"
        self.issued: list[Ticket] = []  # this session's printed tickets, newest last
        self.unprinted: list[Ticket] = []  # issued but the printer failed (cancelled)

        self._issuing = False
        self._connecting = False
        self._refreshing = False
        self._checking_printer = False
        self._last_touch = clock()
        self._shown_at = clock()
        self._next_connect = 0.0
        self._next_refresh = 0.0
        self._next_printer = 0.0
        self._next_site_check = 0.0
        self._checking_site = False
        self.site_version = 0  # the server's site_version the services shown are from
        self._next_beat = 0.0
        self._beating = False
        self._orphan: tuple[str, bool, str] | None = None
        self._reported: str | None = None  # last printer state sent (worker thread only)
        self._clients: dict[str, Client] = {}  # worker thread only

        if printer is None or getattr(printer, "kind", "") == "none":
            log.error("no ticket printer is configured: set [printer] kind in the config")
            self.config_problem = "no_printer"
            self.screen = "config_error"

    # -- what the widgets read ---------------------------------------------------

    @property
    def usable(self) -> bool:
        """Tiles take touches: connected, printer not known bad, nothing in flight."""
        return self.client is not None and self.problem is None and not self._issuing

    def text(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def now(self) -> datetime:
        return utcnow().astimezone(self.tz)

    def tiles(self) -> list[view.Row]:
        tiles = view.agency_tiles(self.services, self.lang, self.usable)
        return [*tiles, view.check_in_tile(self.lang, self.usable)] if tiles else tiles

    def notice_message(self) -> str:
        return self.text(self.notice, **self.notice_values) if self.notice else ""

    def rows(self) -> list[view.Row]:
        return view.service_rows(self.agency, self.lang, self.tz, self.now(), self.usable)

    def ticket_names(self) -> str:
        """'Agency · Service' of the last ticket, in the screen's language when known."""
        ticket = self.ticket
        if ticket is None:
            return ""
        agency_name, service_name = ticket.agency_name, ticket.service_name
        for agency in self.services.agencies if self.services else []:
            for svc in agency.services:
                if svc.code == ticket.service:
                    agency_name = view.name_of(agency, self.lang)
                    service_name = view.name_of(svc, self.lang)
        online = f" · {self.text('online_mark')}" if getattr(ticket, "online", False) else ""
        return f"{agency_name} · {service_name}{online}"

    def problem_text(self) -> str:
        return self.text(self.problem) if self.problem else ""

    def on_change(self, listener: Callable[[], None]) -> None:
        self.listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    def _show(self, screen: str) -> None:
        self.screen = screen
        self._shown_at = self.clock()
        self._changed()

    # -- visitor actions -----------------------------------------------------------

    def touched(self) -> None:
        """Any touch anywhere: the idle timer starts again."""
        self._last_touch = self.clock()

    def toggle_language(self) -> None:
        self.touched()
        self.lang = "en" if self.lang == "id" else "id"
        self._changed()

    def go_home(self, new_visitor: bool = False) -> None:
        if self.screen in ("config_error", "connecting"):
            return
        if new_visitor:
            self.lang = self.config.kiosk.language
        self.agency = self.service = None
        self._show("home")

    def back(self) -> None:
        self.touched()
        if self.screen == "priority" and self.agency and len(self.agency.services) > 1:
            self.service = None
            self._show("services")
        else:
            self.go_home()

    def touch_result(self) -> None:
        """A touch on the done or notice screen: home, unless it is the tail of a double tap."""
        self.touched()
        if self.clock() - self._shown_at >= self.timing.touch_grace_seconds:
            self.go_home(new_visitor=True)

    def choose_agency(self, code: str) -> None:
        self.touched()
        if self.screen != "home" or not self.usable or self.services is None:
            return
        if code == view.CHECK_IN:
            self.booking_code = ""
            self._show("checkin")
            return
        agency = next((a for a in self.services.agencies if a.code == code), None)
        if agency is None:
            return
        self.agency = agency
        if len(agency.services) == 1:
            self.screen = "services"  # skipped: straight on to priority or printing
            self.choose_service(agency.services[0].code)
        else:
            self._show("services")

    def choose_service(self, code: str) -> None:
        self.touched()
        if self.screen != "services" or not self.usable or self.agency is None:
            return
        svc = next((s for s in self.agency.services if s.code == code), None)
        if svc is None or not svc.open_now:
            return
        self.service = svc
        if svc.priority_allowed:
            self._show("priority")
        else:
            self.issue(svc.code, False)

    def choose_priority(self, priority: bool) -> None:
        self.touched()
        if self.screen != "priority" or self.service is None:
            return
        self.issue(self.service.code, priority)

    # -- antrean online: check-in ----------------------------------------------------

    def key(self, key: str) -> None:
        """A key of the check-in keypad: a code character, "back" (delete) or "ok"."""
        self.touched()
        if self.screen != "checkin":
            return
        if key == "back":
            self.booking_code = self.booking_code[:-1]
        elif key == "ok":
            if self.booking_code:
                self.check_in(self.booking_code)
            return
        elif len(key) == 1 and key.upper() in BOOKING_CODE_ALPHABET and len(self.booking_code) < 12:
            self.booking_code += key.upper()
        self._changed()

    def typed(self, text: str) -> None:
        """Characters from the keyboard: a USB barcode scanner types the QR code's text."""
        if self.screen in ("home", "checkin"):
            self._keys = (self._keys + text)[-32:]

    def enter(self) -> None:
        """Enter from the keyboard: a scanner ends the code with it. Checks the code in."""
        self.touched()
        code, self._keys = self._keys.strip().upper(), ""
        if self.screen not in ("home", "checkin") or not self.usable:
            return
        if code:
            self.booking_code = code[:12]
            self.check_in(self.booking_code)
        elif self.screen == "checkin" and self.booking_code:
            self.check_in(self.booking_code)

    def check_in(self, code: str) -> None:
        """Check a booking in and print its ticket (marked online)."""
        client = self.client
        if self._issuing or client is None or self.problem is not None:
            return
        self._issuing = True
        pending = self._pending_check_in
        # The same code again after a lost answer: the same request_id, so the same ticket.
        request_id = pending[1] if pending and pending[0] == code else uuid.uuid4().hex
        log.info("checking in booking %s request_id=%s", code, request_id)
        self._show("printing")
        qr_base = self.public_url or client.base_url
        self._run(
            lambda: self._print_job(client, lambda: client.check_in(code, request_id), qr_base),
            lambda ticket, exc: self._checked_in(code, request_id, ticket, exc),
        )

    def _checked_in(
        self, code: str, request_id: str, ticket: Ticket | None, exc: BaseException | None
    ) -> None:
        if isinstance(exc, ServerUnavailable):
            self._issuing = False
            self._pending_check_in = (code, request_id)
            self._server_lost()
            self._notice("server_down")
            return
        self._pending_check_in = None
        if isinstance(exc, ApiError) and exc.code in view.REFUSALS:
            self._issuing = False
            log.info("check-in of %s refused: %s", code, exc.code)
            key, self.notice_values = view.refusal(
                exc.code, exc.extra, self.tz, self.now(), self.lang
            )
            self._notice(key, keep_values=True)
            return
        self._issued(f"booking {code}", False, request_id, ticket, exc)

    # -- issuing -------------------------------------------------------------------

    def issue(self, service: str, priority: bool) -> None:
        """Issue and print one ticket; a second tap while this runs is ignored."""
        client = self.client
        if self._issuing or client is None or self.problem is not None:
            log.info("ignored a tap while issuing or unusable (service %s)", service)
            return
        self._issuing = True
        request_id = uuid.uuid4().hex  # once per attempt: every retry reuses it
        log.info("issuing %s priority=%s request_id=%s", service, priority, request_id)
        self._show("printing")
        qr_base = self.public_url or client.base_url
        self._run(
            lambda: self._issue_job(client, service, priority, request_id, qr_base),
            lambda ticket, exc: self._issued(service, priority, request_id, ticket, exc),
        )

    def _issue_job(
        self, client: Client, service: str, priority: bool, request_id: str, qr_base: str
    ) -> Ticket:
        return self._print_job(client, lambda: client.issue(service, priority, request_id), qr_base)

    def _print_job(self, client: Client, take: Callable[[], IssuedTicket], qr_base: str) -> Ticket:
        """Check the printer, take the ticket (retried: its request_id makes that safe), print."""
        assert self.printer is not None
        status = self.printer.check()
        self._report_printer(client, status)
        if not status.may_print:
            raise PrinterProblem(status)
        ticket = self._retry(take)
        try:
            self.printer.print_ticket(
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
            self._report_printer(client, PrinterStatus(state, detail=str(exc)[:200]))
            raise PrintFailed(ticket, exc, cancelled) from exc
        self._report_printer(client, status)
        return ticket

    def _retry(self, call: Callable[[], T]) -> T:
        """Call, retrying a lost connection; the request_id inside makes it idempotent."""
        for delay in self.timing.issue_retry_delays:
            try:
                return call()
            except ServerUnavailable as exc:
                log.warning("server unavailable (%s); retrying in %.1f s", exc, delay)
                time.sleep(delay)
        return call()

    def _cancel(self, client: Client, ticket: Ticket) -> bool:
        try:
            self._retry(lambda: client.cancel(ticket.id))
        except (ServerUnavailable, ApiError) as exc:
            log.error("could not cancel ticket %s (id %s): %s", ticket.code, ticket.id, exc)
            return False
        log.info("cancelled ticket %s after the print failure", ticket.code)
        return True

    def _report_printer(self, client: Client, status: PrinterStatus) -> None:
        """Tell the server about the printer when its state changes (best effort)."""
        state = SERVER_PRINTER_STATE.get(status.state, "unknown")
        if state == self._reported:
            return
        try:
            client.heartbeat(printer=state, detail=status.detail[:200] or None)
            self._reported = state
        except (ServerUnavailable, ApiError) as exc:
            log.warning("could not report printer state %s: %s", state, exc)

    def _issued(
        self,
        service: str,
        priority: bool,
        request_id: str,
        ticket: Ticket | None,
        exc: BaseException | None,
    ) -> None:
        self._issuing = False
        if ticket is not None:
            log.info("ticket %s printed (%d ahead)", ticket.code, ticket.ahead)
            self.ticket = ticket
            self.issued.append(ticket)
            self._next_refresh = 0.0
            self._show("done")
            return
        log.warning("issuing %s failed: %s", service, exc)
        if isinstance(exc, PrinterProblem):
            paper = exc.status.state is PrinterState.PAPER_OUT
            self.problem = "paper_out" if paper else "printer_failed"
            self._next_printer = self.clock() + self.timing.printer_bad_seconds
            self._notice("paper_out" if paper else "printer_failed")
        elif isinstance(exc, PrintFailed):
            self.unprinted.append(exc.ticket)
            self.problem = "paper_out" if isinstance(exc.cause, PaperOut) else "printer_failed"
            self._next_printer = self.clock() + self.timing.printer_bad_seconds
            self._notice("print_failed")
        elif isinstance(exc, ServerUnavailable):
            # the server may have made the ticket before the line dropped: cancel it later
            self._orphan = (service, priority, request_id)
            self._server_lost()
            self._notice("server_down")
        elif isinstance(exc, ApiError) and exc.code in ("service_closed", "quota_reached"):
            self._next_refresh = 0.0
            self._notice("quota_full" if exc.code == "quota_reached" else "closed")
        elif isinstance(exc, ApiError) and exc.status == 404:
            self._next_refresh = 0.0
            self._notice("service_unknown")
        elif isinstance(exc, ApiError) and exc.status in (401, 403):
            self.config_problem = "no_token"
            self._show("config_error")
        else:
            log.error("unexpected failure while issuing", exc_info=exc)
            self._notice("printer_failed" if isinstance(exc, HardwareError) else "server_down")

    def _notice(self, key: str, keep_values: bool = False) -> None:
        self.notice = key
        if not keep_values:
            self.notice_values = {}
        self._show("notice")

    # -- connection, refresh, printer checks (driven by tick) -----------------------

    def tick(self) -> None:
        """Called about twice a second by the UI: timeouts, reconnects, refreshes."""
        now = self.clock()
        idle = now - self._last_touch >= self.config.kiosk.idle_seconds
        shown = now - self._shown_at
        result_over = self.screen in ("done", "notice") and shown >= max(
            self.config.kiosk.done_seconds, self.timing.touch_grace_seconds
        )
        walked_away = idle and (
            self.screen in ("services", "priority", "checkin")
            or (self.screen == "home" and self.lang != self.config.kiosk.language)
        )
        if result_over or walked_away:
            self.go_home(new_visitor=True)
        if self.config_problem:
            return
        if self.client is None or self.problem == "server_down":
            if now >= self._next_connect and not self._connecting:
                self.connect()
            return
        if now >= self._next_refresh and not self._refreshing and not self._issuing:
            self._refresh()
        if now >= self._next_printer and not self._checking_printer and not self._issuing:
            self._check_printer()
        if now >= self._next_site_check and not self._checking_site:
            self._check_site()
        if now >= self._next_beat and not self._beating and not self._issuing:
            self._beat()

    def _beat(self) -> None:
        """Every heartbeat_seconds: tell the server the kiosk is there (printer as last seen)."""
        client = self.client
        if client is None:
            return
        self._beating = True

        def job() -> None:
            client.heartbeat(printer=self._reported or "unknown")

        def done(_result: object, exc: BaseException | None) -> None:
            self._beating = False
            self._next_beat = self.clock() + self.timing.heartbeat_seconds
            if exc is not None:
                log.warning("heartbeat failed: %s", exc)

        self._run(job, done)

    def connect(self) -> None:
        """Find the server (URL or zeroconf), pick the token, load the services."""
        self._connecting = True
        self._run(self._connect_job, self._connected)

    def _connect_job(self) -> tuple[Client, Health, ServicesAnswer]:
        url = self.locator.locate()
        client = self._clients.get(url)
        if client is None:  # one client (one connection pool) per server address
            client = self._clients[url] = self.make_client(url, self.config.client.token or None)
        health = client.health()
        token = self.config.client.token or ("demo-kiosk" if health.demo else "")
        if not token:
            raise NoToken(url)
        client.set_token(token)
        return client, health, client.services()

    def _connected(
        self, result: tuple[Client, Health, ServicesAnswer] | None, exc: BaseException | None
    ) -> None:
        self._connecting = False
        if result is None:
            if isinstance(exc, NoToken):
                log.error("server %s is not in demo mode and [client] token is empty", exc)
                self.config_problem = "no_token"
                self._show("config_error")
                return
            where = self.config.client.server or "(zeroconf)"
            log.warning("cannot reach the queue server %s: %s", where, exc)
            self._server_lost()
            return
        client, health, services = result
        first = self.client is None
        self.client, self.services = client, services
        self.site_version = health.site_version
        self._next_site_check = self.clock() + self.timing.site_check_seconds
        self.server_url = client.base_url
        self.public_url = health.public_url
        try:
            self.tz = ZoneInfo(health.timezone)
        except (KeyError, ValueError):
            log.warning("server time zone %r unknown; keeping %s", health.timezone, self.tz)
        log.info("connected to %s (%s, demo=%s)", client.base_url, health.site, health.demo)
        if self.problem == "server_down":
            self.problem = None
        self._next_refresh = self.clock() + self.timing.refresh_seconds
        self._next_printer = 0.0
        if self._orphan:
            self._cancel_orphan(client, self._orphan)
            self._orphan = None
        if first and self.screen == "connecting":
            self._show("home")
        else:
            self._changed()

    def lost_server(self) -> None:
        """The server stopped answering: tiles off, reconnect by URL or zeroconf."""
        self._server_lost()

    def _server_lost(self) -> None:
        self.problem = "server_down"
        self._next_connect = self.clock() + self.timing.retry_seconds
        if not self.config.client.server:
            self.locator.forget()  # zeroconf again: the server may have a new address
        if self.screen == "connecting":
            self._show("home")
        else:
            self._changed()

    def _cancel_orphan(self, client: Client, orphan: tuple[str, bool, str]) -> None:
        service, priority, request_id = orphan

        def job() -> Ticket:
            # same request_id: returns the ticket if the server made it, so we can cancel it
            ticket = client.issue(service, priority, request_id)
            return client.cancel(ticket.id)

        def done(ticket: Ticket | None, exc: BaseException | None) -> None:
            if ticket is not None:
                log.info("cancelled unprinted ticket %s from a lost connection", ticket.code)
            elif not (isinstance(exc, ApiError) and exc.status == 409):
                log.warning("could not clear the unprinted ticket %s: %s", request_id, exc)

        self._run(job, done)

    def _refresh(self) -> None:
        client = self.client
        assert client is not None
        self._refreshing = True
        self._run(client.services, self._refreshed)

    def services_answered(self, services: ServicesAnswer) -> None:
        """Show this answer to GET /services (what a refresh does when it returns)."""
        self._refreshed(services, None)

    def _refreshed(self, services: ServicesAnswer | None, exc: BaseException | None) -> None:
        self._refreshing = False
        self._next_refresh = self.clock() + self.timing.refresh_seconds
        if services is None:
            if isinstance(exc, ServerUnavailable):
                log.warning("lost the queue server: %s", exc)
                self._server_lost()
            else:
                log.warning("refreshing services failed: %s", exc)
            return
        self.services = services
        if self.agency is not None:
            self.agency = next(
                (a for a in services.agencies if a.code == self.agency.code), self.agency
            )
        self._changed()

    def _check_site(self) -> None:
        """The kiosk has no event stream: it asks the server's site_version (GET /health,
        cheap) every few seconds and reloads the services when it moved (site.changed)."""
        client = self.client
        if client is None:
            return
        self._checking_site = True
        self._run(client.health, self._site_checked)

    def _site_checked(self, health: Health | None, exc: BaseException | None) -> None:
        self._checking_site = False
        self._next_site_check = self.clock() + self.timing.site_check_seconds
        if health is None or health.site_version == self.site_version:
            return
        log.info(
            "the site's setup changed (version %d): reloading the services", health.site_version
        )
        self.site_version = health.site_version
        self._next_refresh = 0.0
        if not self._refreshing and not self._issuing:
            self._refresh()

    def _check_printer(self) -> None:
        client, printer = self.client, self.printer
        if client is None or printer is None:
            return
        self._checking_printer = True

        def job() -> PrinterStatus:
            status = printer.check()
            self._report_printer(client, status)
            return status

        self._run(job, self._printer_checked)

    def _printer_checked(self, status: PrinterStatus | None, exc: BaseException | None) -> None:
        self._checking_printer = False
        if status is None:
            log.warning("printer check failed: %s", exc)
            self._next_printer = self.clock() + self.timing.printer_bad_seconds
            return
        self.printer_status(status)

    def printer_status(self, status: PrinterStatus) -> None:
        """What the printer says about itself: a problem disables the tiles until it is fixed."""
        good = status.may_print
        delay = self.timing.printer_ok_seconds if good else self.timing.printer_bad_seconds
        self._next_printer = self.clock() + delay
        if good and self.problem in ("paper_out", "printer_failed"):
            log.info("printer is back: %s", status.state)
            self.problem = None
            self._changed()
        elif not good and self.problem is None:
            log.warning("printer problem: %s %s", status.state, status.detail)
            paper = status.state is PrinterState.PAPER_OUT
            self.problem = "paper_out" if paper else "printer_failed"
            self._changed()
