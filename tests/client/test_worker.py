"""Worker: one thread, jobs in order, results and errors handed to on_done."""

from __future__ import annotations

import threading
import time

import pytest

from shared.worker import Worker


def test_jobs_run_in_order_off_the_callers_thread() -> None:
    worker = Worker()
    seen: list[tuple[int, str]] = []
    done = threading.Event()
    caller = threading.current_thread().name

    def job(i: int) -> int:
        seen.append((i, threading.current_thread().name))
        time.sleep(0.001 * (5 - i % 5))  # later jobs are quicker: order must still hold
        return i * i

    results: list[int | None] = []

    def note(result: int | None, error: BaseException | None) -> None:
        results.append(result)

    for i in range(20):
        worker.submit(lambda i=i: job(i), note)  # type: ignore[misc]
    worker.submit(lambda: None, lambda r, e: done.set())
    assert done.wait(5)
    worker.stop()
    assert [i for i, _ in seen] == list(range(20))
    assert {name for _, name in seen} == {"antrian-worker"} != {caller}
    assert results == [i * i for i in range(20)]
    assert not worker.running


def test_errors_go_to_on_done_and_the_worker_lives_on() -> None:
    worker = Worker()
    got: list[tuple[object, BaseException | None]] = []

    def boom() -> int:
        raise ValueError("printer on fire")

    failed = worker.submit(boom, lambda r, e: got.append((r, e)))
    ok = worker.submit(lambda: 7, lambda r, e: got.append((r, e)))
    assert ok.result(5) == 7
    with pytest.raises(ValueError):
        failed.result(0)
    worker.stop()
    assert got[0][0] is None and isinstance(got[0][1], ValueError)
    assert got[1] == (7, None)


def test_a_failing_callback_does_not_kill_the_worker() -> None:
    worker = Worker()

    def bad_callback(result: object, error: BaseException | None) -> None:
        raise RuntimeError("widget gone")

    worker.submit(lambda: 1, bad_callback)
    assert worker.submit(lambda: 2).result(5) == 2
    worker.stop()


def test_stop_drops_pending_jobs_and_refuses_new_ones() -> None:
    worker = Worker()
    gate = threading.Event()
    started = threading.Event()
    ran: list[int] = []

    def slow() -> bool:
        started.set()
        return gate.wait(5)

    first = worker.submit(slow)
    later = [worker.submit(lambda i=i: ran.append(i)) for i in range(5)]  # type: ignore[misc]
    assert started.wait(5)  # a job that has started is never dropped
    stopper = threading.Thread(target=worker.stop)
    stopper.start()
    time.sleep(0.05)
    gate.set()  # the running job finishes; the queued ones never start
    stopper.join(5)
    assert first.result(0) is True
    assert ran == [] and all(f.cancelled() for f in later)
    with pytest.raises(RuntimeError):
        worker.submit(lambda: 1)


def test_an_unused_worker_costs_no_thread() -> None:
    before = threading.active_count()
    worker = Worker()
    assert threading.active_count() == before
    worker.stop()


def test_stop_from_a_callback_does_not_deadlock() -> None:
    worker = Worker()
    stopped = threading.Event()

    def on_done(result: object, error: BaseException | None) -> None:
        worker.stop()
        stopped.set()

    worker.submit(lambda: 1, on_done)
    assert stopped.wait(5)
    deadline = time.monotonic() + 5
    while worker.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not worker.running
