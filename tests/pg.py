"""A throwaway PostgreSQL cluster for the test run (docs/TESTING.md), or None if unavailable."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass


@dataclass
class Cluster:
    base_url: str  # postgresql+psycopg://postgres@127.0.0.1:PORT/
    port: int
    datadir: str
    bin_dir: str
    user_cmd: list[str]

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (empty, or a copy of `template`, which nobody may be connected to)."""
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            like = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{like}')
        return self.base_url + name

    def stop(self) -> None:
        subprocess.run(
            [
                *self.user_cmd,
                f"{self.bin_dir}/pg_ctl",
                "-D",
                self.datadir,
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.datadir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_cluster() -> tuple[Cluster | None, str]:
    """Start a cluster; returns (cluster, "") or (None, why not)."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        return None, "no PostgreSQL server binaries (apt-get install postgresql)"
    bin_dir = os.path.dirname(bins[-1])
    user_cmd: list[str] = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return None, "running as root and there is no postgres user"
        user_cmd = ["runuser", "-u", "postgres", "--"]
    datadir = tempfile.mkdtemp(prefix="antrian-pg-")
    if user_cmd:
        shutil.chown(datadir, "postgres", "postgres")
    port = _free_port()
    init = subprocess.run(
        [
            *user_cmd,
            f"{bin_dir}/initdb",
            "-D",
            datadir,
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if init.returncode != 0:
        return None, f"initdb failed: {init.stderr.strip()[-300:]}"
    opts = (
        f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    start = subprocess.run(
        [
            *user_cmd,
            f"{bin_dir}/pg_ctl",
            "-w",
            "-D",
            datadir,
            "-o",
            opts,
            "-l",
            f"{datadir}/log",
            "start",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if start.returncode != 0:
        return None, f"pg_ctl start failed: {start.stderr.strip()[-300:]}"
    return Cluster(
        f"postgresql+psycopg://postgres@127.0.0.1:{port}/", port, datadir, bin_dir, user_cmd
    ), ""
