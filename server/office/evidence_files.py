"""Evidence files: a photo or a PDF showing that something was done (an SKM follow-up
action, a complaint's answer), kept in the database with its owner.

The type is read from the content, never from the file's name or the browser's word
for it: PNG, JPEG or PDF only, whole (an image must decode, a PDF must end), at most
MAX_BYTES. The rooms that own a file decide who may read it; each read is audited here.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.access.auth import Principal
from server.office import audit
from server.office.tables import EvidenceRow
from server.problems import Problem, invalid, not_found
from server.store.db import Store

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024  # a phone's photo; the body limit of the upload pages is above it
OWNERS = ("skm_action", "complaint")
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf"}


@dataclass(frozen=True)
class Evidence:
    """A kept file, without its bytes: what a page lists."""

    id: int
    owner: str
    owner_id: int
    media_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime

    @property
    def filename(self) -> str:
        """The name it downloads under: ours, never the uploader's."""
        owner = self.owner.replace("_", "-")
        return f"bukti-{owner}-{self.owner_id}-{self.id}.{EXTENSIONS[self.media_type]}"


def refusals(data: bytes, field: str) -> tuple[str, list[tuple[str, str, str]]]:
    """(media type, []) for a good file, else ("", the field's refusals) to list with the
    form's other mistakes."""
    try:
        return media_type_of(data, field), []
    except Problem as refused:
        listed = refused.extra.get("errors")
        found = listed if isinstance(listed, list) else []
        return "", [(e["field"], e["message"], e["message_en"]) for e in found]


def media_type_of(data: bytes, field: str = "file") -> str:
    """What `data` is, by its content: image/png, image/jpeg or application/pdf; else a
    422 naming `field` (empty, too big, another type, or damaged)."""
    if not data:
        raise invalid((field, "Berkas kosong", "The file is empty"))
    if len(data) > MAX_BYTES:
        mb = MAX_BYTES // (1024 * 1024)
        raise invalid((field, f"Berkas lebih dari {mb} MB", f"The file is over {mb} MB"))
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise invalid((field, "Berkas PDF rusak atau terpotong", "The PDF is damaged or cut"))
        return "application/pdf"
    kinds = {b"\x89PNG\r\n\x1a\n": ("PNG", "image/png"), b"\xff\xd8\xff": ("JPEG", "image/jpeg")}
    found = next((k for magic, k in kinds.items() if data.startswith(magic)), None)
    if found is None:
        raise invalid(
            (field, "Hanya foto (JPEG, PNG) atau PDF", "Only a photo (JPEG, PNG) or a PDF")
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != found[0]:
                raise ValueError(image.format)
            image.load()  # decodes every pixel: a cut or damaged image fails here
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        log.info("an uploaded %s did not decode: %s", found[0], exc)
        raise invalid(
            (field, "Gambar rusak atau terpotong", "The image is damaged or cut")
        ) from None
    return found[1]


def _view(row: EvidenceRow) -> Evidence:
    return Evidence(
        row.id, row.owner, row.owner_id, row.media_type, row.size, row.uploaded_by,
        row.uploaded_at,
    )  # fmt: skip


def keep(
    s: Session, owner: str, owner_id: int, data: bytes, media_type: str, who: str, now: datetime
) -> Evidence:
    """Store a checked file for its owner, in the caller's transaction (the owner's change
    and its file are kept together or not at all)."""
    if owner not in OWNERS:
        raise ValueError(owner)
    row = EvidenceRow(
        site_id=1, owner=owner, owner_id=owner_id, media_type=media_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), content=data, uploaded_by=who,
        uploaded_at=now,
    )  # fmt: skip
    s.add(row)
    s.flush()
    log.info("evidence %d kept for %s %d (%s, %d bytes)", row.id, owner, owner_id,
             media_type, len(data))  # fmt: skip
    return _view(row)


def of_owners(s: Session, owner: str, ids: list[int]) -> dict[int, list[Evidence]]:
    """The files of these owners, oldest first."""
    out: dict[int, list[Evidence]] = {}
    if not ids:
        return out
    rows = s.scalars(
        select(EvidenceRow)
        .where(EvidenceRow.site_id == 1, EvidenceRow.owner == owner, EvidenceRow.owner_id.in_(ids))
        .order_by(EvidenceRow.id)
    )
    for row in rows:
        out.setdefault(row.owner_id, []).append(_view(row))
    return out


def find(store: Store, file_id: int) -> Evidence:
    """A file's description (its owner decides who may read it); 404 when there is none."""
    with store.read() as s:
        row = s.get(EvidenceRow, file_id) if 1 <= file_id <= 2**31 - 1 else None
        if row is None:
            raise not_found("evidence", file_id)
        return _view(row)


def content(store: Store, who: Principal, file_id: int, now: datetime, source: str) -> bytes:
    """A file's bytes, the look audited (call it once the owner's room said yes)."""
    with store.write() as s:
        row = s.get(EvidenceRow, file_id)
        if row is None:
            raise not_found("evidence", file_id)
        data = bytes(row.content)
        audit.record(
            s, audit.actor(who, source), now,
            [audit.Entry("view", "evidence_file", str(row.id), None,
                         {"owner": row.owner, "owner_id": row.owner_id})],
        )  # fmt: skip
    return data
