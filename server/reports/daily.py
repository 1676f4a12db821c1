"""The daily report: per service, issued, served, no-show, wait and service times."""

from __future__ import annotations

import csv
import io
import math
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.documents.cells import csv_cell
from server.queue.site import Site
from server.store.tables import TicketRow
from shared.models import DailyReport, ServiceReport, TicketStatus


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    # Nearest-rank percentile: the value at or below which 90% of the times fall.
    return round(ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)], 1)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def daily_report(s: Session, site: Site, day: date) -> DailyReport:
    rows = list(s.scalars(select(TicketRow).where(TicketRow.business_day == day)))
    out = []
    for agency in site.config.agencies:
        for svc in agency.services:
            mine = [r for r in rows if r.service == svc.code]
            waits = [
                (r.called_at - r.queued_at).total_seconds() / 60
                for r in mine
                if r.called_at is not None
            ]
            serves = [
                (r.finished_at - r.serving_at).total_seconds() / 60
                for r in mine
                if r.status == TicketStatus.DONE and r.serving_at and r.finished_at
            ]
            out.append(
                ServiceReport(
                    service=svc.code,
                    service_name=svc.name,
                    agency=agency.code,
                    issued=sum(1 for r in mine if r.transferred_from is None),
                    served=sum(1 for r in mine if r.status == TicketStatus.DONE),
                    no_show=sum(1 for r in mine if r.status == TicketStatus.NO_SHOW),
                    cancelled=sum(1 for r in mine if r.status == TicketStatus.CANCELLED),
                    waiting=sum(1 for r in mine if r.status == TicketStatus.WAITING),
                    mean_wait_minutes=_mean(waits),
                    p90_wait_minutes=_p90(waits),
                    mean_service_minutes=_mean(serves),
                    p90_service_minutes=_p90(serves),
                )
            )
    return DailyReport(site=site.name, date=day, services=out)


COLUMNS = list(ServiceReport.model_fields)


def report_csv(report: DailyReport) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["date", *COLUMNS], lineterminator="\n")
    writer.writeheader()
    for row in report.services:
        # names stay text, never a formula (server/documents/cells.py)
        writer.writerow(
            {
                k: csv_cell(v)
                for k, v in {"date": report.date.isoformat(), **row.model_dump()}.items()
            }
        )
    return buf.getvalue()


def report_table(report: DailyReport) -> str:
    head = f"{'service':<10} {'issued':>6} {'served':>6} {'no-show':>7} {'cancel':>6} "
    head += f"{'wait':>7} {'wait p90':>8} {'serve':>7} {'serve p90':>9}"

    def num(v: float | None) -> str:
        return "-" if v is None else f"{v:.1f}"

    lines = [f"{report.site}: {report.date.isoformat()} (minutes)", head, "-" * len(head)]
    for r in report.services:
        lines.append(
            f"{r.service:<10} {r.issued:>6} {r.served:>6} {r.no_show:>7} {r.cancelled:>6} "
            f"{num(r.mean_wait_minutes):>7} {num(r.p90_wait_minutes):>8} "
            f"{num(r.mean_service_minutes):>7} {num(r.p90_service_minutes):>9}"
        )
    total = sum(r.issued for r in report.services)
    served = sum(r.served for r in report.services)
    lines.append(f"total issued {total}, served {served}")
    return "\n".join(lines)
