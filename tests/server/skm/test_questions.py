"""The questionnaire: the regulation's defaults, a site's own wording over them, and back."""

from __future__ import annotations

import pytest

from server.problems import Problem
from server.skm.questions import DEFAULTS, questions, reset_question, save_question
from server.store.db import Store
from tests.server.conftest import FakeClock

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_the_defaults_are_the_regulations_nine() -> None:
    ids = DEFAULTS["id"]
    assert [q.unsur for q in ids] == list(range(1, 10))
    assert ids[0].name == "Persyaratan"
    assert ids[3].answers == ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")
    assert ids[8].answers[1] == "Ada tetapi tidak berfungsi"
    assert ids[6].text.endswith("terkait kesopanan dan keramahan?")
    assert [q.unsur for q in DEFAULTS["en"]] == list(range(1, 10))
    assert all(len(q.answers) == 4 and all(q.answers) for q in DEFAULTS["en"])


@SQLITE
def test_a_site_rewords_a_question_and_resets_it(store: Store, clock: FakeClock) -> None:
    with store.write() as s:
        save_question(
            s,
            8,
            "id",
            "Bagaimana kenyamanan ruang tunggu\x00 kami?",
            ["Buruk", "Cukup", "Baik", "Sangat baik"],
            who="admin",
            now=clock(),
        )
    with store.read() as s:
        asked = questions(s, "id")
        english = questions(s, "en")
    assert asked[7].text == "Bagaimana kenyamanan ruang tunggu kami?"
    assert asked[7].custom and asked[7].name == "Sarana dan Prasarana"
    assert not asked[0].custom and asked[0] == DEFAULTS["id"][0]
    assert english == list(DEFAULTS["en"])  # the other language keeps its own wording
    with store.write() as s:
        reset_question(s, 8, "id")
    with store.read() as s:
        assert questions(s, "id") == list(DEFAULTS["id"])


@SQLITE
@pytest.mark.parametrize(
    ("unsur", "lang", "text", "answers", "code"),
    [
        (0, "id", "Tanya?", ["a", "b", "c", "d"], "invalid_unsur"),
        (10, "id", "Tanya?", ["a", "b", "c", "d"], "invalid_unsur"),
        (1, "fr", "Tanya?", ["a", "b", "c", "d"], "invalid_lang"),
        (1, "id", "Tanya?", ["a", "b", "c"], "invalid_answers"),
        (1, "id", "  ", ["a", "b", "c", "d"], "empty_text"),
        (1, "id", "Tanya?", ["a", "", "c", "d"], "empty_text"),
        (1, "id", "<b>Tanya</b>?", ["a", "b", "c", "d"], "markup_not_allowed"),
        (1, "id", "T" * 301, ["a", "b", "c", "d"], "too_long"),
    ],
)
def test_a_rewording_is_checked(
    store: Store, clock: FakeClock, unsur: int, lang: str, text: str, answers: list[str], code: str
) -> None:
    with pytest.raises(Problem) as refused, store.write() as s:
        save_question(s, unsur, lang, text, answers, who="admin", now=clock())
    assert (refused.value.status, refused.value.code) == (422, code)
    with store.read() as s:
        assert questions(s, "id") == list(DEFAULTS["id"])
