"""The board's widgets in a real window (offscreen): what they cost per call on software GL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from display.controller import Call
from display.screens import reuse_rows

ROOT = Path(__file__).resolve().parents[2]


def call(code: str, counter: str) -> Call:
    return Call(
        0, int(code.lstrip("AB")), code, counter, f"Loket {counter[1:]}", "DPMPTSP", "", "", False
    )


def test_reuse_rows_moves_the_rows_down_and_rewrites_only_the_new_one() -> None:
    rows = ["r0", "r1", "r2", "r3"]
    showing = [("A3", "L1"), ("A2", "L2"), ("A1", "L1"), ("", "")]
    # a new call on top: the three shown move down a place, the empty row takes the new call
    assert reuse_rows(rows, showing, [("A4", "L2"), ("A3", "L1"), ("A2", "L2"), ("A1", "L1")]) == [
        "r3",
        "r0",
        "r1",
        "r2",
    ]
    # a full list: the last line drops off and its row takes the new call
    full = [("A4", "L2"), ("A3", "L1"), ("A2", "L2"), ("A1", "L1")]
    assert reuse_rows(rows, full, [("A5", "L1"), ("A4", "L2"), ("A3", "L1"), ("A2", "L2")]) == [
        "r3",
        "r0",
        "r1",
        "r2",
    ]
    # nothing in common (a fresh board): every row keeps its place
    assert reuse_rows(rows, full, [("B1", "L3")]) == rows
    # the same line twice (the same code at two counters' names): each row used once
    twice = [("A1", "L1"), ("A1", "L1"), ("", ""), ("", "")]
    assert sorted(reuse_rows(rows, twice, [("A1", "L1"), ("A1", "L1")])) == rows


@pytest.fixture
def board() -> Iterator[object]:
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.lang import Builder

    from display.screens import BoardScreen
    from display.ui import KV

    # A display app that ran before in this process left its rules loaded: a second load
    # would apply each rule twice (every tile's labels doubled, squeezed to 6 px).
    Builder.unload_file(str(KV))
    Builder.load_file(str(KV))
    screen = BoardScreen()
    Window.size = (1920, 1080)
    Window.add_widget(screen)
    for _ in range(3):
        EventLoop.idle()
    try:
        yield screen
    finally:
        Window.remove_widget(screen)
        Builder.unload_file(str(KV))


@pytest.mark.gui
def test_a_new_call_moves_the_recent_rows_instead_of_redrawing_their_text(board: object) -> None:
    from kivy.base import EventLoop

    from display.screens import BoardScreen

    assert isinstance(board, BoardScreen)
    calls = [call(f"A{n:03d}", f"L{n % 3 + 1}") for n in range(6, 0, -1)]  # newest first
    board.show_recent(calls, {}, 6)
    for _ in range(3):
        EventLoop.idle()
    before = list(reversed(board.ids.recent_box.children))
    textures = [lbl.texture for row in before for lbl in row.children if hasattr(lbl, "texture")]
    assert [r.code for r in before] == [c.code for c in calls]

    board.show_recent([call("A007", "L2"), *calls[:5]], {}, 6)
    for _ in range(3):
        EventLoop.idle()
    after = list(reversed(board.ids.recent_box.children))
    assert [r.code for r in after] == ["A007", "A006", "A005", "A004", "A003", "A002"]
    assert after[1:] == before[:5]  # the same rows, a place further down
    kept = [lbl.texture for row in after[1:] for lbl in row.children if hasattr(lbl, "texture")]
    assert all(any(t is k for k in textures) for t in kept), "a moved row rendered its text again"


@pytest.mark.gui
def test_fitted_text_uses_whole_pixel_font_sizes(board: object) -> None:
    """SDL_ttf renders at int(font_size); Kivy keys its 64 open fonts by the float, so a
    fractional size opened a font per label and pushed out the ones in use."""
    from kivy.base import EventLoop

    from display.screens import BoardScreen
    from display.widgets import FitLabel

    assert isinstance(board, BoardScreen)
    board.site_name = "Mal Pelayanan Publik Kabupaten Jombang"
    board.show_recent([call("BA012", "L7")], {}, 6)
    for _ in range(4):
        EventLoop.idle()
    fitted = [w for w in board.walk() if isinstance(w, FitLabel) and w.text]
    assert len(fitted) > 5
    for label in fitted:
        assert label.font_size == int(label.font_size), (label.text, label.font_size)
        assert label.font_size <= label.max_font
        assert label.texture_size[0] <= label.width, f"{label.text!r} is cut off"


def test_the_display_asks_kivy_for_no_multisampling_and_keeps_the_root_log_level() -> None:
    """Run prepare_kivy in a fresh interpreter: Kivy reads these once, when first imported."""
    script = (
        "import logging\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "from display.app import prepare_kivy\n"
        "prepare_kivy(False, (800, 600), offscreen=True)\n"
        "from kivy.config import Config\n"
        "print(Config.get('graphics', 'multisamples'), logging.getLevelName(logging.root.level))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIVY_LOG", "KCFG_"))}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    # 2x multisampling doubled every buffer of a 1080p window on software GL;
    # Kivy's default log mode lowered the root logger and websockets logged each frame
    assert out.stdout.split()[-2:] == ["0", "INFO"]


@pytest.mark.gui
def test_a_called_number_flashes_until_the_visitor_arrives(board: object) -> None:
    """For the deaf: the tile of a counter that called flashes (its frame, never the
    number) while the ticket is called; once serving it is still."""
    import time

    from kivy.base import EventLoop

    from display.controller import CounterView
    from display.screens import BoardScreen

    assert isinstance(board, BoardScreen)
    called = CounterView("L1", "Loket 1", "DPMPTSP", "DPMPTSP", "open", 7, "A007", "called")
    idle = CounterView("L2", "Loket 2", "DPMPTSP", "DPMPTSP", "open")
    board.show_counters([called, idle], {})
    tiles = board._tiles
    seen = set()
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        EventLoop.idle()
        seen.add(round(tiles["L1"].blink, 1))
    assert tiles["L1"].calling and len(seen) > 3  # it moves
    assert not tiles["L2"].calling and tiles["L2"].blink == 0.0
    serving = CounterView("L1", "Loket 1", "DPMPTSP", "DPMPTSP", "open", 7, "A007", "serving")
    board.show_counters([serving, idle], {})
    for _ in range(5):
        EventLoop.idle()
    assert not tiles["L1"].calling and tiles["L1"].blink == 0.0


@pytest.mark.gui
def test_counter_tiles_are_readable_from_the_seats_and_say_what_each_counter_does(
    board: object, tmp_path: Path
) -> None:
    """At 1920x1080 with the sample site's counters: the agency under each counter was
    ~12 px; an open idle counter showed a bare '-'; a counter nobody has opened read
    'Tutup' while the kiosks issued tickets for it."""
    from kivy.base import EventLoop

    from display.controller import CounterView
    from display.screens import BoardScreen
    from display.shots import save
    from shared.config import load_config

    assert isinstance(board, BoardScreen)
    site = load_config(None)
    names = {a.code: a.name for a in site.agencies}
    views = [
        CounterView(c.code, c.name, c.agency, names[c.agency], "open", services=tuple(c.services))
        for c in site.counters
    ]
    views[0].status = "closed"
    views[0].waiting = 3  # the kiosks issue for its services: it has not opened yet
    views[1].status = "closed"  # nobody waits for it: closed
    board.show_counters(views, {})
    for _ in range(10):
        EventLoop.idle()
    tiles = board._tiles
    out = Path(os.environ.get("ANTRIAN_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    save(out, "tv-counters-1920x1080")
    for view in views:
        agency = tiles[view.code].ids.agency_label
        # px on 1080 lines: one line in a 272 px tile, the longest name decides (was 17)
        assert agency.font_size >= 24, (view.code, agency.font_size)
    assert tiles[views[0].code].code == "Belum buka"
    assert tiles[views[1].code].code == "Tutup"
    assert {tiles[v.code].code for v in views[2:]} == {"Buka"}
