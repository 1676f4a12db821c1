"""A start never begins empty, or on another or older database, over a site's data; and
never replays a write-ahead log that is not the database's own (server/store/identity.py)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from tests.serverproc import ServerProcess, antrian

KIOSK = {"Authorization": "Bearer demo-kiosk"}


def issue(url: str, n: int) -> None:
    with httpx.Client(base_url=url + "/api/v1", headers=KIOSK, timeout=30) as c:
        for _ in range(n):
            r = c.post("/tickets", json={"service": "KTP", "request_id": uuid.uuid4().hex})
            assert r.status_code == 201, r.text


def refused(server: ServerProcess, *extra: str) -> str:
    """Start the server expecting a refusal: exit code 2 and one line; returns the line."""
    done = server.run(*extra)
    lines = [x for x in (done.stdout + done.stderr).splitlines() if x.strip()]
    assert done.returncode == 2, done.stdout + done.stderr
    assert len(lines) == 1 and lines[0].startswith("antrian: refusing to start"), lines
    return lines[0]


def backup_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return antrian("backup", *args, timeout=60)


def start(tmp_path: Path) -> tuple[ServerProcess, Path]:
    server = ServerProcess(tmp_path)
    server.start()
    return server, tmp_path / "demo.sqlite"


@pytest.mark.slow
def test_a_removed_database_is_not_started_afresh_unless_told(tmp_path: Path) -> None:
    server, db = start(tmp_path)
    issue(server.url, 5)
    server.kill()  # a power cut after the removal: nothing clean at all
    record = json.loads(Path(f"{db}.identity").read_text())
    for f in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        f.unlink(missing_ok=True)
    line = refused(server)
    assert "no database" in line and "--accept-database-change" in line
    db.write_bytes(b"")  # a zero-length file is no database either
    assert "no database" in refused(server)
    server.extra = ("--accept-database-change",)
    server.start()
    server.stop()
    assert json.loads(Path(f"{db}.identity").read_text())["database_id"] != record["database_id"]
    server.extra = ()
    server.start()  # from now on this one is the database held
    server.stop()


@pytest.mark.slow
def test_kill_9_then_start_is_never_refused(tmp_path: Path) -> None:
    server, db = start(tmp_path)
    for _ in range(3):
        issue(server.url, 30)
        server.kill()
        server.start()
    issue(server.url, 1)
    server.stop()
    con = sqlite3.connect(db)
    seq = con.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0]
    con.close()
    assert json.loads(Path(f"{db}.identity").read_text())["seq"] == seq >= 90
    assert not Path(f"{db}-wal").exists()  # a clean stop copied and removed the log


@pytest.mark.slow
def test_another_or_an_older_database_is_refused(tmp_path: Path) -> None:
    server, db = start(tmp_path)
    issue(server.url, 3)
    server.stop()
    old = tmp_path / "old.sqlite"
    assert backup_cli("--db", f"sqlite:///{db}", "--dir", str(tmp_path / "b")).returncode == 0
    made = next((tmp_path / "b").glob("antrian-*.sqlite"))
    shutil.copy(made, old)
    server.start()
    issue(server.url, 3)
    server.stop()
    held = db.read_bytes()

    other = ServerProcess(tmp_path / "other")
    (tmp_path / "other").mkdir()
    other.start()
    other.stop()
    shutil.copy(tmp_path / "other" / "demo.sqlite", db)
    assert "another database" in refused(server)

    shutil.copy(old, db)  # an older copy of the same database, put back by hand
    assert "older" in refused(server)

    db.write_bytes(held)
    server.start()  # the database it held: fine
    server.stop()
    # `antrian backup --restore` is the technician saying so: it then starts on it
    done = backup_cli(
        "--db", f"sqlite:///{db}", "--dir", str(tmp_path / "b"), "--restore", str(old)
    )
    assert done.returncode == 0, done.stderr
    server.start()
    server.stop()


def crashed_with_a_wal(tmp_path: Path) -> tuple[ServerProcess, Path]:
    server, db = start(tmp_path)
    issue(server.url, 40)
    server.kill()
    wal = Path(f"{db}-wal")
    assert wal.stat().st_size > 32
    return server, db


@pytest.mark.slow
def test_a_restore_by_hand_beside_a_stale_wal_is_refused(tmp_path: Path) -> None:
    server, db = crashed_with_a_wal(tmp_path)
    before = db.read_bytes()
    saved = tmp_path / "copy.sqlite"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.execute(f"VACUUM INTO '{saved}'")  # a self-contained copy, as a backup is
    con.close()
    shutil.copy(saved, db)  # the technician's restore by hand: -wal and -shm stay
    restored = db.read_bytes()
    line = refused(server, "--accept-database-change")  # no flag overrides a foreign log
    assert "-wal" in line and "WAL mode" in line
    assert db.read_bytes() == restored != before  # nothing was replayed into it

    # `antrian backup --restore` leaves no -wal/-shm beside what it restored
    done = backup_cli(
        "--db", f"sqlite:///{db}", "--dir", str(tmp_path / "b"), "--restore", str(saved)
    )
    assert done.returncode == 0, done.stderr
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()
    server.start()
    server.stop()


@pytest.mark.slow
def test_a_wal_from_another_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, db_a = crashed_with_a_wal(tmp_path / "a")
    _b, db_b = crashed_with_a_wal(tmp_path / "b")
    # A's file, put beside B's log (B's record would refuse A's file anyway: use A's dir)
    shutil.copy(Path(f"{db_b}-wal"), Path(f"{db_a}-wal"))
    Path(f"{db_a}-shm").unlink(missing_ok=True)
    before = db_a.read_bytes()
    line = refused(a)
    assert "-wal" in line
    # nor does a technician's command open it (it would replay the log into the file)
    listed = antrian("device", "list", "--db", f"sqlite:///{db_a}", timeout=60)
    assert listed.returncode == 2 and "-wal" in listed.stderr, listed.stderr
    assert db_a.read_bytes() == before
