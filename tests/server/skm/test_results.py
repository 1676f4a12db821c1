"""The SKM arithmetic against hand-computed cases (PermenPANRB 14/2017, Krejcie-Morgan)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from server.skm.results import (
    ROUNDED_WEIGHT,
    grade,
    id_number,
    ikm,
    nrr,
    result,
    round_half_up,
    sample_size,
)


def test_four_respondents_by_hand() -> None:
    # Four forms, scores U1..U9 (as an office would tally them on paper):
    forms = [
        [4, 3, 3, 4, 3, 4, 4, 3, 2],
        [3, 3, 2, 4, 3, 3, 4, 3, 3],
        [4, 4, 3, 4, 4, 4, 4, 4, 3],
        [3, 2, 3, 4, 3, 3, 3, 3, 2],
    ]
    totals = [sum(col) for col in zip(*forms, strict=True)]
    assert totals == [14, 12, 11, 16, 13, 14, 15, 13, 10]
    r = result(4, totals)
    assert r is not None
    # NRR U1 = 14/4 = 3,5; sum of NRR = 118/4 = 29,5; IKM = 29,5 x 25 / 9 = 81,9444...
    assert r.nrrs[0] == Fraction(7, 2)
    assert sum(r.nrrs) == Fraction(59, 2)
    assert r.ikm == Fraction(59 * 25, 2 * 9)
    assert r.ikm_shown == Decimal("81.94")
    assert (r.grade.letter, r.grade.name) == ("B", "Baik")
    assert r.weighted[0] == Fraction(7, 18)  # 3,5 x 1/9


def test_all_fours_and_all_ones_are_the_ends_of_the_scale() -> None:
    top = result(3, [12] * 9)
    bottom = result(3, [3] * 9)
    assert top is not None and bottom is not None
    assert (top.ikm, top.ikm_shown, top.grade.letter) == (100, Decimal("100.00"), "A")
    assert (bottom.ikm, bottom.ikm_shown, bottom.grade.letter) == (25, Decimal("25.00"), "D")
    assert bottom.grade.name == "Tidak Baik"


def test_no_respondents_is_no_result_and_impossible_totals_are_refused() -> None:
    assert result(0, [0] * 9) is None
    with pytest.raises(ValueError):
        result(2, [9] * 9)  # more than 4 x 2
    with pytest.raises(ValueError):
        result(2, [1] * 9)  # less than 1 x 2
    with pytest.raises(ValueError):
        result(2, [4] * 8)
    with pytest.raises(ValueError):
        nrr(3, 0)


def _spread(total: int, respondents: int) -> list[int]:
    """Nine unsur totals that add up to `total`, each possible for `respondents` answers."""
    base, extra = divmod(total, 9)
    totals = [base + (1 if i < extra else 0) for i in range(9)]
    assert all(respondents <= t <= 4 * respondents for t in totals)
    return totals


@pytest.mark.parametrize(
    ("ikm_exact", "letter", "name"),
    [
        ("88.31", "A", "Sangat Baik"),
        ("88.30", "B", "Baik"),
        ("76.61", "B", "Baik"),
        ("76.60", "C", "Kurang Baik"),
        ("65.00", "C", "Kurang Baik"),
        ("64.99", "D", "Tidak Baik"),
        # between the table's ranges: graded on the printed two decimals
        ("88.305", "A", "Sangat Baik"),
        ("88.3049", "B", "Baik"),
        ("76.6050", "B", "Baik"),
        ("64.995", "C", "Kurang Baik"),
    ],
)
def test_grade_boundaries_from_real_totals(ikm_exact: str, letter: str, name: str) -> None:
    # IKM = T x 25 / (9 n): with a million respondents every four-decimal IKM is exact.
    n = 1_000_000
    t = Fraction(ikm_exact) * 9 * n / 25
    assert t.denominator == 1
    r = result(n, _spread(int(t), n))
    assert r is not None
    assert r.ikm == Fraction(ikm_exact)
    assert (r.grade.letter, r.grade.name) == (letter, name)
    assert grade(Fraction(ikm_exact)).letter == letter


def test_grade_in_nrr_terms_as_the_glossary_gives_them() -> None:
    # A from a mean NRR of 3,5324, B from 3,0644, C from 2,60 (x 25).
    assert grade(Fraction("3.5324") * 25).letter == "A"
    assert grade(Fraction("3.5320") * 25).letter == "B"
    assert grade(Fraction("3.0644") * 25).letter == "B"
    assert grade(Fraction("3.0640") * 25).letter == "C"
    assert grade(Fraction("2.60") * 25).letter == "C"
    assert grade(Fraction("2.5996") * 25).letter == "D"


def test_the_published_example_where_011_and_one_ninth_differ() -> None:
    # 1,000 respondents whose NRRs add up to 32,932: with exact 1/9 weights the index is
    # 91,48; with each NRR weighted by a rounded 0,11 it comes out 90,56.
    totals = [3600, 3700, 3500, 3800, 3650, 3750, 3720, 3612, 3600]
    assert sum(totals) == 32_932
    r = result(1000, totals)
    assert r is not None
    assert sum(r.nrrs) == Fraction("32.932")
    assert r.ikm_shown == Decimal("91.48")
    assert round_half_up(r.ikm, 4) == Decimal("91.4778")
    by_rounded_weight = ikm(list(r.nrrs), ROUNDED_WEIGHT)
    assert by_rounded_weight == Fraction("90.563")
    assert round_half_up(by_rounded_weight) == Decimal("90.56")
    # the difference is the weights' alone: 1/9 - 0,11 = 1/900 per NRR, x 25
    assert r.ikm - by_rounded_weight == sum(r.nrrs) * Fraction(1, 900) * 25


@pytest.mark.parametrize(
    ("served", "needed"),
    [
        (0, 0),
        (1, 1),
        (10, 10),
        (50, 44),
        (100, 80),
        (200, 132),
        (500, 217),
        (1_000, 278),
        (1_200, 291),
        (10_000, 370),
        (75_000, 382),
        (99_999, 383),  # the formula: 382,63
        # From 100.000 on the table's 384, where the formula gives 382,63
        # to 384,1 (its limit).
        (100_000, 384),
        (1_000_000, 384),
    ],
)
def test_krejcie_morgan(served: int, needed: int) -> None:
    assert sample_size(served) == needed


def test_krejcie_morgan_by_hand_for_100() -> None:
    # 3,841 x 100 x 0,25 / (0,0025 x 99 + 3,841 x 0,25) = 96,025 / 1,20775 = 79,507...
    exact = Fraction("96.025") / Fraction("1.20775")
    assert round_half_up(exact, 3) == Decimal("79.507")
    assert sample_size(100) == 80


def test_indonesian_figures() -> None:
    assert id_number(Decimal("86.42")) == "86,42"
    assert id_number(Fraction(59 * 25, 18)) == "81,94"
    assert id_number(Decimal("1234.5")) == "1.234,50"
    assert id_number(Fraction(7, 2), 3) == "3,500"
    assert id_number(10_000) == "10.000"
    assert round_half_up(Fraction(-1, 8), 2) == Decimal("-0.13")
