"""SKM results for a period: aggregated in SQL (sums per unsur), then results.py's arithmetic.

One function (skm_report) feeds the JSON answer, the console page, the XLSX, the PDF and
`antrian report skm`. Filters: agency, service, counter, officer (the officer only for an
admin). The people served (tickets done) in the period give the Krejcie-Morgan sample; an
officer filter does not narrow them (tickets do not name their officer).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, extract, func, select
from sqlalchemy.orm import Session

from server.problems import invalid, read_days, refused
from server.queue.site import Site
from server.skm import followup, results
from server.skm.followup import FollowUp
from server.skm.questions import DEFAULTS
from server.skm.tables import SCORE_COLUMNS, SurveyRow
from server.store.tables import TicketRow
from shared.models import TicketStatus
from shared.timeutil import MONTH_NAMES_EN, MONTH_NAMES_ID

MAX_DAYS = 3 * 366
YEARS = (2000, 2999)
SUGGESTIONS_SHOWN = 200
GROUPS = ("agency", "service", "counter", "officer", "month", "wait")


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    agency: str | None = None
    service: str | None = None
    counter: str | None = None
    officer: str | None = None

    def check(self, site: Site) -> None:
        """A 422 naming the field for a period that cannot be; a 404 for an unknown code."""
        errors: list[tuple[str, str, str]] = []
        low, high = YEARS
        for name, day in (("from", self.start), ("to", self.end)):
            if not low <= day.year <= high:
                errors.append((name, f"Tahun {low} sampai {high}", f"dates from {low} to {high}"))
        if not errors and self.end < self.start:
            errors.append(("to", "Tanggal akhir sebelum tanggal awal", "to is before from"))
        elif not errors and (self.end - self.start).days >= MAX_DAYS:
            errors.append(("to", "Paling lama tiga tahun sekaligus", "at most three years at once"))
        if errors:
            raise invalid(*errors, code="invalid_period")
        for what, code, known, word in (
            ("agency", self.agency, site.agencies, "Instansi"),
            ("service", self.service, site.services, "Layanan"),
            ("counter", self.counter, site.counters, "Loket"),
        ):
            if code and code not in known:
                raise refused(
                    404,
                    f"unknown_{what}",
                    (what, f"{word} {code!r} tidak dikenal.", f"No {what} {code!r}."),
                )


def filters_for(
    site: Site,
    today: date,
    *,
    start: str | None = None,
    end: str | None = None,
    agency: str | None = None,
    service: str | None = None,
    counter: str | None = None,
    officer: str | None = None,
    role: str,
) -> Filters:
    """The filters of the results as the API, the console page and `antrian report skm` ask
    them (text as sent; empty is absent), or the problem to answer.

    Defaults: to = today, from = the first of to's month. Per officer: an admin's only
    (403). A date that is not one, a year outside 2000-2999, to before from, more than
    three years: 422 invalid_period naming the field. An unknown agency, service or
    counter: 404 naming it."""
    if officer and role != "admin":
        raise refused(
            403,
            "forbidden",
            (
                "officer",
                "Hasil per petugas hanya untuk admin.",
                "Results per officer are for an admin.",
            ),
        )
    first, last = read_days(("from", start), ("to", end), code="invalid_period")
    last = last or today
    first = first or last.replace(day=1)
    codes = (agency or None, service or None, counter or None, officer or None)
    filters = Filters(first, last, *codes)
    filters.check(site)
    return filters


@dataclass
class Row:
    """One group's figures (or the whole period's)."""

    key: str
    label: str
    respondents: int
    totals: tuple[int, ...]
    result: results.Result | None

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "key": self.key,
            "label": self.label,
            "respondents": self.respondents,
            "ikm": float(r.ikm_shown) if r else None,
            "grade": r.grade.letter if r else None,
            "grade_name": r.grade.name if r else None,
        }


@dataclass
class Suggestion:
    answered_at: datetime
    business_day: date
    service: str
    counter: str | None
    text: str
    survey_id: int = 0  # its row, for the console to promote it to a complaint


@dataclass
class SkmReport:
    site: str
    filters: Filters
    overall: Row
    groups: dict[str, list[Row]]
    served: int
    sample_needed: int
    suggestions: list[Suggestion] = field(default_factory=list)
    suggestions_total: int = 0
    # the follow-up (rencana tindak lanjut) of this period's unit (skm/followup.py)
    followup: FollowUp | None = None

    def lowest_unsur(self) -> dict[str, Any] | None:
        """The unsur to act on first: the lowest NRR of the period (the first on a tie)."""
        r = self.overall.result
        if r is None:
            return None
        i = min(range(len(r.nrrs)), key=lambda k: r.nrrs[k])
        q = DEFAULTS["id"][i]
        return {"unsur": i + 1, "code": q.code, "name": q.name,
                "nrr": float(results.round_half_up(r.nrrs[i], 4))}  # fmt: skip

    def unsur(self) -> list[dict[str, Any]]:
        """Per unsur: respondents, total score, NRR and NRR x 1/9 (4 decimals)."""
        r = self.overall.result
        out = []
        for i, q in enumerate(DEFAULTS["id"]):
            nrr = r.nrrs[i] if r else None
            out.append(
                {
                    "unsur": q.code,
                    "name": q.name,
                    "respondents": self.overall.respondents,
                    "total": self.overall.totals[i],
                    "nrr": float(results.round_half_up(nrr, 4)) if nrr is not None else None,
                    "weighted": (
                        float(results.round_half_up(nrr * results.WEIGHT, 4))
                        if nrr is not None
                        else None
                    ),
                }
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        """The JSON answer of GET /reports/skm."""
        r = self.overall.result
        f = self.filters
        return {
            "site": self.site,
            "from": f.start.isoformat(),
            "to": f.end.isoformat(),
            "filters": {
                k: v
                for k, v in (
                    ("agency", f.agency),
                    ("service", f.service),
                    ("counter", f.counter),
                    ("officer", f.officer),
                )
                if v
            },
            "respondents": self.overall.respondents,
            "unsur": self.unsur(),
            "ikm": float(r.ikm_shown) if r else None,
            "grade": r.grade.letter if r else None,
            "grade_name": r.grade.name if r else None,
            "weights": "1/9 each, exactly",
            "served": self.served,
            "sample_needed": self.sample_needed,
            "groups": {k: [row.as_dict() for row in rows] for k, rows in self.groups.items()},
            "suggestions": [
                {
                    "answered_at": s.answered_at.isoformat(),
                    "business_day": s.business_day.isoformat(),
                    "service": s.service,
                    "counter": s.counter,
                    "text": s.text,
                }
                for s in self.suggestions
            ],
            "suggestions_total": self.suggestions_total,
            "lowest_unsur": self.lowest_unsur(),
            "followup": None
            if self.followup is None
            else {
                "unit": self.followup.unit,
                "actions": len(self.followup.actions),
                "done": self.followup.done,
                "share_done": self.followup.share_done,
                "done_on_time": self.followup.done_on_time,
                "median_days_taken": self.followup.median_days,
            },
        }


def _where(f: Filters, site_id: int = 1) -> ColumnElement[bool]:
    conds = [
        SurveyRow.site_id == site_id,
        SurveyRow.business_day >= f.start,
        SurveyRow.business_day <= f.end,
    ]
    if f.agency:
        conds.append(SurveyRow.agency == f.agency)
    if f.service:
        conds.append(SurveyRow.service == f.service)
    if f.counter:
        conds.append(SurveyRow.counter == f.counter)
    if f.officer:
        conds.append(SurveyRow.officer == f.officer)
    return and_(*conds)


def _sums() -> list[Any]:
    cols = [getattr(SurveyRow, c) for c in SCORE_COLUMNS]
    return [func.count(), *(func.coalesce(func.sum(c), 0) for c in cols)]


def _row(key: str, label: str, values: Any) -> Row:
    respondents = int(values[0] or 0)
    totals = tuple(int(v or 0) for v in values[1:])
    return Row(key, label, respondents, totals, results.result(respondents, totals))


def _grouped(s: Session, f: Filters, by: ColumnElement[Any] | Any) -> Iterator[tuple[Any, Any]]:
    query: Select[Any] = select(by, *_sums()).where(_where(f)).group_by(by).order_by(by)
    for values in s.execute(query):
        yield values[0], values[1:]


def served(s: Session, site: Site, f: Filters) -> int:
    """People served (tickets done) in the period, under the same agency/service/counter."""
    conds = [
        TicketRow.business_day >= f.start,
        TicketRow.business_day <= f.end,
        TicketRow.status == TicketStatus.DONE,
    ]
    services = list(site.services)
    if f.agency:
        services = [c for c, (a, _) in site.services.items() if a.code == f.agency]
    if f.service:
        services = [c for c in services if c == f.service]
    conds.append(TicketRow.service.in_(services))
    if f.counter:
        conds.append(TicketRow.counter == f.counter)
    return int(s.scalar(select(func.count()).select_from(TicketRow).where(*conds)) or 0)


def skm_report(
    s: Session, site: Site, f: Filters, *, officers: bool = False, lang: str = "id"
) -> SkmReport:
    """The results of a period: overall, per group, against the sample, and the suggestions."""
    f.check(site)
    overall = _row("all", site.name, s.execute(select(*_sums()).where(_where(f))).one())
    groups: dict[str, list[Row]] = {}
    names = {
        "agency": {code: a.name for code, a in site.agencies.items()},
        "service": {code: svc.name for code, (_, svc) in site.services.items()},
        "counter": {code: c.name for code, c in site.counters.items()},
    }
    for key in ("agency", "service", "counter"):
        column = getattr(SurveyRow, key)
        groups[key] = [
            _row(str(k or ""), names[key].get(str(k), str(k or "-")), v)
            for k, v in _grouped(s, f, column)
        ]
    if officers:
        groups["officer"] = [
            _row(str(k or ""), str(k or "-"), v) for k, v in _grouped(s, f, SurveyRow.officer)
        ]
    year = extract("year", SurveyRow.business_day)
    month = extract("month", SurveyRow.business_day)
    months = MONTH_NAMES_EN if lang == "en" else MONTH_NAMES_ID
    monthly = select(year, month, *_sums()).where(_where(f)).group_by(year, month)
    groups["month"] = [
        _row(f"{int(y):04d}-{int(m):02d}", f"{months[int(m) - 1]} {int(y)}", v)
        for y, m, *v in s.execute(monthly.order_by(year, month))
    ]
    wait_words = {True: ("within", "Sesuai target"), False: ("over", "Melebihi target")}
    if lang == "en":
        wait_words = {True: ("within", "Within target"), False: ("over", "Over target")}
    groups["wait"] = [
        _row(*wait_words.get(k, ("unknown", "-")), v)
        for k, v in _grouped(s, f, SurveyRow.within_target)
    ]
    people = served(s, site, f)
    shown = select(
        SurveyRow.answered_at,
        SurveyRow.business_day,
        SurveyRow.service,
        SurveyRow.counter,
        SurveyRow.suggestion,
        SurveyRow.id,
    ).where(_where(f), SurveyRow.suggestion.is_not(None))
    suggestions = [
        Suggestion(row[0], row[1], row[2], row[3], row[4] or "", row[5])
        for row in s.execute(
            shown.order_by(SurveyRow.answered_at.desc(), SurveyRow.id.desc()).limit(
                SUGGESTIONS_SHOWN
            )
        )
    ]
    total = s.scalar(select(func.count()).where(_where(f), SurveyRow.suggestion.is_not(None)))
    return SkmReport(
        site=site.name,
        filters=f,
        overall=overall,
        groups=groups,
        served=people,
        sample_needed=results.sample_size(people),
        suggestions=suggestions,
        suggestions_total=int(total or 0),
        followup=followup.of_report(s, f.start, f.end, followup.unit_of(f.agency, f.service)),
    )


def respondents(s: Session, f: Filters) -> Iterator[SurveyRow]:
    """Every answer of the period in order, for the tabulation (streamed, not all at once)."""
    query = select(SurveyRow).where(_where(f)).order_by(SurveyRow.answered_at, SurveyRow.id)
    yield from s.scalars(query.execution_options(yield_per=500))


def weighted_sum(result: results.Result) -> Fraction:
    return sum(result.weighted, Fraction(0))


@dataclass(frozen=True)
class Promoted:
    """A suggestion as a complaint takes it: its words and where it came from."""

    survey_id: int
    ticket_id: int
    agency: str
    service: str
    text: str


def suggestion_of(s: Session, survey_id: int) -> Promoted | None:
    """One survey's suggestion (None when it has none), for the console to promote."""
    row = s.get(SurveyRow, survey_id) if 1 <= survey_id <= 2**31 - 1 else None
    if row is None or not row.suggestion:
        return None
    return Promoted(row.id, row.ticket_id, row.agency, row.service, row.suggestion)
