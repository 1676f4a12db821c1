"""Small Kivy widgets for the board: text that always fits, a colored box, a marquee."""

from __future__ import annotations

import math
from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.properties import ColorProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.stencilview import StencilView


def hex_color(value: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """'#1565C0' -> an RGBA tuple Kivy takes."""
    v = value.lstrip("#")
    if len(v) != 6:
        return (0.33, 0.43, 0.48, alpha)
    return (int(v[0:2], 16) / 255, int(v[2:4], 16) / 255, int(v[4:6], 16) / 255, alpha)


def ink_on(value: str) -> tuple[float, float, float, float]:
    """Black or white, whichever reads better on this background (WCAG luminance)."""
    r, g, b, _ = hex_color(value)

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    # contrast with white (1.05 / (lum+0.05)) vs with black ((lum+0.05) / 0.05)
    return (0.05, 0.05, 0.05, 1) if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else (1, 1, 1, 1)


class FitLabel(Label):
    """One line of text as large as `max_font`, shrunk until it fits its box: never cut off."""

    max_font = NumericProperty(40)
    # labels shown side by side look right at one size: `cap` is set to the smallest fit
    cap = NumericProperty(0)
    fit_font = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        self._refit = Clock.create_trigger(self._fit, -1)
        super().__init__(**kwargs)
        self.bind(
            size=self._refit,
            text=self._refit,
            max_font=self._refit,
            font_name=self._refit,
            cap=self._refit,
        )
        self._refit()

    def _fit(self, *_: Any) -> None:
        if not self.text or self.width <= 1 or self.height <= 1:
            self.fit_font = self.font_size = max(math.floor(self.max_font), 1)
            return
        probe = CoreLabel(
            font_size=math.floor(self.max_font), font_name=self.font_name, bold=self.bold
        )
        w, h = probe.get_extents(self.text)
        room_w = max(1.0, self.width - 2 * self.padding[0])
        room_h = max(1.0, self.height * 0.92)
        scale = min(1.0, room_w / max(w, 1), room_h / max(h, 1))
        # Whole pixels: SDL_ttf opens a font at int(font_size) anyway, but Kivy keys its
        # cache of open fonts (64, first in first out) by the float, so 45.61 and 45.6
        # were two fonts, opened again and again, and each new float re-rendered the text.
        self.fit_font = max(6, math.floor(self.max_font * scale * 0.95))
        self.font_size = min(self.fit_font, math.floor(self.cap)) if self.cap > 0 else self.fit_font


class Panel(BoxLayout):
    """A box with a background color (set in board.kv)."""

    bg = ColorProperty([0.1, 0.1, 0.1, 1])


class Marquee(StencilView):
    """Running text at the bottom: moves left at `speed` px/s and starts over."""

    text = StringProperty("")
    speed = NumericProperty(120)
    offset = NumericProperty(0)
    font_size = NumericProperty(36)
    text_width = NumericProperty(0)

    def step(self, dt: float) -> None:
        self.offset -= self.speed * dt
        if self.offset < -self.text_width:
            self.offset = self.width


def equalize(labels: list[FitLabel]) -> None:
    """Give labels that sit side by side the same size: the smallest that fits them all."""
    fonts = [lbl.fit_font for lbl in labels if lbl.text and lbl.fit_font > 0]
    cap = min(fonts) if fonts else 0
    for lbl in labels:
        lbl.cap = cap
