"""Documents from templates: one Jinja environment, one letterhead and signature block.

Every PDF the office signs (the summary report, the SKM report, and what later rooms
add) extends `document.html`, which draws the letterhead (logo, site name) and the
signature block (place, date, title, name and NIP of the head of office, from the
console), so the two cannot drift apart.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from server.documents.pdf import html_to_pdf
from shared.config import SiteConfig
from shared.timeutil import MONTH_NAMES_ID

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).with_name("templates")


def id_day(d: date) -> str:
    """'1 Desember 2026'."""
    return f"{d.day} {MONTH_NAMES_ID[d.month - 1]} {d.year}"


def logo_uri(path: str) -> str | None:
    """The site's logo as a data: URI, or None (no logo set, or the file is unreadable)."""
    if not path:
        return None
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError:
        log.warning("report logo %s cannot be read; the report goes without it", path)
        return None
    kind = mimetypes.guess_type(p.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


@dataclass(frozen=True)
class Letterhead:
    """Who signs: what the letterhead and the signature block of every document show."""

    site: str
    logo: str | None
    place: str
    signed: str
    head_title: str
    head_name: str
    head_id: str

    @classmethod
    def of(cls, site: SiteConfig, signed: date) -> Letterhead:
        return cls(
            site=site.name,
            logo=logo_uri(site.logo),
            place=site.place,
            signed=id_day(signed),
            head_title=site.head_title or "Kepala Kantor",
            head_name=site.head_name,
            head_id=site.head_id,
        )


@lru_cache(maxsize=1)
def environment() -> Environment:
    # Autoescape everything: a suggestion or a service name is never markup.
    env = Environment(
        loader=PackageLoader("server.documents", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render(template: str, letterhead: Letterhead, **values: Any) -> str:
    """A document as HTML (WeasyPrint lays it out; a browser can preview it)."""
    return environment().get_template(template).render(letterhead=letterhead, **values)


def to_pdf(template: str, letterhead: Letterhead, **values: Any) -> bytes:
    """A document as PDF bytes (server/documents/pdf.py renders in a child process)."""
    return html_to_pdf(render(template, letterhead, **values), base_url=str(TEMPLATES))
