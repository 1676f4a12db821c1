"""What the kiosk's parts are given: the server's client, the locator, the printer, a way
to run I/O off the UI thread, and how often things happen.

Every part runs on the UI thread. Network and printer I/O go to a worker through
`Run`, and their answers come back on the UI thread (the app posts them with
`Clock.schedule_once`); so the parts' state is only touched on one thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from hardware.printer import PrinterStatus
from hardware.ticket import TicketPrint
from shared.models import (
    Health,
    HelpCreated,
    IssuedTicket,
    OnlineTicket,
    ServicesAnswer,
    Ticket,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Submit = Callable[[Callable[[], Any], Callable[[Any, BaseException | None], None]], object]
Post = Callable[[Callable[[], None]], None]
Changed = Callable[[], None]  # tells the widgets to read the controller again


class Client(Protocol):
    base_url: str

    def set_token(self, token: str | None) -> None: ...
    def health(self) -> Health: ...
    def services(self) -> ServicesAnswer: ...
    def issue(
        self,
        service: str,
        priority: bool,
        request_id: str,
        phone: str | None = None,
        lang: str = "id",
        group: str | None = None,
    ) -> IssuedTicket: ...
    def ask_help(self, note: str = "", ticket: int | None = None) -> HelpCreated: ...
    def check_in(self, code: str, request_id: str) -> OnlineTicket: ...
    def cancel(self, ticket_id: int) -> Ticket: ...
    def device_status(self, printer: str, detail: str = "") -> None: ...
    def heartbeat(self, *, printer: str | None = None, detail: str | None = None) -> None: ...


class Locator(Protocol):
    def locate(self) -> str: ...
    def forget(self) -> None: ...


class TicketPrinter(Protocol):
    def check(self) -> PrinterStatus: ...
    def print_ticket(self, ticket: TicketPrint) -> Any: ...


class Run(Protocol):
    """Runs `job` on the worker; `done(result, exc)` comes back on the UI thread."""

    def __call__(
        self, job: Callable[[], T], done: Callable[[T | None, BaseException | None], None]
    ) -> None: ...


def off_ui_thread(submit: Submit, post: Post) -> Run:
    """`Run` from a worker's `submit` and the UI loop's `post`."""

    def run(job: Callable[[], T], done: Callable[[T | None, BaseException | None], None]) -> None:
        def back(result: Any, exc: BaseException | None) -> None:
            post(lambda: done(result, exc))

        try:
            submit(job, back)
        except RuntimeError as exc:  # the worker stopped: the app is closing, nothing to do
            log.debug("not run: %s", exc)

    return run


@dataclass
class Timing:
    """How often things happen; tests shorten these instead of sleeping."""

    retry_seconds: float = 5.0  # server down: try again this often
    refresh_seconds: float = 10.0  # waiting counts on screen
    site_check_seconds: float = 2.0  # GET /health: has the site's setup changed?
    printer_ok_seconds: float = 60.0  # re-check a good printer
    printer_bad_seconds: float = 5.0  # re-check a printer with a problem
    touch_grace_seconds: float = 1.0  # a second tap must not dismiss the ticket screen
    issue_retry_delays: tuple[float, ...] = (0.3, 0.7, 1.5)  # same request_id each time
    heartbeat_seconds: float = 30.0  # "still here", with the printer's state
