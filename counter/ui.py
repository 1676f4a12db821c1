"""The Kivy side of the counter terminal: screens, keys, and the clock hop from threads."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import NoTransition, ScreenManager

from counter.complaint import ComplaintForm, follow_up_link
from counter.controller import CounterController
from counter.navigation import Navigator
from counter.screens import (
    ComplaintDialog,
    ComplaintFiledDialog,
    LoginScreen,
    MainScreen,
    RequeueDialog,
    TransferDialog,
    qr_texture,
)
from counter.texts import TEXTS
from counter.view import CounterView
from shared.client import ServerLocator, Worker
from shared.config import Config
from shared.i18n import TERMS, tr

log = logging.getLogger(__name__)

KV = Path(__file__).with_name("layout.kv")
# How often the controller's clock ticks; its retries keep their own intervals (link.py).
TICK_SECONDS = 1.0


def _without_cut_buffer() -> None:
    """Load Kivy's clipboard without its CRITICAL traceback for a missing xclip/xsel.

    TextInput loads it for the X "cut buffer" (middle-click paste of a selection), which
    Kivy finds only through xclip or xsel; a counter terminal needs neither, and copy and
    paste still work through SDL's clipboard.
    """
    kivy_log = logging.getLogger("kivy")

    def no_cut_buffer(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Cutbuffer: Unable to find")

    kivy_log.addFilter(no_cut_buffer)
    try:
        from kivy.core.clipboard import CutBuffer
    finally:
        kivy_log.removeFilter(no_cut_buffer)
    if CutBuffer is None:
        log.info("no xclip or xsel: middle-click paste is off (copy and paste work)")


class CounterApp(App):
    """Wires the controller, the sign and the call buttons to the screens."""

    title = "Antrian MPP - Loket"

    def __init__(
        self,
        config: Config,
        *,
        server_url: str | None,
        counter_code: str = "",
        counter_fixed: bool = False,
        screenshots: Path | None = None,
        fullscreen: bool = False,
        lang: str = "id",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.site = config
        self.server_url = server_url
        self.counter_code = counter_code  # preselected at login
        self.counter_fixed = counter_fixed and bool(counter_code)  # and not to be changed
        self.screenshots = screenshots
        self.fullscreen = fullscreen
        self.lang = lang
        self.exit_code = 0
        self.dialog: ModalView | None = None
        self.sign: Any = None
        self.buttons: Any = None
        self.nav = Navigator()
        self._ticker: Any = None
        self.tour: Any = None

    # -- building -----------------------------------------------------------------

    def texts(self) -> dict[str, str]:
        keys = set(TERMS) | set(TEXTS)
        return {k: tr(k, self.lang, TEXTS) for k in keys}

    def build(self) -> ScreenManager:
        _without_cut_buffer()
        Builder.unload_file(str(KV))  # a second app in one process (tests) loads it again
        Builder.load_file(str(KV))
        if self.fullscreen:
            Window.fullscreen = "auto"
        texts = self.texts()
        self.login_screen = LoginScreen(name="login", handler=self, texts=texts)
        self.main_screen = MainScreen(name="main", handler=self, texts=texts)
        ls = self.login_screen
        ls.site_name = self.site.site.name
        agencies = {a.code: a.name for a in self.site.agencies}
        # The config's counters until the server's are read (the same, unless it changed).
        ls.counters = [
            f"{c.code} - {c.name} ({agencies.get(c.agency, c.agency)})" for c in self.site.counters
        ]
        ls.preselect(self.counter_code)
        ls.counter_fixed = self.counter_fixed
        ls.ids.username.text = self.site.counter.username
        self.manager = ScreenManager(transition=NoTransition())
        self.manager.add_widget(ls)
        self.manager.add_widget(self.main_screen)

        self.worker = Worker("counter-net")
        self.sign = self._open_sign()
        locator = ServerLocator(self.server_url, self.site.client.site or None)
        self.controller = CounterController(
            locator,
            self.worker,
            self.post,
            tz=self.site.site.tz,
            lang=self.lang,
            sign=self.sign,
            on_change=self.show,
        )
        self.buttons = self._open_buttons()
        if not self.counter_fixed:
            self.controller.load_counters()
        Window.bind(on_key_down=self._on_key_down)
        self._ticker = Clock.schedule_interval(
            lambda _dt: self.controller.tick(time.monotonic()), TICK_SECONDS
        )
        Clock.schedule_once(lambda _dt: ls.focus_first(), 0.2)
        if self.screenshots is not None:
            from counter.shots import ScreenshotTour

            # Kept on the app: the Clock only holds a weak reference to the tour's method.
            self.tour = ScreenshotTour(self, self.screenshots)
            self.tour.start()
        return self.manager

    def _open_sign(self) -> Any:
        if not self.site.sign.url:
            return None
        from hardware import CounterSign  # only when configured: keeps start-up light

        sign = CounterSign(self.site.sign)
        sign.start()
        return sign

    def _open_buttons(self) -> Any:
        if not self.site.buttons.url:
            return None
        from hardware import CallButtons

        buttons = CallButtons(self.site.buttons, self.on_button)
        buttons.start()
        return buttons

    # -- from threads and widgets -------------------------------------------------

    def post(self, fn: Callable[[], object]) -> None:
        """Run `fn` on the UI thread (Clock.schedule_once is safe from any thread)."""
        Clock.schedule_once(lambda _dt: fn(), 0)

    def on_button(self, action: str) -> None:
        """A press on the serial keypad (the reader's thread)."""
        self.post(lambda: self.controller.button(action))

    def show(self, view: CounterView) -> None:
        ls = self.login_screen
        ls.busy, ls.error = view.login_busy, view.login_error
        if view.counters and view.counters != ls.counters and not ls.counter_fixed:
            chosen = ls.chosen_code() or self.counter_code
            ls.counters = view.counters
            ls.counter_text = ""
            ls.preselect(chosen)
        moves = self.nav.show(view, self._dialog_action if self.dialog is not None else "")
        if moves.retry_pin:
            ls.clear_pin()  # a failed attempt: type the PIN again
            Clock.schedule_once(lambda _dt: setattr(ls.ids.pin, "focus", True), 0)
        if moves.close_dialog:
            self.close_dialog()
        if moves.screen:
            if view.logged_in:  # the login fields must not keep the keyboard
                ls.ids.username.focus = ls.ids.pin.focus = False
            self.manager.current = moves.screen
            if not view.logged_in:
                ls.clear_pin()
                Clock.schedule_once(lambda _dt: ls.focus_first(), 0)
        if view.logged_in:
            self.main_screen.apply(view)

    def login(self, username: str, pin: str, counter: str) -> None:
        self.controller.login(username, pin, counter)

    def logout(self) -> None:
        self.controller.logout()

    def take_help(self) -> None:
        """ "Saya tangani": this officer goes to the visitor; every counter's notice ends."""
        self.controller.take_help()

    def press(self, action: str) -> None:
        """A button or F-key: dialogs for requeue and transfer, else straight to the server."""
        if self.dialog is not None or not self.controller.allowed(action):
            return
        texts = self.texts()
        if action == "requeue":
            self._open_dialog(
                "requeue",
                RequeueDialog(texts=texts, when_chosen=lambda code: self._act("requeue", code)),
            )
        elif action == "transfer":
            state = self.controller.state
            code = state.ticket.code if state and state.ticket else ""
            self._open_dialog(
                "transfer",
                TransferDialog(
                    texts=texts,
                    title=tr("transfer_title", self.lang, TEXTS, code=code),
                    search=self.controller.transfer_choices,
                    when_chosen=lambda svc: self._act("transfer", svc),
                ),
            )
        elif action == "complain":
            self.open_complaint()
        else:
            self.controller.act(action)

    def open_complaint(self) -> None:
        """The visitor at the counter complains: a form linked to their ticket."""
        ticket = self.controller.complaint_ticket()
        if ticket is None or self.dialog is not None:
            return
        form = ComplaintForm.for_ticket(ticket)
        title = tr(
            "complaint_title", self.lang, TEXTS, code=form.ticket_code, service=form.service_name
        )
        dialog = ComplaintDialog(texts=self.texts(), title=title)

        def shown() -> None:
            if form.created is None:
                dialog.show(form)
                return
            if self.dialog is dialog:  # the form gives way to what the visitor takes away
                self.close_dialog()
            link = follow_up_link(self.public_url(), form.created.token)
            filed = ComplaintFiledDialog(
                texts=self.texts(),
                title=title,
                reference=form.created.reference,
                link=link,
                qr=qr_texture(link),
            )
            self._open_dialog("complain", filed)

        def send(text: str, contact: str) -> None:
            if self.controller.complain(form, text, contact, shown):
                dialog.show(form)

        dialog.when_sent = send
        self._open_dialog("complain", dialog)

    def public_url(self) -> str:
        """Where the visitor's phone reaches the follow-up page: the site's public address,
        else this server's."""
        client = self.controller.client
        return self.site.server.public_url or (client.base_url if client else "")

    def _act(self, action: str, argument: str) -> None:
        self.dialog = None
        self.controller.act(action, argument)

    _dialog_action = ""

    def _open_dialog(self, action: str, dialog: ModalView) -> None:
        self.dialog, self._dialog_action = dialog, action
        dialog.bind(on_dismiss=lambda *_: self._dialog_gone(dialog))
        dialog.open()

    def _dialog_gone(self, dialog: ModalView) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def close_dialog(self) -> None:
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.dismiss(animation=False)

    def _on_key_down(
        self, _window: Any, key: int, _scancode: int, _codepoint: str | None, _mods: list[str]
    ) -> bool:
        action = self.nav.f_key(key, dialog_open=self.dialog is not None)
        if not action:
            return False
        self.press(action)
        return True  # an F-key never reaches a text field

    # -- ending ------------------------------------------------------------------

    def on_stop(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        """Stop threads and devices; safe to call twice (and before build)."""
        if not hasattr(self, "controller"):
            return
        Window.unbind(on_key_down=self._on_key_down)
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        self.close_dialog()
        self.controller.close()
        self.worker.stop()
        if self.controller.client is not None:
            self.controller.client.close()
        for device in (self.buttons, self.sign):
            if device is not None:
                device.stop()
        self.buttons = self.sign = None
