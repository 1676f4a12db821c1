"""`antrian counter`: the officer's counter terminal. Reads the config, wires the parts, runs."""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from pathlib import Path

from shared.config import Config, load_config
from shared.errors import ConfigError

log = logging.getLogger(__name__)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="antrian counter", description="the officer's counter terminal"
    )
    p.add_argument("--config", help="config file (TOML); default: the bundled sample site")
    p.add_argument("--server", help="server URL, e.g. http://192.168.1.10:8765 (default: zeroconf)")
    p.add_argument(
        "--counter", help="bind this terminal to one counter, e.g. L03 (no choice at login)"
    )
    p.add_argument("--screenshots", metavar="DIR", help="save a PNG of every screen, then exit")
    p.add_argument("--size", default="1366x768", help="window size WxH (default 1366x768)")
    p.add_argument("--fullscreen", action="store_true", help="fill the screen")
    return p.parse_args(argv)


def _size(text: str) -> tuple[int, int]:
    w, _, h = text.lower().partition("x")
    return max(640, int(w)), max(480, int(h))


def prepare_kivy(headless: bool) -> None:
    """Kivy reads these when first imported: set them before that (docs/TESTING.md)."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # else Kivy parses our argv
    os.environ.setdefault("KIVY_NO_FILELOG", "1")  # logs go to stdout for journald
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")  # ...once, through our logging set-up
    # Kivy's own mode sets the root logger to NOTSET: every library's DEBUG lines (the
    # websocket handshake with its bearer token) went to the journal.
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    # Software GL (llvmpipe): its rasterizer threads froze the TV board for up to 30 s
    # at a texture upload; rendering on the calling thread does not. GPU drivers ignore it.
    os.environ.setdefault("LP_NUM_THREADS", "0")
    if headless and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        # --screenshots on a box with no screen; never SDL's "dummy" driver (exits with 102).
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="antrian-counter-kivy-"))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        config: Config = load_config(args.config)
        size = _size(args.size)
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    except ValueError:
        log.error("--size must look like 1366x768, not %r", args.size)
        return 2
    counter = args.counter or config.counter.counter
    if counter and config.counter_config(counter) is None:
        log.error("counter %r is not in the config's [[counters]]", counter)
        return 2
    shots = Path(args.screenshots) if args.screenshots else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    prepare_kivy(headless=shots is not None)
    from kivy.config import Config as KivyConfig

    KivyConfig.set("kivy", "exit_on_escape", "0")  # Esc closes dialogs, never the app
    KivyConfig.set("graphics", "width", str(size[0]))
    KivyConfig.set("graphics", "height", str(size[1]))
    from counter.ui import CounterApp  # imports Kivy: only after the settings above

    app = CounterApp(
        config,
        server_url=args.server or config.client.server or None,
        counter_code=counter,
        counter_fixed=bool(args.counter) or config.counter.locked,
        screenshots=shots,
        fullscreen=args.fullscreen or (config.counter.fullscreen and shots is None),
    )
    try:
        app.run()
    finally:
        app.shutdown()  # a crash must not leave the stream's thread holding the process
    return app.exit_code
