"""The only place that talks to devices: ticket printer, counter sign, call buttons, voice.

Import the names from here; the submodules are private-ish and may move.
"""

from __future__ import annotations

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
