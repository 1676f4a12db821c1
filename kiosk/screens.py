"""The kiosk's widgets: they show what the app hands them and forward touches. No logic here."""

from __future__ import annotations

import re
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

MIN_FONT = 14
_MARKUP = re.compile(r"\[/?[a-z]+[^\]]*\]")


def _widest_word(text: str, font_name: str, size: float, bold: bool) -> float:
    """Width of the longest word: wrapping must never split a word in two."""
    main = _MARKUP.sub("", text.split("[size", 1)[0])  # sized parts keep their own size
    words = main.split()
    if not words:
        return 0.0
    core = CoreLabel(font_name=font_name, font_size=size, bold=bold)
    return max(float(core.get_extents(word)[0]) for word in words)


class FitMixin:
    """Shrinks the font from `max_font` until the wrapped text fits the widget: never cut off.

    Widgets sharing a `FitGroup` then all take the smallest of their sizes: one size per
    screen, so a long name does not stand out by being smaller than its neighbours.
    """

    max_font = NumericProperty(0)
    fit_group: FitGroup | None = None
    fitted = 0.0  # the largest size at which this one alone fits

    def _init_fit(self) -> None:
        self._fit_trigger = Clock.create_trigger(self._fit, -1)
        for name in ("text", "size", "max_font", "text_size"):
            self.fbind(name, self._fit_trigger)  # type: ignore[attr-defined]

    def _fit(self, *_: Any) -> None:
        widget: Any = self
        if not widget.max_font or widget.width < 10 or widget.height < 10:
            return
        size = float(widget.max_font)
        pad_x = widget.padding[0] + widget.padding[2]
        while True:
            widget.font_size = size
            widget.texture_update()
            tw, th = widget.texture_size  # padding included
            room = (widget.text_size[0] or widget.width) - pad_x
            word = _widest_word(widget.text, widget.font_name, size, widget.bold)
            fits = tw <= widget.width + 1 and th <= widget.height + 1 and word <= room
            if fits or size <= MIN_FONT:
                break
            size = max(MIN_FONT, size * 0.92)
        self.fitted = size
        if self.fit_group is not None:
            self.fit_group.even()


class FitGroup:
    """Widgets that show one font size: the smallest that fits each of them."""

    def __init__(self) -> None:
        self.members: list[Any] = []

    def add(self, widget: Any) -> None:
        widget.fit_group = self
        self.members.append(widget)

    def even(self) -> None:
        sizes = [m.fitted for m in self.members if m.fitted]
        if not sizes:
            return
        size = min(sizes)
        for m in self.members:
            if m.font_size != size:
                m.font_size = size  # smaller than its own fit: it still fits

    def size(self) -> float:
        return min((m.font_size for m in self.members), default=0.0)


class FitLabel(FitMixin, Label):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_fit()


class Tile(FitMixin, Button):
    """A big coloured touch target; `bg` is its colour, `enabled_look` greys it out."""

    bg = ListProperty([0.08, 0.4, 0.75, 1])
    enabled_look = BooleanProperty(True)
    code = StringProperty("")
    selected = BooleanProperty(False)  # heard by voice guidance or keyed on the keypad

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_fit()
        self.bind(width=self._wrap)
        self._wrap()

    def _wrap(self, *_: Any) -> None:
        u = _unit()
        self.text_size = (max(10, self.width - u * 3), None)


def _unit() -> float:
    app = App.get_running_app()
    return float(getattr(app, "u", 8.0)) if app else 8.0


class KioskRoot(BoxLayout):
    pass


def _select(container: Any, code: str) -> None:
    for child in container.children:
        if isinstance(child, Tile):
            child.selected = bool(code) and child.code == code


class _TileGrid:
    """A screen of tiles in its `grid`: the first screen's agencies, the priority groups."""

    _shown: Any = None
    fit_group: FitGroup | None = None

    def show(self, tiles: list[dict[str, Any]], on_tile: Any, selected: str = "") -> None:
        # rebuild only on a change: a finger resting on a tile keeps its tile
        key = (tiles, _unit())
        if key == self._shown:
            _select(self.ids.grid, selected)  # type: ignore[attr-defined]
            return
        self._shown = key
        grid = self.ids.grid  # type: ignore[attr-defined]
        grid.clear_widgets()
        u = _unit()
        self.fit_group = group = FitGroup()
        for row in tiles:
            text = row["text"]
            if row["note"]:
                text += f"\n[size={int(u * 3.2)}]{row['note']}[/size]"
            tile = Tile(text=text, bg=row["bg"], color=row["fg"], code=row["code"],
                        enabled_look=not row["faded"], max_font=u * 5.2)  # fmt: skip
            group.add(tile)
            tile.bind(on_release=lambda w: on_tile(w.code))
            grid.add_widget(tile)
        _select(grid, selected)


class HomeScreen(_TileGrid, Screen):
    pass


class GroupScreen(_TileGrid, Screen):
    """Who the priority is for: one tile per group of the site (its own rule in the .kv;
    a subclass of HomeScreen would take the home's layout too)."""


class ServicesScreen(Screen):
    _shown: Any = None
    fit_group: FitGroup | None = None

    def show(self, rows: list[dict[str, Any]], on_row: Any, selected: str = "") -> None:
        key = (rows, _unit())
        if key == self._shown:
            _select(self.ids.rows, selected)
            return
        self._shown = key
        box = self.ids.rows
        box.clear_widgets()
        u = _unit()
        self.fit_group = group = FitGroup()
        for row in rows:
            text = f"{row['text']}\n[size={int(u * 3.4)}]{row['detail']}[/size]"
            tile = Tile(text=text, bg=row["bg"], color=row["fg"], code=row["code"],
                        enabled_look=not row["faded"], max_font=u * 5)  # fmt: skip
            group.add(tile)
            tile.bind(on_release=lambda w: on_row(w.code))
            box.add_widget(tile)
        # few services: keep rows a comfortable height instead of stretching to the floor
        for _ in range(max(0, 3 - len(rows))):
            box.add_widget(Label())
        _select(box, selected)


class PriorityScreen(Screen):
    pass


class PrintingScreen(Screen):
    pass


class DoneScreen(Screen):
    pass


class NoticeScreen(Screen):
    pass


class MessageScreen(Screen):
    pass


class PadScreen(Screen):
    """A screen with an on-screen keypad (its `keypad` grid), built from the keys given."""

    _shown: Any = None

    def show(self, keys: list[str], labels: dict[str, str], on_key: Any) -> None:
        key = (keys, tuple(labels.items()), _unit())
        if key == self._shown:
            return
        self._shown = key
        pad = self.ids.keypad
        pad.clear_widgets()
        u = _unit()
        for name in keys:
            special = name in labels
            tile = Tile(
                text=labels.get(name, name),
                code=name,
                bg=[0.11, 0.45, 0.18, 1] if name == "ok" else [0.05, 0.19, 0.38, 1],
                color=[1, 1, 1, 1],
                max_font=u * (4.5 if special else 6.5),
            )
            tile.bind(on_release=lambda w: on_key(w.code))
            pad.add_widget(tile)


class CheckInScreen(PadScreen):
    """Antrean online: the code from the scanner (typed, ending with Enter) or the keypad."""


class PhoneScreen(PadScreen):
    """The messages question ("Kirim pesan saat giliran Anda dekat?"): the number pad, skip,
    the number typed. Not a CheckInScreen: a class's .kv rules apply to its subclasses."""
