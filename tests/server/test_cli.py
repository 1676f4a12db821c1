"""The administration commands, run as a technician would run them."""

from __future__ import annotations

import httpx
import pytest

from tests.server.conftest import ServerProcess
from tests.serverproc import antrian


@pytest.mark.slow
def test_device_and_officer_add_then_use_them(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    added = antrian("device", "add", "kiosk-lobby", "--role", "kiosk", "--db", db_url)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    assert token.startswith("dev_")
    officer = antrian(
        "officer",
        "add",
        "siti",
        "--name",
        "Siti Aminah",
        "--pin",
        "482913",
        "--counters",
        "L03,L04",
        "--db",
        db_url,
    )
    assert officer.returncode == 0, officer.stderr
    bad = antrian(
        "officer", "add", "x", "--name", "X", "--pin", "12", "--counters", "L03", "--db", db_url
    )
    assert bad.returncode != 0 and "4 to 12 digits" in bad.stderr
    unknown = antrian(
        "officer", "add", "x", "--name", "X", "--pin", "1234", "--counters", "L77", "--db", db_url
    )
    assert unknown.returncode != 0 and "unknown counter" in unknown.stderr.lower()

    server = ServerProcess(db_url, tmp_path, demo=False)
    server.start()
    try:
        api = server.url + "/api/v1"
        r = httpx.post(
            api + "/tickets",
            json={"service": "KTP", "request_id": "lobby-0001"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code in (201, 409)  # 409 outside opening hours: still authenticated
        demo = httpx.post(
            api + "/tickets",
            json={"service": "KTP", "request_id": "lobby-0002"},
            headers={"Authorization": "Bearer demo-kiosk"},
        )
        assert demo.status_code == 401  # demo credentials do not exist outside --demo
        s = httpx.post(
            api + "/sessions", json={"username": "siti", "pin": "482913", "counter": "L03"}
        )
        assert s.status_code == 201
    finally:
        server.stop()
    listed = antrian("device", "list", "--db", db_url)
    assert "kiosk-lobby" in listed.stdout


def test_report_daily_table_and_csv(db_url: str) -> None:
    table = antrian("report", "daily", "--date", "2026-11-30", "--db", db_url)
    assert table.returncode == 0, table.stderr
    assert "KTP" in table.stdout and "2026-11-30" in table.stdout
    csv = antrian("report", "daily", "--date", "2026-11-30", "--format", "csv", "--db", db_url)
    assert csv.stdout.splitlines()[0].startswith("date,service,service_name")
    assert len(csv.stdout.splitlines()) == 1 + 17


def test_server_refuses_a_bad_config_clearly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "site.toml"
    bad.write_text('[site]\nname = "X"\ntimezone = "Mars/Olympus"\n')
    r = antrian("server", "--config", str(bad), "--db", f"sqlite:///{tmp_path}/x.sqlite")
    assert r.returncode == 2
    assert "unknown time zone" in r.stderr and "Traceback" not in r.stderr


def test_a_corrupt_database_is_a_clear_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "antrian.sqlite"
    bad.write_bytes(b"not a database at all " * 200)
    for args in (["server", "--no-zeroconf", "--port", "0"], ["report", "daily"]):
        r = antrian(*args, "--db", f"sqlite:///{bad}")
        assert r.returncode == 2
        assert "file is not a database" in r.stderr and "Traceback" not in r.stderr


def test_a_fresh_server_says_how_to_add_kiosks_and_officers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = ServerProcess(f"sqlite:///{tmp_path}/fresh.sqlite", tmp_path, demo=False)
    server.start()
    server.stop()
    log = (tmp_path / "server.log").read_text()
    assert "antrian device add kiosk-1 --role kiosk" in log
    assert "antrian officer add USERNAME" in log
