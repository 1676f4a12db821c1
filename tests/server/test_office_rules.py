"""The one validator: every rule of shared/config.py named by its field, in Indonesian."""

from __future__ import annotations

from typing import Any

import pytest

from server.office.rules import SiteInvalid, field_path, validate
from shared.config import load_config


def sample() -> dict[str, Any]:
    return load_config(None).definition().model_dump(mode="json")


def errors_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SiteInvalid) as caught:
        validate(data)
    assert caught.value.status == 422 and caught.value.code == "invalid_site"
    return {e.field: e.message for e in caught.value.errors}


def test_the_sample_is_valid() -> None:
    assert validate(sample()).model_dump(mode="json") == sample()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda d: d["site"].update(timezone="Mars/Olympus"), "site.timezone",
         "Zona waktu Mars/Olympus tidak dikenal (contoh Asia/Jakarta)."),
        (lambda d: d["site"].update(ticket_format="{kode}"), "site.ticket_format",
         "Format nomor hanya boleh memakai {prefix} dan {number}."),
        (lambda d: d["site"].update(running_text="x" * 501), "site.running_text",
         "Maksimal 500 karakter."),
        (lambda d: d["queue"].update(priority_max_in_row=0), "queue.priority_max_in_row",
         "Minimal 1."),
        (lambda d: d["booking"].update(days_ahead="besok"), "booking.days_ahead",
         "Harus bilangan bulat."),
        (lambda d: d["schedule"].update(week={"senin": ["08:00-15:00"]}), "schedule.week",
         "Hari senin tidak dikenal; gunakan monday sampai sunday."),
        (lambda d: d["schedule"].update(week={"friday": ["08:00-12:00", "11:00-14:00"]}),
         "schedule.week", "Jumat: jam buka tumpang tindih atau tidak urut."),
        (lambda d: d["schedule"].update(dates={"2026-12-31": ["25:00-26:00"]}), "schedule.dates",
         "'25:00-26:00' bukan rentang jam seperti 08:00-15:00."),
        (lambda d: d["schedule"].update(holidays=["31-12-2026"]), "schedule.holidays.0",
         "Tanggal tidak valid (contoh 2026-12-25)."),
        (lambda d: d["agencies"][0].update(color="biru"), "agencies.DPMPTSP.color",
         "Warna harus berbentuk #RRGGBB, misalnya #1565C0."),
        (lambda d: d["agencies"][0]["services"][0].update(name=""), "services.IZIN.name",
         "Wajib diisi."),
        (lambda d: d["agencies"][0]["services"][0].update(prefix="a"), "services.IZIN.prefix",
         "Awalan harus 1 sampai 3 huruf kapital (A-Z)."),
        (lambda d: d["agencies"][0]["services"][0].update(
            sessions=[{"start": "10:00", "end": "09:00", "places": 5}]),
         "services.IZIN.sessions.0", "Sesi harus selesai setelah mulai."),
        (lambda d: d["agencies"][0]["services"][0].update(
            quota=10, sessions=[{"start": "08:00", "end": "10:00", "places": 20}]),
         "services.IZIN", "Sesi pemesanan menawarkan 20 tempat, lebih dari kuota harian 10."),
        (lambda d: d["agencies"][0]["services"][0].update(
            sessions=[{"start": "08:00", "end": "10:00", "places": 5},
                      {"start": "09:00", "end": "11:00", "places": 5}]),
         "services.IZIN", "Sesi pemesanan saling tumpang tindih."),
        (lambda d: d["agencies"][1]["services"][0].update(code="IZIN"), "services.IZIN.code",
         "Layanan IZIN sudah ada."),
        (lambda d: d["agencies"][1].update(code="DPMPTSP"), "agencies.DPMPTSP.code",
         "Instansi DPMPTSP sudah ada."),
        (lambda d: d["counters"][1].update(code="L01"), "counters.L01.code",
         "Loket L01 sudah ada."),
        (lambda d: d["counters"][0].update(agency="NOPE"), "counters.L01.agency",
         "Instansi NOPE tidak dikenal."),
        (lambda d: d["counters"][0].update(services=["NOPE"]), "counters.L01.services",
         "Layanan NOPE tidak dikenal."),
        (lambda d: d["counters"][0].update(services=[]), "counters.L01.services",
         "Minimal 1 isian."),
        (lambda d: d["counters"][0].update(extra=1), "counters.L01.extra", "Isian tidak dikenal."),
    ],
)  # fmt: skip
def test_each_rule_by_field_in_indonesian(change: Any, field: str, message: str) -> None:
    data = sample()
    change(data)
    assert errors_of(data)[field] == message


def test_a_period_given_as_json_is_checked_too() -> None:
    data = sample()
    data["schedule"]["week"] = {"monday": [{"start": "15:00", "end": "08:00"}]}
    assert errors_of(data) == {"schedule.week": "Jam selesai harus setelah jam mulai."}


def test_field_paths_name_items_by_code() -> None:
    data = {"agencies": [{"code": "A", "services": [{"code": "S"}, {"name": "no code"}]}]}
    assert field_path(("agencies", 0, "services", 0, "quota"), data) == "services.S.quota"
    assert field_path(("agencies", 0, "services", 1, "code"), data) == "services.1.code"
    assert field_path(("agencies", 0, "schedule", "week"), data) == "agencies.A.schedule.week"
    assert field_path(("agencies", 7, "name"), data) == "agencies.7.name"
    assert field_path((), data) == "site"
