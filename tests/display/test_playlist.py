"""The playlist beside the board: pictures and a real video (ffpyplayer), lowered while a call
is read out. A real window (offscreen), a real server, real WAVs played by SDL2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as PILImage

from display.controller import Call
from display.settings import Settings, from_config
from display.ui import DisplayApp
from shared.config import load_config
from tests.display.conftest import (
    Officer,
    ServerProcess,
    Voice,
    call_once,
    issue,
    pump_until,
    running,
)

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


def with_playlist(folder: Path, volume: float = 0.8, duck: float = 0.1) -> Settings:
    config = load_config(None)
    display = config.display.model_copy(
        update={
            "playlist_dir": str(folder),
            "playlist_seconds": 2.0,
            "video_volume": volume,
            "duck_volume": duck,
        }
    )
    return from_config(config.model_copy(update={"display": display}))


def poster(path: Path) -> Path:
    PILImage.new("RGB", (320, 180), (21, 101, 192)).save(path)
    return path


def clip(path: Path, seconds: float) -> Path:
    pytest.importorskip("ffpyplayer", reason="the `video` extra is not installed")
    from display.shots import sample_video

    return sample_video(path, seconds=seconds, size=(160, 90))


def player_volume(app: DisplayApp) -> float:
    """The volume FFmpeg's player applies now (what reaches the speakers), in its own steps
    of 1/128 (SDL's mixer): 0.8 reads back as 0.797."""
    assert app.playlist is not None and app.playlist.video is not None
    core: Any = app.playlist.video._video  # Kivy's VideoFFPy
    return float(core._ffplayer.get_volume())


def video_playing(app: DisplayApp) -> bool:
    video = app.playlist.video if app.playlist is not None else None
    return bool(video is not None and video.loaded and video.state == "play")


def test_a_video_is_lowered_while_a_call_is_read_out_and_restored_after(
    server: ServerProcess, tmp_path: Path, no_thread_left: None
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    clip(media / "01-clip.mp4", seconds=60)
    poster(media / "02-poster.png")
    voice = Voice(tmp_path, speech_seconds=1.5)  # long enough to see it while it plays
    app = DisplayApp(with_playlist(media, volume=0.8, duck=0.1), server.url, renderer=voice)
    with running(app):
        assert app.playlist is not None
        assert [Path(p).name for p in app.playlist.items] == ["01-clip.mp4", "02-poster.png"]
        assert pump_until(lambda: app.controller.connected and video_playing(app), 20)
        assert pump_until(lambda: player_volume(app) == pytest.approx(0.8, abs=0.01), 5)
        assert app.screen is not None and app.screen.playlist_on

        issue(server.url, "IZIN")
        code = call_once(server.url, "L01")
        assert pump_until(lambda: app.sounds.playing, 10)
        assert voice.said == [code]
        assert player_volume(app) == pytest.approx(0.1, abs=0.01)  # lowered while the voice plays
        assert app.screen.announcing
        assert pump_until(lambda: not app.sounds.playing, 10)
        assert pump_until(lambda: player_volume(app) == pytest.approx(0.8, abs=0.01), 2)
        assert not app.screen.announcing
        assert video_playing(app)  # the same video went on meanwhile


class FailingVoice:
    """A renderer that fails for the first call (espeak-ng missing, a full disk...)."""

    def __init__(self, voice: Voice) -> None:
        self.voice = voice
        self.calls = 0

    def __call__(self, call: Call) -> list[tuple[str, float]]:
        self.calls += 1
        if self.calls == 1:
            raise OSError("no space left on device")
        return self.voice(call)


@pytest.mark.slow
def test_never_left_lowered_after_a_failed_announcement(
    server: ServerProcess, tmp_path: Path, no_thread_left: None
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    clip(media / "clip.mp4", seconds=60)
    renderer = FailingVoice(Voice(tmp_path, speech_seconds=1.0))
    app = DisplayApp(with_playlist(media, volume=0.5, duck=0.0), server.url, renderer=renderer)
    with running(app):
        assert pump_until(lambda: app.controller.connected and video_playing(app), 20)
        issue(server.url, "KTP", 2)
        officer = Officer(server.url, "L03")
        try:
            officer.call()  # its voice fails
            assert pump_until(lambda: renderer.calls == 1, 10)
            assert pump_until(lambda: player_volume(app) == pytest.approx(0.5, abs=0.01), 5)
            assert app.screen is not None and not app.screen.announcing
            second = officer.call()  # this one is read out: muted (duck_volume 0), then back
        finally:
            officer.close()
        assert pump_until(lambda: app.sounds.playing, 10)
        assert renderer.voice.said == [second]
        assert player_volume(app) == pytest.approx(0.0, abs=0.01)
        assert pump_until(lambda: not app.controller.announcements.busy, 10)
        assert pump_until(lambda: player_volume(app) == pytest.approx(0.5, abs=0.01), 2)


def test_pictures_then_a_video_then_pictures_again(
    server: ServerProcess, tmp_path: Path, no_thread_left: None
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    poster(media / "01-poster.png")
    clip(media / "02-clip.mp4", seconds=1.5)
    app = DisplayApp(with_playlist(media), server.url, renderer=Voice(tmp_path))
    with running(app):
        player = app.playlist
        assert player is not None
        assert Path(player.current).name == "01-poster.png"
        assert player.image is not None and player.image.texture is not None
        assert pump_until(lambda: video_playing(app), 10)  # after playlist_seconds (2 s)
        assert Path(player.current).name == "02-clip.mp4"
        # the video ends by itself and the picture comes back; the video's player is closed
        assert pump_until(lambda: Path(player.current).name == "01-poster.png", 15)
        assert player.video is None


NO_PROVIDER = """
import logging, sys
from pathlib import Path
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(levelname)s %(message)s")
from kivy.uix.relativelayout import RelativeLayout
from display.media import PlaylistPlayer
player = PlaylistPlayer(RelativeLayout(), 10)
pictures, mixed = Path(sys.argv[1]), Path(sys.argv[2])
player.load(pictures)
print("VIDEO-LOADED-AFTER-PICTURES", "kivy.core.video" in sys.modules, "ffpyplayer" in sys.modules)
print("ITEMS", [Path(p).name for p in player.load(mixed)])
"""


def test_without_a_video_player_videos_are_skipped_with_one_warning(tmp_path: Path) -> None:
    """KIVY_VIDEO=null: Kivy has no video provider, as on a TV without the `video` extra."""
    pictures, mixed = tmp_path / "pictures", tmp_path / "mixed"
    pictures.mkdir()
    mixed.mkdir()
    poster(pictures / "a.png")
    poster(mixed / "a.png")
    for name in ("b.mp4", "c.webm"):
        (mixed / name).write_bytes(b"not read: no player")
    env = {"KIVY_VIDEO": "null", "KIVY_LOG_MODE": "PYTHON"}
    out = subprocess.run(
        [sys.executable, "-c", NO_PROVIDER, str(pictures), str(mixed)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**_env(), **env},
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    # a folder of pictures loads no video machinery at all
    assert "VIDEO-LOADED-AFTER-PICTURES False False" in lines
    assert "ITEMS ['a.png']" in lines
    warnings = [line for line in lines if line.startswith("WARNING") and "video" in line]
    assert len(warnings) == 1 and "2 video(s)" in warnings[0] and "pip install" in warnings[0]


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)
