"""Indonesian mobile numbers: one rule for the server and the kiosk's keypad."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[ .()/-]")


def mobile_number(text: str) -> str | None:
    """An Indonesian mobile number as 62812... (E.164 without the plus), or None.

    0812 3456 7890, +62 812-3456-7890 and 62812... are one number. Mobile numbers start
    with 8 after the country code and have 9 to 12 digits after it.
    """
    raw = _SEPARATORS.sub("", text.strip())
    if raw.startswith("+62"):
        rest = raw[3:]
    elif raw.startswith("62"):
        rest = raw[2:]
    elif raw.startswith("0"):
        rest = raw[1:]
    else:
        return None
    if not rest.isdigit() or not rest.startswith("8") or not 9 <= len(rest) <= 12:
        return None
    return "62" + rest
