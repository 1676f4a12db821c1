"""The TOML as the site's seed and backup: export, import (validated, audited, the day's
safety), and a turn-1 database (made by main at 8fa47e2) upgraded in place."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from server.cli.site import site_main
from server.office import definition, live
from server.office.tables import AuditRow
from server.store.db import Store
from server.store.migrate import alembic_config, upgrade
from shared.config import load_config, parse_config, sample_path
from tests.serverproc import ServerProcess, antrian

FIXTURE = Path(__file__).with_name("fixtures") / "turn1.sqlite"

# The sample site with what the sample lacks: a service's own hours ending at midnight,
# booking sessions, one-off dates (closed, other hours), a hidden service, the signature.
RICH = (
    sample_path()
    .read_text(encoding="utf-8")
    .replace(
        'footer = "Terima kasih atas kunjungan Anda"',
        'footer = "Terima kasih atas kunjungan Anda"\nrunning_text = "Selamat datang"\n'
        'place = "Jombang"\nhead_name = "Drs. Budi"',
    )
    .replace(
        'holidays = ["2026-12-25", "2027-01-01"]',
        'holidays = ["2026-12-25", "2027-01-01"]\ndates = { 2026-12-24 = [], '
        '2026-12-31 = ["08:00-12:00"] }',
    )
    .replace(
        '  prefix = "A"\n  quota = 200\n',
        '  prefix = "A"\n  quota = 200\n  hidden = true\n  needs_nik = true\n'
        '  sessions = [{ start = "08:00", end = "10:00", places = 20 }]\n'
        '  schedule = { week = { saturday = ["20:00-24:00"] }, last_issue_minutes = 0 }\n',
    )
)


def seeded(db: str, text: str = RICH) -> Store:
    store = Store(db)
    upgrade(store)
    live.start_site(store, parse_config(text))
    return store


def audits(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditRow)) or 0)


def test_export_reads_back_to_the_same_site(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = seeded(db_url)
    with store.read() as s:
        stored = definition.load(s)
    assert stored is not None
    rich = parse_config(RICH).definition()
    assert stored.target().model_dump(mode="json") == rich.model_dump(mode="json")
    out = tmp_path / "backup.toml"
    assert site_main(["export", "--db", db_url, "--out", str(out)]) == 0
    again = load_config(out)  # as any config file is read
    assert again.definition().model_dump(mode="json") == rich.model_dump(mode="json")
    assert site_main(["export", "--db", db_url]) == 0
    assert capsys.readouterr().out == out.read_text(encoding="utf-8")
    # importing what is there changes nothing (no audit entry, no new version)
    before = audits(store)
    assert site_main(["import", str(out), "--db", db_url]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert audits(store) == before
    store.dispose()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_import_is_validated_audited_and_one_transaction(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = seeded(db_url, sample_path().read_text(encoding="utf-8"))
    before = audits(store)
    bad = tmp_path / "bad.toml"
    bad.write_text(
        sample_path()
        .read_text(encoding="utf-8")
        .replace("quota = 200", "quota = 0", 1)
        .replace('prefix = "BK"', 'prefix = "B"'),
        encoding="utf-8",
    )
    assert site_main(["import", str(bad), "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert "services.IZIN.quota: Minimal 1." in err
    assert "nothing was changed" in err
    assert audits(store) == before
    good = tmp_path / "good.toml"
    good.write_text(
        sample_path()
        .read_text(encoding="utf-8")
        .replace('name = "Perizinan"', 'name = "Perizinan Berusaha"')
        + '\n[printer]\nkind = "virtual"\n',  # a box's section: left to the box
        encoding="utf-8",
    )
    assert site_main(["import", str(good), "--db", db_url]) == 0
    with store.read() as s:
        row = s.scalars(select(AuditRow).order_by(AuditRow.id.desc())).first()
    assert row is not None
    assert (row.source, row.entity, row.key, row.action) == ("import", "service", "IZIN", "update")
    assert '"Perizinan Berusaha"' in (row.after or "")
    assert audits(store) == before + 1
    store.dispose()


@pytest.mark.slow
def test_a_running_server_takes_an_import(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/site.sqlite"
    server = ServerProcess(tmp_path, db=db)
    server.start()
    try:
        with httpx.Client(base_url=server.url + "/api/v1", timeout=10) as c:
            r = c.post("/tickets", json={"service": "KTP", "request_id": "import-test-1"},
                       headers={"Authorization": "Bearer demo-kiosk"})  # fmt: skip
            assert r.status_code == 201
            # a file without KTP would delete a service with a ticket today
            no_ktp = tmp_path / "no-ktp.toml"
            text = sample_path().read_text(encoding="utf-8")
            start = text.index('  [[agencies.services]]\n  code = "KTP"')
            end = text.index('  [[agencies.services]]\n  code = "KK"')
            no_ktp.write_text(text[:start] + text[end:].replace('"KTP", ', ""), encoding="utf-8")
            run = antrian("site", "import", str(no_ktp), "--db", db, timeout=60)
            assert run.returncode == 2, run.stdout + run.stderr
            assert "KTP" in run.stderr and "hidden" in run.stderr
            renamed = tmp_path / "renamed.toml"
            renamed.write_text(text.replace('name = "KTP-el"', 'name = "KTP Elektronik"'))
            run = antrian("site", "import", str(renamed), "--db", db, timeout=60)
            assert run.returncode == 0, run.stderr
            deadline = time.monotonic() + 5
            while True:
                names = {s["code"]: s["name"] for a in c.get("/services").json()["agencies"]
                         for s in a["services"]}  # fmt: skip
                if names["KTP"] == "KTP Elektronik":
                    break
                assert time.monotonic() < deadline, "the server did not take the import"
                time.sleep(0.1)
    finally:
        server.stop()


def _rows(path: Path, query: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(path)
    try:
        return list(con.execute(query))
    finally:
        con.close()


@pytest.mark.slow
def test_a_turn1_database_is_upgraded_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "antrian.sqlite"
    shutil.copy(FIXTURE, path)
    # The columns turn 1 had (later migrations add some, e.g. the calling officer).
    columns = ", ".join(r[1] for r in _rows(path, "PRAGMA table_info(tickets)"))
    tickets = _rows(path, f"SELECT {columns} FROM tickets ORDER BY id")
    events = _rows(path, "SELECT * FROM events ORDER BY seq")
    counters = _rows(path, "SELECT * FROM counters ORDER BY code")
    numbers = _rows(path, "SELECT * FROM daily_numbers ORDER BY service")
    assert _rows(path, "SELECT version_num FROM alembic_version") == [("0003",)]
    assert len(tickets) == 46 and len(events) == 161 and len(counters) == 18
    server = ServerProcess(tmp_path, demo=False, db=f"sqlite:///{path}")
    server.start()
    try:
        with httpx.Client(base_url=server.url + "/api/v1", timeout=10) as c:
            for ticket_id, code, status in _rows(path, "SELECT id, code, status FROM tickets"):
                got = c.get(f"/tickets/{ticket_id}").json()
                assert (got["code"], got["status"]) == (code, status)
            assert len(c.get("/board").json()["counters"]) == 18
    finally:
        server.stop()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert _rows(path, "SELECT version_num FROM alembic_version") == [(head,)]
    assert _rows(path, f"SELECT {columns} FROM tickets ORDER BY id") == tickets
    assert _rows(path, f"SELECT * FROM events WHERE seq <= {len(events)} ORDER BY seq") == events
    assert _rows(path, "SELECT * FROM counters ORDER BY code") == counters
    assert _rows(path, "SELECT * FROM daily_numbers ORDER BY service") == numbers
    # the site came from the TOML (the bundled sample here), audited as the seed
    store = Store(f"sqlite:///{path}")
    with store.read() as s:
        stored = definition.load(s)
        sources = set(s.scalars(select(AuditRow.source)))
    assert stored is not None and sources == {"seed"}
    sample = load_config(None).definition()
    assert stored.target().model_dump(mode="json") == sample.model_dump(mode="json")
    store.dispose()
    assert "taken from the config into the database" in server.log.read_text()
    # a later start with another TOML keeps the database's site, and says so once
    other = tmp_path / "other.toml"
    other.write_text(
        sample_path().read_text(encoding="utf-8").replace("MPP Kabupaten Jombang", "MPP Lain")
    )
    server.config = other
    server.start()
    try:
        with httpx.Client(base_url=server.url + "/api/v1", timeout=10) as c:
            assert c.get("/health").json()["site"] == "MPP Kabupaten Jombang"
    finally:
        server.stop()
    log = server.log.read_text()
    assert log.count("the site is in the database since") == 1
    assert "`antrian site import FILE` to replace it" in log
