"""The board screen: Kivy properties the .kv binds to, filled from the controller's plain data."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    ListProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from display.controller import AgencyGroup, Call, CounterView, StoppedView, WaitingView
from display.publish import Slide
from display.texts import text
from display.widgets import Panel, equalize, hex_color, ink_on


def counter_status_text(view: CounterView) -> str:
    if view.ticket_code:
        return view.ticket_code
    if view.status == "paused":
        return text("paused")
    if view.status == "closed":
        # Nobody has opened it, yet the kiosks issue tickets for it: "Tutup" told the people
        # holding them that no one would call them.
        return text("not_open_yet") if view.waiting else text("closed")
    return text("idle")


def grid_shape(n: int, width: float, height: float, aspect: float = 2.2) -> tuple[int, int]:
    """Columns and rows so n tiles of about `aspect` (w/h) fill the area best."""
    if n <= 0:
        return 1, 1
    best = (1, n)
    best_size = 0.0
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        w, h = width / cols, height / rows
        size = min(w / aspect, h)  # the tile height we can give at that aspect
        if size > best_size:
            best, best_size = (cols, rows), size
    return best


T = TypeVar("T")
# Stopped services shown at once: more would push the counters off the screen.
MAX_STOPPED_ROWS = 3


def reuse_rows(
    rows: list[T], showing: list[tuple[str, str]], wanted: list[tuple[str, str]]
) -> list[T]:
    """The rows in their new order: a row already showing a wanted line moves to its place,
    the others fill the remaining places in their old order."""
    free: dict[tuple[str, str], list[T]] = {}
    for row, line in zip(rows, showing, strict=True):
        if line != ("", ""):
            free.setdefault(line, []).append(row)
    order: list[T | None] = []
    for i in range(len(rows)):
        same = free.get(wanted[i]) if i < len(wanted) else None
        order.append(same.pop(0) if same else None)
    taken = {id(r) for r in order if r is not None}
    rest = iter([r for r in rows if id(r) not in taken])
    return [r if r is not None else next(rest) for r in order]


class CounterTile(Panel):
    name = StringProperty("")
    agency = StringProperty("")
    code = StringProperty("")
    active = BooleanProperty(False)
    accent = ColorProperty([1, 1, 1, 1])
    u = NumericProperty(1.0)
    # For who cannot hear the call: a called number's tile flashes until the visitor
    # arrives (the officer starts serving); the number itself never dims.
    calling = BooleanProperty(False)
    blink = NumericProperty(0.0)

    def on_calling(self, _tile: CounterTile, calling: bool) -> None:
        Animation.cancel_all(self, "blink")
        if calling:
            anim = Animation(blink=1.0, d=0.5) + Animation(blink=0.15, d=0.5)
            anim.repeat = True
            anim.start(self)
        else:
            self.blink = 0.0


class GroupTile(Panel):
    """One agency: its name, how many wait, and each counter's number."""

    title = StringProperty("")
    waiting = StringProperty("")
    accent = ColorProperty([1, 1, 1, 1])
    ink = ColorProperty([1, 1, 1, 1])
    rows = ListProperty([])  # [(counter name, code, active)]
    u = NumericProperty(1.0)

    def on_rows(self, _inst: Any, rows: list[tuple[str, str, bool]]) -> None:
        made = rows_of(self, self.ids.rows_box, len(rows), GroupRow)
        for row, (name, code, active) in zip(made, rows, strict=True):
            row.name, row.code, row.active = name, code, active


W = TypeVar("W", bound=Widget)


def rows_of(owner: Widget, box: Widget, n: int, make: Callable[[], W]) -> list[W]:
    """`n` rows in `box`, top first, made again only when their number changes; each
    follows the owner's scale `u`."""
    if len(box.children) != n:
        box.clear_widgets()
        for _ in range(n):
            row = make()
            owner.bind(u=row.setter("u"))
            row.u = owner.u
            box.add_widget(row)
    return list(reversed(box.children))


class GroupRow(BoxLayout):
    name = StringProperty("")
    code = StringProperty("")
    active = BooleanProperty(False)
    u = NumericProperty(1.0)


class RecentRow(Panel):
    code = StringProperty("")
    counter = StringProperty("")
    accent = ColorProperty([1, 1, 1, 1])
    u = NumericProperty(1.0)


class StoppedRow(Panel):
    """A service stopped for today: its name and the reason, on a red band."""

    text = StringProperty("")
    accent = ColorProperty([1, 1, 1, 1])
    u = NumericProperty(1.0)


class WaitingPill(Panel):
    name = StringProperty("")
    count = StringProperty("0")
    accent = ColorProperty([1, 1, 1, 1])
    u = NumericProperty(1.0)


class BoardScreen(BoxLayout):
    """The whole TV picture; `u` scales every size with the window height (1.0 at 1080 px)."""

    u = NumericProperty(1.0)
    site_name = StringProperty("")
    logo = StringProperty("")
    date_text = StringProperty("")
    time_text = StringProperty("")
    connecting = BooleanProperty(True)
    connecting_text = StringProperty("Menghubungkan...")
    voice_failed = BooleanProperty(False)  # the discreet sign: calls are not read out
    voice_text = StringProperty("Suara tidak aktif")
    spot_label = StringProperty("Nomor Antrean")
    call_label = StringProperty("Nomor Antrean")  # spot_label when the panel shows a call
    spot_code = StringProperty("")
    spot_counter = StringProperty("")
    spot_agency = StringProperty("")
    spot_bg = ColorProperty([0.08, 0.2, 0.4, 1])
    spot_ink = ColorProperty([1, 1, 1, 1])
    recent_title = StringProperty("Panggilan Terakhir")
    waiting_title = StringProperty("Menunggu")
    marquee_text = StringProperty("")
    playlist_on = BooleanProperty(False)
    announcing = BooleanProperty(False)
    group_by = StringProperty("counter")
    flash = NumericProperty(0.0)
    waiting_rows = NumericProperty(2)
    stopped_rows = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tiles: dict[str, CounterTile] = {}
        self._tile_keys: tuple[str, ...] = ()
        self._aspect = 2.3
        self._groups: dict[str, GroupTile] = {}
        self.bind(height=self._rescale)
        self._even_out = Clock.create_trigger(self._equalize, 0.2)
        self.bind(size=self._even_out)

    def _equalize(self, *_: Any) -> None:
        for lbls in (
            [t.ids.name_label for t in self._tiles.values()],
            [t.ids.agency_label for t in self._tiles.values()],
            [p.ids.name_label for p in self.ids.waiting_grid.children],
        ):
            equalize(lbls)

    def _rescale(self, *_: Any) -> None:
        self.u = max(self.height, 1) / 1080.0

    # -- filled by the app from the controller ---------------------------------

    def show_spotlight(self, call: Call | None, color: str, flash: bool) -> None:
        self.spot_label = self.call_label
        if call is None:
            self.spot_code = ""
            self.spot_counter = text("no_call_yet")
            self.spot_agency = ""
            self.spot_bg = hex_color("#12355B")
            self.spot_ink = (1, 1, 1, 1)
            return
        self.spot_code = call.code
        self.spot_counter = call.counter_name or call.counter
        self.spot_agency = call.agency_name
        self.spot_bg = hex_color(color)
        self.spot_ink = ink_on(color)
        if flash:
            # a bright frame blinks around the call; the number itself never dims
            Animation.cancel_all(self, "flash")
            self.flash = 1.0
            anim = Animation(flash=0.0, d=0.4) + Animation(flash=1.0, d=0.4)
            for _ in range(2):
                anim += Animation(flash=0.0, d=0.4) + Animation(flash=1.0, d=0.4)
            anim += Animation(flash=0.0, d=0.6)
            anim.start(self)

    def show_slide(self, slide: Slide) -> None:
        """What the site publishes, in the spotlight panel between calls (no flash)."""
        Animation.cancel_all(self, "flash")
        self.flash = 0.0
        self.spot_label = slide.heading
        self.spot_code = slide.big
        self.spot_counter = slide.middle
        self.spot_agency = slide.small
        self.spot_bg = hex_color(slide.color)
        self.spot_ink = ink_on(slide.color)

    def show_counters(self, counters: list[CounterView], colors: dict[str, str]) -> None:
        area: GridLayout = self.ids.counters_area
        keys = tuple(c.code for c in counters)
        if keys != self._tile_keys or self.group_by != "counter":
            area.clear_widgets()
            self._tiles = {}
            self._groups = {}
            for c in counters:
                tile = CounterTile(name=c.name, agency=c.agency_name)
                self.bind(u=tile.setter("u"))
                tile.u = self.u
                tile.accent = hex_color(colors.get(c.agency, "#546E7A"))
                tile.ids.name_label.bind(fit_font=self._even_out)
                tile.ids.agency_label.bind(fit_font=self._even_out)
                self._tiles[c.code] = tile
                area.add_widget(tile)
            self._tile_keys = keys
            self.group_by = "counter"
            self._aspect = 2.3
            self._layout_grid(len(counters), self._aspect)
            self._even_out()
        for c in counters:
            tile = self._tiles[c.code]
            tile.name = c.name
            tile.code = counter_status_text(c)
            tile.active = bool(c.ticket_code)
            tile.calling = c.ticket_status == "called" and bool(c.ticket_code)

    def show_groups(self, groups: list[AgencyGroup]) -> None:
        area: GridLayout = self.ids.counters_area
        keys = tuple(g.code for g in groups)
        if keys != self._tile_keys or self.group_by != "agency":
            area.clear_widgets()
            self._tiles = {}
            self._groups = {}
            for g in groups:
                tile = GroupTile(title=g.name, accent=hex_color(g.color), ink=ink_on(g.color))
                self.bind(u=tile.setter("u"))
                tile.u = self.u
                self._groups[g.code] = tile
                area.add_widget(tile)
            self._tile_keys = keys
            self.group_by = "agency"
            tallest = max((len(g.counters) for g in groups), default=1)
            self._aspect = 1.9 / (0.45 + 0.55 * tallest / 2)
            self._layout_grid(len(groups), self._aspect)
            self._even_out()
        for g in groups:
            tile = self._groups[g.code]
            tile.waiting = str(g.waiting)
            tile.rows = [(c.name, counter_status_text(c), bool(c.ticket_code)) for c in g.counters]

    def _layout_grid(self, n: int, aspect: float) -> None:
        area: GridLayout = self.ids.counters_area
        w, h = max(area.width, 1), max(area.height, 1)
        cols, _rows = grid_shape(n, w, h, aspect)
        area.cols = cols

    def relayout(self) -> None:
        """The window changed size: pick the grid shape again."""
        self._layout_grid(len(self._tiles) or len(self._groups), self._aspect)

    def show_recent(self, calls: list[Call], colors: dict[str, str], size: int) -> None:
        box: GridLayout = self.ids.recent_box
        box.cols = 2 if size > 3 else 1
        box.rows = max(1, math.ceil(size / box.cols))
        while len(box.children) < size:
            row = RecentRow()
            self.bind(u=row.setter("u"))
            row.u = self.u
            box.add_widget(row, index=0)  # children[0] is laid out last
        rows = list(reversed(box.children))  # layout order: newest top left
        shown = [(c.code, c.counter_name or c.counter) for c in calls[: len(rows)]]
        order = reuse_rows(rows, [(r.code, r.counter) for r in rows], shown)
        if order != rows:
            # a new call moves the rows down one place instead of rewriting every label:
            # each new text is a texture to render and upload, slow on software GL
            box.clear_widgets()
            for row in order:
                box.add_widget(row, index=0)
        for i, row in enumerate(order):
            call = calls[i] if i < len(calls) else None
            row.code = call.code if call else ""
            row.counter = (call.counter_name or call.counter) if call else ""
            row.accent = hex_color(colors.get(call.agency, "#546E7A")) if call else (0, 0, 0, 0)
            row.opacity = 1 if call else 0.25

    def show_stopped(self, stopped: list[StoppedView]) -> None:
        shown = stopped[:MAX_STOPPED_ROWS]
        made = rows_of(self, self.ids.stopped_box, len(shown), StoppedRow)
        self.stopped_rows = len(shown)
        for row, s in zip(made, shown, strict=True):
            row.text = text("stopped", name=s.name, reason=s.reason)
            row.accent = hex_color(s.color)

    def show_waiting(self, waiting: list[WaitingView]) -> None:
        grid: GridLayout = self.ids.waiting_grid
        if len(grid.children) != len(waiting):
            grid.clear_widgets()
            for _ in waiting:
                pill = WaitingPill()
                self.bind(u=pill.setter("u"))
                pill.u = self.u
                pill.ids.name_label.bind(fit_font=self._even_out)
                grid.add_widget(pill)
            # three rows once there are many agencies, so long names stay readable
            self.waiting_rows = 3 if len(waiting) > 8 else 2 if len(waiting) > 3 else 1
            grid.rows = self.waiting_rows
            grid.cols = max(1, math.ceil(len(waiting) / self.waiting_rows))
            self._even_out()
        for pill, w in zip(reversed(grid.children), waiting, strict=True):
            pill.name = w.name
            pill.count = str(w.waiting)
            pill.accent = hex_color(w.color)
