"""`antrian kiosk`: wires config, server locator, client, worker, printer and the Kivy app.

Kivy is imported inside `main`, after its environment is set, never at import time.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from shared.config import Config, load_config
from shared.errors import ConfigError

log = logging.getLogger(__name__)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="antrian kiosk", description="the touchscreen kiosk")
    p.add_argument("--config", help="config file (TOML); default: the bundled sample site")
    p.add_argument("--server", help="server URL, e.g. http://192.168.1.10:8765 (else zeroconf)")
    p.add_argument("--screenshots", metavar="DIR",
                   help="save a PNG of every screen and state in DIR, then exit")  # fmt: skip
    p.add_argument(
        "--closed-server",
        metavar="URL",
        help="with --screenshots: a server with closed services, for that state",
    )
    p.add_argument("--size", default="", help="window size WxH, e.g. 1080x1920 (not fullscreen)")
    p.add_argument("--windowed", action="store_true", help="not fullscreen, whatever the config")
    return p.parse_args(argv)


def _kivy_environment(headless: bool) -> None:
    """Set before Kivy is imported (docs/TESTING.md); the caller's own settings win."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our argparse owns the command line
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # Kivy logs through `logging`, untouched
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    # Software GL (llvmpipe): its rasterizer threads froze the TV board for up to 30 s
    # at a texture upload; rendering on the calling thread does not. GPU drivers ignore it.
    os.environ.setdefault("LP_NUM_THREADS", "0")
    if headless and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


def escpos_cache() -> None:
    """Keep escpos's parsed printer profiles between runs.

    escpos re-parses a large YAML file at import (about 0.7 s here) unless it finds its
    pickle, which by default it writes into a fresh temp dir each time, so never finds.
    """
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        folder = Path(tempfile.gettempdir()) / f"antrian-escpos-{os.getuid()}"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            log.info("no escpos profile cache (%s): start-up is slower", exc)
            return
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(folder)


def _window_config(config: Config, args: argparse.Namespace) -> None:
    from kivy.config import Config as KivyConfig

    size = args.size or ("1920x1920" if args.screenshots else "")  # offscreen GL never grows
    fullscreen = config.kiosk.fullscreen and not (args.windowed or args.screenshots or args.size)
    KivyConfig.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    if size:
        width, _, height = size.partition("x")
        KivyConfig.set("graphics", "width", str(int(width)))
        KivyConfig.set("graphics", "height", str(int(height)))
    KivyConfig.set("input", "mouse", "mouse,disable_multitouch")  # no red dots on right-click
    KivyConfig.set("kivy", "exit_on_escape", "0")  # a keyboard bumped at the kiosk quits nothing


def build_kiosk(config: Config, *, screenshots: Path | None = None) -> tuple[Any, Any, Any]:
    """The controller, its worker and printer, wired for Kivy's clock."""
    from kivy.clock import Clock

    from hardware.printer import Printer
    from kiosk.controller import KioskController
    from shared.client import ApiClient
    from shared.discovery import ServerLocator
    from shared.worker import Worker

    printer_config = config.printer
    if screenshots is not None:  # review runs never print on paper: previews beside the PNGs
        printer_config = printer_config.model_copy(update={"kind": "virtual"})
    printer = Printer(printer_config, preview_dir=screenshots / "tickets" if screenshots else None)
    locator = ServerLocator(config.client.server or None, config.client.site or None)
    worker = Worker("kiosk-worker")

    def post(fn: Any) -> None:
        Clock.schedule_once(lambda _dt: fn(), 0)

    speak = None
    if screenshots is None:  # voice guidance: the TV's voice, no chime (review runs: silent)
        from hardware.guide_voice import GuideVoice

        voice = config.voice.model_copy(update={"chime": False})
        speak = GuideVoice(voice).say
    controller = KioskController(
        config, locator, lambda url, token: ApiClient(url, token, timeout=5.0),
        printer, worker.submit, post, speak=speak,
    )  # fmt: skip
    return controller, worker, printer


def main(argv: list[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")  # fmt: skip
    fatal = ""
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        log.error("%s", exc)
        fatal = str(exc)
        config = Config()
    if args.server:
        config = config.model_copy(
            update={"client": config.client.model_copy(update={"server": args.server})}
        )
    screenshots = Path(args.screenshots) if args.screenshots else None
    _kivy_environment(headless=screenshots is not None)
    escpos_cache()
    _window_config(config, args)

    if fatal:
        from kiosk.ui import KioskApp

        KioskApp(None, fatal=fatal).run()
        return 2
    app, controller, worker = start(config, screenshots=screenshots)
    try:
        if screenshots is not None:
            from kiosk.shots import take_screenshots

            return take_screenshots(app, controller, worker, screenshots, args.closed_server)
        app.run()
        return 0
    finally:
        worker.stop()


def start(config: Config, *, screenshots: Path | None = None) -> tuple[Any, Any, Any]:
    """Controller first, so the server is being reached while Kivy opens its window."""
    controller, worker, _printer = build_kiosk(config, screenshots=screenshots)
    if screenshots is None:  # (the screenshot run first shows the connecting screen)
        controller.tick()  # connects on the worker thread; the answer waits for Kivy's clock
    from kiosk.ui import KioskApp

    return KioskApp(controller), controller, worker
