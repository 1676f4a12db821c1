"""Words on screens and tickets, Indonesian first, English for the language switch.

Terms follow docs/ARCHITECTURE.md, Words (the KBBI spelling "antrean" on screen).
Apps keep their own extra strings beside them and look them up with `tr`.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("id", "en")

TERMS: dict[str, tuple[str, str]] = {
    "take_number": ("Ambil Nomor Antrean", "Take a queue number"),
    "choose_agency": ("Pilih Instansi", "Choose an agency"),
    "choose_service": ("Pilih Layanan", "Choose a service"),
    "your_number": ("Nomor Antrean Anda", "Your queue number"),
    "take_ticket": ("Silakan ambil tiket Anda", "Please take your ticket"),
    "printing": ("Sedang mencetak...", "Printing..."),
    "waiting": ("Menunggu", "People waiting"),
    "ahead": ("Di depan Anda: {n} orang", "{n} people ahead of you"),
    "estimate": ("Perkiraan waktu tunggu: {n} menit", "Estimated wait: {n} minutes"),
    "you_are_next": ("Anda nomor berikutnya", "You are next"),
    "no_counter_yet": (
        "Belum ada loket yang buka untuk layanan ini",
        "No counter is open for this service yet",
    ),
    "first_when_open": (
        "Anda dipanggil pertama saat loket buka",
        "You will be called first when a counter opens",
    ),
    "closed_until": (
        "Layanan tutup, buka kembali {day} pukul {time}",
        "Service closed, reopens {day} at {time}",
    ),
    "closed": ("Layanan tutup", "Service closed"),
    "break": ("Istirahat, buka kembali pukul {time}", "On a break, reopens at {time}"),
    "quota_full": ("Kuota hari ini sudah habis", "Today's quota is full"),
    "priority": (
        "Antrean prioritas (lansia, penyandang disabilitas, ibu hamil)",
        "Priority (elderly, people with disabilities, pregnant women)",
    ),
    "regular": ("Antrean umum", "Regular queue"),
    "server_down": (
        "Layanan antrean sedang tidak tersedia. Silakan hubungi petugas.",
        "The queue service is unavailable. Please ask a staff member.",
    ),
    "paper_out": (
        "Kertas tiket habis. Silakan hubungi petugas.",
        "The ticket printer is out of paper. Please ask a staff member.",
    ),
    "printer_failed": (
        "Printer tiket bermasalah. Silakan hubungi petugas.",
        "The ticket printer has a problem. Please ask a staff member.",
    ),
    "connecting": ("Menghubungkan...", "Connecting..."),
    "thanks": ("Terima kasih atas kunjungan Anda", "Thank you for your visit"),
    "counter": ("Loket", "Counter"),
    "agency": ("Instansi", "Agency"),
    "service": ("Layanan", "Service"),
    "officer": ("Petugas", "Officer"),
    "back": ("Kembali", "Back"),
    "login": ("Masuk", "Log in"),
    "username": ("Nama pengguna", "Username"),
    "pin": ("PIN", "PIN"),
    "wrong_pin": ("PIN salah", "Wrong PIN"),
    "locked": (
        "Akun dikunci sementara, coba lagi dalam {n} menit",
        "Account locked, try again in {n} minutes",
    ),
    "call_next": ("Panggil Berikutnya", "Call next"),
    "recall": ("Panggil Ulang", "Recall"),
    "start": ("Mulai Layani", "Start serving"),
    "finish": ("Selesai", "Finish"),
    "skip": ("Tidak Hadir / Lewati", "No-show / Skip"),
    "requeue": ("Kembalikan ke Antrean", "Requeue"),
    "transfer": ("Alihkan Layanan", "Transfer"),
    "pause": ("Istirahat", "Pause"),
    "resume": ("Lanjutkan", "Resume"),
    "nobody_waiting": ("Tidak ada antrean", "Nobody waiting"),
    "served_today": ("Dilayani hari ini", "Served today"),
    "minutes": ("{n} menit", "{n} minutes"),
    "people": ("{n} orang", "{n} people"),
    "now_calling": ("Nomor Antrean", "Now calling"),
    "language": ("English", "Bahasa Indonesia"),
}


def tr(
    key: str, lang: str = "id", extra: Mapping[str, tuple[str, str]] | None = None, **values: object
) -> str:
    """The text for `key` in `lang`, with {placeholders} filled; unknown keys show the key."""
    pair = (extra or {}).get(key) or TERMS.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text


def queue_lines(
    ahead: int, counters_open: int | None, estimate: int | None, lang: str = "id"
) -> tuple[str, str]:
    """The two lines under a new ticket's code (screen and paper): where the visitor stands
    and what comes next. With no counter open, "you are next" would contradict the line
    below it, so it is said once: no counter yet, and first in line when one opens."""
    if counters_open == 0:
        if ahead <= 0:
            return tr("no_counter_yet", lang), tr("first_when_open", lang)
        return tr("ahead", lang, n=ahead), tr("no_counter_yet", lang)
    # "0 orang" reads like an error; "0 menit" would promise too much: say neither.
    if ahead <= 0:
        return tr("you_are_next", lang), ""
    wait = tr("estimate", lang, n=estimate) if estimate else ""
    return tr("ahead", lang, n=ahead), wait
