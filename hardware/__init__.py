"""The only place that talks to devices: ticket printer, counter sign, call buttons, voice.

Import the names from here; the submodules are private-ish and may move. Names
load on first use (PEP 562), so a display that only speaks never pays for
python-escpos, whose printer profiles take seconds to parse on a slow box.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "AnnouncementQueue": "announcer",
    "VoiceRenderer": "audio",
    "play_wav": "audio",
    "render_announcement": "audio",
    "wav_seconds": "audio",
    "CallButtons": "buttons",
    "KeypadParser": "buttons",
    "AudioUnavailable": "errors",
    "ButtonsUnavailable": "errors",
    "PaperOut": "errors",
    "PrinterBusy": "errors",
    "PrinterOffline": "errors",
    "PrinterUnavailable": "errors",
    "SignUnavailable": "errors",
    "VoiceUnavailable": "errors",
    "Printer": "printer",
    "PrinterState": "printer",
    "PrinterStatus": "printer",
    "CounterSign": "sign",
    "SignState": "sign",
    "register_driver": "sign",
    "TicketPrint": "ticket",
    "layout_ticket": "ticket",
    "ticket_bytes": "ticket",
}

__all__ = [
    "AnnouncementQueue",
    "AudioUnavailable",
    "ButtonsUnavailable",
    "CallButtons",
    "CounterSign",
    "KeypadParser",
    "PaperOut",
    "Printer",
    "PrinterBusy",
    "PrinterOffline",
    "PrinterState",
    "PrinterStatus",
    "PrinterUnavailable",
    "SignState",
    "SignUnavailable",
    "TicketPrint",
    "VoiceRenderer",
    "VoiceUnavailable",
    "layout_ticket",
    "play_wav",
    "register_driver",
    "render_announcement",
    "ticket_bytes",
    "wav_seconds",
]

if TYPE_CHECKING:
    from hardware.announcer import AnnouncementQueue
    from hardware.audio import VoiceRenderer, play_wav, render_announcement, wav_seconds
    from hardware.buttons import CallButtons, KeypadParser
    from hardware.errors import (
        AudioUnavailable,
        ButtonsUnavailable,
        PaperOut,
        PrinterBusy,
        PrinterOffline,
        PrinterUnavailable,
        SignUnavailable,
        VoiceUnavailable,
    )
    from hardware.printer import Printer, PrinterState, PrinterStatus
    from hardware.sign import CounterSign, SignState, register_driver
    from hardware.ticket import TicketPrint, layout_ticket, ticket_bytes


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'hardware' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"hardware.{module}"), name)
    globals()[name] = value
    return value
