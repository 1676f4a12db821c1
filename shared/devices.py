"""Configuration of the devices a box drives (printer, sign, call buttons, voice).

Plain pydantic models with no hardware imports, so every role can read them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PrinterConfig(_Section):
    """Where the ticket printer is and what paper it has."""

    kind: Literal["none", "usb", "serial", "network", "file", "virtual"] = "none"
    paper_mm: Literal[58, 80] = 80


class SignConfig(_Section):
    """The LED number sign above a counter."""

    url: str = ""
    driver: Literal["ascii", "modbus"] = "ascii"


class ButtonsConfig(_Section):
    """The serial call-button keypad of a counter."""

    url: str = ""


class VoiceConfig(_Section):
    """How calls are announced aloud."""

    enabled: bool = True
