"""`antrian counter --screenshots` as a real child process: what its log says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.counter.conftest import ServerProcess

pytestmark = pytest.mark.gui


@pytest.mark.slow
def test_the_counters_log_has_no_cut_buffer_traceback_and_no_debug_lines(
    own_server: ServerProcess, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env = {k: v for k, v in env.items() if not k.startswith(("KIVY_", "SDL_"))}
    env["KIVY_HOME"] = str(tmp_path / "kivy")  # the app sets the rest itself, as in the field
    shots = tmp_path / "shots"
    run = subprocess.run(
        [sys.executable, "-m", "shared.cli", "counter", "--server", own_server.url,
         "--screenshots", str(shots)],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    assert len(list(shots.glob("*.png"))) == 13, out[-3000:]  # the tour, 01b included
    assert "CRITICAL" not in out and "Cutbuffer" not in out and "Traceback" not in out
    assert " DEBUG " not in out, [ln for ln in out.splitlines() if " DEBUG " in ln][:5]
    assert "Bearer" not in out and "ses_" not in out  # no session token in the journal
