"""Several processes start on one fresh database; a database from a newer version."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.serverproc import ROOT


def _cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "shared.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def test_device_add_at_once_on_a_fresh_database(db_url: str) -> None:
    """`antrian device add` four times at once: each migrates, or waits for the one that does."""
    procs = [
        _cli("device", "add", f"kiosk-{i}", "--role", "kiosk", "--db", db_url) for i in range(4)
    ]
    outcomes = [(p.wait(120), p.communicate()[1]) for p in procs]
    assert [rc for rc, _ in outcomes] == [0, 0, 0, 0], [err for _, err in outcomes]
    engine = create_engine(db_url)
    with engine.connect() as conn:
        names = sorted(conn.execute(text("SELECT name FROM devices")).scalars())
        seqs = conn.execute(text("SELECT count(*) FROM meta WHERE key = 'seq'")).scalar()
    engine.dispose()
    assert names == [f"kiosk-{i}" for i in range(4)]
    assert seqs == 1


def test_a_database_from_a_newer_version_is_refused_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "antrian.sqlite"
    made = _cli("device", "add", "kiosk-1", "--role", "kiosk", "--db", f"sqlite:///{db}")
    assert made.wait(60) == 0, made.communicate()
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '0999'")
    con.commit()
    con.close()
    for command in (
        ("server", "--no-zeroconf", "--port", "0", "--db", f"sqlite:///{db}"),
        ("device", "list", "--db", f"sqlite:///{db}"),
    ):
        proc = _cli(*command)
        rc = proc.wait(60)
        out, err = proc.communicate()
        lines = [line for line in (out + err).splitlines() if line.strip()]
        assert rc == 2, out + err
        assert len(lines) == 1, lines
        assert lines[0].startswith("antrian: ") and "newer version" in lines[0]
        assert "0999" in lines[0]


def test_another_applications_database_is_refused_on_both(db_url: str) -> None:
    """SQLite (server/store/filecheck.py) and PostgreSQL (migrate.py, in the upgrade's
    transaction): tables that are not ours are never migrated into."""
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)"))
    engine.dispose()
    proc = _cli("device", "add", "kiosk-1", "--role", "kiosk", "--db", db_url)
    rc = proc.wait(60)
    out, err = proc.communicate()
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert rc == 2 and len(lines) == 1, lines
    assert "not an Antrian database" in lines[0] and "invoices" in lines[0]
    engine = create_engine(db_url)
    with engine.connect() as conn:
        from sqlalchemy import inspect

        assert inspect(conn).get_table_names() == ["invoices"]
    engine.dispose()
