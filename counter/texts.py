"""The counter terminal's own words (Indonesian first); shared terms come from shared.i18n."""

from __future__ import annotations

from typing import Protocol

from shared.i18n import tr


class Say(Protocol):
    """A text in the terminal's language: `say("calling", code="A001")`."""

    def __call__(self, key: str, /, **values: object) -> str: ...


def sayer(lang: str) -> Say:
    """The `Say` for `lang`: our TEXTS first, then the shared terms."""

    def say(key: str, /, **values: object) -> str:
        return tr(key, lang, TEXTS, **values)

    return say


TEXTS: dict[str, tuple[str, str]] = {
    "help_asked": (
        "Butuh bantuan di {kiosk}: petugas diminta menghampiri",
        "Help needed at {kiosk}: an officer is asked to go there",
    ),
    "help_more": ("(dan {n} lainnya)", "(and {n} more)"),
    "help_take": ("Saya tangani", "I'll go"),
    "help_taken_by": ("Sudah ditangani {name}", "Already taken by {name}"),
    "app_title": ("Terminal Loket", "Counter terminal"),
    "login_title": ("Masuk Petugas Loket", "Counter officer log in"),
    "choose_counter": ("Loket", "Counter"),
    "pick_counter": ("Pilih loket", "Choose a counter"),
    "need_username": ("Isi nama pengguna.", "Enter your username."),
    "need_counter": ("Pilih loket terlebih dahulu.", "Choose a counter first."),
    "bad_pin": ("PIN harus 4 sampai 12 angka.", "The PIN must be 4 to 12 digits."),
    "counter_not_allowed": (
        "Anda tidak terdaftar untuk {counter}. Pilih loket lain.",
        "You are not registered for {counter}. Choose another counter.",
    ),
    "unknown_counter": (
        "Loket {counter} tidak dikenal server.",
        "The server does not know {counter}.",
    ),
    "logging_in": ("Sedang masuk...", "Logging in..."),
    "logout": ("Keluar", "Log out"),
    "session_over": (
        "Sesi Anda berakhir. Silakan masuk lagi.",
        "Your session has ended. Please log in again.",
    ),
    "server_unreachable": (
        "Server antrean tidak dapat dihubungi. Periksa jaringan, lalu coba lagi.",
        "The queue server cannot be reached. Check the network and try again.",
    ),
    "server_down": (
        "Koneksi ke server terputus. Menyambung kembali... Anda tetap masuk.",
        "Connection to the server lost. Reconnecting... You stay logged in.",
    ),
    "connecting": ("Menghubungkan ke server...", "Connecting to the server..."),
    "online": ("Terhubung", "Connected"),
    "connecting_short": ("Menghubungkan", "Connecting"),
    "offline": ("Terputus", "Offline"),
    "status_unknown": (
        'Status tindakan "{action}" tidak pasti (server tidak menjawab). '
        "Tidak diulang otomatis; memeriksa keadaan sebenarnya...",
        'The result of "{action}" is unknown (no answer). Not repeated; checking the real state...',
    ),
    "state_refreshed": (
        "Keadaan loket dimuat ulang dari server.",
        "Counter state reloaded from the server.",
    ),
    "current_ticket": ("Nomor saat ini", "Current number"),
    "no_ticket": ("Belum ada nomor dipanggil", "No number called"),
    "state_called": ("Dipanggil - menunggu pengunjung datang", "Called - waiting for the visitor"),
    "state_serving": ("Sedang dilayani", "Being served"),
    "state_paused": ("Loket sedang istirahat", "Counter on a break"),
    "priority_mark": ("PRIORITAS", "PRIORITY"),
    "called_at": ("Dipanggil {time}", "Called at {time}"),
    "waiting_since": ("Ambil tiket {time}", "Ticket taken {time}"),
    "recalls": ("dipanggil ulang {n}x", "recalled {n}x"),
    "waiting_header": ("Menunggu di loket ini", "Waiting for this counter"),
    "waiting_total": ("Total menunggu", "Total waiting"),
    "calling": ("Memanggil {code}", "Calling {code}"),
    "recalling": ("Memanggil ulang {code}", "Recalling {code}"),
    "serving": ("Melayani {code}", "Serving {code}"),
    "finished": ("{code} selesai dilayani", "{code} finished"),
    "skipped": ("{code} ditandai tidak hadir", "{code} marked as no-show"),
    "requeued": ("{code} dikembalikan ke antrean", "{code} is back in the queue"),
    "transferred": ("{code} dialihkan ke {service}", "{code} transferred to {service}"),
    "paused": ("Loket istirahat. Tekan F8 untuk melanjutkan.", "On a break. Press F8 to resume."),
    "resumed": ("Loket dibuka kembali", "Counter open again"),
    "working": ("Memproses...", "Working..."),
    "key_not_now": (
        '"{action}" tidak dapat dilakukan sekarang.',
        '"{action}" is not possible now.',
    ),
    "button_pressed": ("Tombol panggil: {action}", "Call button: {action}"),
    "err_counter_paused": (
        "Loket sedang istirahat. Tekan Lanjutkan (F8) dulu.",
        "The counter is on a break. Press Resume (F8) first.",
    ),
    "err_counter_busy": (
        "Selesaikan atau lewati nomor saat ini sebelum istirahat.",
        "Finish or skip the current number before a break.",
    ),
    "err_no_current_ticket": ("Tidak ada nomor di loket ini.", "No number at this counter."),
    "err_wrong_state": (
        "Tindakan tidak sesuai keadaan nomor; keadaan dimuat ulang.",
        "That does not fit the number's state; state reloaded.",
    ),
    "err_unknown_ticket": (
        "Nomor {code} tidak ditemukan hari ini untuk layanan loket ini.",
        "Number {code} not found today for this counter's services.",
    ),
    "err_not_no_show": (
        "Nomor {code} tidak berstatus tidak hadir.",
        "Number {code} is not a no-show.",
    ),
    "err_requeue_window_passed": (
        "Nomor {code} sudah lewat batas waktu untuk dikembalikan.",
        "Number {code} missed its call too long ago.",
    ),
    "err_same_service": (
        "Nomor ini sudah berada di layanan tersebut.",
        "The number is already in that service.",
    ),
    "err_unknown_service": ("Layanan tidak dikenal.", "Unknown service."),
    "err_other": (
        "Server menolak: {message}",
        "The server refused: {message}",
    ),
    "err_bug": (
        "Terjadi kesalahan di aplikasi; rincian ada di log.",
        "The app hit an error; details are in the log.",
    ),
    "requeue_title": ("Kembalikan ke Antrean", "Requeue"),
    "requeue_prompt": (
        "Ketik nomor pengunjung yang terlambat (mis. A012):",
        "Type the late visitor's number (e.g. A012):",
    ),
    "transfer_title": ("Alihkan {code} ke layanan lain", "Transfer {code} to another service"),
    "transfer_search": ("Cari layanan atau instansi...", "Search service or agency..."),
    "ok": ("OK", "OK"),
    "cancel": ("Batal (Esc)", "Cancel (Esc)"),
    "no_match": ("Tidak ada layanan yang cocok", "No matching service"),
    "complain": ("Catat pengaduan", "Record a complaint"),
    "complaint_title": (
        "Pengaduan pengunjung {code} ({service})",
        "Complaint of visitor {code} ({service})",
    ),
    "complaint_text": (
        "Isi pengaduan, dengan kata-kata pengunjung (Tab: ke kolom berikutnya)",
        "The complaint, in the visitor's words (Tab: to the next field)",
    ),
    "complaint_contact": (
        "Nomor HP atau e-mail pengunjung (tidak wajib; Enter: simpan)",
        "The visitor's mobile number or e-mail (optional; Enter: save)",
    ),
    "complaint_save": ("Simpan pengaduan", "Save the complaint"),
    "complaint_saving": ("Menyimpan...", "Saving..."),
    "complaint_close": ("Tutup", "Close"),
    "complaint_filed": ("Pengaduan {reference} dicatat", "Complaint {reference} recorded"),
    "complaint_done": (
        "Pengaduan dicatat. Berikan nomor ini kepada pengunjung:",
        "Complaint recorded. Give the visitor this reference:",
    ),
    "complaint_link": (
        "Pengunjung memantau tanggapannya dengan memindai kode QR ini atau membuka:",
        "The visitor follows the answer by scanning this QR code or opening:",
    ),
    "complaint_unsure": (
        "Server tidak menjawab; pengaduan mungkin belum tercatat. Isian tetap di sini: "
        "periksa koneksi, lalu simpan lagi.",
        "No answer from the server; the complaint may not be recorded. What you typed "
        "stays here: check the connection, then save again.",
    ),
    "complaint_not_yours": (
        "Nomor {code} tidak dilayani di loket ini.",
        "Number {code} is not served at this counter.",
    ),
    "complaint_no_ticket": ("Nomor {code} tidak ditemukan.", "Number {code} was not found."),
}
