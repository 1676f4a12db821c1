"""The display's own words (shared terms live in shared.i18n.TERMS)."""

from __future__ import annotations

from shared.i18n import tr

DISPLAY_TEXTS: dict[str, tuple[str, str]] = {
    "recent_calls": ("Panggilan Terakhir", "Recent calls"),
    "counters": ("Loket", "Counters"),
    "waiting_title": ("Menunggu", "Waiting"),
    "no_call_yet": ("Belum ada panggilan", "No calls yet"),
    "to_counter": ("menuju", "go to"),
    "paused": ("Istirahat", "On a break"),
    "closed": ("Tutup", "Closed"),
    "not_open_yet": ("Belum buka", "Not open yet"),
    "idle": ("Buka", "Open"),  # open, calling nobody right now
    "recall": ("Panggilan ulang", "Called again"),
    "voice_off": ("Suara tidak aktif", "Voice not working"),
    "stopped": (
        "Layanan {name} dihentikan hari ini: {reason}",
        "{name} service stopped today: {reason}",
    ),
    # what the TV publishes between calls (display/publish.py)
    "skm_heading": ("Survei Kepuasan Masyarakat {year}", "Public satisfaction survey {year}"),
    "skm_ikm": ("IKM {ikm}", "IKM {ikm}"),
    "skm_grade": ("Mutu pelayanan {grade} ({name})", "Service quality {grade} ({name})"),
    "skm_respondents": ("{n} responden", "{n} respondents"),
    "standard_heading": ("Standar Pelayanan · {agency}", "Service standard · {agency}"),
    "cost": ("Biaya: {value}", "Cost: {value}"),
    "time": ("Waktu: {value}", "Time: {value}"),
    "product": ("Produk: {value}", "Product: {value}"),
    "requirements": ("Persyaratan: {value}", "Requirements: {value}"),
}


def text(key: str, lang: str = "id", **values: object) -> str:
    return tr(key, lang, DISPLAY_TEXTS, **values)
