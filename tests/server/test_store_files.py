"""What the store does with a file that is not right: damaged pages (at start and met
while running), a newer schema, another application's database, read-only storage.

A refused start says why in one line, exits 2 and leaves every file's bytes as they were.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
import websockets.sync.client as ws_client
from websockets.exceptions import ConnectionClosed

from tests.server.test_identity import refused
from tests.serverproc import ServerProcess, antrian

KIOSK = {"Authorization": "Bearer demo-kiosk"}


def hashes(folder: Path) -> dict[str, str]:
    return {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(folder.iterdir())
        if f.is_file() and f.suffix != ".log" and f.name != "ready"
    }


def issue(api: str, n: int) -> list[int]:
    """Through the routed path (a JSON body with a charset): store.write, not the writer."""
    ids = []
    headers = {**KIOSK, "Content-Type": "application/json; charset=utf-8"}
    with httpx.Client(base_url=api, headers=headers, timeout=30) as c:
        for _ in range(n):
            body = json.dumps({"service": "KTP", "request_id": uuid.uuid4().hex})
            r = c.post("/tickets", content=body)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
    return ids


def damage(db: Path, table: str, pages: int = 3) -> None:
    """Overwrite `pages` of `table`'s leaf pages with garbage, as a failing disk would."""
    con = sqlite3.connect(db)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    found = [
        n
        for (n,) in con.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
            (table,),
        )
    ]
    con.close()
    assert len(found) >= pages, found
    with db.open("r+b") as f:
        for n in found[1 : pages + 1]:
            f.seek((n - 1) * size)
            f.write(b"\xde\xad\xbe\xef" * (size // 4))


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return antrian(*args, timeout=60)


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [x for x in (done.stdout + done.stderr).splitlines() if x.strip()]
    assert done.returncode == 2, done.stdout + done.stderr
    assert len(lines) == 1, lines
    return lines[0]


def a_day(tmp_path: Path, tickets: int = 300) -> tuple[ServerProcess, Path, list[int]]:
    """A server that issued `tickets` and stopped cleanly (the WAL copied into the file)."""
    server = ServerProcess(tmp_path)
    ids = issue(server.start() + "/api/v1", tickets)
    server.stop()
    return server, tmp_path / "demo.sqlite", ids


def test_damaged_pages_refuse_the_start_in_one_line_saying_how_to_restore(tmp_path: Path) -> None:
    server, db, _ = a_day(tmp_path)
    damage(db, "events")
    before = hashes(tmp_path)
    line = refused(server)
    assert "damaged" in line and "antrian backup --restore" in line, line
    assert hashes(tmp_path) == before


def test_damage_met_while_running_is_a_503_and_a_clean_close_logged_once(
    tmp_path: Path,
) -> None:
    server, db, ids = a_day(tmp_path)
    api = server.start() + "/api/v1"
    try:
        damage(db, "events")
        damage(db, "tickets")
        # The event replay: a close that says why (1011, the code), never a dropped stream.
        events = api.replace("http", "ws") + "/events?after=0"
        with pytest.raises(ConnectionClosed) as closed, ws_client.connect(events) as ws:
            for _ in range(10_000):
                ws.recv(timeout=10)
        assert closed.value.rcvd is not None, "the stream broke without a close frame"
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1011, "storage_damaged")
        answers = [httpx.get(f"{api}/tickets/{i}", timeout=10) for i in ids]
        damaged = [r for r in answers if r.status_code == 503]
        assert damaged and all(r.json()["code"] == "storage_damaged" for r in damaged)
        assert {r.status_code for r in answers} <= {200, 503}
        lines = [x for x in server.log.read_text().splitlines() if "storage:" in x]
        assert len(lines) == 1 and "damaged" in lines[0], lines
        assert "Traceback" not in server.log.read_text()
    finally:
        server.stop()


def _newer(db: Path, journal: str) -> None:
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '0999'")
    con.commit()
    con.execute(f"PRAGMA journal_mode={journal}")  # DELETE: as a newer version's copy
    con.close()


@pytest.mark.parametrize("journal", ["DELETE", "WAL"])
def test_a_refused_newer_database_keeps_every_byte(tmp_path: Path, journal: str) -> None:
    server, db, _ = a_day(tmp_path, 3)
    _newer(db, journal)
    before = hashes(tmp_path)
    for done in (
        server.run(),
        cli("device", "list", "--db", f"sqlite:///{db}"),
        cli(
            "report",
            "summary",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
            "--db",
            f"sqlite:///{db}",
        ),
    ):
        assert "newer version" in one_line(done)
        assert hashes(tmp_path) == before, done.args


def test_another_applications_database_is_refused_not_migrated_into(tmp_path: Path) -> None:
    db = tmp_path / "billing.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
    con.execute("INSERT INTO invoices (total) VALUES (125000)")
    con.commit()
    con.close()
    before = hashes(tmp_path)
    server = ServerProcess(tmp_path, db=f"sqlite:///{db}")
    for done in (
        server.run(),
        cli("device", "add", "kiosk-9", "--role", "kiosk", "--db", f"sqlite:///{db}"),
    ):
        line = one_line(done)
        assert "not an Antrian database" in line and "invoices" in line, line
        assert hashes(tmp_path) == before
    con = sqlite3.connect(db)
    tables = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    con.close()
    assert tables == ["invoices"]


def _chattr(flag: str, *paths: Path) -> bool:
    done = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True)
    return done.returncode == 0


def test_read_only_storage_never_calls_an_acknowledged_ticket_unknown(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = data / "antrian.sqlite"
    server = ServerProcess(tmp_path, db=f"sqlite:///{db}")
    api = server.start() + "/api/v1"
    files = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), data]
    try:
        ids = issue(api, 20)
        # At once: what the checkpointer has not copied yet (every 0.5 s; for minutes while
        # a reader's snapshot holds it back) is only in the WAL, which immutable reads skip.
        if not _chattr("+i", *files):
            pytest.skip("chattr +i does not work on this filesystem")
        for i in ids:
            r = httpx.get(f"{api}/tickets/{i}", timeout=10)
            assert r.status_code in (200, 503), r.text
            if r.status_code == 503:
                assert r.json()["code"] == "storage_read_only"
            else:
                assert r.json()["id"] == i
        assert server.proc is not None and server.proc.poll() is None, "the server died"
    finally:
        _chattr("-i", *files)
        server.stop()
