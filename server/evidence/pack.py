"""The evaluation's evidence pack (berkas bukti evaluasi PEKPPP): its figures.

Nothing here counts anything: every figure is what the rooms' own functions answer for
the pages (the summary report, service hours, the facilities, the SKM report and its
follow-up, the complaint figures), called once for the period, so the pack and the
reports can never disagree. This package sits above the rooms (setup.cfg) because it
gathers three of them; the API, the console page and `antrian report evidence` call
`evidence_download` (exports.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from server.complaints.figures import ComplaintFigures, figures
from server.evidence.pictures import Picture, pictures_in
from server.problems import invalid
from server.queue.site import Site
from server.reports.facilities import Facilities, facilities
from server.reports.hours import ServiceHours, service_hours
from server.reports.months import month_end, months_touching
from server.reports.summary import SummaryQuery, SummaryReport, summary_query, summary_report
from server.skm import followup
from server.skm.followup import FollowUp
from server.skm.report import Filters, SkmReport, skm_report
from shared.timeutil import MONTH_NAMES_ID

FORMATS = ("pdf", "zip")


@dataclass(frozen=True)
class Month:
    """A calendar month of the period (clipped to it) and its summary, by agency."""

    label: str
    date_from: date
    date_to: date
    report: SummaryReport


@dataclass(frozen=True)
class UnitFollowUp:
    """The SKM follow-up of one unit (the site, an agency or a service)."""

    unit: str
    label: str
    followup: FollowUp


@dataclass(frozen=True)
class EvidencePack:
    site: str
    date_from: date
    date_to: date
    facilities: Facilities
    pictures: list[Picture]
    pictures_folder: str
    months: list[Month]
    agencies: SummaryReport  # the whole period by agency (its total: the pack's totals)
    hours: ServiceHours
    skm: SkmReport
    followups: list[UnitFollowUp]
    complaints: ComplaintFigures  # by agency
    channels: ComplaintFigures  # by channel
    priority: SummaryReport  # by priority group

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1


def evidence_query(start: str | None, end: str | None, fmt: str | None) -> tuple[SummaryQuery, str]:
    """The period as sent (the reports' reading and bounds: summary_query) and the format,
    or the 422 naming the field: the same for the API, the page and the command line."""
    asked = summary_query(start=start, end=end)
    chosen = fmt or "pdf"
    if chosen not in FORMATS:
        raise invalid(
            ("format", "Format: pdf, zip.", "format is one of pdf, zip."), code="invalid_request"
        )
    return asked, chosen


def _months(s: Session, site: Site, date_from: date, date_to: date) -> list[Month]:
    out = []
    for first in months_touching(date_from, date_to):
        d0, d1 = max(first, date_from), min(month_end(first), date_to)
        label = f"{MONTH_NAMES_ID[first.month - 1]} {first.year}"
        out.append(Month(label, d0, d1, summary_report(s, site, d0, d1, "agency")))
    return out


def _followups(s: Session, site: Site, date_from: date, date_to: date) -> list[UnitFollowUp]:
    """Each unit's follow-up actions in the period (units with none are left out)."""
    units = [("site", site.name)]
    units += [(followup.unit_of(a.code, None), a.name) for a in site.config.agencies]
    units += [(followup.unit_of(None, code), svc.name) for code, (_a, svc) in site.services.items()]
    out = []
    for unit, label in units:
        got = followup.of_report(s, date_from, date_to, unit)
        if got.actions:
            out.append(UnitFollowUp(unit, label, got))
    return out


def evidence_pack(
    s: Session, site: Site, date_from: date, date_to: date, folder: Path | None
) -> EvidencePack:
    """Everything the pack shows for business days date_from..date_to; `folder` holds the
    technician's pictures of the kiosk and TV screens (None: none are kept)."""
    agencies = summary_report(s, site, date_from, date_to, "agency")
    total = agencies.total
    return EvidencePack(
        site=site.name,
        date_from=date_from,
        date_to=date_to,
        facilities=facilities(
            s, site, date_from, date_to, issued=total.issued, online=total.online
        ),
        pictures=pictures_in(folder),
        pictures_folder=str(folder) if folder is not None else "",
        months=_months(s, site, date_from, date_to),
        agencies=agencies,
        hours=service_hours(s, site, date_from, date_to),
        skm=skm_report(s, site, Filters(date_from, date_to)),
        followups=_followups(s, site, date_from, date_to),
        complaints=figures(s, site, date_from, date_to, "agency"),
        channels=figures(s, site, date_from, date_to, "channel"),
        priority=summary_report(s, site, date_from, date_to, "priority_group"),
    )
