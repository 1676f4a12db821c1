"""The write-ahead log stays bounded: after a burst and an idle moment it is small again."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from server.queue.rules import QueueService
from server.queue.site import Site
from server.store.db import Store
from server.store.migrate import upgrade
from shared.config import load_config
from tests.server.conftest import FakeClock


def test_the_wal_shrinks_when_idle_after_a_burst(tmp_path: Path) -> None:
    db = tmp_path / "antrian.sqlite"
    store = Store(f"sqlite:///{db}")
    upgrade(store)
    queue = QueueService(store, Site(load_config(None), demo=True), clock=FakeClock())
    queue.sync_counters()
    wal = Path(f"{db}-wal")
    # A reader that keeps an old snapshot (a display's long read) while the burst runs:
    # the WAL cannot start over meanwhile, so it grows with every ticket.
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM tickets").fetchone()
    futures = [store.submit(queue.issue, "KTP", False, f"b-{n:05d}", None) for n in range(1500)]
    assert futures[-1].result(60).ticket.number == 1500
    grown = wal.stat().st_size
    assert grown > 2_000_000, grown
    reader.execute("COMMIT")
    reader.close()
    deadline = time.monotonic() + 10
    while wal.stat().st_size > 100_000 and time.monotonic() < deadline:
        time.sleep(0.1)
    small = wal.stat().st_size
    # Issuing goes on as before once the WAL was cut back.
    assert store.submit(queue.issue, "KTP", False, "after", None).result(30).ticket.number == 1501
    store.dispose()
    assert small <= 100_000, (grown, small)
