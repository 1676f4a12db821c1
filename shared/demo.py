"""`antrian demo`: the server, a kiosk, a counter and a display on one machine.

Every part is a child process started through the same `antrian` command line
a site uses, so the demo exercises the real paths. With no screen it runs the
server alone and says how to reach it and how to see the apps anyway.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from datetime import date
from datetime import time as dtime
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from shared.config import parse_config, sample_path
from shared.errors import AntrianError

log = logging.getLogger(__name__)
DEFAULT_PORT = 8765
APPS = ("kiosk", "counter", "display")
CREDENTIALS = (
    "kiosk token demo-kiosk, display token demo-display, survey tablet token demo-survey, "
    "officer demo / PIN 123456 (supervisor, any counter), console admin / demo-admin-2026"
)


# The three windows tiled on a 1366x768 laptop screen, none covering another (the TV's
# 1920x1080 default covered the counter). (left, top, width, height) of each window's
# inside; TITLE_BAR is left free above each for the window manager's title bar.
SCREEN = (1366, 768)
TITLE_BAR = 30
WINDOWS: dict[str, tuple[int, int, int, int]] = {
    "kiosk": (0, TITLE_BAR, 420, 730),  # portrait, as a kiosk stands
    "counter": (428, TITLE_BAR, 938, 400),
    "display": (428, 2 * TITLE_BAR + 400 + 2, 544, 306),  # 16:9
}


def window_args(app: str) -> tuple[list[str], dict[str, str]]:
    """The arguments and environment that size and place an app's demo window."""
    left, top, width, height = WINDOWS[app]
    # Kivy takes any config token from KCFG_<section>_<key>; the apps never set position.
    env = {
        "KCFG_GRAPHICS_POSITION": "custom",
        "KCFG_GRAPHICS_LEFT": str(left),
        "KCFG_GRAPHICS_TOP": str(top),
    }
    return ["--size", f"{width}x{height}"], env


class DemoError(AntrianError):
    """The demo could not start its server."""


# -- a small TOML writer, enough for our config (tomllib only reads) ----------------

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE_KEY.match(k) else json.dumps(k, ensure_ascii=False)


def _is_table_array(v: object) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(i, dict) for i in v)


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        # JSON string escapes are valid TOML basic-string escapes.
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, date | dtime):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_value(i) for i in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(i)}" for k, i in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _table(data: dict[str, Any], path: str) -> list[str]:
    lines = [
        f"{_key(k)} = {_value(v)}"
        for k, v in data.items()
        if not isinstance(v, dict) and not _is_table_array(v)
    ]
    for k, v in data.items():
        sub = f"{path}.{_key(k)}" if path else _key(k)
        if isinstance(v, dict):
            lines += ["", f"[{sub}]", *_table(v, sub)]
        elif _is_table_array(v):
            for item in v:
                lines += ["", f"[[{sub}]]", *_table(item, sub)]
    return lines


def to_toml(data: dict[str, Any]) -> str:
    """TOML text for a dict as tomllib reads it (tables, arrays of tables, scalars)."""
    return "\n".join(_table(data, "")).lstrip("\n") + "\n"


def app_configs(url: str, data: Path) -> dict[str, str]:
    """The TOML config of each demo app: the sample site plus that app's demo settings."""
    site = tomllib.loads(sample_path().read_text(encoding="utf-8"))
    name = site.get("site", {}).get("name", "")
    tickets = str(data / "tickets")
    overrides: dict[str, dict[str, dict[str, Any]]] = {
        "kiosk": {
            "client": {"server": url, "site": name, "token": "demo-kiosk"},
            "kiosk": {"fullscreen": False},
            "printer": {"kind": "virtual", "preview_dir": tickets, "check_before_print": True},
        },
        "counter": {
            "client": {"server": url, "site": name, "token": ""},
            # No counter set: the demo officer may work at any, and chooses one at login.
            "counter": {"counter": "", "username": "demo", "fullscreen": False},
        },
        "display": {
            "client": {"server": url, "site": name, "token": "demo-display"},
            "display": {"fullscreen": False},
            "voice": {"enabled": True},
        },
    }
    out = {}
    for app, sections in overrides.items():
        merged = dict(site)
        for section, values in sections.items():
            merged[section] = {**site.get(section, {}), **values}
        text = f"# antrian demo: the {app}'s config (written by `antrian demo`)\n" + to_toml(merged)
        parse_config(text, f"demo {app} config")  # a schema change shows here, not in the app
        out[app] = text
    return out


# -- the child processes ----------------------------------------------------------


def _die_with_parent() -> None:
    # Linux: the child gets SIGTERM if the demo dies without cleaning up (kill -9).
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    log: TextIO
    reported: bool = False

    def summary(self) -> str:
        """Its last error line (never a traceback) and where the whole log is."""
        self.log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        errors = [ln.strip() for ln in text if _ERROR_LINE.match(ln.strip())]
        last = errors[-1] if errors else "no error message"
        return f"{last}\n    (whole log: {self.log_path})"


# "antrian: cannot listen ..." from our CLIs, "sqlite3.DatabaseError: ..." ending a traceback
_ERROR_LINE = re.compile(r"^(antrian[\w ]*: |[\w.]*(Error|Exception): )")


@dataclass
class Demo:
    data: Path
    port: int
    children: list[Child] = field(default_factory=list)
    url: str = ""

    def _spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> Child:
        logs = self.data / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log_path = logs / f"{name}.log"
        log = log_path.open("w", encoding="utf-8")
        proc = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", *args],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            # Its own session: Ctrl-C reaches only the demo, which then stops each child.
            start_new_session=True,
            preexec_fn=_die_with_parent,  # the demo is single-threaded, so this is safe
        )
        child = Child(name, proc, log_path, log)
        self.children.append(child)
        return child

    def start_server(self, timeout: float = 60.0) -> str:
        ready = self.data / "server.url"
        ready.unlink(missing_ok=True)
        args = ["server", "--demo", "--no-zeroconf", "--host", "127.0.0.1"]
        args += ["--port", str(self.port), "--data-dir", str(self.data)]
        server = self._spawn("server", [*args, "--ready-file", str(ready)])
        deadline = time.monotonic() + timeout
        while not (ready.exists() and ready.read_text().strip()):
            if server.proc.poll() is not None:
                raise DemoError(f"the server stopped at once: {server.summary()}")
            if time.monotonic() > deadline:
                raise DemoError(
                    f"the server did not start within {timeout:.0f} s: {server.summary()}"
                )
            time.sleep(0.05)
        self.url = ready.read_text().strip()
        return self.url

    def start_app(self, app: str, config: Path) -> Child:
        # KIVY_NO_ARGS: the app parses its own arguments.
        size, place = window_args(app)
        return self._spawn(
            app,
            [app, "--config", str(config), "--server", self.url, *size],
            {"KIVY_NO_ARGS": "1", **place},
        )

    def stop(self, timeout: float = 8.0) -> None:
        """Apps first, then the server: SIGTERM, then SIGKILL for whatever lingers."""
        for child in reversed(self.children):
            if child.proc.poll() is None:
                child.proc.terminate()
        deadline = time.monotonic() + timeout
        for child in reversed(self.children):
            try:
                child.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop within %.0f s; killing it", child.name, timeout)
                child.proc.kill()
                child.proc.wait()
            child.log.close()


# -- what this machine can show -----------------------------------------------------


def has_screen(env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def missing_for_apps() -> dict[str, str]:
    """App -> why it cannot start here (empty when all can)."""
    missing = {}
    kivy = importlib.util.find_spec("kivy") is not None
    for app in APPS:
        if not kivy:
            missing[app] = "Kivy is not installed (pip install -e '.[gui]')"
        elif importlib.util.find_spec(f"{app}.app") is None:
            missing[app] = f"the {app} app is not in this checkout yet ({app}/app.py)"
    return missing


def choose_port(wanted: int | None, default: int = DEFAULT_PORT) -> tuple[int, str]:
    """The port to use, and a note when the default one was taken."""
    if wanted is not None:
        return wanted, ""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # As the server binds (server/cli/server.py): the last run's connections, still in
        # TIME_WAIT for a minute after a restart, do not make the port look taken.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", default))
        except OSError:
            return 0, f"port {default} is taken (another server?), using a free one"
    return default, ""


def antrian_command() -> str:
    """How to run `antrian` from this shell: the venv's, which `make demo` does not put on PATH."""
    beside = Path(sys.executable).with_name("antrian")
    if not beside.exists():
        return f"{sys.executable} -m shared.cli"
    try:
        relative = beside.relative_to(Path.cwd())
    except ValueError:
        return str(beside)
    return str(relative) if str(relative).startswith(".") else f"./{relative}"


def _how_to_see(demo: Demo, configs: dict[str, Path]) -> list[str]:
    shots = demo.data / "screenshots"
    antrian = antrian_command()
    lines = ["To see an app without a screen, let it save a PNG of each of its screens:"]
    for app in APPS:
        lines.append(
            f"  SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy {antrian} {app} "
            f"--config {configs[app]} --server {demo.url} --screenshots {shots / app}"
        )
    lines += [
        "Or talk to the server directly:",
        f"  curl {demo.url}/api/v1/services",
        f"  curl -X POST -H 'Authorization: Bearer demo-kiosk' -H 'Content-Type: application/json' "
        f'-d \'{{"service": "IZIN", "priority": false, "request_id": "demo-0001"}}\' '
        f"{demo.url}/api/v1/tickets",
    ]
    return lines


_ROLE_HINT = {
    "kiosk": "touch an agency, then a service: a ticket is 'printed' to the folder above",
    "counter": "log in as demo / 123456, choose a counter of the agency whose ticket you "
    "took, then call the next number (F1)",
    "display": "shows each call and says it aloud",
}


class _Stop(Exception):
    """SIGTERM or SIGHUP asked the demo to stop."""


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="antrian demo",
        description="Server, kiosk, counter and display on this machine (sample site, demo "
        "credentials). Ctrl-C stops everything.",
    )
    p.add_argument("--port", type=int, help=f"server port (default {DEFAULT_PORT}, 0 = free)")
    p.add_argument("--data-dir", help="where the database, configs, logs and tickets go")
    p.add_argument("--no-apps", action="store_true", help="start the server only")
    args = p.parse_args(argv)

    # No --data-dir: a fresh folder, removed on exit (each run left one behind in /tmp).
    temporary = not args.data_dir
    data = Path(args.data_dir or tempfile.mkdtemp(prefix="antrian-demo-")).resolve()
    data.mkdir(parents=True, exist_ok=True)
    port, port_note = choose_port(args.port)
    demo = Demo(data, port)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    # Ctrl-C even when started in the background by a shell (which ignores SIGINT there).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    say = print  # the demo's own output is its user interface
    try:
        if port_note:
            say(port_note)
        say("Starting the server...", flush=True)
        try:
            url = demo.start_server()
            texts = app_configs(url, data)
        except AntrianError as exc:
            say(f"antrian demo: {exc}", file=sys.stderr)
            return 1
        configs = {}
        for app, text in texts.items():
            configs[app] = data / f"{app}.toml"
            configs[app].write_text(text, encoding="utf-8")
        tickets = data / "tickets"
        tickets.mkdir(exist_ok=True)
        files_note = "; removed on exit, --data-dir DIR keeps them" if temporary else ""
        say(
            f"\nAntrian MPP demo: {parse_config(texts['kiosk']).site.name} "
            "(sample site; every service open, no quota)\n"
            f"  Server       {url}   (API {url}/api/v1, try {url}/docs)\n"
            f"  Console      {url}/console/   (admin / demo-admin-2026)\n"
            f"  Credentials  {CREDENTIALS}\n"
            f"  Tickets      {tickets}   (a PNG preview of each printed ticket)\n"
            f"  Files        {data}   (database, app configs, logs/{files_note})\n"
        )
        missing = {} if args.no_apps else missing_for_apps()
        if args.no_apps:
            say("Apps not started (--no-apps).")
            say("\n".join(_how_to_see(demo, configs)))
        elif not has_screen():
            say(
                "No screen here (neither DISPLAY nor WAYLAND_DISPLAY is set), so only the "
                "server runs.\nMissing: the kiosk, counter and display windows."
            )
            say("\n".join(_how_to_see(demo, configs)))
        else:
            for app in APPS:
                if app in missing:
                    say(f"  {app.capitalize():<8} NOT started: {missing[app]}")
                    continue
                child = demo.start_app(app, configs[app])
                say(f"  {app.capitalize():<8} started (pid {child.proc.pid}): {_ROLE_HINT[app]}")
        say("\nPress Ctrl-C to stop everything.", flush=True)
        return _watch(demo, tickets, say)
    except (KeyboardInterrupt, _Stop):
        say("\nStopping...", flush=True)
        return 0
    finally:
        # A second Ctrl-C or SIGTERM while stopping must not cut the clean-up short.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        demo.stop()
        if temporary:
            shutil.rmtree(data, ignore_errors=True)
            say(f"Stopped. Files removed ({data}); --data-dir DIR keeps them.", flush=True)
        elif demo.url:
            say(f"Stopped. Files kept in {data}", flush=True)


def _watch(demo: Demo, tickets: Path, say: Any) -> int:
    """Until Ctrl-C: report printed tickets and children that stop; 1 if the server dies."""
    seen = set(tickets.glob("*.png"))
    while True:
        time.sleep(0.5)
        for png in sorted(set(tickets.glob("*.png")) - seen):
            say(f"  printed ticket -> {png}", flush=True)
            seen.add(png)
        for child in demo.children:
            code = child.proc.poll()
            if code is None or child.reported:
                continue
            child.reported = True
            say(f"  {child.name} stopped (exit code {code}): {child.summary()}", flush=True)
            if child.name == "server":
                return 1
