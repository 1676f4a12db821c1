"""Numbers as people read them: one format per language, for pages and documents alike.

Indonesian writes 1.234,5 (a decimal comma, dots between thousands); English 1,234.5.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

Number = int | float | Decimal | Fraction


def format_number(value: Number | None, decimals: int = 0, lang: str = "id") -> str:
    """`value` with `decimals` places in `lang`; '-' for no value. An exact Fraction (an
    SKM score) is rounded half up, as the regulation's tables are; a float as Python does."""
    if value is None:
        return "-"
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, Decimal):
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    english = f"{value:,.{decimals}f}"
    if lang == "en":
        return english
    return english.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
