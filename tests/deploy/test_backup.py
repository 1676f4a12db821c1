"""`antrian backup`: online backup under a writer, pruning, and a tested restore."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from server.queue.rules import QueueService
from server.queue.site import Site
from server.store.backup import BackupError, backup, check, in_use, prune, restore
from server.store.db import Store
from server.store.migrate import upgrade
from shared.config import load_config

JAKARTA = load_config(None).site.tz


def _queue(db: Path) -> QueueService:
    store = Store(f"sqlite:///{db}")
    upgrade(store)
    queue = QueueService(store, Site(load_config(None), demo=True))
    queue.sync_counters()
    return queue


def _consistent(path: Path) -> tuple[int, int]:
    """Numbers, counters and the event log of a copy agree; returns (tickets, last seq)."""
    con = sqlite3.connect(path)
    try:
        tickets = con.execute("SELECT count(*) FROM tickets").fetchone()[0]
        per_service = dict(
            con.execute("SELECT service, count(*) FROM tickets GROUP BY service").fetchall()
        )
        numbered = dict(con.execute("SELECT service, last_number FROM daily_numbers").fetchall())
        seq = con.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0]
        events = con.execute("SELECT count(*), coalesce(max(seq), 0) FROM events").fetchone()
    finally:
        con.close()
    assert per_service == numbered
    assert events == (seq, seq)  # gapless log up to meta.seq
    return tickets, seq


def test_backup_while_a_writer_issues_tickets(tmp_path: Path) -> None:
    db = tmp_path / "antrian.sqlite"
    queue = _queue(db)
    stop = threading.Event()
    issued = [0]

    def writer() -> None:
        services = ["IZIN", "KTP", "JKN"]
        while not stop.is_set():
            queue.issue(services[issued[0] % 3], False, uuid.uuid4().hex, None)
            issued[0] += 1

    thread = threading.Thread(target=writer)
    thread.start()
    made = []
    try:
        for i in range(4):
            while issued[0] < 30 * (i + 1):
                stop.wait(0.01)
            now = datetime(2026, 11, 28, 7, 0, i, tzinfo=JAKARTA)
            made.append(backup(db, tmp_path / "backups", now))
    finally:
        stop.set()
        thread.join()
        queue.store.dispose()
    counts = []
    for path in made:
        assert path.name.startswith("antrian-20261128-0700")
        assert not path.with_name(path.name + "-wal").exists()
        check(path)
        counts.append(_consistent(path)[0])
    assert counts == sorted(counts) and counts[0] >= 30
    assert counts[-1] <= issued[0]


def test_prune_keeps_recent_and_unrelated_files(tmp_path: Path) -> None:
    now = datetime(2026, 11, 28, 17, 0, tzinfo=JAKARTA)
    for days in (0, 1, 13, 15, 40):
        (tmp_path / f"antrian-{now - timedelta(days=days):%Y%m%d-%H%M%S}.sqlite").write_text("")
    (tmp_path / "notes.txt").write_text("mine")
    gone = prune(tmp_path, 14, now)
    assert sorted(p.name for p in gone) == [
        "antrian-20261019-170000.sqlite",
        "antrian-20261113-170000.sqlite",
    ]
    assert len(list(tmp_path.glob("antrian-*.sqlite"))) == 3
    assert (tmp_path / "notes.txt").exists()
    assert prune(tmp_path, 0, now + timedelta(days=400)) == []


def test_restore_brings_tickets_back_and_server_serves_them(
    tmp_path: Path, start_server, cli
) -> None:
    data = tmp_path / "data"
    db = data / "demo.sqlite"
    queue = _queue(db)
    first = [queue.issue("IZIN", False, f"r{i}", None).ticket for i in range(5)]
    with queue.store.read():
        pass
    assert in_use(db)  # the pool keeps a connection open, like a running server
    saved = backup(db, tmp_path / "b", datetime(2026, 11, 28, 7, tzinfo=JAKARTA))
    for i in range(5, 8):
        queue.issue("IZIN", False, f"r{i}", None)
    with pytest.raises(BackupError, match="in use"):
        restore(saved, db, tmp_path / "b", datetime.now(JAKARTA), force=False)
    queue.store.dispose()
    assert not in_use(db)

    result = cli(
        "backup", "--restore", str(saved), "--db", f"sqlite:///{db}", "--dir", str(tmp_path / "b")
    )
    assert result.returncode == 0, result.stderr
    assert _consistent(db) == (5, 5)
    before = list((tmp_path / "b" / "before-restore").glob("antrian-*.sqlite"))
    assert len(before) == 1 and _consistent(before[0])[0] == 8

    server = start_server(data, "--demo")
    for ticket in first:
        got = server.get(f"/tickets/{ticket.id}")
        assert got.status_code == 200 and got.json()["code"] == ticket.code
    assert server.get("/tickets/8").status_code == 404
    nxt = server.post(
        "/tickets",
        {"service": "IZIN", "priority": False, "request_id": "after-restore"},
        "demo-kiosk",
    )
    assert nxt.status_code == 201 and nxt.json()["number"] == 6


def test_cli_backup_and_refusals(tmp_path: Path, cli) -> None:
    db = tmp_path / "antrian.sqlite"
    _queue(db).store.dispose()
    out = cli(
        "backup", "--db", f"sqlite:///{db}", "--dir", str(tmp_path / "bk"), "--keep-days", "3"
    )
    assert out.returncode == 0, out.stderr
    made = Path(out.stdout.strip().splitlines()[-1])
    assert made.parent == tmp_path / "bk" and made.exists()
    check(made)

    pg = cli("backup", "--db", "postgresql+psycopg://u@h/antrian")
    assert pg.returncode == 2 and "pg_dump" in pg.stderr and "Traceback" not in pg.stderr
    missing = cli(
        "backup", "--db", f"sqlite:///{tmp_path / 'none.sqlite'}", "--dir", str(tmp_path / "bk")
    )
    assert missing.returncode == 2 and "no database" in missing.stderr

    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"not a database at all" * 100)
    bad = cli("backup", "--restore", str(broken), "--db", f"sqlite:///{db}")
    assert bad.returncode == 2 and "not a readable SQLite database" in bad.stderr
