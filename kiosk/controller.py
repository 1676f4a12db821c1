"""The kiosk's logic, plain Python with no Kivy: what the widgets read, and each touch
handed to the part whose job it is.

- navigation: which screen, language, agency and service; home for the next visitor
- link: the server found, reached again when it goes away, told the kiosk is there
- catalog: the services on the tiles, refreshed, reloaded when the site's setup changes
- printers: the printer's state, checked every so often and reported to the server
- issuing: a ticket taken (retried with its request_id) and printed (cancelled if not)
- check_in: antrean online, a booking checked in from the keypad or a barcode scanner
- asking: a number for "your turn is near" messages, from the number pad (skippable)
- guide: voice guidance, the numeric keypad's choices, large text (every citizen)

Each periodic job is a `periodic.Every`, all driven from `tick`. Every method runs on
the UI thread; network and printer I/O run on the worker (kiosk.ports).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk import view
from kiosk.asking import PhoneAsk
from kiosk.catalog import Catalog
from kiosk.check_in import CheckIn
from kiosk.choosing import Choosing
from kiosk.guide import (
    BACK_KEY,
    ENTER_KEY,
    HELP_KEY,
    VOICE_KEY,
    Choice,
    Guide,
    Speak,
    screen_words,
    ticket_words,
)
from kiosk.issuing import Issuer
from kiosk.link import ServerLink
from kiosk.navigation import Navigation
from kiosk.ports import Client, Locator, Post, Submit, TicketPrinter, Timing, off_ui_thread
from kiosk.printers import PrinterWatch
from kiosk.texts import t
from shared.config import Config
from shared.models import Health, ServiceInfo, ServicesAnswer, Ticket
from shared.timeutil import utcnow

log = logging.getLogger(__name__)
__all__ = ["KioskController", "Timing"]


class KioskController:
    """What the widgets read, and where each touch goes: the parts do the work."""

    def __init__(
        self,
        config: Config,
        locator: Locator,
        make_client: Callable[[str, str | None], Client],
        printer: TicketPrinter | None,
        submit: Submit,
        post: Post,
        clock: Callable[[], float] = time.monotonic,
        timing: Timing | None = None,
        speak: Speak | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        timing = timing or Timing()  # (read by the parts as they are made)
        self.listeners: list[Callable[[], None]] = []
        run = off_ui_thread(submit, post)
        self.nav = nav = Navigation(config.kiosk, timing.touch_grace_seconds, clock, self._changed)
        # (the lambdas read parts made below them: the link comes first, the others use it)
        self.link = link = ServerLink(
            config, locator, make_client, timing, run, clock, nav,
            printer_state=lambda: self.printers.reported, on_connected=self._connected,
        )  # fmt: skip
        self.catalog = Catalog(link, nav, timing, run, clock, paused=lambda: self.issuer.busy)
        self.printers = PrinterWatch(printer, link, timing, run, clock, self._changed)
        self.issuer = Issuer(config, link, self.catalog, self.printers, nav, timing, run)
        self.checkin = CheckIn(self.issuer, link, nav)
        self.asking = PhoneAsk(nav, self.issuer)
        self.choosing = choose = Choosing(
            nav, self.catalog, self.issuer, self.checkin, link, run, self.asking
        )
        # (speak: the app's voice, off the UI thread; without one the words are only kept)
        self.guide = Guide(speak or (lambda _text: None), self._changed)
        # A visitor's touches, handed straight to the part whose job each one is:
        self.touched, self.toggle_language = nav.touched, nav.toggle_language
        self.go_home, self.back, self.touch_result = nav.home, nav.back, nav.touch_result
        self.choose_agency, self.choose_service = choose.agency, choose.service
        self.choose_priority, self.issue = choose.priority, self.issuer.issue
        self.choose_group, self.ask_help = choose.group, choose.help
        self.enter = self.checkin.enter
        # and a few things the screenshot run and the tests do.
        self.connect, self.lost_server = link.connect, link.lost
        self.services_answered, self.printer_status = self.catalog.answered, self.printers.status
        if printer is None or getattr(printer, "kind", "") == "none":
            log.error("no ticket printer is configured: set [printer] kind in the config")
            nav.config_error("no_printer")

    def key(self, key: str) -> None:
        """A key of the on-screen pad: the number asked for messages, or a booking's code."""
        (self.asking.key if self.nav.screen == "phone" else self.checkin.key)(key)

    def typed(self, text: str) -> None:
        """Keys from a USB keypad or a barcode scanner, to the screen that takes them."""
        (self.asking.typed if self.nav.screen == "phone" else self.checkin.typed)(text)

    # -- what the widgets read -------------------------------------------------------

    @property
    def screen(self) -> str:
        return self.nav.screen

    @property
    def lang(self) -> str:
        return self.nav.lang

    @property
    def service(self) -> ServiceInfo | None:
        return self.nav.service

    @property
    def notice(self) -> str:
        return self.nav.notice

    @property
    def config_problem(self) -> str:
        return self.nav.config_problem

    @property
    def client(self) -> Client | None:
        return self.link.client

    @property
    def tz(self) -> ZoneInfo:
        return self.link.tz

    @property
    def services(self) -> ServicesAnswer | None:
        return self.catalog.services

    @property
    def ticket(self) -> Ticket | None:
        return self.issuer.ticket

    @property
    def unprinted(self) -> list[Ticket]:
        return self.issuer.unprinted

    @property
    def problem(self) -> str | None:
        """What stops the kiosk: "server_down", "paper_out", "printer_failed" (or None)."""
        return "server_down" if self.link.down else self.printers.problem

    @property
    def usable(self) -> bool:
        """Tiles take touches: connected, printer not known bad, nothing in flight."""
        return self.issuer.ready

    def text(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def now(self) -> datetime:
        return utcnow().astimezone(self.tz)

    def tiles(self) -> list[view.Row]:
        tiles = view.agency_tiles(self.services, self.lang, self.usable)
        return [*tiles, view.check_in_tile(self.lang, self.usable)] if tiles else tiles

    def rows(self) -> list[view.Row]:
        return view.service_rows(self.nav.agency, self.lang, self.tz, self.now(), self.usable)

    def ticket_names(self) -> str:
        """'Agency · Service' of the last ticket, in the screen's language when known."""
        return view.ticket_names(self.ticket, self.services, self.lang)

    def notice_message(self) -> str:
        return self.text(self.notice, **self.nav.notice_values) if self.notice else ""

    def problem_text(self) -> str:
        return self.text(self.problem) if self.problem else ""

    def group_tiles(self) -> list[view.Row]:
        return self._contrast(view.group_tiles(self.services, self.lang, self.usable))

    def home_tiles(self) -> list[view.Row]:
        """The first screen's tiles: the agencies, check-in, and "Butuh bantuan"."""
        tiles = self.tiles()
        tiles = [*tiles, view.help_tile(self.lang, self.link.up)] if tiles else tiles
        return self._contrast(tiles)

    def service_rows(self) -> list[view.Row]:
        return self._contrast(self.rows())

    def _contrast(self, rows: list[view.Row]) -> list[view.Row]:
        """Large text also means high contrast: yellow on black for what can be chosen."""
        if not self.guide.large:
            return rows
        # and no small print under the names: the name alone, as big as it fits
        return [{**view.high_contrast(r), "note": ""} for r in rows]

    # -- every citizen: voice guidance, the numeric keypad, large text -------------------

    def choices(self) -> list[Choice]:
        """What can be chosen on the screen shown, in the tiles' order (the keypad's 1-9)."""
        screen = self.screen
        if screen == "home":
            rows = self.home_tiles()
            return [
                Choice(r["code"], r["text"], self._agency(r["code"]), r["enabled"]) for r in rows
            ]
        if screen == "services":
            return [
                Choice(r["code"], r["text"], self._service(r["code"]), r["enabled"])
                for r in self.rows()
            ]
        if screen == "priority":
            return [
                Choice("regular", self.text("regular"), lambda: self.choose_priority(False)),
                Choice("priority", self.text("priority_title"), lambda: self.choose_priority(True)),
            ]
        if screen == "group":
            return [
                Choice(r["code"], r["text"], self._group(r["code"]), r["enabled"])
                for r in self.group_tiles()
            ]
        return []

    def _agency(self, code: str) -> Callable[[], None]:
        return lambda: self.choose_agency(code)

    def _service(self, code: str) -> Callable[[], None]:
        return lambda: self.choose_service(code)

    def _group(self, code: str) -> Callable[[], None]:
        return lambda: self.choose_group(code)

    def screen_text(self) -> str:
        """The screen shown, as the voice reads it."""
        screen, lang = self.screen, self.lang
        if screen == "done" and self.ticket is not None:
            return ticket_words(self.ticket, lang)
        if screen == "notice":
            return self.notice_message()
        if screen == "printing":
            return self.text("say_printing")
        agency = self.nav.agency
        titles = {
            "home": f"{self.text('take_number')}. {self.text('choose_agency')}",
            "services": self.text("choose_service")
            + (": " + view.name_of(agency, lang) if agency else ""),
            "priority": self.text("choose_queue"),
            "group": self.text("choose_group"),
            "checkin": self.text("checkin_title"),
        }
        if screen not in titles:
            return ""
        home = screen == "home"
        return screen_words(titles[screen], self.choices(), lang, back=not home, help_key=home)

    def toggle_voice(self) -> None:
        """ "Bantuan suara" (or a long press anywhere, or `*` on the keypad)."""
        self.nav.touched()
        self.guide.toggle_voice(self.lang, self.screen_text())

    def toggle_large(self) -> None:
        """ "Tulisan besar": large text, high contrast."""
        self.nav.touched()
        self.guide.toggle_large()

    def touch(self, code: str) -> None:
        """A tile touched: chosen at once, or with the voice on, said first and chosen on
        the second touch."""
        self.nav.touched()
        choices = self.choices()
        for n, choice in enumerate(choices, start=1):
            if choice.code == code:
                if self.guide.touch(self.screen, n, choice, self.lang):
                    choice.act()
                return

    def keypad(self, key: str) -> bool:
        """A key of a USB numeric keypad: 1-9 name the n-th choice, Enter chooses it, 0
        goes back, * turns the voice on or off; on a result screen any key goes home.
        False when the key means nothing here (it goes on to the check-in keys)."""
        screen = self.screen
        if screen in ("checkin", "printing", "connecting", "config_error"):
            return False
        self.nav.touched()
        if key == VOICE_KEY:
            self.toggle_voice()
            return True
        if key == HELP_KEY and screen in ("home", "done"):
            self.ask_help()  # on the done screen: for the ticket just printed
            return True
        if screen in ("done", "notice"):
            self.nav.home(new_visitor=True)
            return True
        choices = self.choices()
        if key == BACK_KEY:
            if screen != "home":
                self.back()
            return True
        if key == ENTER_KEY:
            choice = self.guide.chosen(screen, choices)
            if choice is None:
                return False
            choice.act()
            return True
        if len(key) == 1 and key.isdigit() and 1 <= int(key) <= len(choices):
            n = int(key)
            if self.guide.pick(screen, n, choices[n - 1], self.lang):
                choices[n - 1].act()
            return True
        return False

    def enter_key(self) -> bool:
        """Enter from a keyboard: a scanner's code (four characters or more) is checked in
        by `enter`; after a keypad's number it chooses. True when the keypad took it."""
        if len(self.checkin.scanned) >= 4 or self.screen == "checkin":
            return False
        self.checkin.scanned = ""
        return self.keypad(ENTER_KEY)

    @property
    def selected(self) -> str:
        """The code of the tile the keypad or the voice selected on this screen ("" none)."""
        sel = self.guide.selected
        return sel[1] if sel is not None and sel[0] == self.screen else ""

    def on_change(self, listener: Callable[[], None]) -> None:
        self.listeners.append(listener)

    def _changed(self) -> None:
        self.guide.screen_shown(self.screen, self.screen_text() if self.guide.voice else "")
        for listener in list(self.listeners):
            listener()

    # -- what runs by itself --------------------------------------------------------------

    def tick(self) -> None:
        """Called about twice a second by the UI: timeouts, reconnects, refreshes."""
        now = self._clock()
        self.nav.tick(now)
        if self.config_problem:
            return
        if not self.link.up:
            self.link.reconnect.tick(now)
            return
        # a ticket in flight has the (one) worker: only the cheap site check queues behind it
        issuing = self.issuer.busy
        if not issuing:
            self.catalog.refresh.tick(now)
            self.printers.check.tick(now)
        self.catalog.site_check.tick(now)
        if not issuing:
            self.link.heartbeat.tick(now)

    def _connected(self, health: Health, services: ServicesAnswer) -> None:
        """(Re)connected: the tiles from the server's answer, the printer asked again."""
        self.catalog.loaded(services, health.site_version)
        self.printers.forget()
