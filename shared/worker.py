"""One background thread that runs blocking calls (network, printer) in order.

The UI thread submits `fn` with an `on_done(result, error)` callback; the
callback runs on the worker's thread, so a Kivy app hops back with
`Clock.schedule_once`.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
Done = Callable[[Any, BaseException | None], None]

_STOP = object()


class Worker:
    """A queue and one (non-daemon) thread; stop() must be called when the app ends."""

    def __init__(self, name: str = "antrian-worker") -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def submit(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T | None, BaseException | None], None] | None = None,
    ) -> Future[T]:
        """Queue `fn`; jobs run one at a time in submission order."""
        future: Future[T] = Future()
        with self._lock:
            if self._stopped:
                raise RuntimeError(f"worker {self.name} is stopped")
            if self._thread is None:  # started lazily: a Worker never used costs no thread
                self._thread = threading.Thread(target=self._run, name=self.name)
                self._thread.start()
            self._jobs.put((fn, on_done, future))
        return future

    def stop(self, timeout: float | None = 10.0) -> None:
        """Drop jobs not yet started, let the running one finish, join the thread."""
        with self._lock:
            self._stopped = True
            thread = self._thread
            if thread is None:
                return
            self._jobs.put(_STOP)
        if thread is threading.current_thread():
            return  # stop() from a job or callback: the loop ends after it
        thread.join(timeout)
        if thread.is_alive():
            log.warning("worker %s still busy after %.1f s", self.name, timeout or 0)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _STOP:
                self._drain()
                return
            if self._stopped:
                self._drop(job)
                continue
            fn, on_done, future = job
            if not future.set_running_or_notify_cancel():
                continue
            result: Any = None
            error: BaseException | None = None
            try:
                result = fn()
            except Exception as exc:  # handed to on_done; the worker lives on
                error = exc
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)
            if on_done is not None:
                try:
                    on_done(result, error)
                except Exception:
                    log.exception("on_done callback of %r failed", fn)

    def _drain(self) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not _STOP:
                self._drop(job)

    @staticmethod
    def _drop(job: Any) -> None:
        _fn, _on_done, future = job
        future.cancel()
