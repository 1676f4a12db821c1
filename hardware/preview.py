"""A PNG picture of a ticket, drawn with Pillow from the same `TicketPrint` as the ESC/POS layout.

No ESC/POS-to-image renderer runs on Python 3.11 (RECIPES.md), so this mirrors
`hardware.ticket.layout_ticket` line for line at the printer's 8 dots/mm.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from hardware.ticket import (
    DOTS,
    HEADING,
    ONLINE_MARK,
    PRIORITY_MARK,
    QR_HINT,
    TicketPrint,
    code_magnification,
    qr_module_size,
    wrap,
)

log = logging.getLogger(__name__)

_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: int, bold: bool) -> Font:
    """DejaVu Sans Mono (the look of a printer's font A) if installed, else Pillow's own font."""
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    for folder in _FONT_DIRS:
        path = Path(folder) / name
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


class _Canvas:
    """Paper that grows downwards; every line is centred like the printed ticket."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.image = Image.new("L", (width, 3000), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.y = 16

    def text(
        self,
        line: str,
        *,
        scale_w: int = 1,
        scale_h: int = 1,
        bold: bool = False,
        invert: bool = False,
    ) -> None:
        # font A is 12x24 dots; a monospace glyph of size 20 is about 12 dots wide
        base = _font(20 * scale_h, bold)
        box = [int(v) for v in self.draw.textbbox((0, 0), line, font=base)]
        w, h = box[2] - box[0], 24 * scale_h
        glyphs = Image.new("L", (max(1, w), h), 0)
        ImageDraw.Draw(glyphs).text(
            (-box[0], (h - (box[3] - box[1])) // 2 - box[1]), line, font=base, fill=255
        )
        if scale_w != scale_h:
            glyphs = glyphs.resize((max(1, w * scale_w // scale_h), h))
        glyphs = glyphs.crop((0, 0, min(glyphs.width, self.width), h))
        x = (self.width - glyphs.width) // 2
        if invert:
            self.draw.rectangle((x - 8, self.y, x + glyphs.width + 8, self.y + h - 1), fill=0)
            self.image.paste(255, (x, self.y), glyphs)
        else:
            self.image.paste(0, (x, self.y), glyphs)
        self.y += h + 4

    def rule(self) -> None:
        self.y += 8
        for x in range(8, self.width - 8, 12):
            self.draw.line((x, self.y, x + 6, self.y), fill=0, width=2)
        self.y += 14

    def paste(self, picture: Image.Image) -> None:
        picture = picture.convert("L")
        if picture.width > self.width:
            picture = picture.resize((self.width, picture.height * self.width // picture.width))
        self.image.paste(picture, ((self.width - picture.width) // 2, self.y))
        self.y += picture.height + 6

    def gap(self, dots: int = 24) -> None:
        self.y += dots


def render_preview(t: TicketPrint, paper_mm: int = 80) -> Image.Image:
    """The ticket as it comes out of the printer, on a grey table so the paper edge shows."""
    c = _Canvas(DOTS[paper_mm])
    for line in wrap(t.site_name, paper_mm, 2):
        c.text(line, scale_w=2, scale_h=2, bold=True)
    if t.logo and Path(t.logo).is_file():
        try:
            with Image.open(t.logo) as logo:
                c.paste(logo.copy())
        except OSError as exc:
            log.warning("cannot draw logo %s: %s", t.logo, exc)
    c.rule()
    c.text(HEADING)
    size = code_magnification(t.code, paper_mm)
    c.text(t.code, scale_w=size, scale_h=size, bold=True)
    if t.priority:
        c.text(f" {PRIORITY_MARK} ", scale_w=2, scale_h=2, bold=True, invert=True)
        c.gap()
    if t.online:
        c.text(ONLINE_MARK, scale_h=2, bold=True)
        c.gap()
    for line in wrap(t.agency_name, paper_mm, 2):
        c.text(line, scale_w=2, scale_h=2, bold=True)
    for line in wrap(t.service_name, paper_mm):
        c.text(line)
    c.rule()
    for line in wrap(t.date_line(), paper_mm) + wrap(t.time_line(), paper_mm):
        c.text(line)
    for text in (t.ahead_line(), t.wait_line()):
        for line in wrap(text, paper_mm) if text else []:
            c.text(line, bold=True)
    if t.status_url:
        c.gap()
        qr = qrcode.QRCode(border=0, box_size=qr_module_size(paper_mm))
        qr.add_data(t.status_url)
        qr.make(fit=True)
        c.paste(qr.make_image().get_image())
        for line in wrap(QR_HINT, paper_mm):
            c.text(line)
    if t.footer:
        c.gap()
        for line in wrap(t.footer, paper_mm):
            c.text(line)
    c.gap(40)
    paper = c.image.crop((0, 0, c.width, c.y))
    # a 6 mm margin of table around the paper, like a photo of the ticket
    table = Image.new("RGB", (paper.width + 96, paper.height + 96), (200, 200, 200))
    table.paste(paper.convert("RGB"), (48, 48))
    return table


def save_preview(t: TicketPrint, path: Path, paper_mm: int = 80) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    render_preview(t, paper_mm).save(path, "PNG")
    return path
