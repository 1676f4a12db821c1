"""The officer's actions on the current ticket: what is possible, one at a time, what to say.

Call next, recall, start, finish, skip, requeue, transfer, pause and resume. The
flow decides and words; the link sends (`Request`) and the controller hands the
answer back to `done`. An action whose answer was lost is never sent again on its
own: the flow says its result is unknown until the counter is read again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from counter.desk import Desk
from counter.texts import TEXTS, Say
from shared.errors import ApiError, ServerUnavailable
from shared.models import CounterAnswer, CounterStatus, Ticket, TicketStatus

log = logging.getLogger(__name__)

# The officer's actions, in the order of the F-keys (F1..F8); "pause" toggles with resume.
ACTIONS = ("call", "recall", "start", "finish", "skip", "requeue", "transfer", "pause")
TERM_OF = {
    "call": "call_next",
    "recall": "recall",
    "start": "start",
    "finish": "finish",
    "skip": "skip",
    "requeue": "requeue",
    "transfer": "transfer",
    "pause": "pause",
    "resume": "resume",
}
# The actions whose answer moves the counter's ticket on the sign (sent again, blinking).
CALLS = ("call", "recall")


@dataclass(frozen=True)
class Request:
    """One action on its way to the server."""

    action: str
    argument: str = ""  # as typed: a ticket code (requeue) or a service code (transfer)
    before: Ticket | None = None  # the ticket at the counter when it was asked

    @property
    def ticket_code(self) -> str:
        """The argument as a ticket code (requeue): "a012 " is A012."""
        return self.argument.strip().upper()


class CallFlow:
    """Which action is possible, the one in flight, and the line that tells how it went."""

    def __init__(self, desk: Desk, say: Say) -> None:
        self.desk = desk
        self.say = say
        self.busy = ""  # the action in flight
        self.status_unknown = ""  # the action whose answer was lost, until re-read
        self.message = ""
        self.message_kind = "info"  # info | ok | warn | error

    def label(self, action: str) -> str:
        return self.say(TERM_OF.get(action, action))

    def tell(self, message: str = "", kind: str = "info") -> None:
        self.message, self.message_kind = message, kind

    def reset(self) -> None:
        """Logged out: nothing in flight, nothing unknown (the last line stays)."""
        self.busy = self.status_unknown = ""

    def allowed(self, action: str, *, online: bool = True) -> bool:
        """Whether an action makes sense now (its button is enabled)."""
        state = self.desk.state
        if self.busy or state is None or not online:
            return False
        paused = state.status == CounterStatus.PAUSED
        ticket = state.ticket
        status = ticket.status if ticket is not None else None
        if action in ("call", "requeue"):
            return not paused
        if action in ("recall", "start", "skip"):
            return status == TicketStatus.CALLED
        if action in ("finish", "transfer"):
            return status in (TicketStatus.CALLED, TicketStatus.SERVING)
        if action == "pause":
            return paused or ticket is None  # toggles: resume when paused
        if action == "resume":
            return paused
        return False

    def start(self, action: str, argument: str = "", *, online: bool = True) -> Request | None:
        """The request for an action (now in flight), or None when it is not possible now."""
        state = self.desk.state
        if action == "pause" and state is not None and state.status == CounterStatus.PAUSED:
            action = "resume"  # F8 toggles
        if not self.allowed(action, online=online):
            return None
        if action in ("requeue", "transfer") and not argument.strip():
            return None
        self.busy = action
        self.tell(self.say("working"))
        return Request(action, argument, self.desk.ticket)

    def key_not_now(self, action: str) -> bool:
        """A call-button press that cannot be done now: say so; False when one is in flight."""
        if self.busy:  # a second press while the first is in flight is just dropped
            return False
        self.tell(self.say("key_not_now", action=self.label(action)), "warn")
        return True

    def done(
        self, request: Request, answer: CounterAnswer | None, exc: BaseException | None
    ) -> None:
        """The server's answer to `request` (the desk already holds the counter it returned)."""
        self.busy = ""
        action = request.action
        if exc is None and answer is not None:
            self.status_unknown = ""
            self.tell(*self._success(request, answer))
        elif isinstance(exc, ServerUnavailable):
            # The request may or may not have reached the server: never resend it, ask instead.
            log.warning("%s: no answer from the server (%s); re-reading state", action, exc)
            self.status_unknown = action
            self.tell(self.say("status_unknown", action=self.label(action)), "warn")
        elif isinstance(exc, ApiError):
            log.info("%s refused: %s", action, exc)
            self.tell(self._refusal(exc, request), "error")
        else:
            log.error("%s failed unexpectedly", action, exc_info=exc)
            self.tell(self.say("err_bug"), "error")

    def state_read(self) -> None:
        """The counter was read again: a lost answer's result is known now."""
        if self.status_unknown:
            self.status_unknown = ""
            self.tell(self.say("state_refreshed"))

    def counts_read(self, waiting_here: int) -> None:
        """New waiting counts: "nobody waiting" goes once someone does."""
        if self.message == self.say("nobody_waiting") and waiting_here > 0:
            self.tell()

    def _success(self, request: Request, answer: CounterAnswer) -> tuple[str, str]:
        ticket, action = answer.ticket, request.action
        old = request.before.code if request.before is not None else ""
        if action == "call":
            if ticket is None:
                return self.say("nobody_waiting"), "warn"
            return self.say("calling", code=ticket.code), "ok"
        if action == "recall" and ticket is not None:
            return self.say("recalling", code=ticket.code), "ok"
        if action == "start" and ticket is not None:
            return self.say("serving", code=ticket.code), "ok"
        if action == "finish":
            return self.say("finished", code=old), "ok"
        if action == "skip":
            return self.say("skipped", code=old), "ok"
        if action == "requeue":
            return self.say("requeued", code=request.ticket_code), "ok"
        if action == "transfer":
            service = self.desk.service_name(request.argument)
            return self.say("transferred", code=old, service=service), "ok"
        if action == "pause":
            return self.say("paused"), "info"
        if action == "resume":
            return self.say("resumed"), "ok"
        return "", "info"

    def _refusal(self, exc: ApiError, request: Request) -> str:
        key = "err_" + exc.code
        if key in TEXTS:
            return self.say(key, code=request.ticket_code)
        return self.say("err_other", message=exc.message)
