"""Antrean online at the kiosk: a booking's code, typed on the on-screen keypad or by a
USB barcode scanner (which types like a keyboard and ends with Enter), checked in,
and its ticket printed marked online."""

from __future__ import annotations

import logging
import uuid

from kiosk import view
from kiosk.issuing import Issuer
from kiosk.link import ServerLink
from kiosk.navigation import Navigation
from shared.api import BOOKING_CODE_ALPHABET
from shared.errors import ApiError, ServerUnavailable
from shared.models import Ticket
from shared.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_CODE = 12  # characters on the keypad's line
SCANNED = ("home", "checkin")  # where a scanned code is checked in


class CheckIn:
    def __init__(self, issuer: Issuer, link: ServerLink, nav: Navigation) -> None:
        self.issuer = issuer
        self.link = link
        self.nav = nav
        self.code = ""  # typed on the keypad
        self.scanned = ""  # what a barcode scanner typed so far (it ends with Enter)
        self._pending: tuple[str, str] | None = None  # (code, request_id) unanswered

    def open(self) -> None:
        """The check-in tile: the keypad, with nothing typed yet."""
        self.code = ""
        self.nav.show("checkin")

    def key(self, key: str) -> None:
        """A key of the check-in keypad: a code character, "back" (delete) or "ok"."""
        self.nav.touched()
        if self.nav.screen != "checkin":
            return
        if key == "back":
            self.code = self.code[:-1]
        elif key == "ok":
            if self.code:
                self.check_in(self.code)
            return
        elif len(key) == 1 and key.upper() in BOOKING_CODE_ALPHABET and len(self.code) < MAX_CODE:
            self.code += key.upper()
        self.nav.changed()

    def typed(self, text: str) -> None:
        """Characters from the keyboard: a USB barcode scanner types the QR code's text."""
        if self.nav.screen in SCANNED:
            self.scanned = (self.scanned + text)[-32:]

    def enter(self) -> None:
        """Enter from the keyboard: a scanner ends the code with it. Checks the code in."""
        self.nav.touched()
        code, self.scanned = self.scanned.strip().upper(), ""
        if self.nav.screen not in SCANNED or not self.issuer.ready:
            return
        if code:
            self.code = code[:MAX_CODE]
            self.check_in(self.code)
        elif self.nav.screen == "checkin" and self.code:
            self.check_in(self.code)

    def check_in(self, code: str) -> None:
        """Check a booking in and print its ticket (marked online)."""
        client = self.link.client
        if not self.issuer.ready or client is None:
            return
        pending = self._pending
        # The same code again after a lost answer: the same request_id, so the same ticket.
        request_id = pending[1] if pending and pending[0] == code else uuid.uuid4().hex
        log.info("checking in booking %s request_id=%s", code, request_id)
        self.issuer.start(
            client,
            lambda: client.check_in(code, request_id),
            lambda ticket, exc: self._checked_in(code, request_id, ticket, exc),
        )

    def _checked_in(
        self, code: str, request_id: str, ticket: Ticket | None, exc: BaseException | None
    ) -> None:
        if isinstance(exc, ServerUnavailable):
            self._pending = (code, request_id)  # (no orphan to cancel: the retry takes it)
            self.link.lost()
            self.nav.show_notice("server_down")
            return
        self._pending = None
        if isinstance(exc, ApiError) and exc.code in view.REFUSALS:
            log.info("check-in of %s refused: %s", code, exc.code)
            tz = self.link.tz
            key, values = view.refusal(
                exc.code, exc.extra, tz, utcnow().astimezone(tz), self.nav.lang
            )
            self.nav.show_notice(key, values)
            return
        self.issuer.ended(f"booking {code}", False, request_id, ticket, exc)
