"""Run a coroutine to its end from a test, whatever loop the test process already runs.

pytest-playwright's sync API keeps an asyncio loop running in the main thread for the
whole session once tests/web has started: `asyncio.run` then fails ("cannot be called
from a running event loop") in any test that runs after it. A thread of its own has no
running loop, so the coroutine gets a fresh one there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(1, thread_name_prefix="aio-run") as pool:
        return pool.submit(asyncio.run, coro).result()
