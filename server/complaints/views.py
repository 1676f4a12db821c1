"""What the complaint pages show, computed here (templates only lay it out): the choices
of agency and service, a complaint's steps with their dates in the site's time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.complaints.register import ComplaintStatus
from server.queue.site import Site
from shared.timeutil import format_date, format_time

STEPS = ("received", "in_process", "answered", "closed")


@dataclass(frozen=True)
class Step:
    state: str
    done: bool
    when: str  # '30 November 2026, 09.00' or ''


def agency_choices(site: Site, lang: str) -> list[tuple[str, str]]:
    return [
        (a.code, a.name_en if lang == "en" and a.name_en else a.name) for a in site.config.agencies
    ]


def service_choices(site: Site, lang: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Per agency: (code, name, [(service code, name)]), hidden services left out."""
    return [
        (
            a.code,
            a.name_en if lang == "en" and a.name_en else a.name,
            [
                (svc.code, svc.name_en if lang == "en" and svc.name_en else svc.name)
                for svc in a.services
                if not svc.hidden
            ],
        )
        for a in site.config.agencies
    ]


def when(site: Site, at: datetime | None, lang: str) -> str:
    if at is None:
        return ""
    local = at.astimezone(site.tz)
    return f"{format_date(local.date(), lang)}, {format_time(local, lang)}"


def steps(site: Site, c: ComplaintStatus, lang: str) -> list[Step]:
    dates = {
        "received": c.filed_at,
        "in_process": c.in_process_at,
        "answered": c.answered_at,
        "closed": c.closed_at,
    }
    reached = STEPS.index(c.status)
    # A step passed over (answered at once, never put in process) is left out.
    return [
        Step(state, i <= reached, when(site, dates[state], lang))
        for i, state in enumerate(STEPS)
        if i > reached or dates[state] is not None
    ]


def follow_up_view(site: Site, c: ComplaintStatus, lang: str) -> dict[str, Any]:
    return {
        "complaint": c,
        "steps": steps(site, c, lang),
        "due": format_date(c.due, lang),
        "target_days": site.config.complaints.target_days,
    }
