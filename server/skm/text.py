"""What a citizen (or a manager) types, made plain text: bounded, no control characters, no markup.

Every page escapes anyway (Jinja2 autoescape, WeasyPrint through the same templates,
XLSX cells written as strings); refusing markup here keeps a suggestion readable as it
was meant in every place it is shown, including a spreadsheet opened elsewhere.
"""

from __future__ import annotations

import re
import unicodedata

from server.problems import Problem

# Direction overrides and isolates: they can make a suggestion display as other text.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# A tag, a comment or a processing instruction: "<b", "</p", "<!--", "<?". A lone "<" or
# "a < b" is fine (and shown escaped).
_MARKUP = re.compile(r"<\s*[/!?]?\s*[A-Za-z!?-]")


def plain_text(value: object, limit: int, field: str, *, multiline: bool = True) -> str:
    """`value` cleaned: line ends unified, control characters gone, trimmed; 422 if too long
    (after cleaning) or if it holds markup. An empty result is "" (the caller decides)."""
    if not isinstance(value, str):
        raise Problem(422, "invalid_text", f"{field}: text expected", field=field)
    if len(value) > 4 * limit:  # clearly too long: refuse before looking at each character
        raise _too_long(field, limit)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for ch in value:
        if ch == "\n":
            kept.append("\n" if multiline else " ")
        elif ch == "\t":
            kept.append(" ")
        elif ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs"):
            continue  # NUL, escapes, lone surrogates (PostgreSQL refuses both of the last)
        else:
            kept.append(ch)
    text = re.sub(r"\n{3,}", "\n\n", "".join(kept)).strip()
    if len(text) > limit:
        raise _too_long(field, limit)
    if _MARKUP.search(text):
        raise Problem(
            422, "markup_not_allowed", f"{field}: plain text only, no HTML tags", field=field
        )
    return text


def _too_long(field: str, limit: int) -> Problem:
    return Problem(
        422, "too_long", f"{field}: at most {limit} characters", field=field, limit=limit
    )
