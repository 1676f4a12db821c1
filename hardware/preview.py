"""A PNG picture of a ticket: `hardware.ticket.layout_ticket` run on a canvas that draws.

No ESC/POS-to-image renderer runs on Python 3.11, and a second layout drawn
by hand drifted from the printed one. So `TicketCanvas` takes the very escpos calls the
printer gets (`set`, `textln`, `qr`, `image`, `cut`...) and draws them at the printer's
8 dots/mm, with a thermal printer's rules: font A cells of 12x24 dots, lines fed by at
least 1/6 inch, a line that is full goes on on the next one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Literal

import qrcode
from PIL import Image, ImageDraw, ImageFont, ImageOps

from hardware.ticket import DOTS, TicketPrint, layout_ticket

log = logging.getLogger(__name__)

_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

CELL_W, CELL_H = 12, 24  # font A, in dots
LINE_FEED = 34  # the default line spacing (ESC 2): 1/6 inch, 34 dots at 203 dpi
CUT_FEED_LINES = 6  # escpos's cut() feeds 6 lines first (ESC d 6)
TOP_MARGIN = 16  # what the previous ticket's cut leaves above the first line
# python-escpos's QR_ECLEVEL_* (0..3) in qrcode's terms
_QR_EC = {
    0: qrcode.constants.ERROR_CORRECT_L,
    1: qrcode.constants.ERROR_CORRECT_M,
    2: qrcode.constants.ERROR_CORRECT_Q,
    3: qrcode.constants.ERROR_CORRECT_H,
}
_QR_MODEL_2 = 2


@cache
def _font(size: int, bold: bool) -> Font:
    """DejaVu Sans Mono (the look of a printer's font A) if installed, else Pillow's own font."""
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    for folder in _FONT_DIRS:
        path = Path(folder) / name
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


@dataclass(frozen=True)
class Style:
    """The printer's character mode, as ESC @ leaves it and `set` changes it."""

    align: str = "left"
    bold: bool = False
    width: int = 1  # character size multipliers, 1-8
    height: int = 1
    invert: bool = False
    smooth: bool = False


Kind = Literal["text", "qr", "image", "cut"]


@dataclass(frozen=True)
class Drawn:
    """One thing the canvas put on the paper: what, in which mode, and where (x0, y0, x1, y1).

    The log of a preview, so a test can read what it shows without reading pixels."""

    kind: Kind
    content: str  # the text, the QR code's data, the image's source
    style: Style
    box: tuple[int, int, int, int]


class TicketCanvas:
    """Paper that the ticket layout prints on as if it were a python-escpos printer.

    Implements only the calls `hardware.ticket.TicketPaper` lists, with escpos's names,
    parameters and defaults; what it cannot draw raises instead of drawing something else.
    """

    def __init__(self, paper_mm: int = 80) -> None:
        self.width = DOTS[paper_mm]
        self._paper = Image.new("L", (self.width, 1200), 255)
        self.y = TOP_MARGIN
        self.style = Style()
        self.drawn: list[Drawn] = []
        self._line: list[tuple[str, Style]] = []  # the print buffer: characters not yet fed
        self._cut_at: int | None = None

    # -- the escpos calls ------------------------------------------------------

    def hw(self, hw: str) -> None:
        if hw.upper() == "INIT":  # ESC @: empty buffer, every mode back to its default
            self._line.clear()
            self.style = Style()

    def set(
        self,
        *,
        align: str | None = None,
        bold: bool | None = None,
        width: int | None = None,
        height: int | None = None,
        invert: bool | None = None,
        smooth: bool | None = None,
        normal_textsize: bool | None = None,
        double_width: bool | None = None,
        double_height: bool | None = None,
        custom_size: bool | None = None,
    ) -> None:
        """escpos's `set`, in its order: size first, then the modes that were given."""
        s = self.style
        if custom_size:  # GS ! n
            if not (isinstance(width, int) and isinstance(height, int)):
                raise ValueError("custom_size needs width and height")
            if not (1 <= width <= 8 and 1 <= height <= 8):
                raise ValueError(f"character size {width}x{height} is not 1-8")
            s = replace(s, width=width, height=height)
        elif normal_textsize or double_height or double_width:
            # ESC ! n: sets bold (bit 3) too, so the size resets bold unless `bold` follows
            s = replace(
                s,
                bold=False,
                width=2 if double_width else 1,
                height=2 if double_height else 1,
            )
        if smooth is not None:
            s = replace(s, smooth=smooth)
        if bold is not None:
            s = replace(s, bold=bold)
        if align is not None:
            if align not in ("left", "center", "right"):
                raise ValueError(f"align {align!r}")
            if not self._line:  # ESC a counts only at the start of a line
                s = replace(s, align=align)
        if invert is not None:
            s = replace(s, invert=invert)
        self.style = s

    def text(self, txt: str) -> None:
        for char in str(txt):
            if char == "\n":
                self._feed_line()
                continue
            if self._line_width() + CELL_W * self.style.width > self.width:
                self._feed_line()  # a full line is printed; the rest goes on the next
            self._line.append((char, self.style))

    def textln(self, txt: str = "") -> None:
        self.text(f"{txt}\n")

    def ln(self, count: int = 1) -> None:
        if count < 0:
            raise ValueError("Count cannot be lesser than 0")
        self.text("\n" * count)

    def image(self, img_source: str | Image.Image, *, center: bool = False) -> None:
        """A raster image (GS v 0) in escpos's black and white: alpha on white, dithered."""
        self._feed_pending()
        if isinstance(img_source, Image.Image):
            rgba = img_source.convert("RGBA")
        else:
            with Image.open(img_source) as picture:
                rgba = picture.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.split()[3])
        # dithered as escpos does it (inverted first), so these are the dots the printer gets
        dots = ImageOps.invert(flat.convert("L")).convert("1")
        if dots.width > self.width:
            log.warning("image %s: %d dots wide, paper %d", img_source, dots.width, self.width)
            dots = dots.crop((0, 0, self.width, dots.height))
        x = self._x(dots.width, "center" if center else self.style.align)
        self._grow(self.y + dots.height)
        self._paper.paste(0, (x, self.y, x + dots.width, self.y + dots.height), dots)
        source = img_source if isinstance(img_source, str) else "<image>"
        self._log("image", source, (x, self.y, x + dots.width, self.y + dots.height))
        self.y += dots.height

    def qr(
        self, content: str, *, ec: int = 0, size: int = 3, model: int = 2, native: bool = False
    ) -> None:
        """A QR code as the printer draws it natively (GS ( k): no quiet zone, aligned as text."""
        if not native:
            raise NotImplementedError("the canvas draws native QR codes only")
        if ec not in _QR_EC or model != _QR_MODEL_2:
            raise ValueError(f"QR error correction {ec} / model {model}")
        if not 1 <= size <= 16:
            raise ValueError("Invalid block size (must be 1-16)")
        if content == "":
            return  # escpos prints nothing for no content
        self._feed_pending()
        code = qrcode.QRCode(border=0, box_size=size, error_correction=_QR_EC[ec])
        code.add_data(content)
        code.make(fit=True)
        picture = code.make_image().get_image().convert("L")
        x = self._x(picture.width, self.style.align)
        self._grow(self.y + picture.height)
        self._paper.paste(picture, (x, self.y))
        self._log("qr", content, (x, self.y, x + picture.width, self.y + picture.height))
        self.y += picture.height

    def cut(self, mode: str = "FULL", feed: bool = True) -> None:
        if mode.upper() not in ("FULL", "PART"):
            raise ValueError("Mode must be one of ('FULL', 'PART')")
        if feed:  # ESC d 6: print what is buffered, then six empty lines
            self._feed_pending()
            self.y += CUT_FEED_LINES * LINE_FEED
        self._grow(self.y)
        self._log("cut", mode.upper(), (0, self.y, self.width, self.y))
        if self._cut_at is None:
            self._cut_at = self.y

    # -- the result ------------------------------------------------------------

    def paper(self) -> Image.Image:
        """The ticket as cut off (or as far as it got, without a cut)."""
        end = self._cut_at if self._cut_at is not None else self.y
        return self._paper.crop((0, 0, self.width, end))

    # -- drawing ---------------------------------------------------------------

    def _line_width(self) -> int:
        return sum(CELL_W * style.width for _, style in self._line)

    def _x(self, width: int, align: str) -> int:
        room = max(0, self.width - width)
        return {"left": 0, "center": room // 2, "right": room}[align]

    def _grow(self, bottom: int) -> None:
        if bottom <= self._paper.height:
            return
        taller = Image.new("L", (self.width, max(bottom, self._paper.height * 2)), 255)
        taller.paste(self._paper, (0, 0))
        self._paper = taller

    def _feed_pending(self) -> None:
        """Graphics start on a fresh line: text still in the buffer is printed first."""
        if self._line:
            self._feed_line()

    def _feed_line(self) -> None:
        """LF: print the buffer, runs of one mode at a time on a common baseline."""
        runs: list[tuple[str, Style]] = []
        for char, style in self._line:
            if runs and runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + char, style)
            else:
                runs.append((char, style))
        self._line.clear()
        if not runs:
            self.y += LINE_FEED
            return
        tall = max(CELL_H * style.height for _, style in runs)
        # the alignment of the line's first character: ESC a is ignored mid-line
        x = self._x(sum(len(t) * CELL_W * s.width for t, s in runs), runs[0][1].align)
        self._grow(self.y + tall)
        for text, style in runs:
            glyphs = _glyphs(text, style)
            top = self.y + tall - glyphs.height
            box = (x, top, x + glyphs.width, top + glyphs.height)
            if style.invert:
                self._paper.paste(0, box)
                self._paper.paste(255, box, glyphs)
            else:
                self._paper.paste(0, box, glyphs)
            self._log("text", text, box, style)
            x += glyphs.width
        self.y += max(LINE_FEED, tall)

    def _log(
        self, kind: Kind, content: str, box: tuple[int, int, int, int], style: Style | None = None
    ) -> None:
        self.drawn.append(Drawn(kind, content, style or self.style, box))


def _glyphs(text: str, style: Style) -> Image.Image:
    """A mask of `text` in character cells of 12x24 dots times the style's size."""
    h = CELL_H * style.height
    font = _font(20 * style.height, style.bold)  # DejaVu Mono at 20 px: ~12 px per character
    ascent, descent = font.getmetrics() if isinstance(font, ImageFont.FreeTypeFont) else (h, 0)
    top = max(0, (h - ascent - descent) // 2)
    # drawn at the height's scale, one cell per character, then stretched to the width's
    step = CELL_W * style.height
    strip = Image.new("L", (max(1, step * len(text)), h), 0)
    draw = ImageDraw.Draw(strip)
    for i, char in enumerate(text):
        draw.text((i * step, top), char, font=font, fill=255)
    if style.width != style.height:
        strip = strip.resize((max(1, CELL_W * style.width * len(text)), h))
    return strip


def render_preview(t: TicketPrint, paper_mm: int = 80) -> Image.Image:
    """The ticket as it comes out of the printer, on a grey table so the paper edge shows."""
    canvas = TicketCanvas(paper_mm)
    layout_ticket(canvas, t, paper_mm)
    paper = canvas.paper()
    # a 6 mm margin of table around the paper, like a photo of the ticket
    table = Image.new("RGB", (paper.width + 96, paper.height + 96), (200, 200, 200))
    table.paste(paper.convert("RGB"), (48, 48))
    return table


def save_preview(t: TicketPrint, path: Path, paper_mm: int = 80) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    render_preview(t, paper_mm).save(path, "PNG")
    return path
