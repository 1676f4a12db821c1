"""What the TV publishes between calls (the site's tv_publish): GET /info read into slides.

No Kivy here. `Rotation` says which slide the spotlight panel shows: none while a
call is fresh (a call is never delayed or hidden: it takes the panel the moment it
comes, and the slides wait `idle_seconds` after it), then each slide in turn.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from display.texts import text
from display.wire import WireError

# After a call, the panel keeps it this long before the slides start again.
IDLE_SECONDS = 30.0
SLIDE_SECONDS = 12.0
# A standard's text on the TV: one line each, so the start only (/info/ has the rest).
SHOWN_CHARS = 70


@dataclass(frozen=True)
class Slide:
    """One slide in the spotlight panel: a heading, a big line, two smaller ones."""

    heading: str
    big: str
    middle: str
    small: str
    color: str = "#37474F"  # not an agency's: a slide never looks like a call


def _short(value: str) -> str:
    flat = "; ".join(line.strip() for line in value.splitlines() if line.strip())
    return flat if len(flat) <= SHOWN_CHARS else flat[: SHOWN_CHARS - 1].rstrip() + "…"


def _number(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def slides(body: bytes | str) -> list[Slide]:
    """The slides of a GET /info answer: the site's SKM, then each published standard."""
    try:
        info = json.loads(body)
    except ValueError as exc:
        raise WireError(f"/info: not JSON: {exc}") from exc
    if not isinstance(info, dict) or not isinstance(info.get("agencies"), list):
        raise WireError("/info: expected an object with agencies")
    out: list[Slide] = []
    skm: Any = info.get("skm")
    if isinstance(skm, dict) and isinstance(skm.get("ikm"), int | float):
        year = str(skm.get("period_from", ""))[:4]
        out.append(
            Slide(
                heading=text("skm_heading", year=year),
                big=text("skm_ikm", ikm=_number(float(skm["ikm"]))),
                middle=text("skm_grade", grade=skm.get("grade"), name=skm.get("grade_name")),
                small=text("skm_respondents", n=skm.get("respondents", 0)),
            )
        )
    for agency in info["agencies"]:
        if not isinstance(agency, dict):
            continue
        for svc in agency.get("services") or []:
            standard = svc.get("standard") if isinstance(svc, dict) else None
            if not isinstance(standard, dict):
                continue
            parts = [
                text(key, value=_short(str(standard[key])))
                for key in ("cost", "time")
                if standard.get(key)
            ]
            out.append(
                Slide(
                    heading=text("standard_heading", agency=agency.get("name", "")),
                    big=str(svc.get("name", "")),
                    middle=" · ".join(parts),
                    small=text("requirements", value=_short(str(standard.get("requirements", ""))))
                    if standard.get("requirements")
                    else "",
                )
            )
    return out


class Rotation:
    """Which slide shows now, given when the last call took the panel."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        idle_seconds: float = IDLE_SECONDS,
        slide_seconds: float = SLIDE_SECONDS,
    ) -> None:
        self.clock = clock
        self.idle_seconds = idle_seconds
        self.slide_seconds = slide_seconds
        self.slides: list[Slide] = []
        self.loaded_at: float | None = None

    def load(self, new: list[Slide]) -> None:
        self.slides = new
        self.loaded_at = self.clock()

    def current(self, call_shown_at: float | None) -> Slide | None:
        """The slide to show, or None: the panel is the call's (or there is nothing)."""
        if not self.slides or self.loaded_at is None:
            return None
        # no call yet: the slides run from when they came
        start = self.loaded_at if call_shown_at is None else call_shown_at + self.idle_seconds
        idle = self.clock() - start
        if idle < 0:
            return None
        return self.slides[int(idle // self.slide_seconds) % len(self.slides)]
