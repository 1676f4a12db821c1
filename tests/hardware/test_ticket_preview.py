"""The preview is the printer's own layout: `layout_ticket` run on the canvas draws, line for
line and mode for mode, what the same function sends the printer (read back off the bytes)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pytest
from escpos.escpos import Escpos
from escpos.printer import Dummy
from PIL import Image, ImageDraw

from hardware.preview import Drawn, TicketCanvas, render_preview
from hardware.ticket import (
    ONLINE_MARK,
    PRIORITY_MARK,
    TicketPaper,
    TicketPrint,
    layout_ticket,
    ticket_bytes,
    wrap,
)
from tests.hardware.test_printer import sample_ticket
from tests.hardware.wire import EscposReader, Mode, Printed

LONG_AGENCY = "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"
LONG_SERVICE = "Perizinan berusaha berbasis risiko untuk usaha mikro dan kecil"
TICKETS = {
    "golden": sample_ticket(),
    "marked": sample_ticket(priority=True, online=True),
    "long names": sample_ticket(agency_name=LONG_AGENCY, service_name=LONG_SERVICE),
    "first, no counter open": sample_ticket(
        ahead=0, estimated_wait_minutes=0, counters_open=0, status_url="", footer=""
    ),
}


def as_printed(d: Drawn) -> Printed:
    # a raster image is sent in whole bytes: the reader sees its width rounded up to 8 dots
    content = d.content
    if d.kind == "image":
        width, height = d.box[2] - d.box[0], d.box[3] - d.box[1]
        content = f"{-(-width // 8) * 8}x{height}"
    return Printed(d.kind, content, Mode(**asdict(d.style)))


def on_canvas(t: TicketPrint, paper: int) -> TicketCanvas:
    canvas = TicketCanvas(paper)
    layout_ticket(canvas, t, paper)
    return canvas


def drawn(t: TicketPrint, paper: int) -> list[Printed]:
    return [as_printed(d) for d in on_canvas(t, paper).drawn]


def printed(t: TicketPrint, paper: int) -> list[Printed]:
    return EscposReader().read(ticket_bytes(t, paper)).printed


def texts(things: list[Printed]) -> list[str]:
    return [p.content for p in things if p.kind == "text"]


@pytest.mark.parametrize("paper", [58, 80])
@pytest.mark.parametrize("name", list(TICKETS))
def test_the_preview_draws_what_the_printer_prints(name: str, paper: int) -> None:
    t = TICKETS[name]
    on_paper = printed(t, paper)
    assert drawn(t, paper) == on_paper
    # not two empty lists: the ticket's content is there, and the code is large
    lines = texts(on_paper)
    assert t.code in lines and t.date_line() in lines and t.time_line() in lines
    assert set(wrap(t.agency_name, paper, 2)) <= set(lines)
    code = next(p for p in on_paper if p.content == t.code)
    assert code.mode.width == code.mode.height >= 5
    ahead = t.ahead_line()
    assert (bool(ahead) and set(wrap(ahead, paper)) <= set(lines)) == bool(ahead)
    qr = [p.content for p in on_paper if p.kind == "qr"]
    assert qr == ([t.status_url] if t.status_url else [])
    assert on_paper[-1].kind == "cut"


def test_a_change_in_the_ticket_shows_in_both() -> None:
    plain = sample_ticket()
    changed = sample_ticket(priority=True, online=True, service_name=LONG_SERVICE)
    new_drawn = [p for p in drawn(changed, 58) if p not in drawn(plain, 58)]
    new_printed = [p for p in printed(changed, 58) if p not in printed(plain, 58)]
    assert new_drawn == new_printed
    service = wrap(LONG_SERVICE, 58)
    assert len(service) > 1  # wrapped, and every part on both
    assert texts(new_printed) == [f" {PRIORITY_MARK} ", ONLINE_MARK, *service]
    mark = new_printed[0].mode
    assert mark.invert and mark.width == mark.height == 2


def test_the_pixels_are_the_drawn_log() -> None:
    """Nothing is on the paper outside what the canvas logged; what it logged has ink."""
    canvas = on_canvas(sample_ticket(priority=True), 80)
    paper = canvas.paper()
    for d in canvas.drawn:
        if d.kind == "cut":
            continue
        ink = paper.crop(d.box).histogram()[:128]
        share = sum(ink) / ((d.box[2] - d.box[0]) * (d.box[3] - d.box[1]))
        if d.style.invert:
            assert share > 0.6, d  # white letters on black
        else:
            assert 0.02 < share < 0.7, d
    blank = paper.copy()
    for d in canvas.drawn[:-1]:  # all but the cut
        ImageDraw.Draw(blank).rectangle((d.box[0], d.box[1], d.box[2] - 1, d.box[3] - 1), 255)
    assert blank.getextrema() == (255, 255)
    # the PNG is this paper on a table
    assert render_preview(sample_ticket(priority=True), 80).size == (
        paper.width + 96,
        paper.height + 96,
    )


def test_the_logo_is_drawn_with_the_printers_dots(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    picture = Image.new("RGBA", (150, 60), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    for x in range(0, 150, 5):  # a gradient, so dithering shows
        draw.rectangle((x, 0, x + 4, 40), fill=(x, x, 255 - x, 255))
    draw.ellipse((20, 42, 130, 58), fill=(0, 0, 0, 128))  # half transparent
    picture.save(logo)
    t = sample_ticket(logo=str(logo))
    reader = EscposReader().read(ticket_bytes(t, 80))
    canvas = on_canvas(t, 80)
    assert [as_printed(d) for d in canvas.drawn] == reader.printed
    (box,) = [d.box for d in canvas.drawn if d.kind == "image"]
    width, height = box[2] - box[0], box[3] - box[1]
    assert (width, height) == (150, 60)
    (raster,) = reader.rasters
    sent = Image.frombytes("1", (-(-width // 8) * 8, height), raster).crop((0, 0, width, height))
    shown = canvas.paper().crop(box).point(lambda v: 255 if v < 128 else 0).convert("1")
    assert shown.tobytes() == sent.tobytes()
    assert 0 < sum(sent.convert("L").histogram()[128:]) < width * height


def test_the_canvas_takes_escpos_calls_as_escpos_does() -> None:
    """Each call the layout may make has escpos's parameter names and defaults on the canvas."""
    methods = [n for n, v in vars(TicketPaper).items() if callable(v) and not n.startswith("_")]
    assert set(methods) >= {"set", "textln", "qr", "image", "cut"}
    for name in methods:
        escpos = inspect.signature(getattr(Escpos, name)).parameters
        canvas = inspect.signature(getattr(TicketCanvas, name)).parameters
        wanted = inspect.signature(getattr(TicketPaper, name)).parameters
        for param in canvas.values():
            assert param.name in escpos, (name, param.name)
            assert param.default == escpos[param.name].default, (name, param.name)
        for param in wanted.values():
            assert param.name in canvas and param.default == canvas[param.name].default


def both(script: Callable[[TicketCanvas | Escpos], None]) -> tuple[list[Printed], list[Printed]]:
    dummy = Dummy()
    script(dummy)
    canvas = TicketCanvas(58)
    script(canvas)
    return [as_printed(d) for d in canvas.drawn], EscposReader().read(dummy.output).printed


def test_the_canvas_keeps_the_printers_modes() -> None:
    def script(p: TicketCanvas | Escpos) -> None:
        p.hw("INIT")
        p.set(bold=True, align="center")
        p.set(double_height=True)  # ESC ! also clears bold, as escpos sends it
        p.textln("tall")
        p.set(align="right")
        p.textln("ab")
        p.text("c")
        p.set(align="left")  # ignored: ESC a counts only at the start of a line
        p.textln("d")
        p.set(custom_size=True, width=3, height=2, bold=True)  # GS ! keeps bold
        p.textln("X")
        p.set(normal_textsize=True, invert=True, align="left")
        p.textln("in")
        p.cut()

    seen, on_paper = both(script)
    assert seen == on_paper
    assert [(p.content, p.mode.bold, p.mode.align) for p in on_paper[:5]] == [
        ("tall", False, "center"),
        ("ab", False, "right"),
        ("cd", False, "right"),
        ("X", True, "right"),
        ("in", False, "left"),
    ]


def test_a_line_too_long_for_the_paper_goes_on_below_as_on_a_printer() -> None:
    canvas = TicketCanvas(58)
    canvas.set(align="center")
    canvas.textln("x" * 40)  # 32 characters of 12 dots fill 384
    lines = [d for d in canvas.drawn if d.kind == "text"]
    assert [d.content for d in lines] == ["x" * 32, "x" * 8]
    assert lines[0].box[:3:2] == (0, 384) and lines[1].box[1] > lines[0].box[1]
