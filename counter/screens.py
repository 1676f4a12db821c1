"""The counter terminal's screens and dialogs: Kivy properties in, events out to the app.

Layout lives in layout.kv; these classes only hold what the layout binds to and
forward presses to `handler` (the app), which passes them to the controller.
"""

from __future__ import annotations

from typing import Any

import qrcode
from kivy.graphics.texture import Texture
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from counter.complaint import ComplaintForm
from counter.view import CounterView

# Colours (RGBA): one place, so screens stay consistent.
KIND_COLORS = {
    "info": (0.16, 0.21, 0.27, 1),
    "ok": (0.11, 0.45, 0.18, 1),
    "warn": (0.72, 0.38, 0.0, 1),
    "error": (0.75, 0.11, 0.11, 1),
}

CONNECTION_LOOK = {  # state -> (dot colour, text key)
    "connected": ("66ff88", "online"),
    "connecting": ("ffd54f", "connecting_short"),
    "down": ("ff5252", "offline"),
}


class FKeyButton(Button):
    """A big action button that shows its keyboard shortcut."""

    action = StringProperty("")
    fkey = StringProperty("")
    label = StringProperty("")
    tint = ListProperty([0.2, 0.4, 0.7, 1])


class WaitingRow(BoxLayout):
    """One line of the waiting counts: service name, number waiting."""

    name = StringProperty("")
    count = NumericProperty(0)


class ServiceChoice(Button):
    """One service in the transfer list."""

    code = StringProperty("")
    dialog = ObjectProperty(None, allownone=True)


class LoginScreen(Screen):
    handler = ObjectProperty(None, allownone=True)
    site_name = StringProperty("")
    counters = ListProperty([])  # "L01 - Loket 1 (DPMPTSP)"
    counter_fixed = BooleanProperty(False)
    counter_text = StringProperty("")
    error = StringProperty("")
    busy = BooleanProperty(False)
    texts = DictProperty({})

    def chosen_code(self) -> str:
        return self.counter_text.split(" ", 1)[0] if self.counter_text else ""

    def preselect(self, code: str) -> None:
        """Choose the counter `code` in the list (nothing when it is not there)."""
        if code:
            self.counter_text = next((t for t in self.counters if self.code_of(t) == code), "")

    @staticmethod
    def code_of(label: str) -> str:
        return label.split(" ", 1)[0]

    def submit(self) -> None:
        if self.handler is not None:
            ids = self.ids
            self.handler.login(ids.username.text, ids.pin.text, self.chosen_code())

    def clear_pin(self) -> None:
        self.ids.pin.text = ""

    def focus_first(self) -> None:
        target = self.ids.pin if self.ids.username.text else self.ids.username
        target.focus = True


class MainScreen(Screen):
    handler = ObjectProperty(None, allownone=True)
    texts = DictProperty({})
    title = StringProperty("")
    officer = StringProperty("")
    connection = StringProperty("connecting")
    connection_text = StringProperty("")  # a coloured dot and a word
    banner = StringProperty("")
    help_notice = StringProperty("")  # a visitor asked for help at a kiosk
    priority_group = StringProperty("")  # who the current priority ticket is for
    code = StringProperty("")
    ticket_state = StringProperty("")
    service_name = StringProperty("")
    priority = BooleanProperty(False)
    times = StringProperty("")
    waiting = ListProperty([])  # [(name, count)]
    waiting_total = NumericProperty(0)
    served_today = NumericProperty(0)
    paused = BooleanProperty(False)
    allowed = ListProperty([])  # the actions whose buttons are enabled
    busy = StringProperty("")
    message = StringProperty("")
    message_color = ListProperty(list(KIND_COLORS["info"]))

    def apply(self, v: CounterView) -> None:
        self.title, self.officer, self.connection = v.title, v.officer, v.connection
        dot, word = CONNECTION_LOOK.get(v.connection, CONNECTION_LOOK["down"])
        self.connection_text = f"[color={dot}]\u25cf[/color] {self.texts.get(word, '')}"
        self.banner, self.code, self.ticket_state = v.banner, v.code, v.ticket_state
        self.service_name, self.priority, self.times = v.service_name, v.priority, v.times
        self.waiting = [(r.name, r.waiting) for r in v.waiting]
        self.waiting_total, self.served_today = v.waiting_total, v.served_today
        self.paused, self.busy = v.paused, v.busy
        self.allowed = sorted(a for a, ok in v.enabled.items() if ok)
        self.message = v.message
        self.help_notice, self.priority_group = v.help_notice, v.priority_group
        self.message_color = list(KIND_COLORS.get(v.message_kind, KIND_COLORS["info"]))

    def press(self, action: str) -> None:
        if self.handler is not None:
            self.handler.press(action)

    def on_waiting(self, _screen: MainScreen, rows: list[tuple[str, int]]) -> None:
        box = self.ids.waiting_rows
        box.clear_widgets()
        for name, count in rows:
            box.add_widget(WaitingRow(name=name, count=count))


class RequeueDialog(ModalView):
    """Asks for the late visitor's ticket code."""

    texts = DictProperty({})
    when_chosen: Any = ObjectProperty(None, allownone=True)

    def confirm(self) -> None:
        code = self.ids.code.text.strip()
        if code and self.when_chosen is not None:
            self.dismiss()
            self.when_chosen(code)


class TransferDialog(ModalView):
    """A searchable list of services to send the current ticket to."""

    texts = DictProperty({})
    title = StringProperty("")
    choices = ListProperty([])  # [(service code, label)] after filtering
    search = ObjectProperty(None, allownone=True)  # query -> [(code, label)]
    when_chosen: Any = ObjectProperty(None, allownone=True)

    def refilter(self, query: str) -> None:
        if self.search is not None:
            self.choices = self.search(query)[:40]

    def choose(self, code: str) -> None:
        if self.when_chosen is not None:
            self.dismiss()
            self.when_chosen(code)

    def on_choices(self, _dialog: TransferDialog, choices: list[tuple[str, str]]) -> None:
        box = self.ids.list_box
        box.clear_widgets()
        for i, (code, label) in enumerate(choices):
            item = ServiceChoice(code=code, text=label, dialog=self)
            if i == 0:  # Enter picks this one: make that visible
                item.text = f"{label}   (Enter)"
                item.background_normal = ""
                item.background_color = (0.05, 0.28, 0.63, 1)
            box.add_widget(item)

    def choose_first(self) -> None:
        if self.choices:
            self.choose(self.choices[0][0])


class ComplaintDialog(ModalView):
    """The visitor's complaint, typed by the officer: the text and an optional contact."""

    texts = DictProperty({})
    title = StringProperty("")
    busy = BooleanProperty(False)
    text_error = StringProperty("")
    contact_error = StringProperty("")
    error = StringProperty("")
    when_sent: Any = ObjectProperty(None, allownone=True)  # (text, contact) -> None

    def send(self) -> None:
        if self.when_sent is not None and not self.busy:
            self.when_sent(self.ids.text.text, self.ids.contact.text)

    def show(self, form: ComplaintForm) -> None:
        """The form as the server last answered: refusals beside their fields (what was
        typed stays)."""
        self.busy = form.busy
        self.error = form.error
        self.text_error = form.errors.get("text", "")
        self.contact_error = form.errors.get("contact", "")


class ComplaintFiledDialog(ModalView):
    """Filed: the reference to give the visitor and the follow-up link, with its QR code
    for the visitor's phone to scan off the screen."""

    texts = DictProperty({})
    title = StringProperty("")
    reference = StringProperty("")
    link = StringProperty("")
    qr = ObjectProperty(None, allownone=True)  # the link's QR code (a Kivy texture)


def qr_texture(text: str) -> Texture:
    """A QR code of `text` as a texture, drawn with square pixels."""
    image = qrcode.make(text, border=2).get_image().convert("RGB")
    texture = Texture.create(size=image.size, colorfmt="rgb")
    texture.blit_buffer(image.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    texture.flip_vertical()
    texture.mag_filter = "nearest"
    return texture
