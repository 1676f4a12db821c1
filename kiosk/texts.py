"""The kiosk's own words (shared terms live in shared.i18n.TERMS)."""

from __future__ import annotations

from shared.i18n import tr

KIOSK_TEXTS: dict[str, tuple[str, str]] = {
    # -- every citizen (issue 27): groups, help, voice guidance, large text ----------
    "choose_group": ("Antrean prioritas untuk siapa?", "Who is the priority for?"),
    "help_tile": ("Butuh bantuan?", "Need help?"),
    "help_note": ("Petugas akan menghampiri Anda", "An officer will come to you"),
    "help_coming": (
        "Petugas akan menghampiri Anda. Mohon tunggu di dekat kios ini.",
        "An officer will come to you. Please wait near this kiosk.",
    ),
    # "petugas menghampiri" on the done screen: for the ticket just printed
    "help_ticket_button": (
        "Butuh bantuan? Petugas akan menghampiri Anda",
        "Need help? An officer will come to you",
    ),
    "help_coming_ticket": (
        "Petugas akan menghampiri Anda. Mohon tunggu di dekat kios ini dan tunjukkan tiket {code}.",
        "An officer will come to you. Please wait near this kiosk and show ticket {code}.",
    ),
    "voice_button": ("Bantuan suara", "Voice guidance"),
    "large_button": ("Tulisan besar", "Large text"),
    "voice_on": (
        "Bantuan suara aktif. Sentuh sekali untuk mendengar, dua kali untuk memilih."
        " Atau tekan angka pada papan tombol, lalu Enter.",
        "Voice guidance is on. Touch once to hear, twice to choose."
        " Or press a number on the keypad, then Enter.",
    ),
    "voice_off": ("Bantuan suara mati.", "Voice guidance is off."),
    "say_choices": ("Ada {n} pilihan.", "There are {n} choices."),
    "say_choice": ("{n}. {name}.", "{n}. {name}."),
    "say_closed": ("{name}, tutup.", "{name}, closed."),
    "say_back": ("Nol untuk kembali.", "Zero to go back."),
    "say_help_key": (
        "Butuh bantuan petugas? Tekan tombol tambah.",
        "Need an officer? Press the plus key.",
    ),
    "say_ticket": (
        "Nomor antrean Anda {code}, {ahead}. Silakan ambil tiket Anda.",
        "Your queue number is {code}, {ahead}. Please take your ticket.",
    ),
    "say_ahead": ("{n} orang sebelum Anda", "{n} people ahead of you"),
    "say_next": ("Anda nomor berikutnya", "you are next"),
    "say_printing": ("Sedang mencetak.", "Printing."),
    "waiting_n": ("Menunggu: {n} orang", "{n} people waiting"),
    "nobody_waiting_now": ("Belum ada yang menunggu", "Nobody waiting yet"),
    "estimate_short": ("Perkiraan tunggu: {n} menit", "Estimated wait: {n} min"),
    # No counter open yet for the service: an estimate would assume one that is not there.
    "no_counter_short": ("Belum ada loket yang buka", "No counter open yet"),
    "priority_mark": ("PRIORITAS", "PRIORITY"),  # as on the printed ticket
    "touch_to_return": ("Sentuh layar untuk kembali", "Touch the screen to go back"),
    "print_failed": (
        "Kertas tiket habis / printer bermasalah. Silakan hubungi petugas.",
        "The ticket printer is out of paper or has a problem. Please ask a staff member.",
    ),
    "no_printer": (
        "Kios ini belum memiliki printer tiket. Silakan hubungi petugas.",
        "This kiosk has no ticket printer configured. Please ask a staff member.",
    ),
    "no_printer_tech": (
        "Untuk teknisi: atur bagian [printer] kind di file konfigurasi.",
        "For the technician: set [printer] kind in the configuration file.",
    ),
    "no_token": (
        "Kios ini belum terdaftar di server. Silakan hubungi petugas.",
        "This kiosk is not registered with the server. Please ask a staff member.",
    ),
    "no_token_tech": (
        "Untuk teknisi: jalankan 'antrian device add NAMA --role kiosk' dan isi [client] token.",
        "For the technician: run 'antrian device add NAME --role kiosk' and set [client] token.",
    ),
    "server_tech": ("Server: {url}", "Server: {url}"),
    "searching_server": ("mencari server di jaringan", "looking for the server on the network"),
    "retrying": ("Mencoba menghubungkan kembali...", "Trying to reconnect..."),
    "service_unknown": (
        "Layanan ini tidak dikenal server. Silakan pilih layanan lain.",
        "The server does not know this service. Please choose another one.",
    ),
    "choose_queue": ("Pilih Jenis Antrean", "Choose the kind of queue"),
    "priority_title": ("Antrean prioritas", "Priority queue"),  # as "Antrean umum" beside it
    "priority_who": (
        "Lansia, penyandang disabilitas, ibu hamil",
        "Elderly, people with disabilities, pregnant women",
    ),
    "regular_who": ("Untuk semua pengunjung", "For all visitors"),
    "closed_today": (
        "Layanan tutup, buka kembali hari ini pukul {time}",
        "Service closed, reopens today at {time}",
    ),
    "quota_until": (
        "Kuota hari ini sudah habis, buka kembali {day} pukul {time}",
        "Today's quota is full, reopens {day} at {time}",
    ),
    "back_home": ("Kembali ke awal", "Back to start"),
    # antrean online (docs/ARCHITECTURE.md, Words)
    "checkin_tile": ("Sudah daftar online?", "Booked online?"),
    "checkin_note": ("Pindai kode QR Anda", "Scan your QR code"),
    "checkin_title": ("Masukkan kode booking", "Enter your booking code"),
    "checkin_scan": (
        "Pindai kode QR Anda di pemindai, atau ketik kode booking lalu tekan OK",
        "Hold your QR code under the scanner, or type your booking code and press OK",
    ),
    "key_delete": ("Hapus", "Delete"),
    # messages to visitors (server/notify/)
    "phone_title": ("Kirim pesan saat giliran Anda dekat?", "Text me when my turn is near?"),
    "phone_note": (
        "Nomor HP (tidak wajib). Hanya disimpan hari ini.",
        "Mobile number (optional). Kept for today only.",
    ),
    "phone_invalid": (
        "Nomor HP tidak valid, mis. 0812 3456 7890",
        "Not a mobile number, e.g. 0812 3456 7890",
    ),
    "phone_skip": ("Lewati", "Skip"),
    "phone_send": ("Kirim", "Send"),
    "stopped_today": (
        "Layanan dihentikan hari ini: {reason}",
        "Service stopped today: {reason}",
    ),
    "online_mark": ("Antrean online", "Online booking"),
    "too_early": (
        "Terlalu awal: silakan kembali pukul {time}",
        "Too early: please come back at {time}",
    ),
    "too_early_day": (
        "Terlalu awal: sesi Anda hari {day}. Silakan kembali pukul {time}",
        "Too early: your session is on {day}. Please come back at {time}",
    ),
    "too_late": (
        "Sesi Anda sudah berakhir. Silakan ambil antrean biasa atau daftar lagi untuk hari lain.",
        "Your session has ended. Please take a regular ticket or book another day.",
    ),
    "booking_expired": (
        "Booking Anda sudah kedaluwarsa: sesinya sudah lewat. Silakan daftar lagi.",
        "Your booking has expired: its session is over. Please book again.",
    ),
    "booking_cancelled": (
        "Booking dibatalkan. Silakan ambil antrean biasa atau daftar lagi.",
        "Booking cancelled. Please take a regular ticket or book again.",
    ),
    "booking_used": (
        "Kode booking ini sudah dipakai: tiketnya sudah dicetak. Silakan hubungi petugas.",
        "This booking code was already used: its ticket was printed. Please ask a staff member.",
    ),
    "booking_unknown": (
        "Kode booking tidak ditemukan. Periksa kode Anda dan coba lagi.",
        "Booking code not found. Please check your code and try again.",
    ),
}


def t(key: str, lang: str, **values: object) -> str:
    """A kiosk text: the kiosk's own words first, then the shared glossary."""
    return tr(key, lang, KIOSK_TEXTS, **values)
