"""Deployment tests: a real server process, real SQLite files, a temp install root."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from shared import cli as shared_cli
from tests.serverproc import ServerProcess as BaseServerProcess
from tests.serverproc import antrian as fork_and_run

REPO = Path(__file__).resolve().parents[2]


class ServerProcess(BaseServerProcess):
    """`antrian server` (production mode unless told) started at construction."""

    def __init__(self, data: Path, *extra: str) -> None:
        super().__init__(data, demo=False, extra=extra)
        self.start(30)

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.url}/api/v1{path}", timeout=5)

    def post(self, path: str, json: dict[str, object], token: str = "") -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(f"{self.url}/api/v1{path}", json=json, headers=headers, timeout=5)


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
    return fork_and_run(*args, env={**os.environ, **(env or {})}, timeout=60)


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
