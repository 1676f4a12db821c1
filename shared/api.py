"""API v1 names both sides use: path, version, service type and the enums. No pydantic here,
so a role that reads the wire by hand (the TV) can use them without loading it."""

from __future__ import annotations

from enum import StrEnum

API_VERSION = "1"
API_PATH = "/api/v1"
SERVICE_TYPE = "_antrian._tcp.local."
DEFAULT_PORT = 8765


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"


class CounterStatus(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class EventType(StrEnum):
    ISSUED = "ticket.issued"
    CALLED = "ticket.called"
    RECALLED = "ticket.recalled"
    SERVING = "ticket.serving"
    DONE = "ticket.done"
    NO_SHOW = "ticket.no_show"
    REQUEUED = "ticket.requeued"
    TRANSFERRED = "ticket.transferred"
    CANCELLED = "ticket.cancelled"
    PAUSED = "counter.paused"
    RESUMED = "counter.resumed"
    SITE_CHANGED = "site.changed"  # the setup changed: reload it
    DEVICE_STATE = "device.state"  # a device's heartbeat changed (printer, voice, contact)
    HELP_ASKED = "help.asked"  # a visitor asked for help at a kiosk ("Butuh bantuan")
    HELP_TAKEN = "help.taken"  # an officer took it


# Booking codes (antrean online) are typed on the kiosk's keypad: no 0/O, 1/I/L, 2/Z,
# 5/S, 8/B nor G (6 stays). Eight of these: ~7.8e10 codes, not guessable from another.
BOOKING_CODE_ALPHABET = "34679ACDEFHJKMNPRTUVWXY"
BOOKING_CODE_LENGTH = 8
