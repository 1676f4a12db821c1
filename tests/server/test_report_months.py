"""Sealed months give the same report as the tickets they were made from, on SQLite and
PostgreSQL; a month whose tickets or targets change is read from the tickets again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, func, insert, select, update

from bench.history import generate
from server.booking.tables import BookingRow
from server.queue.site import Site
from server.reports.months import months_touching, seal_due, seal_month, valid_seals
from server.reports.summary import GROUPS, SummaryReport, summary_report
from server.reports.tables import MonthCellRow, MonthSealRow
from server.store.db import Store
from server.store.tables import TicketRow
from shared.config import Config
from tests.serverproc import ServerProcess

START = date(2026, 8, 17)  # a Monday; the history runs into October
TODAY = date(2026, 11, 2)
PERIODS = [
    (date(2026, 8, 17), date(2026, 10, 30)),  # part of August, all September, October
    (date(2026, 9, 1), date(2026, 9, 30)),  # one whole month
    (date(2026, 9, 10), date(2026, 10, 5)),  # no whole month
]


@pytest.fixture
def history(db_url: str) -> Iterator[Store]:
    generate(db_url, 1500, START, 75)
    store = Store(db_url)
    yield store
    store.dispose()


def reports(store: Store, site: Site) -> list[SummaryReport]:
    with store.read() as s:
        return [
            summary_report(s, site, d0, d1, group, charts=True)
            for d0, d1 in PERIODS
            for group in GROUPS
        ]


def test_sealed_months_give_the_same_figures(history: Store, site: Site) -> None:
    with history.read() as s:  # a booking checked in: an online ticket
        first = s.scalar(
            select(TicketRow).where(
                TicketRow.business_day == date(2026, 9, 15), TicketRow.transferred_from.is_(None)
            )
        )
        assert first is not None
    _book(history, first)
    before = reports(history, site)
    assert seal_due(history, site, TODAY) == 4  # August, September, October; November's 1st
    with history.read() as s:
        assert valid_seals(s, site, months_touching(START, TODAY)) == {
            date(2026, 8, 1): date(2026, 8, 31),
            date(2026, 9, 1): date(2026, 9, 30),
            date(2026, 10, 1): date(2026, 10, 31),
            date(2026, 11, 1): date(2026, 11, 1),
        }
        assert s.scalar(select(func.count()).select_from(MonthCellRow)) > 0
    after = reports(history, site)
    for b, a in zip(before, after, strict=True):
        assert a.model_dump() == b.model_dump(), (a.group, a.date_from, a.date_to)
    year = after[GROUPS.index("service")]
    assert year.total.issued == 1500 and year.total.online == 1
    assert year.total.walk_in == 1499
    assert sum(d.issued for d in year.charts.per_day) == 1500  # type: ignore[union-attr]
    assert seal_due(history, site, TODAY) == 0  # nothing left to do


def _book(store: Store, ticket: TicketRow) -> None:
    at = datetime(2026, 9, 15, 1, tzinfo=UTC)
    with store.write() as s:
        s.execute(
            insert(BookingRow).values(
                code="ABC123",
                token_hash="x" * 64,
                service=ticket.service,
                day=ticket.business_day,
                session="08:00-10:00",
                status="checked_in",
                created_at=at,
                checked_in_at=at,
                ticket_id=ticket.id,
            )
        )


def test_a_changed_month_is_read_from_its_tickets(history: Store, site: Site) -> None:
    seal_due(history, site, TODAY)
    # A box with a wrong clock issues a ticket into September after it was sealed.
    with history.write() as s:
        row = s.scalars(
            select(TicketRow).where(TicketRow.business_day == date(2026, 9, 15)).limit(1)
        ).one()
        s.execute(
            insert(TicketRow).values(
                business_day=row.business_day,
                service=row.service,
                issued_service=row.service,
                number=999,
                code="Z999",
                priority=False,
                status="cancelled",
                issued_at=row.issued_at,
                queued_at=row.issued_at,
                finished_at=row.issued_at + timedelta(minutes=3),
            )
        )
    with history.read() as s:
        assert date(2026, 9, 1) not in valid_seals(s, site, [date(2026, 9, 1)])
        sept = summary_report(s, site, date(2026, 9, 1), date(2026, 9, 30))
    unsealed = _without_seals(history, site)
    assert sept.model_dump() == unsealed.model_dump()
    assert seal_due(history, site, TODAY) == 1  # September again
    with history.read() as s:
        assert summary_report(s, site, date(2026, 9, 1), date(2026, 9, 30)) == sept


def _without_seals(store: Store, site: Site) -> SummaryReport:
    with store.write() as s:
        s.execute(delete(MonthSealRow).where(MonthSealRow.month == date(2026, 9, 1)))
    with store.read() as s:
        return summary_report(s, site, date(2026, 9, 1), date(2026, 9, 30))


def test_a_changed_target_is_not_read_from_the_seals(
    history: Store, site: Site, config: Config
) -> None:
    seal_due(history, site, TODAY)
    data = config.model_dump()
    for agency in data["agencies"]:
        for svc in agency["services"]:
            svc["target_minutes"] = 5
    stricter = Site(Config.model_validate(data))
    with history.read() as s:
        assert valid_seals(s, stricter, months_touching(START, TODAY)) == {}
        strict = summary_report(s, stricter, date(2026, 9, 1), date(2026, 9, 30))
        lax = summary_report(s, site, date(2026, 9, 1), date(2026, 9, 30))
    assert strict.total.within_target < lax.total.within_target
    assert strict.total.wait == lax.total.wait
    assert seal_due(history, stricter, TODAY) == 4
    with history.read() as s:
        assert summary_report(s, stricter, date(2026, 9, 1), date(2026, 9, 30)) == strict


def test_a_month_with_open_tickets_or_not_over_is_not_sealed(history: Store, site: Site) -> None:
    with history.write() as s:
        s.execute(
            update(TicketRow)
            .where(TicketRow.business_day == date(2026, 10, 1))
            .values(status="waiting", called_at=None, finished_at=None)
        )
    assert not seal_month(history, site, date(2026, 10, 1), TODAY)
    assert not seal_month(history, site, date(2026, 10, 1), date(2026, 10, 1))  # none over
    assert seal_month(history, site, date(2026, 9, 1), date(2026, 10, 1))


def test_this_month_is_sealed_up_to_yesterday(history: Store, site: Site) -> None:
    october = (date(2026, 10, 1), date(2026, 10, 31))
    with history.read() as s:
        unsealed = [summary_report(s, site, *october, g, charts=True) for g in GROUPS]
    assert seal_due(history, site, date(2026, 10, 20)) == 3
    with history.read() as s:
        assert valid_seals(s, site, [date(2026, 10, 1)]) == {date(2026, 10, 1): date(2026, 10, 19)}
        sealed = [summary_report(s, site, *october, g, charts=True) for g in GROUPS]
    assert [r.model_dump() for r in sealed] == [r.model_dump() for r in unsealed]
    assert seal_due(history, site, date(2026, 10, 20)) == 0
    assert seal_due(history, site, date(2026, 10, 21)) == 1  # the next night: one more day
    with history.read() as s:
        assert valid_seals(s, site, [date(2026, 10, 1)]) == {date(2026, 10, 1): date(2026, 10, 20)}


def test_a_server_seals_at_start_and_its_api_gives_the_same_figures(
    tmp_path: Path, site: Site
) -> None:
    url = f"sqlite:///{tmp_path}/history.sqlite"
    generate(url, 600, date(2026, 8, 17), 60)  # August to October, before today
    store = Store(url)
    d0, d1 = date(2026, 9, 1), date(2026, 9, 30)
    with store.read() as s:
        expected = summary_report(s, site, d0, d1, "agency", charts=True)
    server = ServerProcess(tmp_path, demo=True, db=url)
    server.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with store.read() as s:
                if date(2026, 9, 1) in valid_seals(s, site, [date(2026, 9, 1)]):
                    break
            time.sleep(0.2)
        else:
            pytest.fail("the server did not seal September within 30 s")
        login = httpx.post(
            f"{server.url}/api/v1/sessions",
            json={"username": "demo", "pin": "123456", "counter": "L01"},
            timeout=10,
        )
        token = login.json()["token"]
        answer = httpx.get(
            f"{server.url}/api/v1/reports/summary",
            params={
                "from": d0.isoformat(),
                "to": d1.isoformat(),
                "group": "agency",
                "charts": "true",
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == expected.model_dump(mode="json")
    finally:
        server.stop()
        store.dispose()
