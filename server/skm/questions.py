"""The nine unsur and their questions: the regulation's defaults, a site's own wording over them.

Defaults are PermenPANRB 14/2017's standard questionnaire; the English is
ours, for the language switch. Answers score 1 to 4 in the order given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.problems import Problem, invalid
from server.skm.tables import QuestionRow
from server.skm.text import plain_text
from shared.i18n import LANGUAGES

QUESTION_MAX = 300
ANSWER_MAX = 80


@dataclass(frozen=True)
class Question:
    unsur: int  # 1..9
    name: str  # the unsur's name
    text: str
    answers: tuple[str, str, str, str]  # scores 1, 2, 3, 4
    custom: bool = False  # the site's own wording

    @property
    def code(self) -> str:
        return f"U{self.unsur}"


def _q(unsur: int, name: str, text: str, answers: str) -> Question:
    a1, a2, a3, a4 = (a.strip() for a in answers.split(";"))
    return Question(unsur, name, text, (a1, a2, a3, a4))


_ID = (
    _q(
        1,
        "Persyaratan",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis"
        " pelayanannya?",
        "Tidak sesuai; Kurang sesuai; Sesuai; Sangat sesuai",
    ),
    _q(
        2,
        "Sistem, Mekanisme, dan Prosedur",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        "Tidak mudah; Kurang mudah; Mudah; Sangat mudah",
    ),
    _q(
        3,
        "Waktu Penyelesaian",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        "Tidak cepat; Kurang cepat; Cepat; Sangat cepat",
    ),
    _q(
        4,
        "Biaya/Tarif",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        "Sangat mahal; Cukup mahal; Murah; Gratis",
    ),
    _q(
        5,
        "Produk Spesifikasi Jenis Pelayanan",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum"
        " dalam standar pelayanan dengan hasil yang diberikan?",
        "Tidak sesuai; Kurang sesuai; Sesuai; Sangat sesuai",
    ),
    _q(
        6,
        "Kompetensi Pelaksana",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        "Tidak kompeten; Kurang kompeten; Kompeten; Sangat kompeten",
    ),
    _q(
        7,
        "Perilaku Pelaksana",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan"
        " dan keramahan?",
        "Tidak sopan dan ramah; Kurang sopan dan ramah; Sopan dan ramah; Sangat sopan dan ramah",
    ),
    _q(
        8,
        "Sarana dan Prasarana",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        "Buruk; Cukup; Baik; Sangat baik",
    ),
    _q(
        9,
        "Penanganan Pengaduan, Saran dan Masukan",
        "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
        "Tidak ada; Ada tetapi tidak berfungsi; Berfungsi kurang maksimal; Dikelola dengan baik",
    ),
)

_EN = (
    _q(
        1,
        "Requirements",
        "How well do the service's requirements fit the kind of service?",
        "Not at all; Not quite; They fit; They fit very well",
    ),
    _q(
        2,
        "Systems, mechanisms and procedures",
        "How easy did you find this unit's service procedure?",
        "Not easy; Not very easy; Easy; Very easy",
    ),
    _q(
        3,
        "Completion time",
        "How quickly was the service given?",
        "Not quickly; Not very quickly; Quickly; Very quickly",
    ),
    _q(
        4,
        "Cost/fee",
        "How fair was the cost or fee of the service?",
        "Very expensive; Rather expensive; Cheap; Free",
    ),
    _q(
        5,
        "Service product",
        "How well does what you received match the product in the service standard?",
        "Not at all; Not quite; It matches; It matches very well",
    ),
    _q(
        6,
        "Staff competence",
        "How competent were the staff who served you?",
        "Not competent; Not very competent; Competent; Very competent",
    ),
    _q(
        7,
        "Staff conduct",
        "How polite and friendly were the staff?",
        "Not polite and friendly; Not very polite and friendly; Polite and friendly;"
        " Very polite and friendly",
    ),
    _q(
        8,
        "Facilities",
        "How good are the facilities and the building?",
        "Poor; Fair; Good; Very good",
    ),
    _q(
        9,
        "Complaints, suggestions and feedback",
        "How are users' complaints handled?",
        "Not at all; There is a channel, it does not work; It works, not fully; Well managed",
    ),
)

DEFAULTS: dict[str, tuple[Question, ...]] = {"id": _ID, "en": _EN}


def questions(s: Session, lang: str = "id", site_id: int = 1) -> list[Question]:
    """The nine questions in `lang`: the site's wording where it has one, else the default."""
    lang = lang if lang in LANGUAGES else "id"
    rows = {
        r.unsur: r
        for r in s.scalars(
            select(QuestionRow).where(QuestionRow.site_id == site_id, QuestionRow.lang == lang)
        )
    }
    out = []
    for default in DEFAULTS[lang]:
        row = rows.get(default.unsur)
        if row is None:
            out.append(default)
        else:
            answers = (row.a1, row.a2, row.a3, row.a4)
            out.append(Question(default.unsur, default.name, row.question, answers, custom=True))
    return out


def _unsur_and_lang(unsur: int, lang: str) -> None:
    if not 1 <= unsur <= len(_ID):
        raise Problem(422, "invalid_unsur", "unsur: 1 to 9", field="unsur")
    if lang not in LANGUAGES:
        raise Problem(422, "invalid_lang", f"lang: one of {', '.join(LANGUAGES)}", field="lang")


def save_question(
    s: Session,
    unsur: int,
    lang: str,
    text: str,
    answers: list[str],
    *,
    who: str | None,
    now: datetime,
    site_id: int = 1,
) -> Question:
    """A site's own wording of one question (checked as any citizen's text is: plain)."""
    _unsur_and_lang(unsur, lang)
    question = plain_text(text, QUESTION_MAX, "question", multiline=False)
    if len(answers) != 4:
        raise Problem(422, "invalid_answers", "answers: exactly four", field="answers")
    cleaned = [
        plain_text(a, ANSWER_MAX, f"answers.{i}", multiline=False) for i, a in enumerate(answers)
    ]
    if not question or not all(cleaned):
        raise invalid(
            (
                "text" if not question else "answers",
                "Pertanyaan dan keempat jawabannya tidak boleh kosong.",
                "A question and its four answers cannot be empty.",
            ),
            code="empty_text",
        )
    row = s.get(QuestionRow, (site_id, unsur, lang))
    if row is None:
        row = QuestionRow(site_id=site_id, unsur=unsur, lang=lang)
        s.add(row)
    row.question = question
    row.a1, row.a2, row.a3, row.a4 = cleaned
    row.updated_at = now
    row.updated_by = who
    name = DEFAULTS[lang][unsur - 1].name
    return Question(unsur, name, question, (cleaned[0], cleaned[1], cleaned[2], cleaned[3]), True)


def reset_question(s: Session, unsur: int, lang: str, site_id: int = 1) -> Question:
    """Back to the regulation's wording."""
    _unsur_and_lang(unsur, lang)
    s.execute(
        delete(QuestionRow).where(
            QuestionRow.site_id == site_id, QuestionRow.unsur == unsur, QuestionRow.lang == lang
        )
    )
    return DEFAULTS[lang][unsur - 1]
