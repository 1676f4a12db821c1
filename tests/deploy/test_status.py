"""`antrian status` against a real database and a real server process."""

from __future__ import annotations

from pathlib import Path

import httpx

from server.store.db import Store
from server.store.migrate import upgrade
from shared.timeutil import utcnow
from tests import seed


def _line(output: str, start: str) -> str:
    found = [ln for ln in output.splitlines() if ln.strip().startswith(start)]
    assert len(found) == 1, f"no single line starting {start!r} in:\n{output}"
    return found[0]


def test_status_shows_server_devices_printers_counters(tmp_path: Path, start_server, cli) -> None:
    data = tmp_path / "data"
    url = f"sqlite:///{data / 'antrian.sqlite'}"
    store = Store(url)
    upgrade(store)
    with store.write() as s:
        kiosk1 = seed.add_device(s, "kiosk-1", "kiosk", utcnow())
        kiosk2 = seed.add_device(s, "kiosk-2", "kiosk", utcnow())
        seed.add_device(s, "tv-lobby", "display", utcnow())
        seed.add_officer(s, "siti", "Siti Aminah", "2468", ["L03"], "officer")
    store.dispose()

    server = start_server(data, "--demo", "--db", url)
    assert server.post("/devices/status", {"printer": "ok"}, kiosk1).status_code < 300
    assert server.post("/devices/status", {"printer": "paper_out"}, kiosk2).status_code < 300
    ticket = server.post(
        "/tickets", {"service": "KTP", "priority": False, "request_id": "status-test-1"}, kiosk1
    ).json()
    login = server.post("/sessions", {"username": "siti", "pin": "2468", "counter": "L03"})
    assert login.status_code == 201, login.text
    called = server.post("/counters/L03/call", {}, login.json()["token"])
    assert called.json()["ticket"]["code"] == ticket["code"]

    # The counter's name as the console has it now, not as the TOML had it.
    admin = server.post("/sessions", {"username": "admin", "password": "demo-admin-2026"})
    renamed = httpx.patch(
        f"{server.url}/api/v1/admin/counters/L03",
        json={"name": "Loket Tiga"},
        headers={"Authorization": f"Bearer {admin.json()['token']}"},
        timeout=10,
    )
    assert renamed.status_code == 200, renamed.text

    out = cli("status", "--db", url, "--server", server.url)
    assert out.returncode == 1, out.stdout + out.stderr  # kiosk-2 paper out, TV never seen
    text = out.stdout
    assert "OK" in _line(text, "Server") and "DEMO mode" in text
    assert "today: issued 1, waiting 0" in _line(text, "Database")
    k1 = _line(text, "kiosk-1")
    assert "today" in k1 and "127.0.0.1" in k1 and k1.split()[-2:] == ["ok", "-"]  # no voice
    assert "PAPER OUT" in _line(text, "kiosk-2")
    tv = _line(text, "tv-lobby")
    assert "never" in tv and "not seen today" in tv and tv.rstrip().endswith("unknown")
    counter = _line(text, "L03")
    assert "Loket Tiga" in counter and "siti" in counter and ticket["code"] in counter
    assert "Counters: 1 open or paused, 17 closed" in text
    assert "Officers signed in: 1" in text
    assert "kiosk-2: printer PAPER OUT" in text and "tv-lobby has not connected today" in text
    assert "kiosk-1 has not connected today" not in text

    server.stop()
    down = cli("status", "--db", url, "--server", server.url)
    assert down.returncode == 1
    assert "NOT REACHABLE" in _line(down.stdout, "Server")
    assert "kiosk-1" in down.stdout  # the database part still answers


def test_status_without_database_or_server_says_so(tmp_path: Path, cli) -> None:
    missing = tmp_path / "nothing" / "antrian.sqlite"
    out = cli("status", "--db", f"sqlite:///{missing}", "--server", "http://127.0.0.1:9")
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    assert f"no database at {missing}" in out.stdout
    assert "NOT REACHABLE" in out.stdout
    assert not missing.parent.exists()  # status never creates a database
