"""The part of the site's configuration the TV reads, as plain frozen dataclasses.

The file is validated by shared/config.py (pydantic), the one place its rules live,
but in a short-lived child process (`python -m display.settings FILE` prints the
validated config as JSON): the TV runs for months on a small box, and pydantic with
the config's models holds ~10 MB for a file read once at start-up.

The sections that are read whole (`Site`, `Display`, `Client`, `Voice`) take every
field of their pydantic model, so a field added there and not here fails loudly
(TypeError in `from_json`, which the tests exercise) instead of being dropped.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from shared.errors import ConfigError

if TYPE_CHECKING:
    from shared.config import Config

VALIDATE_TIMEOUT = 60.0  # seconds; a slow SD card on a Raspberry Pi, not a normal start


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    timezone: str
    zone_label: str
    ticket_format: str
    logo: str
    footer: str
    running_text: str
    place: str
    head_title: str
    head_name: str
    head_id: str
    tv_publish: bool = False  # the site's; the TV follows its board's `publish`

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name: str
    color: str
    services: tuple[str, ...]  # service codes


@dataclass(frozen=True, slots=True)
class Counter:
    code: str
    name: str
    agency: str
    services: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Client:
    server: str
    site: str
    token: str


@dataclass(frozen=True, slots=True)
class Display:
    marquee: str
    group_by: str
    playlist_dir: str
    recent_calls: int
    hold_seconds: float
    fullscreen: bool
    counters: tuple[str, ...]
    playlist_seconds: float
    video_volume: float
    duck_volume: float
    zeroconf_interfaces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Voice:
    """How calls are read out (shared/devices.py VoiceConfig); hardware/ takes it as it is."""

    enabled: bool
    template: str
    numbers: Literal["digits", "words"]
    engine: Literal["auto", "espeak", "clips"]
    clips_dir: str
    espeak_voice: str
    espeak_speed: int
    chime: bool
    repeat: int
    gap_seconds: float
    cache_dir: str
    sample_rate: int


@dataclass(frozen=True, slots=True)
class Settings:
    site: Site
    display: Display
    client: Client
    voice: Voice
    agencies: tuple[Agency, ...]
    counters: tuple[Counter, ...]


def _tuples(d: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}


def from_json(data: dict[str, Any]) -> Settings:
    """From the validated config as JSON (pydantic's model_dump(mode="json"))."""
    return Settings(
        site=Site(**data["site"]),
        display=Display(**_tuples(data["display"])),
        client=Client(**data["client"]),
        voice=Voice(**data["voice"]),
        agencies=tuple(
            Agency(a["code"], a["name"], a["color"], tuple(s["code"] for s in a["services"]))
            for a in data["agencies"]
        ),
        counters=tuple(
            Counter(c["code"], c["name"], c["agency"], tuple(c["services"]))
            for c in data["counters"]
        ),
    )


def from_config(config: Config) -> Settings:
    """From a Config already loaded in this process (tests, tools)."""
    return from_json(config.model_dump(mode="json"))


def load_settings(path: str | Path | None) -> Settings:
    """Validate the file (None: the bundled sample) in a child process; raise ConfigError."""
    cmd = [sys.executable, "-m", "display.settings", str(path or "")]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=VALIDATE_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"cannot check the configuration: {exc}") from exc
    if done.returncode != 0:
        raise ConfigError(done.stderr.strip() or f"configuration check exited {done.returncode}")
    return from_json(json.loads(done.stdout))


def main(argv: list[str]) -> int:
    """The child: validate with shared/config.py and print the result as JSON."""
    from shared.config import load_config

    try:
        config = load_config(argv[0] if argv and argv[0] else None)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(config.model_dump_json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
