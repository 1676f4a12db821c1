"""The server's layers (setup.cfg [importlinter], docs/ARCHITECTURE.md) hold, and the check
that says so fails when an import runs back up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=where, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_layers_hold() -> None:
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "KEPT" in done.stdout


def test_an_import_back_up_breaks_the_build(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "server", tmp_path / "server", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    tables = tmp_path / "server" / "store" / "tables.py"
    tables.write_text(tables.read_text() + "\nfrom server.cli import common  # up: refused\n")
    done = _lint(tmp_path)
    assert done.returncode != 0
    assert "server.store.tables -> server.cli.common" in done.stdout
