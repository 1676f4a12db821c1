"""`antrian display --screenshots DIR`: drive real calls through the API and save the board."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.graphics.opengl import (
    GL_PACK_ALIGNMENT,
    GL_RGB,
    GL_UNSIGNED_BYTE,
    glPixelStorei,
    glReadPixels,
)
from PIL import Image as PILImage
from PIL import ImageDraw

from display.ui import DisplayApp
from shared.client import ApiClient
from shared.errors import AntrianError
from shared.worker import Worker

log = logging.getLogger(__name__)

DEMO_KIOSK_TOKEN = "demo-kiosk"
DEMO_OFFICER, DEMO_PIN = "demo", "123456"


# Software GL (llvmpipe) queues frames and renders them when the pixels are read:
# pumping at 60 fps for seconds makes a screenshot wait for all of them. 10 fps will do.
FRAME = 0.1


def pump(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        EventLoop.idle()
        time.sleep(FRAME)


def pump_until(pred: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        EventLoop.idle()
        if pred():
            return True
        time.sleep(FRAME)
    return pred()


def save(folder: Path, name: str) -> Path:
    """Read the window's pixels and write a PNG with Pillow.

    Not Window.screenshot: at 1366 px wide its rows are not 4-byte multiples and
    the PNG comes out skewed.
    """
    pump(0.3)
    w, h = Window.size
    glPixelStorei(GL_PACK_ALIGNMENT, 1)
    data = glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE)
    image = PILImage.frombytes("RGB", (w, h), data).transpose(PILImage.Transpose.FLIP_TOP_BOTTOM)
    target = folder / f"{name}.png"
    image.save(target)
    log.info("saved %s", target)
    return target


def drive_calls(base_url: str, counters: list[str], services: dict[str, str]) -> int:
    """Issue a ticket for each counter's first service and call it there; the last event seq."""
    kiosk = ApiClient(base_url, DEMO_KIOSK_TOKEN)
    last = 0
    try:
        for code in counters:
            service = services[code]
            for _ in range(2):
                kiosk.issue(service, False, f"shot-{uuid.uuid4().hex[:16]}")
            officer = ApiClient(base_url)
            try:
                officer.login(DEMO_OFFICER, DEMO_PIN, code)
                answer = officer.call(code)
                if answer.ticket is not None:
                    last = answer.ticket.id
            finally:
                officer.close()
    finally:
        kiosk.close()
    return last


def stop_first_service(base_url: str, service: str) -> None:
    """The demo officer (a supervisor in --demo) stops a service: the board says so."""
    officer = ApiClient(base_url)
    try:
        officer.login(DEMO_OFFICER, DEMO_PIN, "L01")
        officer.stop_service(service, "blangko habis")
    except AntrianError as exc:
        log.error("could not stop %s for the screenshot: %s", service, exc)
    finally:
        officer.close()


def sample_video(path: Path, seconds: float = 4.0, size: tuple[int, int] = (640, 360)) -> Path:
    """A short silent video made here with ffpyplayer's writer: colour bands that move, so a
    frame shows it plays (standing in for a site's own clips; nothing is downloaded)."""
    from ffpyplayer.pic import Image as FFImage
    from ffpyplayer.writer import MediaWriter

    w, h = size
    fps = 10
    out = {"pix_fmt_in": "rgb24", "width_in": w, "height_in": h, "codec": "mpeg4"}
    out.update(pix_fmt_out="yuv420p", frame_rate=(fps, 1))
    writer = MediaWriter(str(path), [out])
    try:
        for i in range(int(seconds * fps)):
            frame = PILImage.new("RGB", (w, h), (0, 121, 107))
            draw = ImageDraw.Draw(frame)
            x = (i * 24) % w
            draw.rectangle((x, 0, x + w // 6, h), fill=(255, 214, 64))
            draw.rectangle((w // 10, h // 3, w - w // 10, 2 * h // 3), outline="white", width=8)
            picture = FFImage(plane_buffers=[frame.tobytes()], pix_fmt="rgb24", size=(w, h))
            writer.write_frame(img=picture, pts=i / fps, stream=0)
    finally:
        writer.close()
    return path


def _video_shots(app: DisplayApp, folder: Path, sizes: tuple[tuple[int, int], ...]) -> None:
    """The playlist with a video playing, when a video provider is installed."""
    from display.media import video_provider

    if video_provider() is None:
        log.warning("no video provider (the `video` extra): no screenshot of a playing video")
        return
    clips = folder / "playlist-video-sample"
    clips.mkdir(exist_ok=True)
    sample_video(clips / "clip.mp4", seconds=30)
    app.load_playlist(str(clips))
    player = app.playlist
    assert player is not None
    pump_until(lambda: player.video is not None and player.video.loaded, 10.0)
    # the calls made above are still being read out: the video is lowered (and ducked)
    for w, h in sizes:
        Window.size = (w, h)
        pump(0.5)
        save(folder, f"board_{w}x{h}_playlist_video_announcing")
    app.controller.announcements.pending.clear()  # skip the backlog: the video as it plays
    pump_until(lambda: not app.announcing, 20.0)
    for w, h in sizes:
        Window.size = (w, h)
        pump(0.5)
        save(folder, f"board_{w}x{h}_playlist_video")
    app.clear_playlist()


def take_screenshots(app: DisplayApp, folder: Path, sizes: tuple[tuple[int, int], ...]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    app._run_prepare()  # the window and the board, without entering the blocking loop
    ok = pump_until(lambda: app.controller.has_board, 10.0)
    if not ok:
        log.error("no server answered within 10 s: only the connecting state is saved")
        for w, h in sizes:
            Window.size = (w, h)
            save(folder, f"board_{w}x{h}_connecting_no_server")
        app.stop()
        return 1
    pump_until(lambda: app.controller.connected, 5.0)
    config = app.site
    counters = [c.code for c in config.counters]
    services = {c.code: c.services[0] for c in config.counters}
    base = app.locator.locate()
    worker = Worker("screenshot-calls")
    result: dict[str, object] = {}

    def done(value: object, error: BaseException | None) -> None:
        result["done"] = error or value

    worker.submit(lambda: drive_calls(base, counters, services), done)
    pump_until(lambda: "done" in result, 60.0)
    worker.stop()
    if isinstance(result.get("done"), AntrianError | Exception):
        log.error("could not make calls through the API: %s", result["done"])
        app.stop()
        return 1
    # wait until the display has every counter's call on screen
    pump_until(lambda: all(v.ticket_code for v in app.controller.counters()), 10.0)
    pump(1.8)  # let the spotlight's flash end: the picture shows it at full contrast
    few = counters[:4]
    for w, h in sizes:
        Window.size = (w, h)
        pump(0.5)
        app.set_layout(group_by="counter", counters=[])
        save(folder, f"board_{w}x{h}_many_counters_fresh_call")
        app.set_layout(group_by="agency", counters=[])
        save(folder, f"board_{w}x{h}_by_agency")
        app.set_layout(group_by="counter", counters=few)
        save(folder, f"board_{w}x{h}_few_counters")
    # the image playlist area, with a generated poster standing in for the site's pictures
    posters = folder / "playlist-sample"
    posters.mkdir(exist_ok=True)
    poster = PILImage.new("RGB", (1280, 720), (21, 101, 192))
    ImageDraw.Draw(poster).rectangle((40, 40, 1240, 680), outline=(255, 255, 255), width=12)
    poster.save(posters / "poster.png")
    app.load_playlist(str(posters))
    app.set_layout(group_by="counter", counters=[])
    for w, h in sizes:
        Window.size = (w, h)
        pump(0.5)
        save(folder, f"board_{w}x{h}_playlist")
    app.clear_playlist()
    _video_shots(app, folder, sizes)
    # a service stopped for the day (last: the demo server keeps it stopped until midnight)
    stop_first_service(base, services[counters[0]])
    pump_until(lambda: bool(app.controller.stopped()), 10.0)
    for w, h in sizes:
        Window.size = (w, h)
        pump(0.5)
        save(folder, f"board_{w}x{h}_service_stopped")
    # the connecting state: the stream is gone, the last board stays on screen
    if app.stream is not None:
        app.stream.stop()
    app.controller.set_state("disconnected")
    app.set_layout(group_by="counter", counters=[])
    for w, h in sizes:
        Window.size = (w, h)
        pump(0.5)
        save(folder, f"board_{w}x{h}_connecting")
    app.stop()
    return 0
