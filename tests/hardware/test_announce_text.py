"""The words of a call: letters the Indonesian way, numbers by digit or as words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.announce import LETTERS, announcement_text, spoken_code, spoken_counter


def test_the_default_sentence() -> None:
    assert (
        announcement_text("A001", "L03")
        == "Nomor antrean, A nol nol satu, silakan menuju loket tiga."
    )


@pytest.mark.parametrize(
    ("code", "digits", "words"),
    [
        ("A001", "A nol nol satu", "A satu"),
        ("B017", "be nol satu tujuh", "be tujuh belas"),
        ("A010", "A nol satu nol", "A sepuluh"),
        ("A011", "A nol satu satu", "A sebelas"),
        ("C012", "ce nol satu dua", "ce dua belas"),
        ("D019", "de nol satu sembilan", "de sembilan belas"),
        ("K020", "ka nol dua nol", "ka dua puluh"),
        ("Q021", "ki nol dua satu", "ki dua puluh satu"),
        ("W100", "we satu nol nol", "we seratus"),
        ("X101", "eks satu nol satu", "eks seratus satu"),
        ("Y110", "ye satu satu nol", "ye seratus sepuluh"),
        ("Z200", "zet dua nol nol", "zet dua ratus"),
        ("AB012", "A be nol satu dua", "A be dua belas"),
        ("KT1000", "ka te satu nol nol nol", "ka te seribu"),
        ("A-005", "A nol nol lima", "A lima"),
        ("V000", "fe nol nol nol", "fe nol"),
    ],
)
def test_codes(code: str, digits: str, words: str) -> None:
    assert spoken_code(code, "digits") == digits
    assert spoken_code(code, "words") == words


@pytest.mark.parametrize(
    ("code", "name", "spoken"),
    [
        ("L03", "", "loket tiga"),
        ("L3", "", "loket tiga"),
        ("L10", "", "loket sepuluh"),
        ("L11", "", "loket sebelas"),
        ("L12", "", "loket dua belas"),
        ("L20", "", "loket dua puluh"),
        ("L100", "", "loket seratus"),
        ("X", "Loket 3", "loket tiga"),
        ("X", "LOKET 05", "loket lima"),
        ("X", "Loket BPJS 2", "loket be pe je es dua"),
        ("X", "Ruang Samsat", "ruang samsat"),
    ],
)
def test_counters(code: str, name: str, spoken: str) -> None:
    assert spoken_counter(code, name) == spoken


def test_template_with_agency_and_numbers_as_words() -> None:
    text = announcement_text(
        "B017",
        "L05",
        agency="BPJS Kesehatan",
        numbers="words",
        template="Nomor antrean {code}, silakan menuju {counter}, {agency}.",
    )
    assert text == "Nomor antrean be tujuh belas, silakan menuju loket lima, be pe je es kesehatan."


def test_empty_agency_leaves_no_stray_comma() -> None:
    text = announcement_text("A001", "L01", template="Nomor {code}, {agency}, ke {counter}.")
    assert text == "Nomor A nol nol satu, ke loket satu."


def test_every_letter_has_its_indonesian_name() -> None:
    assert len(LETTERS) == 26
    assert (LETTERS["K"], LETTERS["Q"], LETTERS["W"], LETTERS["X"]) == ("ka", "ki", "we", "eks")


@given(
    prefix=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=3),
    number=st.integers(min_value=0, max_value=9999),
)
def test_any_code_is_said_without_raw_digits_or_capitals_except_vowels(
    prefix: str, number: int
) -> None:
    for style in ("digits", "words"):
        said = spoken_code(f"{prefix}{number:03d}", style)
        assert not any(ch.isdigit() for ch in said)
        assert all(w.islower() or w in "AEIOU" for w in said.split())


def test_numbers_read_as_num2words_reads_them() -> None:
    """Our reader replaces num2words (5 MB of languages); it must say every number alike."""
    from num2words import num2words

    from shared.announce import say_number

    checked = [*range(0, 21000), *(10**k + d for k in range(4, 13) for d in (0, 1, 999))]
    checked += [123_456, 999_999, 2_500_000, 999_999_999_999, 1_234_567_890_123]
    for n in checked:
        assert say_number(n) == num2words(n, lang="id"), n
    # Where num2words says "satu juta satu ribu", Indonesian says "seribu" after a million too.
    assert say_number(1_001_000) == "satu juta seribu"
