"""Errors of the devices. `reason` is a stable key the apps translate for the user."""

from __future__ import annotations

from shared.errors import HardwareError


class PrinterUnavailable(HardwareError):
    """The ticket printer is not configured, not found or cannot be opened."""

    reason = "printer_unavailable"


class PrinterBusy(HardwareError):
    """The ticket printer is in use by another job or process."""

    reason = "printer_busy"


class PaperOut(HardwareError):
    """The ticket printer has no paper."""

    reason = "paper_out"


class PrinterOffline(HardwareError):
    """The ticket printer answers but is offline (cover open, error) or stopped taking data."""

    reason = "printer_offline"


class SignUnavailable(HardwareError):
    """The counter sign cannot be reached or rejected a command."""

    reason = "sign_unavailable"


class ButtonsUnavailable(HardwareError):
    """The call-button keypad cannot be opened."""

    reason = "buttons_unavailable"


class VoiceUnavailable(HardwareError):
    """Speech cannot be rendered: no engine installed, or recorded clips are missing."""

    reason = "voice_unavailable"


class AudioUnavailable(HardwareError):
    """No audio player is available to play a WAV on this machine."""

    reason = "audio_unavailable"


class ModemUnavailable(HardwareError):
    """The GSM modem cannot be opened, does not answer, or refused: the SMS was not sent."""

    reason = "modem_unavailable"


class SmsNotConfirmed(HardwareError):
    """The text went to the modem but no answer came: the SMS may or may not have gone."""

    reason = "sms_not_confirmed"
