"""The counter's two serial devices, seen from the logic: the LED sign and the call buttons.

The drivers (hardware.CounterSign, hardware.CallButtons) are opened by the app;
here the sign is told only what changed, and a keypad's key becomes our action.
"""

from __future__ import annotations

import logging
from typing import Protocol

from shared.models import CounterState, CounterStatus, Ticket, TicketStatus

log = logging.getLogger(__name__)

# What the serial call-button keypad sends (shared.devices.ButtonAction) -> our action.
BUTTON_ACTIONS = {
    "next": "call",
    "recall": "recall",
    "no_show": "skip",
    "finish": "finish",
    "start": "start",
    "pause": "pause",
    "resume": "resume",
}


class Sign(Protocol):
    """The LED sign above the counter (hardware.sign.CounterSign)."""

    def show(self, code: str, blink: bool = True) -> None: ...

    def clear(self) -> None: ...


class SignBridge:
    """Keeps the sign on the counter's ticket: blinking while called, steady while served."""

    def __init__(self, sign: Sign | None) -> None:
        self.sign = sign
        self._shown: tuple[str, int | None, bool] | None = None  # (code, ticket id, blink)

    def follow(self, old: Ticket | None, state: CounterState, *, new_call: bool) -> None:
        """The counter is now `state` (it had `old`); `new_call`: a call or recall just made."""
        ticket = state.ticket
        if state.status == CounterStatus.PAUSED or ticket is None:
            self.clear()
            return
        # A call or recall (or a ticket this sign has not shown, whoever called it) is
        # sent again even when the sign shows that code already: it blinks anew.
        fresh = old is None or old.id != ticket.id
        blink = ticket.status == TicketStatus.CALLED
        self._show(ticket.code, ticket.id, blink=blink, force=new_call or fresh)

    def clear(self) -> None:
        self._show("", None, blink=False)

    def _show(self, code: str, ticket_id: int | None, *, blink: bool, force: bool = False) -> None:
        if self.sign is None:
            return
        wanted = (code, ticket_id, blink)
        if wanted == self._shown and not force:
            return  # every re-read of the counter comes here: the sign hears only changes
        self._shown = wanted
        try:
            if code:
                self.sign.show(code, blink=blink)
            else:
                self.sign.clear()
        except Exception:  # the sign must never take the counter down
            log.exception("counter sign update failed")
