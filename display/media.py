"""The playlist beside the board: pictures and videos from a local folder, shown in turn.

A picture stays `seconds`; a video plays to its end. Videos need a Kivy video
provider (ffpyplayer, the `video` extra), imported only when the folder holds a
video: a TV with pictures only (or none) never loads FFmpeg. While a call is read
out, `duck(True)` lowers the playing video to `duck_volume` (0 mutes it).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.uix.image import Image
from kivy.uix.widget import Widget

log = logging.getLogger(__name__)

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif")
VIDEO_TYPES = (".mp4", ".webm", ".mkv", ".mov", ".m4v", ".avi", ".ogv", ".mpg", ".mpeg")
# A video that has shown no frame by then is broken or unreadable: go on to the next item.
VIDEO_START_SECONDS = 10.0


def is_video(path: str) -> bool:
    return Path(path).suffix.lower() in VIDEO_TYPES


def scan(folder: Path) -> list[str]:
    """The folder's pictures and videos, by name (name them 01-..., 02-... to order them)."""
    kinds = IMAGE_TYPES + VIDEO_TYPES
    return sorted(str(p) for p in folder.iterdir() if p.suffix.lower() in kinds and p.is_file())


def video_provider() -> str | None:
    """The name of Kivy's video provider, or None when it has only its null one."""
    from kivy.core.video import Video as CoreVideo  # loads the provider (FFmpeg): only now

    if CoreVideo is None or CoreVideo.__name__ == "VideoNull":
        return None
    return CoreVideo.__name__


@functools.cache
def _video_class() -> Any:
    from kivy.uix.video import Video

    class PlaylistVideo(Video):
        def texture_update(self, *largs: Any) -> None:
            # Kivy's Video first reads its source as a picture (and logs an error for every
            # video); the frames come from the player, and we set no preview
            if self.preview:
                super().texture_update(*largs)

    return PlaylistVideo


class PlaylistPlayer:
    """Puts each item of the playlist in `area` (a layout of board.kv) in turn."""

    def __init__(
        self, area: Widget, seconds: float, volume: float = 0.6, duck_volume: float = 0.1
    ) -> None:
        self.area = area
        self.seconds = seconds
        self.volume = volume
        self.duck_volume = duck_volume
        self.items: list[str] = []
        self.at = -1
        self.ducked = False
        self.image: Image | None = None
        self.video: Any = None  # kivy.uix.video.Video, imported with the first video
        self._next = Clock.create_trigger(self.advance, 0)
        self._timer: Any = None

    def load(self, folder: Path) -> list[str]:
        """Read the folder; videos are dropped (one warning) when no provider can play them."""
        items = scan(folder)
        videos = [p for p in items if is_video(p)]
        if videos and video_provider() is None:
            log.warning(
                "playlist: %d video(s) in %s skipped: no video player is installed "
                "(pip install 'antrian-mpp[video]', i.e. ffpyplayer); pictures still play",
                len(videos),
                folder,
            )
            items = [p for p in items if not is_video(p)]
        self.items = items
        self.at = -1
        return items

    @property
    def current(self) -> str:
        return self.items[self.at] if 0 <= self.at < len(self.items) else ""

    def advance(self, *_: Any) -> None:
        """Show the next item (the first after load)."""
        self._cancel_timer()
        if not self.items:
            self.stop()
            return
        self.at = (self.at + 1) % len(self.items)
        path = self.items[self.at]
        if is_video(path):
            self._play(path)
        else:
            self._show(path)

    def duck(self, on: bool) -> None:
        """Lower (or restore) the video's sound while a call is read out."""
        self.ducked = on
        if self.video is not None:
            self.video.volume = self.current_volume

    @property
    def current_volume(self) -> float:
        return self.duck_volume if self.ducked else self.volume

    def stop(self) -> None:
        self._cancel_timer()
        self._drop_video()
        self.area.clear_widgets()
        self.at = -1

    # -- pictures and videos ---------------------------------------------------------

    def _show(self, path: str) -> None:
        self._drop_video()
        if self.image is None:
            self.image = Image(fit_mode="contain")
        self.image.source = path
        self._put(self.image)
        self._timer = Clock.schedule_once(self.advance, self.seconds)

    def _play(self, path: str) -> None:
        self._drop_video()
        video = _video_class()(source=path, fit_mode="contain", volume=self.current_volume)
        video.options = {"eos": "stop"}
        video.bind(eos=self._ended)
        self.video = video
        self._put(video)
        video.state = "play"
        self._timer = Clock.schedule_once(
            lambda _dt: self._check_started(video, path), VIDEO_START_SECONDS
        )

    def _check_started(self, video: Any, path: str) -> None:
        if video is self.video and not video.loaded:
            log.warning(
                "playlist: %s shows no picture after %.0f s; skipped", path, VIDEO_START_SECONDS
            )
            self._next()

    def _ended(self, video: Any, eos: bool) -> None:
        if eos and video is self.video:
            self._next()

    def _put(self, widget: Widget) -> None:
        if widget.parent is not self.area:
            self.area.clear_widgets()
            self.area.add_widget(widget)

    def _drop_video(self) -> None:
        video, self.video = self.video, None
        if video is not None:
            video.unbind(eos=self._ended)
            video.state = "stop"
            video.unload()  # closes FFmpeg's decoder and its threads
            if video.parent is not None:
                video.parent.remove_widget(video)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
