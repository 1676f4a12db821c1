"""Fail a test that leaves a thread running (as python-zeroconf's tests do).

A test folder opts in with `from tests.threads import no_thread_left` in its conftest.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

# Threads get this long to finish after a test (stream and worker stops join quickly).
GRACE_SECONDS = 3.0


@pytest.fixture(autouse=True)
def no_thread_left() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + GRACE_SECONDS
    while True:
        left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not left, f"threads left running: {[t.name for t in left]}"
