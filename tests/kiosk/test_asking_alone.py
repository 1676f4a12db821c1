"""The kiosk's phone question in a real window, in a Python process of its own (its Kivy
app must be the first of its process; see tests/kiosk/test_asking_ui.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_the_phone_question_in_a_process_of_its_own() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         str(HERE / "test_asking_ui.py")],
        cwd=HERE.parents[1],
        env={**os.environ, "ANTRIAN_KIOSK_ALONE": "1"},
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout.splitlines()[-1]
