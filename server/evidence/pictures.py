"""The technician's pictures of the kiosk and TV screens, kept in the data directory.

The apps' `--screenshots DIR` option writes PNGs of their screens (the server never
imports Kivy); a technician copies the ones to hand in, or photos of the devices, to
`<data dir>/evidence/`. A name starting with `kiosk` shows a kiosk, one starting with
`tv`, `display` or `board` a TV; any other is shown as a picture of the site.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

KINDS = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
# What the file must start with to be what its name says (else the PDF renderer fails).
MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
MAX_PICTURES = 24
MAX_BYTES = 8 * 1024 * 1024  # a phone's photo is 2-5 MB; a bigger file is not a picture
KIND_NAMES_ID = {"kiosk": "Kios", "tv": "TV ruang tunggu", "site": "Lokasi"}


@dataclass(frozen=True)
class Picture:
    name: str  # the file's name, as the ZIP holds it
    kind: str  # kiosk, tv, site
    media: str
    data: bytes

    @property
    def uri(self) -> str:
        return f"data:{self.media};base64,{base64.b64encode(self.data).decode()}"

    @property
    def kind_name(self) -> str:
        return KIND_NAMES_ID[self.kind]


def kind_of(name: str) -> str:
    low = name.lower()
    if low.startswith("kiosk"):
        return "kiosk"
    if low.startswith(("tv", "display", "board")):
        return "tv"
    return "site"


def pictures_in(folder: Path | None) -> list[Picture]:
    """The PNG and JPEG files of `folder` by name (at most MAX_PICTURES); [] if none."""
    if folder is None or not folder.is_dir():
        return []
    out: list[Picture] = []
    for path in sorted(folder.iterdir()):
        media = KINDS.get(path.suffix.lower())
        if media is None or not path.is_file():
            continue
        try:
            if path.stat().st_size > MAX_BYTES:
                log.warning("evidence picture %s is over %d bytes: left out", path, MAX_BYTES)
                continue
            data = path.read_bytes()
        except OSError as exc:
            log.warning("evidence picture %s cannot be read (%s): left out", path, exc)
            continue
        if not data.startswith(MAGIC[media]):
            log.warning("evidence picture %s is not a %s: left out", path, media)
            continue
        out.append(Picture(path.name, kind_of(path.name), media, data))
        if len(out) == MAX_PICTURES:
            break
    return out
