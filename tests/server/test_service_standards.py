"""Service standards (standar pelayanan): PATCH /admin/services/{code} with `standard`, the
one validator's 422s by field, the audit log as its history, the TOML export and import,
and migration 0014 (an existing site keeps everything)."""

from __future__ import annotations

import json

import httpx
import pytest
from alembic import command
from sqlalchemy import select

from server.office import definition, live, seed
from server.office.audit import Actor
from server.office.tables import AuditRow
from server.store.db import Store
from server.store.migrate import _engine, alembic_config, upgrade
from shared.config import load_config
from shared.timeutil import utcnow
from tests.server.conftest import LiveServer
from tests.server.test_office_api import admin, office  # noqa: F401  (fixtures)

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

KTP = {
    "requirements": "1. Fotokopi KK\n2. Surat pengantar RT/RW",
    "procedure": "Ambil nomor antrean, serahkan berkas di loket.",
    "time": "1 hari kerja",
    "cost": "Gratis",
    "product": "KTP-el",
    "complaints": "Meja informasi, formulir /pengaduan/",
}


def _standard_audits(store: Store, code: str) -> list[tuple[object, object]]:
    with store.read() as s:
        rows = s.scalars(
            select(AuditRow).where(AuditRow.entity == "service", AuditRow.key == code)
        ).all()
    out = []
    for r in rows:
        before = json.loads(r.before) if r.before else {}
        after = json.loads(r.after) if r.after else {}
        if before.get("standard") != after.get("standard"):
            out.append((before.get("standard"), after.get("standard")))
    return out


def test_a_standard_is_set_merged_removed_and_audited(
    office: LiveServer,  # noqa: F811
    admin: httpx.Client,  # noqa: F811
) -> None:
    code = next(iter(office.ctx.site.services))
    r = admin.patch(f"/admin/services/{code}", json={"standard": KTP})
    assert r.status_code == 200, r.text
    assert r.json()["standard"] == KTP
    # a part alone changes that part; the others stay
    r = admin.patch(f"/admin/services/{code}", json={"standard": {"time": "2 hari kerja"}})
    assert r.json()["standard"] == {**KTP, "time": "2 hari kerja"}
    # the running site has it (what /info/ and the TVs read)
    standard = office.ctx.site.services[code][1].standard
    assert standard is not None and standard.time == "2 hari kerja"
    # the audit log is its history: each version, before and after
    history = _standard_audits(office.ctx.store, code)
    assert history[0] == (None, KTP)
    assert history[1] == (KTP, {**KTP, "time": "2 hari kerja"})
    r = admin.patch(f"/admin/services/{code}", json={"standard": None})
    assert r.json()["standard"] is None
    assert office.ctx.site.services[code][1].standard is None
    assert _standard_audits(office.ctx.store, code)[-1][1] is None


def test_bad_standards_are_422_naming_the_field(
    office: LiveServer,  # noqa: F811
    admin: httpx.Client,  # noqa: F811
) -> None:
    code = next(iter(office.ctx.site.services))
    for body, part, words in (
        ({"cost": "x" * 501}, "cost", "Maksimal 500 karakter."),
        ({"procedure": "langkah\x1b[2J satu"}, "procedure", "Hanya teks biasa"),
    ):
        r = admin.patch(f"/admin/services/{code}", json={"standard": body})
        assert r.status_code == 422, r.text
        errors = r.json()["errors"]
        assert any(e["field"].endswith(f"standard.{part}") for e in errors), errors
        assert any(e["message"].startswith(words) for e in errors), errors
    # not text at all, or a part no standard has: the request's own 422
    r = admin.patch(f"/admin/services/{code}", json={"standard": {"time": 3}})
    assert r.status_code == 422 and r.json()["errors"][0]["where"] == "body.standard.time"
    r = admin.patch(f"/admin/services/{code}", json={"standard": {"fee": "Rp 0"}})
    assert r.status_code == 422
    assert office.ctx.site.services[code][1].standard is None  # nothing saved


def test_the_toml_export_carries_standards_and_the_import_takes_them(store: Store) -> None:
    config = load_config(None)
    live.start_site(store, config)
    actor = Actor("tech", "technician", "import")
    with store.read() as s:
        stored = definition.load(s)
    assert stored is not None
    code = stored.target().agencies[0].services[0].code
    data = stored.target().model_dump(mode="json")
    data["agencies"][0]["services"][0]["standard"] = {**KTP, "requirements": 'Kutip "KK"\n<b>'}
    with store.write() as s:
        live.change_rows(s, actor, utcnow(), lambda _: data)
    with store.read() as s:
        stored = definition.load(s)
    assert stored is not None
    text = seed.export_text(stored.target())
    assert "standard" in text and "Gratis" in text
    # another database takes the file back to the same standard
    other = Store(store.url.replace(".sqlite", "-other.sqlite"))
    try:
        upgrade(other)
        with other.write() as s:
            live.change_rows(s, actor, utcnow(), lambda _: seed.site_sections(text, "x.toml"))
        with other.read() as s:
            back = definition.load(s)
        assert back is not None
        standard = back.target().agencies[0].services[0].standard
        assert back.target().agencies[0].services[0].code == code
        assert standard is not None and standard.requirements == 'Kutip "KK"\n<b>'
        assert standard.model_dump() == {**KTP, "requirements": 'Kutip "KK"\n<b>'}
    finally:
        other.dispose()


def test_migration_0014_down_and_up_keeps_the_site(store: Store) -> None:
    config = load_config(None)
    live.start_site(store, config)
    with store.read() as s:
        before = definition.load(s)
    assert before is not None
    engine = _engine(store.url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0013")
    finally:
        engine.dispose()
    upgrade(store)
    with store.read() as s:
        after = definition.load(s)
    assert after is not None
    assert after.target().model_dump(mode="json") == before.target().model_dump(mode="json")
    assert after.target().site.tv_publish is False
