"""A file to download: its bytes, its name, its media type (the API and the pages alike)."""

from __future__ import annotations

from dataclasses import dataclass

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# Not a report's format: only the evaluation's evidence pack is a ZIP (server/evidence).
ARCHIVE = {"zip": "application/zip"}


@dataclass(frozen=True)
class Download:
    data: bytes
    name: str  # e.g. laporan-2026-11-01-2026-11-30-service.pdf; its ending picks the media

    @property
    def media(self) -> str:
        ending = self.name.rsplit(".", 1)[-1]
        return MEDIA.get(ending) or ARCHIVE[ending]

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Disposition": f'attachment; filename="{self.name}"'}
