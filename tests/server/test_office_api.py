"""The site's setup through /api/v1/admin on a live server: roles, the one validator's
422s by field, the day's safety (409), the audit, and the change applied live."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from server.access.context import ServerContext
from server.office import live
from server.office.audit import Actor
from server.office.tables import AuditRow
from server.store.db import Store
from server.store.tables import EventRow
from shared.config import Config
from shared.timeutil import utcnow
from tests import seed
from tests.admin import admin_token
from tests.server.conftest import LiveServer, run_in_thread

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "sample" / "jombang.toml"

# The day's safety (its queries over today's tickets) runs on both databases; the rest on SQLite.
SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def office(store: Store, config: Config) -> Iterator[LiveServer]:
    """A demo server whose site came from its database (seeded from the sample TOML)."""
    site = live.start_site(store, config, demo=True)
    ctx = ServerContext(store=store, site=site, settings=config.server)
    ctx.queue.sync_counters()
    yield from run_in_thread(ctx)


@pytest.fixture
def admin(office: LiveServer) -> Iterator[httpx.Client]:
    with office.client(admin_token(office.ctx.store)) as c:
        yield c


def audit_count(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditRow)) or 0)


def site_events(store: Store) -> list[int]:
    with store.read() as s:
        return list(s.scalars(select(EventRow.seq).where(EventRow.type == "site.changed")))


def issue(office: LiveServer, service: str, n: int = 1) -> list[dict[str, object]]:
    out = []
    with office.client("demo-kiosk") as kiosk:
        for i in range(n):
            r = kiosk.post(
                "/tickets",
                json={"service": service, "request_id": f"t-{service}-{i}-{time.time()}"},
            )
            assert r.status_code == 201, r.text
            out.append(r.json())
    return out


@SQLITE
def test_only_an_admin_may(office: LiveServer) -> None:
    store = office.ctx.store
    with store.write() as s:
        kiosk = seed.add_device(s, "kiosk-1", "kiosk", utcnow())
        display = seed.add_device(s, "tv-1", "display", utcnow())
        seed.add_officer(s, "siti", "Siti", "482913", ["L03"], "officer")
        seed.add_officer(s, "kepala", "Kepala", "135790", [], "supervisor")
    seeded = audit_count(store)  # the seeds are audited (office's own functions); not after
    tokens = [kiosk, display]
    with office.client() as c:
        for user, pin, counter in (("siti", "482913", "L03"), ("kepala", "135790", "L01")):
            r = c.post("/sessions", json={"username": user, "pin": pin, "counter": counter})
            tokens.append(r.json()["token"])
        assert c.get("/admin/services").status_code == 401
        assert c.patch("/admin/services/KTP", json={"quota": 5}).status_code == 401
    for token in tokens:
        with office.client(token) as c:
            assert c.get("/admin/services").status_code == 403
            r = c.patch("/admin/services/KTP", json={"quota": 5})
            assert r.status_code == 403 and r.json()["code"] == "forbidden"
            assert c.get("/admin/audit").status_code == 403
    assert office.ctx.site.quota_for("KTP") is None  # demo: no quota, and nothing changed
    assert audit_count(store) == seeded


@SQLITE
def test_a_quota_change_is_live_audited_and_an_event(
    admin: httpx.Client, office: LiveServer
) -> None:
    ctx = office.ctx
    seeded = audit_count(ctx.store)
    before = site_events(ctx.store)
    r = admin.patch("/admin/services/IZIN", json={"quota": 7, "name": "Perizinan Usaha"})
    assert r.status_code == 200, r.text
    assert r.json()["quota"] == 7 and r.json()["name"] == "Perizinan Usaha"
    assert ctx.site.services["IZIN"][1].quota == 7  # swapped on the context
    assert ctx.queue.site is ctx.site  # and the queue reads it
    with office.client() as anyone:
        names = {
            s["code"]: s["name"]
            for a in anyone.get("/services").json()["agencies"]
            for s in a["services"]
        }
    assert names["IZIN"] == "Perizinan Usaha"
    ticket = issue(office, "IZIN")[0]
    assert ticket["service_name"] == "Perizinan Usaha"
    assert len(site_events(ctx.store)) == len(before) + 1
    entries = admin.get("/admin/audit").json()
    newest = entries["entries"][0]
    assert (newest["entity"], newest["key"], newest["action"]) == ("service", "IZIN", "update")
    assert newest["before"]["quota"] == 200 and newest["after"]["quota"] == 7
    assert newest["actor"] == "manager" and newest["source"] == "api"
    assert entries["total"] == seeded + 1


@SQLITE
def test_mistakes_are_named_by_field_in_indonesian(admin: httpx.Client, office: LiveServer) -> None:
    store = office.ctx.store
    seeded = audit_count(store)
    version = office.ctx.site.version
    r = admin.patch("/admin/services/IZIN", json={"quota": 0, "prefix": "b1"})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_site"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields == {
        "services.IZIN.quota": "Minimal 1.",
        "services.IZIN.prefix": "Awalan harus 1 sampai 3 huruf kapital (A-Z).",
    }
    assert all(e["message_en"] for e in body["errors"])
    # a rule across the site: another service's prefix
    r = admin.patch("/admin/services/IZIN", json={"prefix": "B"})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "field": "services.KTP.prefix",
            "message": "Awalan B sudah dipakai layanan IZIN.",
            "message_en": "services 'IZIN' and 'KTP' both use prefix 'B'",
        }
    ]
    r = admin.patch("/admin/schedule", json={"week": {"monday": ["08:00-12:00", "11:00-15:00"]}})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "schedule.week"
    assert "tumpang tindih" in r.json()["errors"][0]["message"]
    r = admin.post(
        "/admin/counters",
        json={"code": "L99", "name": "Loket 99", "agency": "NOPE", "services": ["KTP"]},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "counters.L99.agency"
    assert audit_count(store) == seeded and office.ctx.site.version == version  # nothing saved


def test_the_day_stays_whole(admin: httpx.Client, office: LiveServer) -> None:
    ctx = office.ctx
    issue(office, "KTP", 2)
    r = admin.delete("/admin/services/KTP")
    assert r.status_code == 409 and r.json()["code"] == "service_has_tickets"
    assert "sembunyikan" in r.json()["message"]
    assert admin.delete("/admin/agencies/DUKCAPIL").json()["code"] == "agency_has_tickets"
    assert admin.patch("/admin/services/KTP", json={"hidden": True}).status_code == 200
    assert ctx.site.services["KTP"][1].hidden
    # a prefix change waits for tomorrow: today's tickets and the kiosk keep B
    r = admin.patch("/admin/services/KTP", json={"prefix": "BZ"})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert (answer["prefix"], answer["prefix_today"]) == ("BZ", "B")
    assert answer["prefix_from"] is not None
    assert ctx.site.services["KTP"][1].prefix == "B"
    assert issue(office, "KTP")[0]["code"] == "B003"
    # so B is still taken today
    r = admin.patch("/admin/services/KK", json={"prefix": "B"})
    assert r.status_code == 409 and r.json()["code"] == "prefix_in_use_today"
    # a service with no tickets today takes its new prefix at once
    r = admin.patch("/admin/services/KK", json={"prefix": "KX"})
    assert r.json()["prefix_today"] == "KX"
    assert issue(office, "KK")[0]["code"] == "KX001"
    # a counter holding a ticket stays
    with office.client() as c:
        token = c.post(
            "/sessions", json={"username": "demo", "pin": "123456", "counter": "L03"}
        ).json()["token"]
    with office.client(token) as officer:
        assert officer.post("/counters/L03/call").json()["ticket"] is not None
    r = admin.delete("/admin/counters/L03")
    assert r.status_code == 409 and r.json()["code"] == "counter_busy"
    # a service with no tickets can go, and a counter that served none
    assert admin.delete("/admin/counters/L18").status_code == 204
    assert "L18" not in ctx.site.counters
    # a service with no tickets, still served by a counter: the validator names the counter
    r = admin.delete("/admin/services/AKTA")
    assert r.status_code == 422 and r.json()["errors"][0]["field"].startswith("counters.")


@SQLITE
def test_agencies_counters_and_hours(admin: httpx.Client, office: LiveServer) -> None:
    ctx = office.ctx
    r = admin.post(
        "/admin/agencies",
        json={
            "code": "IMIGRASI",
            "name": "Kantor Imigrasi",
            "color": "#6A1B9A",
            "services": [{"code": "PASPOR", "name": "Paspor", "prefix": "P", "quota": 40}],
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["services"] == ["PASPOR"]
    r = admin.post(
        "/admin/counters",
        json={"code": "L20", "name": "Loket 20", "agency": "IMIGRASI", "services": ["PASPOR"]},
    )
    assert r.status_code == 201, r.text
    assert ctx.site.counters["L20"].services == ["PASPOR"]
    with office.client() as c:
        board = c.get("/board").json()
    assert "L20" in [x["code"] for x in board["counters"]]
    assert (
        admin.post(
            "/admin/agencies", json={"code": "IMIGRASI", "name": "x", "services": []}
        ).status_code
        == 409
    )
    r = admin.patch("/admin/agencies/IMIGRASI", json={"name": "Imigrasi Kelas II"})
    assert r.json()["name"] == "Imigrasi Kelas II"
    assert admin.patch("/admin/agencies/NOPE", json={"name": "x"}).status_code == 404
    # hours: a one-off closed date, a holiday, friday's break
    r = admin.patch(
        "/admin/schedule",
        json={
            "dates": {"2026-12-24": [], "2026-12-31": ["08:00-12:00"]},
            "holidays": ["2026-12-25"],
            "week": {"friday": ["08:00-11:30", "13:00-14:30"], "monday": ["07:30-15:00"]},
        },
    )
    assert r.status_code == 200, r.text
    hours = r.json()["site"]
    assert hours["dates"] == {"2026-12-24": [], "2026-12-31": ["08:00-12:00"]}
    assert hours["week"]["friday"] == ["08:00-11:30", "13:00-14:30"]
    assert admin.get("/admin/schedule").json()["site"] == hours
    # a service's own hours, then back to the agency's
    r = admin.patch(
        "/admin/schedule", json={"scope": "service", "key": "PASPOR", "last_issue_minutes": 60}
    )
    assert r.json()["services"]["PASPOR"]["last_issue_minutes"] == 60
    assert r.json()["services"]["PASPOR"]["week"]["monday"] == ["07:30-15:00"]
    assert (
        admin.delete("/admin/schedule", params={"scope": "service", "key": "PASPOR"}).status_code
        == 204
    )
    assert admin.get("/admin/schedule").json()["services"]["PASPOR"] is None
    # settings: running text and the signature block
    r = admin.patch(
        "/admin/site",
        json={"site": {"running_text": "Libur 25 Desember", "head_name": "Drs. Budi"}},
    )
    assert r.status_code == 200 and r.json()["site"]["running_text"] == "Libur 25 Desember"
    with office.client() as c:
        assert c.get("/board").json()["running_text"] == "Libur 25 Desember"
    assert admin.delete("/admin/counters/L20").status_code == 204
    assert admin.delete("/admin/agencies/IMIGRASI").status_code == 204
    assert "IMIGRASI" not in ctx.site.agencies


@SQLITE
def test_a_change_by_another_process_is_picked_up(office: LiveServer) -> None:
    """What `antrian site import` does: rows written elsewhere, the server sees the version."""
    ctx = office.ctx
    other = Store(ctx.store.url)
    try:

        def edit(d: dict[str, Any]) -> dict[str, Any]:
            d["site"]["running_text"] = "dari impor"
            return d

        with other.write() as s:
            live.change_rows(s, Actor("tech", "cli", "import"), utcnow(), edit)
    finally:
        other.dispose()
    deadline = time.monotonic() + 5
    while ctx.site.config.site.running_text != "dari impor":
        assert time.monotonic() < deadline, "the server did not reload the site"
        time.sleep(0.05)
    assert site_events(ctx.store)


def test_priority_groups_edited_and_one_in_use_kept(
    admin: httpx.Client, office: LiveServer, store: Store
) -> None:
    """[queue] priority_groups: PATCH /admin/site and the TOML import (the same
    change_rows) add and rename; removing a group on today's tickets is a 409."""
    from server.office.seed import site_sections
    from server.problems import Problem

    with office.client("demo-kiosk") as kiosk:
        body = {"service": "KK", "request_id": "group-in-use-01", "priority": True}
        body["priority_group"] = "lansia"
        assert kiosk.post("/tickets", json=body).status_code == 201
    groups = admin.get("/admin/site").json()["queue"]["priority_groups"]
    without = [g for g in groups if g["code"] != "lansia"]
    r = admin.patch("/admin/site", json={"queue": {"priority_groups": without}})
    assert r.status_code == 409 and r.json()["code"] == "priority_group_in_use"
    assert r.json()["field"] == "queue.priority_groups.lansia"
    assert "hapus besok" in r.json()["message"]
    renamed = [{**g, "name": "Lanjut usia"} if g["code"] == "lansia" else g for g in groups]
    more = [*renamed, {"code": "veteran", "name": "Veteran", "name_en": "Veterans"}]
    r = admin.patch("/admin/site", json={"queue": {"priority_groups": more}})
    assert r.status_code == 200, r.text
    with office.client() as anyone:
        listed = anyone.get("/services").json()["priority_groups"]
    assert (listed[0]["code"], listed[0]["name"]) == ("lansia", "Lanjut usia")
    assert listed[-1] == {"code": "veteran", "name": "Veteran", "name_en": "Veterans"}
    # the TOML import: a site without lansia is refused the same way, nothing changed
    sample = SAMPLE.read_text(encoding="utf-8").replace(
        "[queue]\n",
        '[queue]\npriority_groups = [{ code = "balita", name = "Ibu dengan balita" }]\n',
        1,
    )
    sections = site_sections(sample, "site.toml")  # as `antrian site import` reads it
    with pytest.raises(Problem) as refused, store.write() as s:
        live.change_rows(s, Actor("tech", "technician", "import"), utcnow(), lambda _: sections)
    assert refused.value.code == "priority_group_in_use"
    with office.client() as anyone:
        assert len(anyone.get("/services").json()["priority_groups"]) == 5
