"""Words of the web pages, Indonesian first, English for the switch (docs/ARCHITECTURE.md, Words).

A room adds its own words with `add_words({...})` in its pages' module.
"""

from __future__ import annotations

from shared.i18n import TERMS, tr

LANGUAGES = ("id", "en")

words: dict[str, tuple[str, str]] = {
    "console": ("Konsol Pengelola", "Manager's console"),
    "sign_in": ("Masuk", "Sign in"),
    "sign_out": ("Keluar", "Sign out"),
    "username": ("Nama pengguna", "Username"),
    "password": ("Kata sandi", "Password"),
    "wrong_password": ("Nama pengguna atau kata sandi salah", "Wrong username or password"),
    "locked": (
        "Akun dikunci sementara, coba lagi dalam {n} menit",
        "Account locked, try again in {n} minutes",
    ),
    "too_many": (
        "Terlalu banyak percobaan, coba lagi dalam {n} detik",
        "Too many attempts, try again in {n} seconds",
    ),
    "expired_form": (
        "Formulir kedaluwarsa. Silakan coba lagi.",
        "The form has expired. Please try again.",
    ),
    "reload_page": ("Buka lagi halaman ini", "Open the page again"),
    "home": ("Beranda", "Home"),
    "site_setup": ("Pengaturan Situs", "Site setup"),
    "people": ("Petugas", "Officers"),
    "devices": ("Perangkat", "Devices"),
    "audit": ("Riwayat perubahan", "Change log"),
    "floor": ("Pantauan Langsung", "Live floor view"),
    "reports": ("Laporan", "Reports"),
    "skm": ("Survei Kepuasan (SKM)", "Satisfaction survey (SKM)"),
    "booking": ("Antrean Online", "Online booking"),
    "save": ("Simpan", "Save"),
    "add": ("Tambah", "Add"),
    "cancel": ("Batal", "Cancel"),
    "edit": ("Ubah", "Edit"),
    "saved": ("Tersimpan", "Saved"),
    "name": ("Nama", "Name"),
    "role": ("Peran", "Role"),
    "counters": ("Loket", "Counters"),
    "status": ("Status", "Status"),
    "active": ("Aktif", "Active"),
    "inactive": ("Nonaktif", "Disabled"),
    "actions": ("Tindakan", "Actions"),
    "role_admin": ("Admin (pengelola)", "Admin (manager)"),
    "role_supervisor": ("Supervisor", "Supervisor"),
    "role_officer": ("Petugas loket", "Counter officer"),
    "role_kiosk": ("Anjungan (kiosk)", "Kiosk"),
    "role_display": ("Layar TV", "TV display"),
    "role_survey": ("Tablet survei", "Survey tablet"),
    "signed_in_as": ("Masuk sebagai {name}", "Signed in as {name}"),
    "language_switch": ("English", "Bahasa Indonesia"),
    "not_allowed": ("Anda tidak berhak membuka halaman ini.", "You may not open this page."),
    "nothing_yet": ("Belum ada.", "None yet."),
    "today": ("Hari ini", "Today"),
    "counters_open": ("Loket buka", "Counters open"),
    "never": ("belum pernah", "never"),
}


def add_words(more: dict[str, tuple[str, str]]) -> None:
    """A room's own words; one key means one thing across every room (else it fails at
    start, not on a page showing another room's word)."""
    for key, pair in more.items():
        known = words.get(key) or TERMS.get(key)
        if known is not None and known != pair:
            raise ValueError(f"the page word {key!r} means {known} already, not {pair}")
    words.update(more)


def t(key: str, lang: str = "id", **values: object) -> str:
    """The page's text for `key` (the apps' shared words too); unknown keys show the key."""
    return tr(key, lang, words, **values)


__all__ = ["LANGUAGES", "TERMS", "add_words", "t", "words"]
