"""One number format per language (server.documents.numbers), pages and documents alike."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from server.documents.numbers import format_number


def test_indonesian_writes_a_decimal_comma_and_english_a_point() -> None:
    assert format_number(6.0, 1, "id") == "6,0" and format_number(6.0, 1, "en") == "6.0"
    assert format_number(12345, 0, "id") == "12.345" and format_number(12345, 0, "en") == "12,345"
    assert format_number(1234.56, 2, "id") == "1.234,56"
    assert format_number(None, 1, "id") == "-"


def test_exact_scores_round_half_up_in_both_languages() -> None:
    # an SKM figure: 3,53245 -> 3,5325 (half up), never the float's 3,5324
    assert format_number(Fraction(353245, 100000), 4, "id") == "3,5325"
    assert format_number(Fraction(353245, 100000), 4, "en") == "3.5325"
    assert format_number(Decimal("86.425"), 2, "id") == "86,43"
