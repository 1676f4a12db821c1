"""The SKM's follow-up (rencana tindak lanjut): actions per period and unit, proposed from
the lowest unsur; the share done and the days taken in the report, its JSON and its PDF."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.access.auth import Principal
from server.office.tables import AuditRow
from server.problems import Problem
from server.queue.site import Site
from server.skm import exports, followup
from server.skm.report import Filters, skm_report
from server.skm.tables import ActionRow
from server.store.db import Store
from tests.server.skm import test_report

answered = test_report.answered  # the fixture: four answers served and recorded
MANAGER = Principal(role="admin", username="manager")
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def act(store: Store, day: date, unsur: int, what: str, due: date, unit: str = "site") -> int:
    return followup.add(
        store, MANAGER, start=day, end=day, unit=unit, unsur=unsur, what=what,
        person="Kepala Seksi Pelayanan", due=due, now=T0,
    ).id  # fmt: skip


def test_actions_their_figures_and_the_lowest_unsur(
    store: Store,
    site: Site,
    answered: date,
) -> None:
    a = act(store, answered, 3, "Papan waktu layanan di setiap loket", date(2026, 12, 4))
    b = act(store, answered, 8, "Kipas tambahan di ruang tunggu", date(2026, 12, 2))
    act(store, answered, 9, "Kotak saran dibuka tiap Jumat", date(2026, 12, 31))
    act(store, answered, 9, "Untuk layanan KTP saja", date(2026, 12, 31), unit="service:KTP")
    followup.update(store, MANAGER, a, "done", "Foto papan terpasang", T0 + timedelta(days=2))
    followup.update(store, MANAGER, b, "done", "", T0 + timedelta(days=5))
    with store.read() as s:
        report = skm_report(s, site, Filters(answered, answered))
        ktp = skm_report(s, site, Filters(answered, answered, service="KTP"))
        other = skm_report(
            s, site, Filters(answered + timedelta(days=1), answered + timedelta(days=2))
        )
    fu = report.followup
    assert fu is not None and [x.unsur for x in fu.actions] == [3, 8, 9]
    assert (fu.done, fu.share_done, fu.median_days, fu.done_on_time) == (2, 66.7, 3.5, 1)
    assert fu.actions[0].evidence == "Foto papan terpasang"
    assert ktp.followup is not None and [x.what for x in ktp.followup.actions] == [
        "Untuk layanan KTP saja"
    ]
    assert other.followup is not None and other.followup.actions == []
    # U3, U8 and U9 share the lowest total (12 of 16): the first is proposed.
    assert report.lowest_unsur() == {"unsur": 3, "code": "U3", "name": report.unsur()[2]["name"],
                                     "nrr": 3.0}  # fmt: skip
    as_json = report.as_dict()["followup"]
    assert as_json == {"unit": "site", "actions": 3, "done": 2, "share_done": 66.7,
                       "done_on_time": 1, "median_days_taken": 3.5}  # fmt: skip
    # Back from done: the date goes; done again: dated anew.
    followup.update(store, MANAGER, b, "in_progress", "", T0 + timedelta(days=6))
    with store.read() as s:
        row = s.get(ActionRow, b)
        assert row is not None and row.done_at is None
        audited = s.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.entity == "skm_action")
        )
    assert audited == 4 + 3


def test_bad_actions_are_refused_and_keep_nothing(store: Store) -> None:
    day = date(2026, 12, 1)
    for unsur, what, person in ((0, "Sesuatu", "Kasi"), (3, "", "Kasi"), (3, "Sesuatu", "")):
        with pytest.raises(Problem) as refused:
            followup.add(store, MANAGER, start=day, end=day, unit="site", unsur=unsur,
                         what=what, person=person, due=day, now=T0)  # fmt: skip
        assert refused.value.status == 422
    with pytest.raises(Problem):
        followup.update(store, MANAGER, 99, "done", "", T0)
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(ActionRow)) == 0


def test_the_pdf_has_the_followup(
    store: Store,
    site: Site,
    answered: date,
    tmp_path: Path,
) -> None:
    a = act(store, answered, 3, "Papan waktu layanan di setiap loket", date(2026, 12, 4))
    act(store, answered, 8, "Kipas tambahan di ruang tunggu", date(2026, 12, 2))
    followup.update(store, MANAGER, a, "done", "Foto papan terpasang", T0 + timedelta(days=2))
    with store.read() as s:
        report = skm_report(s, site, Filters(answered, answered))
    path = tmp_path / "skm.pdf"
    path.write_bytes(exports.pdf(report, date(2026, 12, 1), site))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert "Rencana tindak lanjut" in text and "Unsur dengan nilai terendah: U3" in text
    assert "Tindakan selesai: 1 dari 2 (50,0%)" in text and "2,0 hari" in text
    assert "Foto papan" in text and "Direncanakan" in text  # the cell wraps
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), "/tmp/cmp_shots/skm-followup"],
                   check=True)  # fmt: skip
