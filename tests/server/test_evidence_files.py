"""Evidence files (issue 25) on SQLite and PostgreSQL: the type read from the content (PNG,
JPEG, PDF only, whole), the size limit, kept with an SKM follow-up action or a complaint's
answer in one transaction (refused: nothing kept, nothing changed), read by those allowed,
each read audited."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from PIL import Image
from sqlalchemy import func, select

from server.access.auth import Principal
from server.complaints import register
from server.complaints.register import ComplaintChange, ComplaintRequest
from server.office import evidence_files
from server.office.tables import AuditRow, EvidenceRow
from server.problems import Problem
from server.queue.pages import TicketPages
from server.queue.site import Site
from server.skm import followup
from server.skm.tables import ActionRow
from server.store.db import Store
from tests import seed

MANAGER = Principal(role="admin", username="manager")
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def picture(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


PNG, JPEG = picture("PNG"), picture("JPEG")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def kept(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(EvidenceRow)) or 0)


def audits(store: Store, entity: str) -> list[AuditRow]:
    with store.read() as s:
        return list(s.scalars(select(AuditRow).where(AuditRow.entity == entity)))


def test_the_type_is_read_from_the_content() -> None:
    assert evidence_files.media_type_of(PNG) == "image/png"
    assert evidence_files.media_type_of(JPEG) == "image/jpeg"
    assert evidence_files.media_type_of(PDF) == "application/pdf"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "kosong"),
        (b"<html><script>alert(1)</script></html>", "Hanya foto"),  # a page named .png
        (picture("GIF"), "Hanya foto"),
        (b"MZ\x90\x00" + b"\x00" * 100, "Hanya foto"),  # a program
        (PNG[: len(PNG) // 2], "rusak"),  # cut short
        (JPEG[:40], "rusak"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "rusak"),  # a PNG's signature, no image
        (b"%PDF-1.4\n" + b"x" * 500, "PDF rusak"),  # no end
        (b"\xff\xd8\xff" + b"\x00" * (evidence_files.MAX_BYTES), "lebih dari 5 MB"),
    ],
)
def test_forged_damaged_empty_or_too_big_is_a_422_naming_the_field(data: bytes, says: str) -> None:
    with pytest.raises(Problem) as refused:
        evidence_files.media_type_of(data, "evidence_file")
    assert refused.value.status == 422 and refused.value.extra["field"] == "evidence_file"
    assert says in refused.value.extra["errors"][0]["message"]


def test_an_actions_file_is_kept_with_its_status_or_nothing_is(store: Store) -> None:
    day = date(2026, 11, 30)
    action = followup.add(
        store, MANAGER, start=day, end=day, unit="site", unsur=3, what="Loket KTP ditambah",
        person="Kepala Seksi", due=date(2026, 12, 10), now=NOW,
    )  # fmt: skip
    with pytest.raises(Problem) as refused:
        followup.update(store, MANAGER, action.id, "done", "Foto loket baru", NOW, PNG[:100])
    assert refused.value.extra["field"] == "evidence_file"
    with store.read() as s:
        row = s.get(ActionRow, action.id)
        assert row is not None and (row.status, row.evidence) == ("planned", None)
    assert kept(store) == 0 and [a.action for a in audits(store, "skm_action")] == ["create"]

    done = followup.update(store, MANAGER, action.id, "done", "Foto loket baru", NOW, JPEG)
    assert done.status == "done" and [f.media_type for f in done.files] == ["image/jpeg"]
    [file] = done.files
    assert file.filename == f"bukti-skm-action-{action.id}-{file.id}.jpg"
    with store.read() as s:
        report = followup.of_report(s, day, day, "site")
    assert [f.id for f in report.actions[0].files] == [file.id]
    assert evidence_files.content(store, MANAGER, file.id, NOW, "console") == JPEG
    [look] = audits(store, "evidence_file")
    assert (look.action, look.key, look.actor) == ("view", str(file.id), "manager")
    assert f'"evidence_file": {file.id}' in (audits(store, "skm_action")[-1].after or "")


def test_a_complaints_answer_may_attach_a_file_its_handlers_read(store: Store, site: Site) -> None:
    with store.write() as s:
        seed.add_officer(s, "dina", "Dina", "246810", ["L03"], "supervisor")  # DUKCAPIL
        seed.add_officer(s, "budi", "Budi", "246810", ["L01"], "supervisor")  # DPMPTSP
    dina = Principal(role="supervisor", username="dina")
    budi = Principal(role="supervisor", username="budi")
    made = register.file(
        store, site, TicketPages.load(store), None,
        ComplaintRequest(service="KTP", text="Blangko KTP habis tiga hari."), NOW,
    )  # fmt: skip
    answer = "Blangko sudah datang; foto penerimaan terlampir."
    with pytest.raises(Problem) as refused:  # a forged file: the answer is not kept either
        register.change(store, site, dina, made.id, ComplaintChange(answer=answer), NOW,
                        "console", b"<svg onload=alert(1)>")  # fmt: skip
    assert refused.value.extra["field"] == "evidence_file"
    assert register.lookup(store, site, made.token).status == "received" and kept(store) == 0
    entry = register.change(store, site, dina, made.id, ComplaintChange(answer=answer), NOW,
                            "console", PDF)  # fmt: skip
    assert entry.status == "answered" and len(entry.evidence_files) == 1
    [file_id] = entry.evidence_files
    with pytest.raises(Problem) as other:
        register.evidence_of(store, site, budi, file_id, NOW, "console")
    assert other.value.status == 403
    found, data = register.evidence_of(store, site, dina, file_id, NOW, "console")
    assert data == PDF and found.media_type == "application/pdf"
    assert [(a.actor, a.key) for a in audits(store, "evidence_file")] == [("dina", str(file_id))]
    assert "Blangko" not in str([a.after for a in audits(store, "complaint")])  # no text
