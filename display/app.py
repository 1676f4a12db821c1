"""`antrian display`: the waiting-room TV. Reads the config once, prepares Kivy, runs the board.

Kivy is imported only inside main(), after its environment is set: importing
this module (e.g. from `antrian --help`) opens no window and reads no file.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from display.settings import Settings, load_settings
from shared.errors import ConfigError

log = logging.getLogger(__name__)

SCREEN_SIZES = ((1920, 1080), (1366, 768))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="antrian display", description="the waiting-room TV board")
    p.add_argument("--config", help="config file (TOML); default: $ANTRIAN_CONFIG or the sample")
    p.add_argument("--server", help="server URL, e.g. http://10.0.0.2:8765 (default: zeroconf)")
    p.add_argument("--screenshots", metavar="DIR", help="save a PNG of every state, then exit")
    p.add_argument("--windowed", action="store_true", help="not fullscreen (for a desk)")
    p.add_argument("--size", default="1920x1080", help="window size when windowed, WxH")
    p.add_argument("--trace", metavar="FILE", help="append 'monotonic seq code' per call shown")
    return p


def _size(text: str) -> tuple[int, int]:
    w, _, h = text.lower().partition("x")
    return int(w), int(h)


def prepare_kivy(fullscreen: bool, size: tuple[int, int], offscreen: bool) -> None:
    """Kivy reads these when first imported: set them before that."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    # logs go to stdout through `logging` (journald); Kivy's own file log is not wanted
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    # Kivy's default mode lowers the root logger to NOTSET: websockets then formats a
    # DEBUG line for every frame of the event stream, on the stream's thread, to the journal
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    # Software GL (Mesa llvmpipe, a box with no GPU driver): with its rasterizer
    # threads, a texture upload sometimes waited ~30 s for them while the board
    # stood still; rendering on the calling thread never stalls. GPU drivers ignore it.
    os.environ.setdefault("LP_NUM_THREADS", "0")
    # The chime and voice are WAVs and the pictures PNG, JPEG, GIF...: SDL2 and Pillow read
    # them. When ffpyplayer is installed (for videos) Kivy would take it first for sounds
    # and load it for images too: all of FFmpeg (~10 MB) in every TV, videos or not.
    os.environ.setdefault("KIVY_AUDIO", "sdl2")
    os.environ.setdefault("KIVY_IMAGE", "tex,dds,sdl2,pil")
    if offscreen and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from kivy.config import Config as KivyConfig

    KivyConfig.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    KivyConfig.set("graphics", "width", str(size[0]))
    KivyConfig.set("graphics", "height", str(size[1]))
    KivyConfig.set("graphics", "show_cursor", "0" if fullscreen else "1")
    # a board needs no more; fewer frames leave CPU for a box without a real GPU
    KivyConfig.set("graphics", "maxfps", "30")
    # Kivy asks for 2x multisampling by default. On software GL that doubles every
    # colour and depth buffer (1920x1080: 272 -> 218 MB RSS) and the cost of each frame
    # (an idle board drew 6-10 fps at a full core, 24-30 without); all it smooths are
    # the 8 px corners of the panels, by about one pixel.
    KivyConfig.set("graphics", "multisamples", "0")
    KivyConfig.set("kivy", "exit_on_escape", "0" if fullscreen else "1")
    KivyConfig.set("input", "mouse", "mouse,disable_multitouch")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        # validated in a child process: the TV keeps no pydantic (display/settings.py)
        config: Settings = load_settings(args.config or os.environ.get("ANTRIAN_CONFIG"))
        size = _size(args.size)
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    except ValueError:
        log.error("--size must look like 1920x1080, not %r", args.size)
        return 2
    shots = Path(args.screenshots) if args.screenshots else None
    fullscreen = config.display.fullscreen and not args.windowed and shots is None
    prepare_kivy(fullscreen, SCREEN_SIZES[0] if shots else size, offscreen=shots is not None)

    from display.ui import DisplayApp  # imports Kivy: only now

    server = args.server or config.client.server or None
    app = DisplayApp(config, server, trace_path=args.trace)
    try:
        if shots is not None:
            from display.shots import take_screenshots

            return take_screenshots(app, shots, SCREEN_SIZES)
        app.run()
    finally:
        app.shutdown()
    return 0
