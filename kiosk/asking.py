""" "Kirim pesan saat giliran Anda dekat?": after the service (and queue) is chosen, when the
site sends messages, the visitor may type a mobile number on the on-screen number pad,
or skip it. Never required: "Lewati" issues at once, as without the question."""

from __future__ import annotations

from kiosk.issuing import Issuer
from kiosk.navigation import Navigation
from shared.phones import mobile_number

MAX_DIGITS = 14  # 0812 3456 7890 12: the longest mobile number, with room to spare


class PhoneAsk:
    def __init__(self, nav: Navigation, issuer: Issuer) -> None:
        self.nav = nav
        self.issuer = issuer
        self.phone = ""  # the digits typed
        self.invalid = False  # OK was pressed on a number that is not a mobile one
        # (service, priority, priority group) to issue
        self._choice: tuple[str, bool, str | None] | None = None

    def open(self, service: str, priority: bool, group: str | None = None) -> None:
        """The question, with nothing typed yet."""
        self._choice = (service, priority, group)
        self.phone, self.invalid = "", False
        self.nav.show("phone")

    def key(self, key: str) -> None:
        """A key of the number pad: a digit, "back" (delete), "ok" or "skip"."""
        self.nav.touched()
        if self.nav.screen != "phone" or self._choice is None:
            return
        if key == "skip":
            self._issue(None)
            return
        if key == "ok":
            if mobile_number(self.phone) is not None:
                self._issue(self.phone)
                return
            self.invalid = True  # the server's rule (shared/phones.py): say so here
        elif key == "back":
            self.phone, self.invalid = self.phone[:-1], False
        elif len(key) == 1 and key.isdigit() and len(self.phone) < MAX_DIGITS:
            self.phone, self.invalid = self.phone + key, False
        self.nav.changed()

    def typed(self, text: str) -> None:
        """Digits from a USB numeric keypad."""
        for ch in text:
            if ch.isdigit():
                self.key(ch)

    def _issue(self, phone: str | None) -> None:
        assert self._choice is not None
        service, priority, group = self._choice
        self.issuer.issue(service, priority, phone, group)


def shown(digits: str) -> str:
    """0812 3456 7890: the typed digits in groups of four after the first four."""
    if len(digits) <= 4:
        return digits
    rest = digits[4:]
    return " ".join([digits[:4], *(rest[i : i + 4] for i in range(0, len(rest), 4))])
