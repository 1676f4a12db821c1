"""`antrian server` as a real child process on 127.0.0.1, for every test folder.

Restartable on the same port and data directory; stop() is SIGTERM, kill() is
kill -9. Test folders subclass it for their extras (a CLI helper, a launcher).

The process is forked from a warm parent (docs/TESTING.md "Warm starts"): a fresh
interpreter spent ~1.5 s of CPU importing FastAPI, SQLAlchemy and the server before
doing anything, ~140 times a run. The fork runs the same `antrian` entry point
(shared/cli.py main) with its own pid, environment, working directory and log, so
SIGTERM, kill -9 and the exit code are the real process's.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from multiprocessing.process import BaseProcess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# What `antrian server` (and the one-shot commands) import; the fork finds them loaded.
WARM = (
    "shared.cli",
    "server.cli.server",
    "server.cli.people",
    "server.cli.report",
    "server.cli.site",
    "server.cli.backup",
    "server.cli.status",
    "server.runtime.app",
    "server.runtime.listeners",
    "server.runtime.discovery",
    "server.access.context",
    "server.office.live",
    "uvicorn",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.websockets.websockets_sansio_impl",
    "uvicorn.lifespan.on",
    "uvicorn.loops.auto",
    "uvicorn.loops.uvloop",
    "anyio._backends._asyncio",
    "server.web.booking",
    "server.web.complaints",
    "server.web.console",
    "server.web.info",
    "server.web.notify",
    "server.web.people",
    "server.web.reports",
    "server.web.setup",
    "server.web.skm",
    "server.web.tickets",
)
_forks: multiprocessing.context.ForkServerContext | None = None


def _fork_context() -> multiprocessing.context.ForkServerContext:
    global _forks
    if _forks is None:
        _forks = multiprocessing.get_context("forkserver")
        _forks.set_forkserver_preload(list(WARM))
    return _forks


def _run_antrian(
    args: list[str], env: dict[str, str], cwd: str, out: str, err: str, stdin: str
) -> None:
    """In the forked child: what `python -m shared.cli ARGS` does, then its exit code."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path, mode in ((0, stdin, os.O_RDONLY), (1, out, os.O_WRONLY), (2, err, os.O_WRONLY)):
        opened = os.open(path, mode | (os.O_APPEND | os.O_CREAT if fd else 0), 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the process's own streams
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.argv = ["antrian", *args]
    from shared.cli import main

    code = 1
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's errors
        code = exc.code if isinstance(exc.code, int) else 2 if exc.code else 0
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    sys.exit(code)


class Forked:
    """The part of subprocess.Popen that ServerProcess uses, over a forked `antrian`."""

    def __init__(self, args: list[str], process: BaseProcess) -> None:
        self.args = args
        self.process = process

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.exitcode

    def poll(self) -> int | None:
        return self.process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        self.process.join(timeout)
        if self.process.exitcode is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return self.process.exitcode

    def send_signal(self, sig: int) -> None:
        if self.process.exitcode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def fork_antrian(
    args: list[str],
    *,
    env: dict[str, str],
    out: Path,
    err: Path | None = None,
    cwd: Path = ROOT,
    stdin: Path | None = None,
) -> Forked:
    """`antrian ARGS` as a process of its own, forked warm; output appended to out (err)."""
    process = _fork_context().Process(
        target=_run_antrian,
        args=(args, env, str(cwd), str(out), str(err or out), str(stdin or os.devnull)),
        # reaped by the worker's exit if a test forgot it (a daemon makes no processes
        # of its own through multiprocessing; the server makes none)
        daemon=True,
    )
    process.start()
    return Forked(["antrian", *args], process)


def antrian(
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str = "",
    cwd: Path = ROOT,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`antrian ARGS` run to its end, as subprocess.run(capture_output=True, text=True) would."""
    with tempfile.TemporaryDirectory(prefix="antrian-cli-") as folder:
        where = Path(folder)
        (where / "in").write_text(stdin)
        for name in ("out", "err"):
            (where / name).touch()
        child = fork_antrian(
            list(args),
            env=dict(os.environ if env is None else env),
            out=where / "out",
            err=where / "err",
            cwd=cwd,
            stdin=where / "in",
        )
        try:
            code = child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(5)
            raise
        out, err = ((where / name).read_text() for name in ("out", "err"))
    return subprocess.CompletedProcess(child.args, code, out, err)


class ServerProcess:
    def __init__(
        self,
        data_dir: Path,
        *,
        demo: bool = True,
        db: str | None = None,
        config: Path | None = None,
        zeroconf: bool = False,
        host: str = "127.0.0.1",
        wrap: list[str] | None = None,
        extra: tuple[str, ...] = (),
    ) -> None:
        self.data_dir = data_dir
        self.demo = demo
        self.db = db
        self.config = config
        self.zeroconf = zeroconf
        self.host = host
        self.wrap = wrap or []  # e.g. ["ip", "netns", "exec", NS]
        self.extra = extra
        self.port = 0
        self.url = ""
        self.proc: subprocess.Popen[bytes] | Forked | None = None
        self.log = data_dir / "server.log"

    @property
    def ready_file(self) -> Path:
        return self.data_dir / "ready"

    def program(self) -> list[str]:
        """What runs the server; a subclass may use its own launcher."""
        return [sys.executable, "-m", "shared.cli", "server"]

    def run(self, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """The same command run to its end (a start that is meant to be refused)."""
        return antrian(*self.antrian_args(), *extra, env=self.env(), timeout=timeout)

    def antrian_args(self) -> list[str]:
        """The command's arguments to `antrian` (from `server` on)."""
        return self.command()[len(self.program()) - 1 :]

    def env(self) -> dict[str, str]:
        """The tests' own settings, not whatever ANTRIAN_* the shell running them has."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANTRIAN_")}
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def forkable(self) -> bool:
        """The plain `antrian server` on this machine: started as a warm fork."""
        return not self.wrap and self.program() == ServerProcess.program(self)

    def command(self) -> list[str]:
        args = [*self.wrap, *self.program(), "--host", self.host, "--port", str(self.port)]
        args += ["--data-dir", str(self.data_dir), "--ready-file", str(self.ready_file)]
        if self.demo:
            args.append("--demo")
        if self.db is not None:
            args += ["--db", self.db]
        if self.config is not None:
            args += ["--config", str(self.config)]
        if not self.zeroconf:
            args.append("--no-zeroconf")
        return [*args, *self.extra]

    def start(self, timeout: float = 90.0) -> str:
        self.launch()
        return self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the process; wait_ready() waits for it (so several can start at once)."""
        self.ready_file.unlink(missing_ok=True)
        env = self.env()
        if self.forkable():
            self.proc = fork_antrian(self.antrian_args(), env=env, out=self.log)
            return
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.command(), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT
            )

    def wait_ready(self, timeout: float = 90.0) -> str:
        assert self.proc is not None
        ready = self.ready_file
        deadline = time.monotonic() + timeout
        while not (ready.exists() and ready.read_text().strip()):
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.log.read_text()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"server not ready in {timeout} s: {self.log.read_text()}")
            time.sleep(0.02)
        self.url = ready.read_text().strip()
        self.port = int(self.url.rsplit(":", 1)[1])
        return self.url

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss_kb(self, field: str = "VmRSS") -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise LookupError(field)

    def stop(self) -> None:
        """SIGTERM and wait (graceful: the server closes its WebSockets)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def kill(self) -> None:
        """kill -9: what a power cut does; no goodbye to anyone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None

    def restart(self, *, hard: bool = True) -> str:
        """Kill (or stop) and start again on the same port and data dir."""
        if hard:
            self.kill()
        else:
            self.stop()
        return self.start()
