"""The SKM arithmetic of PermenPANRB 14/2017, exact (Fractions), rounded only for display.

- NRR of an unsur = the sum of its scores / the respondents (each score 1 to 4).
- IKM = (NRR1 + ... + NRR9) x 1/9 x 25, from 25 to 100. The weight is exactly 1/9:
  some offices use a rounded 0,11 per unsur, which gives a lower index (e.g. 90,56
  instead of 91,48), so that variant exists here only to show the difference.
- The grade is decided on the IKM rounded half-up to two decimals, the figure the
  report prints: the 2017 table's ranges (88,31-100; 76,61-88,30; 65,00-76,60;
  25,00-64,99) then have no gaps, and a printed 88,31 is always an A, 88,30 a B.
- Respondents needed: Krejcie and Morgan (1970),
  S = X2 N P (1-P) / (d2 (N-1) + X2 P (1-P)), X2 = 3,841, P = 0,5, d = 0,05, rounded to
  the nearest whole respondent as their published table is (N=50 -> 44, 500 -> 217);
  from 100.000 people served on, the table's 384 (the regulation's table: 100.000 -> 384).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from server.documents.numbers import format_number

UNSUR_COUNT = 9
SCORE_MIN, SCORE_MAX = 1, 4
WEIGHT = Fraction(1, UNSUR_COUNT)
SCALE = 25
# The rounded weight some offices use instead of 1/9 (for comparison only).
ROUNDED_WEIGHT = Fraction(11, 100)

CHI_SQUARE = Fraction(3841, 1000)  # one degree of freedom, 95 %
PROPORTION = Fraction(1, 2)
LARGE_POPULATION, LARGE_SAMPLE = 100_000, 384
ACCURACY = Fraction(5, 100)

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Grade:
    """A grade of the 2017 table: the letter, its name, and its IKM range (two decimals)."""

    letter: str
    name: str  # Indonesian, as the regulation writes it
    name_en: str
    low: Decimal
    high: Decimal


GRADES = (
    Grade("A", "Sangat Baik", "Very good", Decimal("88.31"), Decimal("100.00")),
    Grade("B", "Baik", "Good", Decimal("76.61"), Decimal("88.30")),
    Grade("C", "Kurang Baik", "Poor", Decimal("65.00"), Decimal("76.60")),
    Grade("D", "Tidak Baik", "Very poor", Decimal("25.00"), Decimal("64.99")),
)


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """An exact value rounded half-up (away from zero for the positive values here)."""
    scaled = abs(value) * 10**places
    whole = int(scaled + Fraction(1, 2))  # floor(x + 1/2) for x >= 0
    sign = -1 if value < 0 else 1
    return Decimal(sign * whole).scaleb(-places)


def nrr(total: int, respondents: int) -> Fraction:
    """Nilai rata-rata of an unsur: its total score / the respondents."""
    if respondents <= 0:
        raise ValueError("an NRR needs at least one respondent")
    return Fraction(total, respondents)


def ikm(nrrs: Sequence[Fraction], weight: Fraction = WEIGHT) -> Fraction:
    """The index: (sum of NRR x weight) x 25, exact. `weight` other than 1/9 only to compare."""
    if len(nrrs) != UNSUR_COUNT:
        raise ValueError(f"IKM needs {UNSUR_COUNT} NRRs, got {len(nrrs)}")
    return sum((n * weight for n in nrrs), Fraction(0)) * SCALE


def grade(value: Fraction | Decimal) -> Grade:
    """The grade of an IKM, decided on its two-decimal figure (see the module's note)."""
    shown = round_half_up(Fraction(value)) if isinstance(value, Fraction) else value
    shown = shown.quantize(_CENT)
    for g in GRADES:
        if shown >= g.low:
            return g
    # Below 25 cannot come from scores 1-4; grade it D rather than fail a report.
    return GRADES[-1]


def sample_size(population: int) -> int:
    """Respondents needed for `population` people served (Krejcie-Morgan, nearest whole)."""
    if population <= 0:
        return 0
    pq = PROPORTION * (1 - PROPORTION)
    s = CHI_SQUARE * population * pq / (ACCURACY**2 * (population - 1) + CHI_SQUARE * pq)
    if population >= LARGE_POPULATION:
        # The formula gives 382,63 at 100.000 and tends to 384,1; the published practice
        # (and the regulation's table: 100.000 -> 384) asks the table's 384 from there on.
        return LARGE_SAMPLE
    return int(round_half_up(s, 0))


@dataclass(frozen=True)
class Result:
    """One group's figures: exact values, and the two-decimal IKM the report shows."""

    respondents: int
    totals: tuple[int, ...]
    nrrs: tuple[Fraction, ...]
    ikm: Fraction
    ikm_shown: Decimal
    grade: Grade

    @property
    def weighted(self) -> tuple[Fraction, ...]:
        """NRR x 1/9 per unsur (the tabulation's 'NRR tertimbang')."""
        return tuple(n * WEIGHT for n in self.nrrs)


def result(respondents: int, totals: Sequence[int]) -> Result | None:
    """The figures of `respondents` answers whose scores per unsur sum to `totals`."""
    if len(totals) != UNSUR_COUNT:
        raise ValueError(f"{UNSUR_COUNT} totals needed, got {len(totals)}")
    if respondents <= 0:
        return None
    for t in totals:
        if not SCORE_MIN * respondents <= t <= SCORE_MAX * respondents:
            raise ValueError(f"a total of {t} cannot come from {respondents} answers of 1-4")
    nrrs = tuple(nrr(t, respondents) for t in totals)
    exact = ikm(nrrs)
    shown = round_half_up(exact)
    return Result(respondents, tuple(totals), nrrs, exact, shown, grade(shown))


def id_number(value: Decimal | Fraction | int, places: int = 2) -> str:
    """Indonesian figures: a comma before the decimals, dots between thousands (1.234,56)."""
    return format_number(value, 0 if isinstance(value, int) else places, "id")
