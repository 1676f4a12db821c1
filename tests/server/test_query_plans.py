"""A busy day's reads use indexes: a scan of the day's tickets slowed a 20,000-ticket
day to a crawl (bench.simulated_day), so no statement of the common paths may do one."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import event

from server.reports.views import FLOOR_MARK
from server.store.db import Store
from tests.server.conftest import LiveServer
from tests.server.test_api import officer_token


def test_the_common_paths_never_scan_the_tickets(live: LiveServer, store: Store) -> None:
    if not store.is_sqlite:
        pytest.skip("SQLite's query plans")
    seen: list[str] = []

    def trace(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.set_trace_callback(seen.append)  # each statement with its values

    for engine in (store.read_engine, store.write_engine):
        event.listen(engine, "connect", trace)
        engine.dispose()  # connections made from now on are traced
    with live.client("demo-kiosk") as kiosk:
        for n in range(30):
            body = {"service": "KTP" if n % 3 else "KK", "priority": n % 7 == 0}
            r = kiosk.post("/tickets", json={**body, "request_id": f"plan-{n:06d}"})
            assert r.status_code == 201
    with live.client(officer_token(live)) as officer:
        for action in ("call", "recall", "start", "finish", "call", "skip", "call", "start"):
            assert officer.post(f"/counters/L03/{action}").status_code == 200, action
        assert officer.post("/counters/L03/transfer", json={"service": "KK"}).status_code == 200
    with live.client() as public:
        for path in ("/board", "/services", "/tickets/5", "/counters/L03"):
            assert public.get(path).status_code == 200, path
    # Not the floor's own round (server/reports/views.py FLOOR_MARK): it reads the day
    # on purpose, every few seconds, in the background.
    selects = sorted(
        {
            s
            for s in seen
            if s.lstrip().upper().startswith(("SELECT", "WITH")) and FLOOR_MARK not in s
        }
    )
    assert len(selects) > 10
    path = store.url.split("///", 1)[1]
    db = sqlite3.connect(path)
    scans = []
    for sql in selects:
        for row in db.execute(f"EXPLAIN QUERY PLAN {sql}"):
            detail = str(row[3])
            # A scan, or every ticket of the day fetched from the table one by one.
            whole_day = detail.startswith("SEARCH tickets USING INDEX") and detail.endswith(
                "(business_day=?)"
            )
            if detail.startswith("SCAN tickets") or whole_day:
                scans.append((detail, sql))
    db.close()
    assert scans == []
