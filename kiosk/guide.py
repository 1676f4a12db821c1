"""A kiosk every citizen can use: voice guidance ("Bantuan suara"), a USB numeric keypad,
large high-contrast text. Plain Python: what is said, which tile is chosen.

Voice guidance reads each screen aloud when it opens and a tile's name when it is
touched; a second touch on the same tile chooses it. A numeric keypad (or the number
row) works the same way on any screen, voice or not, as bank kiosks' audio keypads do:
1-9 name the n-th choice (highlighted, and said when the voice is on), Enter chooses it,
0 goes back, `*` turns the voice on or off, `+` calls an officer ("Butuh bantuan", the
tenth tile or later on a big site). On a result screen any key goes home.

The words come from here; the sound is the app's `speak` (the TV's offline voice,
rendered and played off the UI thread, the newest text first).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.texts import t
from kiosk.view import done_lines
from shared.announce import say_number, spoken_code
from shared.models import Ticket, TicketStatus

log = logging.getLogger(__name__)

Speak = Callable[[str], None]
BACK_KEY, ENTER_KEY, VOICE_KEY, HELP_KEY = "0", "enter", "*", "+"


@dataclass(frozen=True)
class Choice:
    """One thing a visitor can choose on the screen shown: its tile's code and name."""

    code: str
    name: str
    act: Callable[[], None]
    open: bool = True  # a closed service is read out but takes no choice


def spoken_number(n: int, lang: str) -> str:
    """'tujuh belas' in Indonesian (the voice is Indonesian); digits in English."""
    return say_number(n) if lang == "id" else str(n)


def ticket_words(ticket: Ticket, lang: str) -> str:
    """'Nomor antrean Anda B tujuh belas, empat orang sebelum Anda. ...'"""
    code = spoken_code(ticket.code, "words")
    if ticket.ahead <= 0:
        ahead = t("say_next", lang)
    else:
        ahead = t("say_ahead", lang, n=spoken_number(ticket.ahead, lang))
    if ticket.counters_open == 0 and ticket.status == TicketStatus.WAITING:
        # never "you are next" while no counter is open: the screen's own words
        first, then = done_lines(ticket, lang)
        ahead = f"{first}, {then}" if ticket.ahead <= 0 else f"{ahead}, {then}"
    return t("say_ticket", lang, code=code, ahead=ahead)


def screen_words(
    title: str, choices: list[Choice], lang: str, back: bool, help_key: bool = False
) -> str:
    """A screen read aloud: its title, how many choices, the first nine with their keys."""
    parts = [title.rstrip(".") + "."]
    if choices:
        parts.append(t("say_choices", lang, n=spoken_number(len(choices), lang)))
        for i, c in enumerate(choices[:9], start=1):
            parts.append(choice_words(i, c, lang))
    if help_key:
        parts.append(t("say_help_key", lang))
    if back:
        parts.append(t("say_back", lang))
    return " ".join(parts)


def choice_words(n: int, choice: Choice, lang: str) -> str:
    name = choice.name if choice.open else t("say_closed", lang, name=choice.name).rstrip(".")
    number = spoken_number(n, lang)
    return t("say_choice", lang, n=number[:1].upper() + number[1:], name=name)


class Guide:
    """Voice guidance, the keypad's selection and the large-text mode of one kiosk."""

    def __init__(self, speak: Speak, changed: Callable[[], None]) -> None:
        self.speak = speak
        self.changed = changed
        self.voice = False  # "Bantuan suara" is on
        self.large = False  # large text, high contrast
        self.selected: tuple[str, str] | None = None  # (screen, code) heard or keyed last
        self.spoken: list[str] = []  # what was said, newest last (tests and the log)
        self._screen = ""

    def say(self, text: str) -> None:
        self.spoken.append(text)
        del self.spoken[:-50]
        log.debug("saying %r", text)
        self.speak(text)

    def toggle_voice(self, lang: str, screen_text: str) -> None:
        self.voice = not self.voice
        self.selected = None
        if self.voice:
            self.say(t("voice_on", lang) + " " + screen_text)
        else:
            self.say(t("voice_off", lang))
        self.changed()

    def toggle_large(self) -> None:
        self.large = not self.large
        self.changed()

    def screen_shown(self, screen: str, text: str) -> None:
        """The kiosk shows `screen` (told on every change): read it when it is new."""
        if screen == self._screen:
            return
        self._screen = screen
        self.selected = None
        if self.voice and text:
            self.say(text)

    def touch(self, screen: str, n: int, choice: Choice, lang: str) -> bool:
        """A touch on a tile: True when it is to be chosen now (voice off, or the second
        touch on the same tile); the first touch with the voice on only says its name."""
        if not self.voice:
            return choice.open
        return self.pick(screen, n, choice, lang)

    def pick(self, screen: str, n: int, choice: Choice, lang: str) -> bool:
        """Select the n-th choice (1-based) and say it; True if it was selected already."""
        key = (screen, choice.code)
        if self.selected == key:
            return choice.open
        self.selected = key
        if self.voice:
            self.say(choice_words(n, choice, lang))
        self.changed()
        return False

    def chosen(self, screen: str, choices: list[Choice]) -> Choice | None:
        """Enter: the selected choice of this screen, if it can be chosen."""
        if self.selected is None or self.selected[0] != screen:
            return None
        found = next((c for c in choices if c.code == self.selected[1]), None)
        return found if found is not None and found.open else None
