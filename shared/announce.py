"""The words of a call announcement, in Indonesian. Text only: the audio is in hardware/."""

from __future__ import annotations

import re
from typing import Literal

DEFAULT_TEMPLATE = "Nomor antrean, {code}, silakan menuju {counter}."

# How Indonesians say the letters (docs/ARCHITECTURE.md, Words).
LETTERS = {
    "A": "a", "B": "be", "C": "ce", "D": "de", "E": "e", "F": "ef", "G": "ge",
    "H": "ha", "I": "i", "J": "je", "K": "ka", "L": "el", "M": "em", "N": "en",
    "O": "o", "P": "pe", "Q": "ki", "R": "er", "S": "es", "T": "te", "U": "u",
    "V": "fe", "W": "we", "X": "eks", "Y": "ye", "Z": "zet",
}  # fmt: skip
DIGITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")

NumberStyle = Literal["digits", "words"]

_RUNS = re.compile(r"[A-Za-z]+|\d+")
# "L03", "LK-3", "LOKET 12", "Loket 3" all mean counter number N
_COUNTER_NUMBER = re.compile(r"^(?:L|LK|LKT|LOKET)[\s._-]*0*(\d+)$", re.IGNORECASE)


def number_words(digits: str, style: NumberStyle = "words") -> str:
    """'017' -> 'nol satu tujuh' (digits) or 'tujuh belas' (words)."""
    if style == "digits":
        return " ".join(DIGITS[int(d)] for d in digits)
    return say_number(int(digits))


# Our own reading of numbers (num2words read the same, but it loads ~50 languages,
# 5 MB in every kiosk and TV, to say numbers in one).
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"))


def say_number(n: int) -> str:
    """12 -> 'dua belas', 1100 -> 'seribu seratus', 2_500_000 -> 'dua juta lima ratus ribu'."""
    if n < 0:
        return f"minus {say_number(-n)}"
    if n == 0:
        return "nol"
    words: list[str] = []
    for size, name in _SCALES:
        count, n = divmod(n, size)
        if count:
            words += [say_number(count), name]
    thousands, n = divmod(n, 1000)
    if thousands == 1:
        words.append("seribu")
    elif thousands:
        words += [*_below_thousand(thousands), "ribu"]
    words += _below_thousand(n)
    return " ".join(words)


def _below_thousand(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds:
        words.append("seratus" if hundreds == 1 else f"{DIGITS[hundreds]} ratus")
    if rest >= 20:
        tens, units = divmod(rest, 10)
        words.append(f"{DIGITS[tens]} puluh")
        if units:
            words.append(DIGITS[units])
    elif rest >= 12:
        words.append(f"{DIGITS[rest - 10]} belas")
    elif rest == 11:
        words.append("sebelas")
    elif rest == 10:
        words.append("sepuluh")
    elif rest:
        words.append(DIGITS[rest])
    return words


def spell_letters(letters: str) -> str:
    """'AB' -> 'A be': a vowel's name is the vowel itself, so it stays a capital letter."""
    names = []
    for ch in letters.upper():
        name = LETTERS.get(ch, ch.lower())
        names.append(ch if name == ch.lower() else name)
    return " ".join(names)


def spoken_code(code: str, numbers: NumberStyle = "digits") -> str:
    """A ticket code as said aloud: 'A001' -> 'A nol nol satu' (or 'A satu' as words)."""
    parts = []
    for run in _RUNS.findall(code):
        parts.append(number_words(run, numbers) if run.isdigit() else spell_letters(run))
    return " ".join(parts)


def _spoken_name(name: str) -> str:
    """Free text: numbers as words, short all-caps acronyms spelled, other words as written."""
    out = []
    for word in name.split():
        pieces = []
        for run in _RUNS.findall(word):
            if run.isdigit():
                pieces.append(number_words(run, "words"))
            elif run.isupper() and (len(run) <= 4 or not re.search(r"[AIUEO]", run)):
                pieces.append(spell_letters(run))  # BPJS, KTP, SKCK
            else:
                pieces.append(run.lower())
        out.extend(pieces)
    return " ".join(out)


def spoken_counter(code: str, name: str = "") -> str:
    """'Loket 3' or 'L03' -> 'loket tiga'; a name wins over the code."""
    text = (name or code).strip()
    m = _COUNTER_NUMBER.match(text)
    if m:
        return f"loket {number_words(m.group(1), 'words')}"
    return _spoken_name(text)


def announcement_text(
    code: str,
    counter: str,
    *,
    counter_name: str = "",
    agency: str = "",
    service: str = "",
    template: str = DEFAULT_TEMPLATE,
    numbers: NumberStyle = "digits",
) -> str:
    """The sentence to say for a call, from the site's template.

    >>> announcement_text("A001", "L03")
    'Nomor antrean, A nol nol satu, silakan menuju loket tiga.'
    """
    text = template.format(
        code=spoken_code(code, numbers),
        counter=spoken_counter(counter, counter_name),
        agency=_spoken_name(agency),
        service=_spoken_name(service),
    )
    # an empty optional field must not leave ", ," or double spaces behind
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.])", r"\1", text)
    text = re.sub(r",(\s*,)+", ",", text)
    return text.strip()
