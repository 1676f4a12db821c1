"""The TOML as the site's seed and backup: the definition as a TOML document, and back.

The document is the site part of a config file ([site], [schedule], [queue],
[alerts], [booking], [[agencies]], [[counters]]): `load_config`/`parse_config`
read it as they read any config, and `antrian site import` reads it back to the
same definition. Box settings (server, printer, sign, buttons, voice, client)
are never in it: they stay in each box's own file.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from typing import Any

from server.office.views import schedule_view
from shared.config import SITE_SECTIONS, Config, Schedule, SiteDefinition
from shared.demo import to_toml
from shared.errors import ConfigError


def _hours(schedule: Schedule | None) -> dict[str, Any] | None:
    view = schedule_view(schedule)
    if view is None:
        return None
    # the TOML's defaults stay out, as a hand-written file leaves them
    if not view["dates"]:
        del view["dates"]
    if not view["holidays"]:
        del view["holidays"]
    if not view["always_open"]:
        del view["always_open"]
    return view


def document(d: SiteDefinition) -> dict[str, Any]:
    """The definition as TOML-ready data (no nulls; hours as "08:00-15:00")."""
    data = d.model_dump(mode="json", exclude_none=True)
    data["schedule"] = _hours(d.schedule)
    for a, raw in zip(d.agencies, data["agencies"], strict=True):
        if a.schedule is not None:
            raw["schedule"] = _hours(a.schedule)
        for svc, raw_svc in zip(a.services, raw["services"], strict=True):
            if svc.schedule is not None:
                raw_svc["schedule"] = _hours(svc.schedule)
            if not raw_svc["sessions"]:
                del raw_svc["sessions"]
    return data


def export_text(d: SiteDefinition, box: Config | None = None, at: datetime | None = None) -> str:
    """TOML text of the site (and, given `box`, that box's own sections after it)."""
    data = document(d)
    if box is not None:
        for name, value in box.model_dump(mode="json", exclude_none=True).items():
            if name not in SITE_SECTIONS:
                data[name] = value
    when = f" on {at.date().isoformat()}" if at is not None else ""
    head = (
        f"# The site {d.site.name!r}, exported from its database{when} (antrian site export).\n"
        "# `antrian site import FILE` makes it the site again (validated, audited).\n"
    )
    return head + to_toml(data)


def site_sections(text: str, source: str) -> dict[str, Any]:
    """The site's sections of a TOML file (its box sections are left to the box)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    return {k: v for k, v in raw.items() if k in SITE_SECTIONS}
