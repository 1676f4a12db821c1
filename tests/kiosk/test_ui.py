"""The kiosk in a real Kivy window (offscreen): touches through Kivy's input pipeline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from kiosk.controller import KioskController
from shared.client import ApiClient
from tests.kiosk.conftest import DummyPrinter, ServerProcess, kiosk_window

pytestmark = pytest.mark.gui


@dataclass
class Kiosk:
    app: Any
    ctl: KioskController
    printer: DummyPrinter
    server: ServerProcess


def pump_until(condition: Any, timeout: float = 15.0) -> None:
    from kiosk.shots import pump_until as pump

    pump(condition, timeout)


def tap(widget: Any) -> None:
    """A finger down and up at the widget's centre, through the real input pipeline."""
    from kivy.tests.common import UnitTestTouch

    from kiosk.shots import pump

    pump(3)  # a screen that just switched ignores touches until its transition ends
    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    pump(1)
    touch.touch_up()
    pump(1)


def tile(kiosk: Kiosk, screen: str, code: str) -> Any:
    from kiosk.screens import Tile

    root = kiosk.app.screens[screen]
    found = [w for w in root.walk() if isinstance(w, Tile) and w.code == code]
    assert found, f"no tile {code} on {screen}"
    return found[0]


def contrast(fg: Any, bg: Any) -> float:
    """WCAG contrast ratio of two RGBA colours (0..1)."""

    def lum(c: Any) -> float:
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c[:3]]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_tile_of_a_screen_has_one_font_size_that_fits(kiosk: Kiosk) -> None:
    """The longest name decides the size for all: no small Dispendukcapil among big names."""
    from kiosk.screens import Tile, _widest_word
    from kiosk.shots import pump

    ctl = kiosk.ctl
    pump_until(lambda: ctl.screen == "home" and ctl.usable)
    tiles = [w for w in kiosk.app.screens["home"].walk() if isinstance(w, Tile)]
    tiles = [w for w in tiles if w.code]  # not the language button
    assert len(tiles) == 14  # the 12 agencies, "Sudah daftar online?", "Butuh bantuan?"
    pump(5)
    # (each tile fits itself on the frame after its size is known: a fresh window's
    # first frames may not have laid all of them out yet)
    pump_until(lambda: all(w.fitted for w in tiles))
    sizes = {round(w.font_size, 2) for w in tiles}
    assert len(sizes) == 1, sorted((w.font_size, w.code) for w in tiles)
    for w in tiles:
        word = _widest_word(w.text, w.font_name, w.font_size, w.bold)
        assert word <= w.text_size[0] and w.texture_size[0] <= w.width + 1, w.code
    # and the size is the longest name's own: no smaller than it needs
    assert max(w.fitted for w in tiles) > min(w.fitted for w in tiles) == w.font_size


def waiting(url: str, service: str) -> int:
    with ApiClient(url) as api:
        return next(s.waiting for a in api.services().agencies for s in a.services
                    if s.code == service)  # fmt: skip


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kiosk]:
    server = ServerProcess(tmp_path_factory.mktemp("ui-server")).up()
    try:
        with kiosk_window(server.url, "kiosk-ui-worker") as (app, ctl, printer):
            yield Kiosk(app, ctl, printer, server)
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def as_a_new_visitor_finds_it(kiosk: Kiosk) -> None:
    """Each test starts where a new visitor does, whatever the test before left (they run
    in any order): the server up, the printer ready, voice and large text off, home."""
    ctl = kiosk.ctl
    if kiosk.server.proc is None or kiosk.server.proc.poll() is not None:
        kiosk.server.start()
    kiosk.printer.mode = "ready"
    if ctl.guide.voice:
        ctl.toggle_voice()
    if ctl.guide.large:
        ctl.toggle_large()

    def at_home() -> bool:
        ctl.go_home(new_visitor=True)  # (does nothing while printing or connecting)
        return ctl.screen == "home" and ctl.usable and kiosk.app._sm.current == "home"

    pump_until(at_home, timeout=30)


def test_touch_a_tile_a_service_and_get_a_printed_ticket(kiosk: Kiosk) -> None:
    ctl = kiosk.ctl
    assert ctl.usable and kiosk.app._sm.current == "home"  # (as_a_new_visitor_finds_it)
    before = waiting(kiosk.server.url, "KK")
    jobs = len(kiosk.printer.jobs)
    tap(tile(kiosk, "home", "DUKCAPIL"))
    pump_until(lambda: kiosk.app._sm.current == "services")
    tap(tile(kiosk, "services", "KK"))
    pump_until(lambda: kiosk.app._sm.current == "priority")
    regular = kiosk.app.screens["priority"].ids.regular
    from kivy.tests.common import UnitTestTouch

    from kiosk.shots import pump

    pump(3)
    x, y = regular.to_window(*regular.center)
    for _ in range(2):  # a double tap: down, up, down, up within a few frames
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        pump(1)
    pump_until(lambda: kiosk.app._sm.current == "done")
    code = kiosk.app.screens["done"].ids.code.text
    assert code.startswith("BK") and ctl.ticket is not None and code == ctl.ticket.code
    assert waiting(kiosk.server.url, "KK") == before + 1
    assert len(kiosk.printer.jobs) == jobs + 1 and code.encode() in kiosk.printer.jobs[-1]
    time.sleep(0.35)
    tap(kiosk.app.screens["done"])  # a touch after the grace period: home for the next visitor
    pump_until(lambda: kiosk.app._sm.current == "home")


def test_language_switch_changes_the_words_on_screen(kiosk: Kiosk) -> None:
    pump_until(lambda: kiosk.ctl.screen == "home")
    from kiosk.screens import Tile

    button = next(w for w in kiosk.app.root.walk() if isinstance(w, Tile) and w.text == "English")
    tap(button)
    pump_until(lambda: kiosk.ctl.lang == "en")
    assert tile(kiosk, "home", "DPMPTSP").text.startswith("Licensing Office")
    assert button.text == "Bahasa Indonesia"
    tap(button)
    pump_until(lambda: kiosk.ctl.lang == "id")


def test_paper_out_shows_the_banner_and_tiles_take_no_touch(kiosk: Kiosk) -> None:
    ctl = kiosk.ctl
    kiosk.printer.mode = "paper_out"
    pump_until(lambda: ctl.problem == "paper_out")
    assert kiosk.app.problem_text.startswith("Kertas tiket habis")
    tap(tile(kiosk, "home", "POLRES"))
    pump_until(lambda: kiosk.app._sm.transition.is_active is False)
    assert ctl.screen == "home" and kiosk.app._sm.current == "home"
    kiosk.printer.mode = "ready"
    pump_until(lambda: ctl.problem is None)
    assert kiosk.app.problem_text == ""


def test_server_down_then_back(kiosk: Kiosk) -> None:
    ctl = kiosk.ctl
    kiosk.server.stop()
    try:
        pump_until(lambda: ctl.problem == "server_down")
        assert "tidak tersedia" in kiosk.app.problem_text
        samsat = tile(kiosk, "home", "SAMSAT")
        # Visibly out of order, and still readable: dark grey on light grey, not faded.
        faded = [w for w in kiosk.app.screens["home"].walk() if isinstance(w, type(samsat))]
        for w in faded:
            assert w.opacity == 1 and contrast(w.color, w.bg) >= 4.5, (w.code, w.color, w.bg)
        assert samsat.bg[:3] == tile(kiosk, "home", "DPMPTSP").bg[:3]  # all one grey
        tap(tile(kiosk, "home", "SAMSAT"))
        assert ctl.screen == "home" and kiosk.app._sm.current == "home"
    finally:
        kiosk.server.start()
    pump_until(lambda: ctl.problem is None and ctl.usable, timeout=20)
    tap(tile(kiosk, "home", "SAMSAT"))
    pump_until(lambda: kiosk.app._sm.current in ("priority", "services"))


def key(code: int, text: str | None = None) -> None:
    """A key of the USB numeric keypad, as SDL gives it to the window."""
    from kivy.core.window import Window

    from kiosk.shots import pump

    Window.dispatch("on_key_down", code, 0, text, [])
    Window.dispatch("on_key_up", code, 0)
    pump(2)


KP_ENTER = 271


def kp(n: int) -> None:
    key(256 + n, str(n))


def test_a_whole_issue_by_the_numeric_keypad_alone(kiosk: Kiosk) -> None:
    """No touch at all: keypad numbers select (a frame on the tile), Enter chooses, a
    priority ticket for a pregnant woman is printed, any key then starts again."""
    ctl, app = kiosk.ctl, kiosk.app
    ctl.go_home()  # (where the test before left it)
    pump_until(lambda: ctl.screen == "home" and ctl.usable)
    codes = [c.code for c in ctl.choices()]
    kp(codes.index("DUKCAPIL") + 1)
    assert tile(kiosk, "home", "DUKCAPIL").selected
    assert not tile(kiosk, "home", "DPMPTSP").selected
    key(KP_ENTER)
    pump_until(lambda: app._sm.current == "services")
    kp([c.code for c in ctl.choices()].index("AKTA") + 1)
    assert tile(kiosk, "services", "AKTA").selected
    key(KP_ENTER)
    pump_until(lambda: app._sm.current == "priority")
    kp(2)
    assert app.screens["priority"].ids.priority.selected
    key(KP_ENTER)
    pump_until(lambda: app._sm.current == "group")
    kp(3)  # ibu hamil
    assert tile(kiosk, "group", "ibu_hamil").selected
    jobs = len(kiosk.printer.jobs)
    key(KP_ENTER)
    pump_until(lambda: app._sm.current == "done")
    assert ctl.ticket is not None and ctl.ticket.service == "AKTA" and ctl.ticket.priority
    assert getattr(ctl.ticket, "priority_group", None) == "ibu_hamil"
    assert len(kiosk.printer.jobs) == jobs + 1
    assert app.screens["done"].ids.code.text == ctl.ticket.code
    kp(7)  # any key: home for the next visitor
    pump_until(lambda: app._sm.current == "home")


def test_voice_and_large_text_buttons(kiosk: Kiosk) -> None:
    from kiosk.shots import pump

    ctl, app = kiosk.ctl, kiosk.app
    ctl.go_home()
    pump_until(lambda: ctl.screen == "home" and ctl.usable)
    u = app.u
    before = tile(kiosk, "home", "DUKCAPIL").font_size
    tap(_button(app, "large_button"))
    pump_until(lambda: app.large)
    assert app.u == pytest.approx(u * 1.25 if app.portrait else u)
    pump(5)
    dukcapil = tile(kiosk, "home", "DUKCAPIL")
    assert dukcapil.font_size >= before  # never smaller than without it
    assert contrast(dukcapil.color, dukcapil.bg) > 15  # yellow on black
    tap(_button(app, "large_button"))
    pump_until(lambda: not app.large)
    tap(_button(app, "voice_button"))
    pump_until(lambda: app.voice)
    assert ctl.guide.spoken[-1].startswith("Bantuan suara aktif.")
    tap(tile(kiosk, "home", "DUKCAPIL"))  # first touch: said and framed, not chosen
    assert ctl.screen == "home" and tile(kiosk, "home", "DUKCAPIL").selected
    assert ctl.guide.spoken[-1] == "Dua. Dispendukcapil."
    tap(_button(app, "voice_button"))
    pump_until(lambda: not app.voice)


def _button(app: Any, name: str) -> Any:
    from kiosk.screens import Tile

    found = [
        w
        for w in app.root.walk()
        if isinstance(w, Tile)
        and w.text.startswith({"large_button": "A+", "voice_button": "Bantuan suara"}[name])
    ]
    assert found, name
    return found[0]


def test_petugas_menghampiri_from_the_done_screen(kiosk: Kiosk) -> None:
    """A visitor who just got a ticket taps "Butuh bantuan? Petugas akan menghampiri Anda":
    the call names the kiosk and the number, on the floor and for the counters, until an
    officer takes it; the touch does not send the screen home."""
    import httpx

    ctl, app = kiosk.ctl, kiosk.app
    ctl.go_home()
    pump_until(lambda: ctl.screen == "home" and ctl.usable)
    tap(tile(kiosk, "home", "DPMPTSP"))
    pump_until(lambda: app._sm.current in ("services", "priority", "done"))
    if app._sm.current == "services":
        tap(tile(kiosk, "services", "IZIN"))
        pump_until(lambda: app._sm.current in ("priority", "done"))
    if app._sm.current == "priority":
        ctl.choose_priority(False)
    pump_until(lambda: app._sm.current == "done")
    assert ctl.ticket is not None
    code = ctl.ticket.code
    button = app.screens["done"].ids.help_ticket
    assert button.text == "Butuh bantuan? Petugas akan menghampiri Anda"
    ctl.toggle_large()  # large text: yellow on black, as every tile that can be chosen
    pump_until(lambda: app.large)
    assert list(button.bg) == [0, 0, 0, 1] and contrast(button.color, button.bg) > 15
    ctl.toggle_large()
    pump_until(lambda: not app.large)
    time.sleep(0.35)  # past the grace: a touch elsewhere would go home
    tap(button)
    pump_until(lambda: ctl.screen == "notice")
    assert ctl.notice_message() == (
        f"Petugas akan menghampiri Anda. Mohon tunggu di dekat kios ini dan tunjukkan tiket {code}."
    )
    api = kiosk.server.url + "/api/v1"
    r = httpx.post(api + "/sessions", json={"username": "admin", "password": "demo-admin-2026"})
    admin = {"Authorization": f"Bearer {r.json()['token']}"}
    [call] = [c for c in httpx.get(api + "/help", headers=admin).json()["open"]
              if code in c["note"]]  # fmt: skip
    assert call["kiosk"] == "Kiosk demo" and call["note"] == f"nomor antrean {code}"
    assert call["ticket"] == code  # kept as the ticket itself, not only in the words
    alerts = httpx.get(api + "/floor", headers=admin).json()["alerts"]
    shown = [a for a in alerts if a["kind"] == "help" and a["ended_at"] is None]
    assert any(a["message"] == f"Butuh bantuan di Kiosk demo: nomor antrean {code}"
               for a in shown)  # fmt: skip
    assert httpx.post(f"{api}/help/{call['id']}/take", headers=admin).status_code == 200
    still = httpx.get(api + "/help", headers=admin).json()["open"]
    assert all(c["id"] != call["id"] for c in still)
    # a ticket this kiosk did not issue (or an unknown one) is refused, naming the field
    refused = httpx.post(api + "/help", json={"ticket": 999999},
                         headers={"Authorization": "Bearer demo-kiosk"})  # fmt: skip
    assert refused.status_code == 422 and refused.json()["field"] == "ticket"


def test_a_priority_ticket_on_screen_says_prioritas_and_one_truth(
    kiosk: Kiosk, tmp_path: Any
) -> None:
    """The printed ticket says PRIORITAS; the screen did not. With no counter open for
    AKTA, the screen said 'Anda nomor berikutnya' above 'Belum ada loket yang buka'."""
    import os
    from pathlib import Path

    from kiosk.shots import pump, screenshot

    ctl = kiosk.ctl
    pump_until(lambda: ctl.screen == "home" and ctl.usable)
    ctl.choose_agency("DUKCAPIL")
    pump_until(lambda: ctl.screen == "services")
    ctl.choose_service("AKTA")
    pump_until(lambda: ctl.screen == "priority")
    ctl.choose_priority(True)
    if ctl.screen == "group":
        ctl.choose_group(ctl.services.priority_groups[0].code)  # type: ignore[union-attr]
    pump_until(lambda: kiosk.app._sm.current == "done")
    pump(5)
    done = kiosk.app.screens["done"]
    assert done.ids.mark.text == "PRIORITAS" and done.ids.mark.opacity == 1
    assert done.ids.mark.height > 20
    lines = f"{kiosk.app.ticket_ahead} {kiosk.app.ticket_wait}"
    assert "berikutnya" not in lines and lines.count("Belum ada loket yang buka") == 1, lines
    assert b"PRIORITAS" in kiosk.printer.jobs[-1]
    out = Path(os.environ.get("ANTRIAN_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    screenshot(out / "kiosk-done-priority.png")
    time.sleep(0.35)
    tap(done)
    pump_until(lambda: kiosk.app._sm.current == "home")
    ctl.choose_agency("DUKCAPIL")
    pump_until(lambda: ctl.screen == "services")
    ctl.choose_service("KK")
    pump_until(lambda: ctl.screen == "priority")
    ctl.choose_priority(False)
    pump_until(lambda: kiosk.app._sm.current == "done" and ctl.ticket is not None
               and not ctl.ticket.priority)  # fmt: skip
    pump(3)
    assert done.ids.mark.opacity == 0 and done.ids.mark.height == 0
    time.sleep(0.35)
    tap(done)
    pump_until(lambda: kiosk.app._sm.current == "home")
