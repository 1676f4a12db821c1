"""SKM's words, Indonesian first, English for the switch: pages and exports."""

from __future__ import annotations

from server.skm.rules import AgeGroup, Education, Occupation, Sex

WORDS: dict[str, tuple[str, str]] = {
    # the survey (the survey's screen texts)
    "skm_how_today": ("Bagaimana pelayanan kami hari ini?", "How was our service today?"),
    "skm_thanks": ("Terima kasih atas penilaian Anda", "Thank you for your rating"),
    "skm_suggestion": ("Kotak saran (boleh dikosongkan)", "Suggestions (you may leave it empty)"),
    "skm_skip": ("Lewati", "Skip"),
    "skm_send": ("Kirim", "Send"),
    "skm_next": ("Lanjut", "Next"),
    "skm_back": ("Kembali", "Back"),
    "skm_question_of": ("Pertanyaan {n} dari {total}", "Question {n} of {total}"),
    "skm_profile": ("Tentang Anda (boleh dikosongkan)", "About you (optional)"),
    "skm_anonymous": (
        "Survei ini tanpa nama. Jawaban Anda membantu kami memperbaiki pelayanan.",
        "This survey is anonymous. Your answers help us improve our service.",
    ),
    "skm_answer_all": ("Mohon jawab semua pertanyaan.", "Please answer every question."),
    "skm_invite": (
        "Setelah dilayani, mohon beri penilaian pelayanan kami di sini.",
        "Once you have been served, please rate our service here.",
    ),
    "skm_for_ticket": ("Penilaian untuk nomor {code}", "Rating for number {code}"),
    "skm_already": (
        "Penilaian untuk tiket ini sudah kami terima. Terima kasih!",
        "We already have the rating for this ticket. Thank you!",
    ),
    "skm_skipped": ("Terima kasih atas kunjungan Anda", "Thank you for your visit"),
    "skm_rate_later": (
        "Anda dapat memberi penilaian dari halaman ini hari ini.",
        "You can still rate the service on this page today.",
    ),
    "skm_rate": ("Beri penilaian", "Rate the service"),
    # the ticket's page
    "tp_waiting": ("Menunggu dipanggil", "Waiting to be called"),
    "tp_called": ("Dipanggil! Silakan menuju {counter}", "Called! Please go to {counter}"),
    "tp_serving": ("Sedang dilayani di {counter}", "Being served at {counter}"),
    "tp_done": ("Selesai. Terima kasih atas kunjungan Anda", "Done. Thank you for your visit"),
    "tp_no_show": (
        "Terlewat. Silakan hubungi petugas loket",
        "Missed. Please ask at the counter",
    ),
    "tp_cancelled": ("Dibatalkan", "Cancelled"),
    "tp_transferred": ("Dialihkan ke layanan lain", "Transferred to another service"),
    "tp_refresh": (
        "Halaman ini diperbarui sendiri setiap {n} detik.",
        "This page updates itself every {n} seconds.",
    ),
    "tp_unknown": (
        "Tiket tidak ditemukan. Periksa alamat pada tiket Anda.",
        "Ticket not found. Check the address on your ticket.",
    ),
    # the profile (the regulation's choices)
    "skm_age_group": ("Usia", "Age"),
    "skm_sex": ("Jenis kelamin", "Sex"),
    "skm_education": ("Pendidikan terakhir", "Education"),
    "skm_occupation": ("Pekerjaan", "Occupation"),
    "skm_choose": ("- pilih -", "- choose -"),
    f"age_{AgeGroup.UNDER_20}": ("Di bawah 20 tahun", "Under 20"),
    f"age_{AgeGroup.FROM_20}": ("20-29 tahun", "20-29"),
    f"age_{AgeGroup.FROM_30}": ("30-39 tahun", "30-39"),
    f"age_{AgeGroup.FROM_40}": ("40-49 tahun", "40-49"),
    f"age_{AgeGroup.FROM_50}": ("50-59 tahun", "50-59"),
    f"age_{AgeGroup.FROM_60}": ("60 tahun ke atas", "60 and over"),
    f"sex_{Sex.MALE}": ("Laki-laki", "Male"),
    f"sex_{Sex.FEMALE}": ("Perempuan", "Female"),
    f"education_{Education.SD}": ("SD", "Primary school"),
    f"education_{Education.SMP}": ("SMP", "Junior high school"),
    f"education_{Education.SMA}": ("SMA", "Senior high school"),
    f"education_{Education.D1_D3}": ("D1-D3", "Diploma (D1-D3)"),
    f"education_{Education.S1}": ("S1", "Bachelor's degree"),
    f"education_{Education.S2_PLUS}": ("S2 ke atas", "Master's or higher"),
    f"occupation_{Occupation.CIVIL_SERVANT}": ("PNS", "Civil servant"),
    f"occupation_{Occupation.MILITARY_POLICE}": ("TNI/Polri", "Military/police"),
    f"occupation_{Occupation.PRIVATE}": ("Swasta", "Private sector"),
    f"occupation_{Occupation.SELF_EMPLOYED}": ("Wiraswasta", "Self-employed"),
    f"occupation_{Occupation.STUDENT}": ("Pelajar/Mahasiswa", "Student"),
    f"occupation_{Occupation.OTHER}": ("Lainnya", "Other"),
}

# (field, its word, the word prefix of its choices, the choices)
PROFILE_CHOICES = (
    ("age_group", "skm_age_group", "age", tuple(AgeGroup)),
    ("sex", "skm_sex", "sex", tuple(Sex)),
    ("education", "skm_education", "education", tuple(Education)),
    ("occupation", "skm_occupation", "occupation", tuple(Occupation)),
)


def word(key: str, lang: str = "id", **values: object) -> str:
    pair = WORDS.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text
