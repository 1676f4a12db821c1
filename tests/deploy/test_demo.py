"""`antrian demo`: its configs, the no-screen path, and apps started and stopped."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.config import load_config, parse_config, sample_path
from shared.demo import SCREEN, TITLE_BAR, app_configs, choose_port, to_toml, window_args
from tests.deploy.conftest import REPO
from tests.serverproc import ServerProcess

VENV_BIN = Path(sys.executable).parent


def test_toml_writer_round_trips_the_sample_site() -> None:
    raw = tomllib.loads(sample_path().read_text(encoding="utf-8"))
    text = to_toml(raw)
    assert tomllib.loads(text) == raw
    assert parse_config(text) == load_config(None)
    tricky = {"a": {"q": 'say "hi"\n\\', "k.y": [1, 2.5, True], "t": {"x": "é"}}}
    assert tomllib.loads(to_toml(tricky)) == tricky


def test_app_configs_use_demo_credentials_and_a_virtual_printer(tmp_path: Path) -> None:
    configs = {app: parse_config(text) for app, text in app_configs("http://h:1", tmp_path).items()}
    assert configs["kiosk"].client.token == "demo-kiosk"
    assert configs["kiosk"].printer.kind == "virtual"
    assert configs["kiosk"].printer.preview_dir == str(tmp_path / "tickets")
    assert configs["display"].client.token == "demo-display"
    assert configs["display"].voice.enabled
    assert configs["counter"].counter.username == "demo"
    # No counter fixed: the demo officer chooses the counter of the ticket's agency at login.
    assert configs["counter"].counter.counter == ""
    assert not configs["counter"].counter.locked
    for config in configs.values():
        assert config.client.server == "http://h:1"
        assert len(config.agencies) == len(load_config(None).agencies)


class DemoProcess:
    def __init__(
        self, args: list[str], env: dict[str, str], *, as_background: bool = False
    ) -> None:
        # as_background: SIGINT ignored, as a shell leaves it for `antrian demo &`
        ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if as_background else None
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "demo", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            preexec_fn=ignore,
        )
        self.lines: list[str] = []

    def read_until(self, marker: str, timeout: float = 60) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            if marker in line:
                return "".join(self.lines)
        raise AssertionError(f"no {marker!r} in demo output:\n{''.join(self.lines)}")

    def interrupt(self) -> tuple[int, str, float]:
        """Ctrl-C; returns (exit code, the rest of the output, seconds to stop)."""
        start = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        try:
            rest, _ = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # its children follow (they die with their parent)
            self.proc.communicate()
            raise AssertionError("the demo ignored Ctrl-C for 30 s") from None
        return self.proc.returncode, rest, time.monotonic() - start


@pytest.fixture
def demos() -> Iterator[list[DemoProcess]]:
    """Demo processes a test starts; killed at teardown if a failed assertion left them."""
    started: list[DemoProcess] = []
    yield started
    for demo in started:
        if demo.proc.poll() is None:
            demo.proc.kill()  # its children follow (they die with their parent)
            demo.proc.communicate()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return {**env, **extra}


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_no_screen_runs_the_server_and_says_how_to_reach_it(
    tmp_path: Path, demos: list[DemoProcess]
) -> None:
    demo = DemoProcess(["--port", "0", "--data-dir", str(tmp_path)], _env(), as_background=True)
    demos.append(demo)
    out = demo.read_until("Press Ctrl-C")
    url = re.search(r"Server\s+(http://127\.0\.0\.1:\d+)", out)
    assert url, out
    assert "No screen here" in out and "Missing: the kiosk, counter and display" in out
    assert "demo-kiosk" in out and "123456" in out
    assert f"--config {tmp_path / 'kiosk.toml'} --server {url.group(1)}" in out
    # The printed command works as printed, from where `make demo` ran, with no venv on PATH.
    shown = re.search(r"SDL_AUDIODRIVER=dummy (.+?) kiosk --config", out)
    assert shown, out
    plain = [d for d in os.environ["PATH"].split(os.pathsep) if Path(d) != VENV_BIN]
    run = subprocess.run(
        [*shlex.split(shown.group(1)), "--help"],
        cwd=REPO,
        env={**_env(), "PATH": os.pathsep.join(plain)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and "counter" in run.stdout, (shown.group(1), run.stderr)
    health = httpx.get(f"{url.group(1)}/api/v1/health", timeout=5).json()
    assert health["demo"] is True
    code, rest, _ = demo.interrupt()
    assert code == 0, rest
    assert "Traceback" not in out + rest and "Stopped." in rest
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url.group(1)}/api/v1/health", timeout=2)


def test_server_failure_is_a_message_not_a_traceback(
    tmp_path: Path, demos: list[DemoProcess]
) -> None:
    (tmp_path / "demo.sqlite").write_bytes(b"this is not a database" * 200)
    demo = DemoProcess(["--port", "0", "--data-dir", str(tmp_path), "--no-apps"], _env())
    demos.append(demo)
    rest, _ = demo.proc.communicate(timeout=60)
    assert demo.proc.returncode == 1
    assert "the server stopped at once: " in rest and "file is not a database" in rest
    assert f"whole log: {tmp_path / 'logs' / 'server.log'}" in rest
    assert "Traceback" not in rest and 'File "' not in rest


@pytest.mark.slow
@pytest.mark.gui
def test_with_a_screen_apps_start_and_ctrl_c_stops_them_all(
    tmp_path: Path, demos: list[DemoProcess]
) -> None:
    # DISPLAY marks "a screen"; the offscreen SDL driver renders without one (docs/TESTING.md).
    env = _env(DISPLAY=":99", SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
    demo = DemoProcess(["--port", "0", "--data-dir", str(tmp_path)], env)
    demos.append(demo)
    out = demo.read_until("Press Ctrl-C")
    pids = {m[0]: int(m[1]) for m in re.findall(r"(\w+)\s+started \(pid (\d+)\)", out)}
    not_started = re.findall(r"(\w+)\s+NOT started: (.+)", out)
    assert len(pids) + len(not_started) == 3, out
    assert pids, f"no app could start:\n{out}"
    time.sleep(3)  # let the windows come up and connect
    alive = {name: _gone(pid) is False for name, pid in pids.items()}
    assert all(alive.values()), f"{alive}\n{out}"
    code, rest, took = demo.interrupt()
    assert code == 0, rest
    assert all(_gone(pid) for pid in pids.values())
    assert "killing it" not in rest, f"an app ignored SIGTERM for 8 s:\n{rest}"
    assert took < 12


@pytest.mark.slow
def test_a_fast_restart_keeps_the_default_port(tmp_path: Path) -> None:
    """The last run's connections in TIME_WAIT must not move the demo off its port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ServerProcess(tmp_path)
    server.port = port
    server.start()
    with httpx.Client(base_url=server.url) as client:  # kept alive while the server stops
        assert client.get("/api/v1/health").status_code == 200
        server.stop()  # the server closes first: its side of the connection is in TIME_WAIT
    assert choose_port(None, default=port) == (port, "")
    server.start()  # and the server really listens there again at once
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).status_code == 200
    finally:
        server.stop()


def test_the_demo_windows_are_tiled_on_a_laptop_screen_none_covering_another() -> None:
    """The TV's window (1920x1080 by default) covered the counter's on a 1366x768 screen."""
    boxes = {}
    for app in ("kiosk", "counter", "display"):
        args, env = window_args(app)
        width, height = (int(v) for v in args[args.index("--size") + 1].split("x"))
        left, top = int(env["KCFG_GRAPHICS_LEFT"]), int(env["KCFG_GRAPHICS_TOP"])
        assert env["KCFG_GRAPHICS_POSITION"] == "custom"
        # the window with its title bar above, inside the screen
        boxes[app] = (left, top - TITLE_BAR, left + width, top + height)
        assert boxes[app][0] >= 0 and boxes[app][1] >= 0
        assert boxes[app][2] <= SCREEN[0] and boxes[app][3] <= SCREEN[1], (app, boxes[app])
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            (al, at, ar, ab), (bl, bt, br, bb) = boxes[a], boxes[b]
            assert ar <= bl or br <= al or ab <= bt or bb <= at, (a, b, boxes)


def test_a_demo_without_data_dir_leaves_no_folder_behind(
    tmp_path: Path, demos: list[DemoProcess]
) -> None:
    """Every run left a new antrian-demo-* folder in /tmp."""
    demo = DemoProcess(["--port", "0", "--no-apps"], _env(TMPDIR=str(tmp_path)))
    demos.append(demo)
    out = demo.read_until("Press Ctrl-C")
    files = re.search(r"Files\s+(\S+)", out)
    assert files and Path(files.group(1)).is_dir() and Path(files.group(1)).parent == tmp_path
    code, rest, _ = demo.interrupt()
    assert code == 0, rest
    assert list(tmp_path.iterdir()) == [], rest
    assert "removed" in rest and "--data-dir" in rest
