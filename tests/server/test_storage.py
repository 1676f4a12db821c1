"""A real server whose disk lets it down: full, read-only, the database file removed.

Each write is refused with a 503 whose code says storage, logged once (no traceback per
request), reads go on, and writes succeed again by themselves once the disk is fixed.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.serverproc import ServerProcess

KIOSK = {"Authorization": "Bearer demo-kiosk"}


def issue_fast(api: str) -> httpx.Response:
    """The plain issue, answered by server/api/fast_issue.py once the token is cached."""
    body = {"service": "KTP", "request_id": uuid.uuid4().hex}
    return httpx.post(f"{api}/tickets", json=body, headers=KIOSK, timeout=30)


def issue_routed(api: str) -> httpx.Response:
    """The same issue through the FastAPI route (fast_issue takes only this exact type)."""
    body = json.dumps({"service": "KTP", "request_id": uuid.uuid4().hex})
    headers = {**KIOSK, "Content-Type": "application/json; charset=utf-8"}
    return httpx.post(f"{api}/tickets", content=body, headers=headers, timeout=30)


def storage_lines(server: ServerProcess) -> list[str]:
    return [line for line in server.log.read_text().splitlines() if "storage:" in line]


def until(what, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        got = what()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs of our own (root only), unmounted afterwards."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(disk: Path) -> Path:
    """Take every free block (again: SQLite may free some of its own meanwhile)."""
    filler = disk / "filler"
    with filler.open("ab") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


@pytest.mark.slow
def test_a_full_disk_is_a_503_logged_once_and_heals_without_restart(
    tmp_path: Path, tiny_disk: Path
) -> None:
    server = ServerProcess(tmp_path, db=f"sqlite:///{tiny_disk}/antrian.sqlite")
    api = server.start() + "/api/v1"
    try:
        assert issue_fast(api).status_code == 201
        filler = fill(tiny_disk)
        answers = []
        for _ in range(3000):  # the WAL's room already taken lasts a while
            r = issue_fast(api)
            answers.append(r.status_code)
            if r.status_code != 201:
                break
        assert r.status_code == 503, answers[-5:]
        assert r.json()["code"] == "storage_full", r.text
        # SQLite frees a little room of its own now and then: refill before each try.
        for send in (issue_routed, issue_fast):
            codes = []
            for _ in range(20):
                fill(tiny_disk)
                r = send(api)
                assert r.status_code in (201, 503), r.text
                codes.append(r.json()["code"] if r.status_code == 503 else "created")
            assert codes.count("storage_full") >= 10, codes
            assert set(codes) <= {"storage_full", "created"}, codes
        assert httpx.get(f"{api}/board", timeout=10).status_code == 200
        filler.unlink()
        healed = until(lambda: issue_fast(api).status_code == 201)
        assert healed, "writes did not come back after space was freed"
        assert issue_routed(api).status_code == 201
        lines = storage_lines(server)
        # Once when it started (again only if SQLite freed some room itself meanwhile)
        assert 1 <= len([x for x in lines if "refused" in x]) <= 3, lines
        assert any("succeed again" in x for x in lines), lines
        assert "Traceback" not in server.log.read_text()
    finally:
        server.stop()


def _chattr(flag: str, *paths: Path) -> bool:
    done = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True)
    return done.returncode == 0


@pytest.mark.slow
def test_read_only_files_refuse_writes_keep_reads_and_heal(tmp_path: Path) -> None:
    """chattr +i: even root cannot write (a chmod would not stop root). Before, the next
    write killed the server with SIGBUS (SQLite's mapped -shm), and no line said why."""
    data = tmp_path / "data"
    db = data / "antrian.sqlite"
    server = ServerProcess(tmp_path, db=f"sqlite:///{db}")
    api = server.start() + "/api/v1"
    files = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), data]
    try:
        for _ in range(20):
            assert issue_fast(api).status_code == 201
        # Reads then come from the file alone: once the checkpointer (every 0.5 s) has
        # copied every commit into it (before, a 503: tests/server/test_store_files.py).
        time.sleep(1.5)
        if not _chattr("+i", *files):
            pytest.skip("chattr +i does not work on this filesystem")
        r = issue_fast(api)
        assert (r.status_code, r.json()["code"]) == (503, "storage_read_only"), r.text
        routed = issue_routed(api)
        assert (routed.status_code, routed.json()["code"]) == (503, "storage_read_only")
        assert httpx.get(f"{api}/board", timeout=10).status_code == 200
        time.sleep(2)  # checkpoint rounds meanwhile: they must not touch the files either
        assert issue_fast(api).status_code == 503
        assert server.proc is not None and server.proc.poll() is None, "the server died"
        assert _chattr("-i", *files)
        assert until(lambda: issue_fast(api).status_code == 201), "writes did not come back"
        lines = storage_lines(server)
        assert len([x for x in lines if "refused" in x]) == 1, lines
        assert "Traceback" not in server.log.read_text()
    finally:
        _chattr("-i", *files)
        server.stop()


@pytest.mark.slow
def test_a_removed_database_file_is_never_acknowledged(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = data / "antrian.sqlite"
    server = ServerProcess(tmp_path, db=f"sqlite:///{db}")
    api = server.start() + "/api/v1"
    try:
        assert issue_fast(api).status_code == 201
        os.remove(db)
        answers = [issue_fast(api) for _ in range(5)] + [issue_routed(api)]
        assert [(r.status_code, r.json()["code"]) for r in answers] == [
            (503, "storage_unavailable")
        ] * 6
        assert not db.exists(), "a connection made a new empty database at the path"
        lines = storage_lines(server)
        assert len(lines) == 1 and "removed" in lines[0], lines
    finally:
        server.stop()
