"""The Kivy app: loads the .kv, mirrors the controller into properties, forwards touches.

Imported only from `kiosk.app.main` after the environment for Kivy is set.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, Screen

from kiosk import screens
from kiosk.asking import shown
from kiosk.controller import KioskController
from kiosk.texts import t
from kiosk.view import done_lines, keypad_keys, name_of, phone_keys, ticket_mark
from shared.timeutil import format_date, format_time

log = logging.getLogger(__name__)
KV = Path(__file__).with_name("layout.kv")
LARGE = 1.25  # the large-text mode's scale
LONG_PRESS = 2.0  # seconds held still: voice guidance on or off
# SDL keycodes of a numeric keypad: 0-9, *, + (Enter is 271, taken with 13 below)
KEYPAD = {256 + i: str(i) for i in range(10)} | {268: "*", 270: "+"}


class KioskApp(App):
    """One window; screens switch by the controller's `screen`."""

    u = NumericProperty(8.0)  # 1/100 of the short side: every size in the .kv uses it
    portrait = BooleanProperty(False)
    # every citizen: voice guidance on, large text (high contrast), the tile heard or keyed
    voice = BooleanProperty(False)
    large = BooleanProperty(False)
    selected = StringProperty("")
    lang = StringProperty("id")
    site_name = StringProperty("")
    time_text = StringProperty("")
    date_text = StringProperty("")
    lang_button_text = StringProperty("English")
    problem_text = StringProperty("")
    agency_name = StringProperty("")
    service_name = StringProperty("")
    ticket_code = StringProperty("")
    ticket_service = StringProperty("")
    ticket_mark = StringProperty("")
    ticket_ahead = StringProperty("")
    ticket_wait = StringProperty("")
    notice_text = StringProperty("")
    message_text = StringProperty("")
    message_hint = StringProperty("")
    booking_code = StringProperty("")
    phone_typed = StringProperty("")
    phone_invalid = BooleanProperty(False)

    def __init__(self, controller: KioskController | None, fatal: str = "", **kwargs: Any):
        super().__init__(**kwargs)
        self.controller = controller
        self.fatal = fatal  # a config file we could not read: shown, nothing else runs
        self.title = "Antrian MPP - Kios"
        self.screens: dict[str, Screen] = {}
        self._refresh_trigger = Clock.create_trigger(lambda dt: self.refresh(), -1)

    def t(self, key: str, lang: str) -> str:
        """For the .kv: a text in `lang` (passing app.lang makes the binding follow it)."""
        return t(key, lang)

    def build(self) -> Any:
        Builder.unload_file(str(KV))  # a second app in one process (tests) loads it again
        Builder.load_file(str(KV))
        root = screens.KioskRoot()
        sm = root.ids.sm
        sm.transition = NoTransition()
        for screen in (
            screens.HomeScreen(), screens.ServicesScreen(), screens.PriorityScreen(),
            screens.GroupScreen(name="group"),
            screens.CheckInScreen(), screens.PhoneScreen(), screens.PrintingScreen(),
            screens.DoneScreen(name="done"),
            screens.NoticeScreen(), screens.MessageScreen(name="connecting"),
            screens.MessageScreen(name="config_error"),
        ):  # fmt: skip
            sm.add_widget(screen)
            self.screens[screen.name] = screen
        self._sm = sm
        Window.bind(size=self._resized, on_touch_down=self._any_touch)
        Window.bind(on_touch_up=self._touch_up)
        Window.bind(on_key_down=self._key_down)
        self._resized(Window, Window.size)
        self._clock()
        Clock.schedule_interval(self._clock, 1.0)
        if self.controller is not None:
            self.controller.on_change(self._refresh_trigger)
            Clock.schedule_interval(lambda dt: self._tick(), 0.5)
            self._tick()
        self.refresh()
        return root

    # -- from the window ---------------------------------------------------------

    def _resized(self, _window: Any, size: tuple[int, int]) -> None:
        width, height = size
        self.portrait = height > width
        # Large text: in portrait everything a quarter bigger; in landscape the tiles have
        # no height to spare (a bigger header left them smaller), so there the mode is the
        # contrast and the names without small print, which already fit larger.
        big = self.large and self.portrait
        self.u = min(width, height) / 100.0 * (LARGE if big else 1.0)
        self._refresh_trigger()

    def _touch_up(self, _window: Any, touch: Any) -> None:
        """A long press anywhere turns voice guidance on or off (for who cannot find the
        button): held still for LONG_PRESS seconds."""
        held = Clock.get_boottime() - float(getattr(touch, "time_start", 0.0) or 0.0)
        moved = abs(touch.ox - touch.x) + abs(touch.oy - touch.y)
        if self.controller is not None and held >= LONG_PRESS and moved < 30:
            self.controller.toggle_voice()

    def _any_touch(self, _window: Any, touch: Any) -> None:
        if self.controller is not None:
            self.controller.touched()
            screen = self.controller.screen
            if screen == "done" and self._on_help_ticket(touch):
                return  # "petugas menghampiri": the tile acts, the ticket stays on screen
            if screen in ("done", "notice"):
                self.controller.touch_result()

    def _on_help_ticket(self, touch: Any) -> bool:
        tile = self.screens["done"].ids.help_ticket
        return bool(tile.collide_point(*tile.to_widget(touch.x, touch.y)))

    def ask_help_here(self) -> None:
        """The done screen's "Butuh bantuan? Petugas akan menghampiri Anda"."""
        if self.controller is not None:
            self.controller.ask_help()

    def _key_down(
        self, _window: Any, key: int, _scancode: int, text: str | None, _mods: list[str]
    ) -> bool:
        """A USB barcode scanner types like a keyboard, ending with Enter: the window gets
        the keys whether or not anything has focus (no text field on the kiosk)."""
        ctl = self.controller
        if ctl is None:
            return False
        # A USB numeric keypad drives the kiosk (kiosk/guide.py): its keys by code, so
        # they work with Num Lock off too. The number row is not the keypad: a barcode
        # scanner types a booking code's digits there ("33" would choose tile 3 twice).
        pad = KEYPAD.get(key, "")
        if pad and ctl.screen != "checkin":
            return ctl.keypad(pad)
        if key in (13, 271):  # Enter, keypad Enter: a scanned code, or the keypad's choice
            if not ctl.enter_key():
                ctl.enter()
            return True
        if key == 8 and ctl.screen in ("checkin", "phone"):  # Backspace
            ctl.key("back")
            return True
        if text and len(text) == 1 and text.isprintable():
            ctl.typed(text)
            return True
        return False

    def press_key(self, key: str) -> None:
        if self.controller:
            self.controller.key(key)

    def _tick(self) -> None:
        assert self.controller is not None
        self.controller.tick()

    def _clock(self, *_: Any) -> None:
        ctl = self.controller
        now = ctl.now() if ctl else None
        if now is None:
            return
        self.time_text = format_time(now, self.lang)
        self.date_text = format_date(now, self.lang)

    # -- to the controller ---------------------------------------------------------

    def toggle_language(self) -> None:
        if self.controller:
            self.controller.toggle_language()

    def back(self) -> None:
        if self.controller:
            self.controller.back()

    def choose_priority(self, priority: bool) -> None:
        if self.controller:
            self.controller.touch("priority" if priority else "regular")

    def toggle_voice(self) -> None:
        if self.controller:
            self.controller.toggle_voice()

    def toggle_large(self) -> None:
        if self.controller:
            self.controller.toggle_large()

    # -- from the controller -------------------------------------------------------

    def refresh(self) -> None:
        """Copy the controller's state into properties and widgets."""
        ctl = self.controller
        if ctl is None:
            self.message_text = "Konfigurasi kios salah. Silakan hubungi petugas."
            self.message_hint = self.fatal
            self._sm.current = "config_error"
            return
        self.lang = ctl.lang
        self.lang_button_text = t("language", ctl.lang)
        self.voice, self.selected = ctl.guide.voice, ctl.selected
        if self.large != ctl.guide.large:
            self.large = ctl.guide.large
            self._resized(Window, Window.size)
        self.site_name = ctl.services.site if ctl.services else ctl.config.site.name
        self.problem_text = ctl.problem_text()
        agency, svc = ctl.nav.agency, ctl.service
        self.agency_name = name_of(agency, ctl.lang) if agency else ""
        self.service_name = name_of(svc, ctl.lang) if svc else ""
        if ctl.ticket is not None:
            self.ticket_code = ctl.ticket.code
            self.ticket_service = ctl.ticket_names()
            self.ticket_mark = ticket_mark(ctl.ticket, ctl.lang)
            self.ticket_ahead, self.ticket_wait = done_lines(ctl.ticket, ctl.lang)
        self.notice_text = ctl.notice_message()
        self.booking_code = ctl.checkin.code
        self.phone_typed = shown(ctl.asking.phone)
        self.phone_invalid = ctl.asking.invalid
        if ctl.screen == "config_error":
            problem = ctl.config_problem or "no_printer"
            self.message_text = ctl.text(problem)
            self.message_hint = ctl.text(f"{problem}_tech")
        else:
            self.message_text = ctl.text("connecting")
            url = ctl.link.server_url or ctl.text("searching_server")
            self.message_hint = ctl.text("server_tech", url=url)
        self._clock()
        if ctl.screen == "home":
            home: Any = self.screens["home"]
            home.show(ctl.home_tiles(), ctl.touch, ctl.selected)
        elif ctl.screen == "services":
            services: Any = self.screens["services"]
            services.show(ctl.service_rows(), ctl.touch, ctl.selected)
        elif ctl.screen == "group":
            group: Any = self.screens["group"]
            group.show(ctl.group_tiles(), ctl.touch, ctl.selected)
        elif ctl.screen == "checkin":
            checkin: Any = self.screens["checkin"]
            labels = {"back": "⌫ " + ctl.text("key_delete"), "ok": "OK"}
            checkin.show(keypad_keys(), labels, self.press_key)
        elif ctl.screen == "phone":
            phone: Any = self.screens["phone"]
            labels = {"back": "⌫", "ok": ctl.text("phone_send")}
            phone.show(phone_keys(), labels, self.press_key)
        self._sm.current = ctl.screen
