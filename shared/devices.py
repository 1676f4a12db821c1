"""Configuration of the devices a box drives (printer, sign, call buttons, voice).

Plain pydantic models with no hardware imports, so every role can read them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ButtonAction = Literal["next", "recall", "no_show", "finish", "start", "pause", "resume"]


DEFAULT_KEYS: dict[str, ButtonAction] = {"1": "next", "2": "recall", "3": "no_show", "4": "finish"}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PrinterConfig(_Section):
    """Where the ticket printer is and what paper it has."""

    kind: Literal["none", "usb", "serial", "network", "file", "virtual"] = "none"
    paper_mm: Literal[58, 80] = 80
    # usb: ids as printed by `lsusb` (TOML accepts 0x04b8)
    usb_vendor_id: int = Field(default=0, ge=0, le=0xFFFF)
    usb_product_id: int = Field(default=0, ge=0, le=0xFFFF)
    # serial
    serial_port: str = "/dev/ttyUSB0"
    baudrate: int = Field(default=9600, ge=1200, le=921600)
    serial_flow: Literal["none", "dsrdtr", "xonxoff"] = "none"
    # network (raw TCP, "JetDirect")
    host: str = ""
    port: int = Field(default=9100, ge=1, le=65535)
    # file: a character device the kernel's usblp driver makes
    device: str = "/dev/usb/lp0"
    # virtual: a PNG preview and the ESC/POS bytes of each ticket land here ("" = temp dir)
    preview_dir: str = ""
    # escpos capability profile, e.g. "TM-T88V"; "" = generic
    profile: str = ""
    timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    status_timeout_seconds: float = Field(default=1.0, gt=0, le=30)
    check_before_print: bool = True
    # where the QR code points: {server} (the site's public URL, else the server's),
    # {page} (the ticket's own page, /t/{token}), {id} and {code} are filled in
    status_url: str = "{server}{page}"


class SignConfig(_Section):
    """The LED number sign above a counter."""

    url: str = ""  # pyserial URL: /dev/ttyUSB0, rfc2217://..., socket://host:port, loop://
    driver: Literal["ascii", "modbus"] = "ascii"
    baudrate: int = Field(default=9600, ge=1200, le=921600)
    timeout_seconds: float = Field(default=0.5, gt=0, le=10)
    reconnect_seconds: float = Field(default=5.0, gt=0, le=600)
    # resend the current state this often, so a sign that lost power shows it again (0 = never)
    refresh_seconds: float = Field(default=30.0, ge=0, le=3600)
    # ascii: a line per state, then CR LF; firmware with a blink command can use e.g. "B{code}"
    ascii_format: str = "{code}"
    ascii_blink_format: str = "{code}"
    ascii_clear: str = ""
    # modbus RTU: holding registers from modbus_address: [mode, chars...]
    modbus_unit: int = Field(default=1, ge=1, le=247)
    modbus_address: int = Field(default=0, ge=0, le=0xFFFF)
    modbus_chars: int = Field(default=6, ge=1, le=32)


class ButtonsConfig(_Section):
    """The serial call-button keypad of a counter."""

    url: str = ""
    baudrate: int = Field(default=9600, ge=1200, le=921600)
    # "line": each key sends a line ending in CR or LF; "byte": each key sends one byte
    framing: Literal["line", "byte"] = "line"
    keys: dict[str, ButtonAction] = Field(default_factory=lambda: dict(DEFAULT_KEYS))
    # a held key repeats; repeats closer together than this count as one press
    debounce_seconds: float = Field(default=0.6, ge=0, le=10)
    max_line: int = Field(default=32, ge=1, le=1024)
    reconnect_seconds: float = Field(default=3.0, gt=0, le=600)


class VoiceConfig(_Section):
    """How calls are announced aloud."""

    enabled: bool = True
    # {code}, {counter}, {agency}, {service} are filled in
    template: str = "Nomor antrean, {code}, silakan menuju {counter}."
    numbers: Literal["digits", "words"] = "digits"
    engine: Literal["auto", "espeak", "clips"] = "auto"
    clips_dir: str = ""  # one WAV per word: nomor.wav, antrean.wav, a.wav, nol.wav ...
    espeak_voice: str = "id"
    espeak_speed: int = Field(default=135, ge=80, le=300)  # words per minute; slow for the elderly
    chime: bool = True
    repeat: int = Field(default=2, ge=1, le=5)
    gap_seconds: float = Field(default=1.0, ge=0, le=10)
    cache_dir: str = ""  # "" = a temp dir
    sample_rate: int = Field(default=22050, ge=8000, le=48000)
