"""Deployment tests: a real server process, real SQLite files, a temp install root."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from shared import cli as shared_cli

REPO = Path(__file__).resolve().parents[2]


class ServerProcess:
    """`antrian server` as a child process, on 127.0.0.1 and a free port."""

    def __init__(self, data: Path, *extra: str) -> None:
        ready = data / "server.url"
        ready.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "shared.cli", "server", "--no-zeroconf"]
        cmd += ["--host", "127.0.0.1", "--port", "0", "--data-dir", str(data)]
        cmd += ["--ready-file", str(ready), *extra]
        self.log = (data / "server.log").open("w")
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not (ready.exists() and ready.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server did not start: {(data / 'server.log').read_text()}")
            time.sleep(0.05)
        self.url = ready.read_text().strip()

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.url}/api/v1{path}", timeout=5)

    def post(self, path: str, json: dict[str, object], token: str = "") -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(f"{self.url}/api/v1{path}", json=json, headers=headers, timeout=5)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def start_server() -> Iterator[Callable[..., ServerProcess]]:
    started: list[ServerProcess] = []

    def start(data: Path, *extra: str) -> ServerProcess:
        server = ServerProcess(data, *extra)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def antrian(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `antrian` command line in a child process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "shared.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env=full_env,
    )


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run `antrian ARGS` in this process (the real entry point, without a second start-up)."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = shared_cli.main(list(args))
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
        got = capsys.readouterr()
        return Result(code, got.out, got.err)

    return run
