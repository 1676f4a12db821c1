"""The ticket printer's state: checked every minute, every few seconds while it has a
problem; a problem turns the tiles off until it is fixed, and the server hears of each
change (POST /devices/heartbeat)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from hardware.printer import PrinterState, PrinterStatus
from kiosk.link import ServerLink
from kiosk.ports import Changed, Client, Run, TicketPrinter, Timing
from shared.errors import ApiError, ServerUnavailable
from shared.periodic import Every

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


def problem_of(status: PrinterStatus) -> str:
    """The text key of a printer that may not print."""
    return "paper_out" if status.state is PrinterState.PAPER_OUT else "printer_failed"


class PrinterWatch:
    def __init__(
        self,
        printer: TicketPrinter | None,
        link: ServerLink,
        timing: Timing,
        run: Run,
        clock: Callable[[], float],
        changed: Changed,
    ) -> None:
        self.printer = printer
        self.link = link
        self.bad_seconds = timing.printer_bad_seconds
        self.run = run
        self.clock = clock
        self.changed = changed
        self.problem: str | None = None  # "paper_out", "printer_failed"
        self.reported: str | None = None  # the state the server last heard (worker thread)
        self.check = Every(timing.printer_ok_seconds, self._check)

    def _check(self) -> bool:
        client, printer = self.link.client, self.printer
        if client is None or printer is None:
            return False

        def job() -> PrinterStatus:
            status = printer.check()
            self.report(client, status)
            return status

        self.run(job, self._checked)
        return True

    def _checked(self, status: PrinterStatus | None, exc: BaseException | None) -> None:
        if status is None:
            log.warning("printer check failed: %s", exc)
        self.check.finished(self.clock(), self._wait(status))
        if status is not None:
            self._judge(status)

    def status(self, status: PrinterStatus) -> None:
        """What the printer says about itself: a problem disables the tiles until it is fixed."""
        self.check.after(self.clock(), self._wait(status))
        self._judge(status)

    def _wait(self, status: PrinterStatus | None) -> float | None:
        """Until the next check: the usual minute, or a few seconds while it is not right."""
        return None if status is not None and status.may_print else self.bad_seconds

    def _judge(self, status: PrinterStatus) -> None:
        if self.link.down:
            return  # the server's outage is what the tiles say; reconnecting checks again
        good = status.may_print
        if good and self.problem is not None:
            log.info("printer is back: %s", status.state)
            self.problem = None
            self.changed()
        elif not good and self.problem is None:
            log.warning("printer problem: %s %s", status.state, status.detail)
            self.problem = problem_of(status)
            self.changed()

    def failed(self, problem: str) -> None:
        """Issuing found it could not print: tiles off, and look again in a few seconds."""
        self.problem = problem
        self.check.after(self.clock(), self.bad_seconds)

    def forget(self) -> None:
        """(Re)connected: whatever was wrong before is looked at again, at once."""
        self.problem = None
        self.check.soon()

    def report(self, client: Client, status: PrinterStatus) -> None:
        """Tell the server about the printer when its state changes (best effort; worker)."""
        state = SERVER_PRINTER_STATE.get(status.state, "unknown")
        if state == self.reported:
            return
        try:
            client.heartbeat(printer=state, detail=status.detail[:200] or None)
            self.reported = state
        except (ServerUnavailable, ApiError) as exc:
            log.warning("could not report printer state %s: %s", state, exc)
