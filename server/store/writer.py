"""The writer thread: queue writes run one after another, many to a commit.

Request handlers hand their write to `Store.submit_async` (threads use
`Store.submit`) and await the future. The writer takes every job waiting (up
to MAX_BATCH), runs each in its own SAVEPOINT and commits once: one fsync for
a burst of kiosks, and no thread per request fighting over the write lock and
the GIL. A job's answer is set only after the commit, so an acknowledged
ticket is on disk.

The savepoints are plain SQL on the driver connection (SQLAlchemy's nested
transactions cost ~0.3 ms each, a third of an issue). When a job fails, its
savepoint is rolled back and the session forgets every loaded object, so the
next job reads the database afresh. If the ORM itself fails mid-flush, the
whole transaction is lost: the batch is rolled back and its jobs run again,
each alone, so only the faulty one fails.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from server.store.storage import storage_problem

if TYPE_CHECKING:
    from server.store.db import Batch, Store

log = logging.getLogger(__name__)
T = TypeVar("T")


class LoopAnswer:
    """Where a coroutine's job answers: an asyncio future, set on its own loop.

    The writer settles all of a batch's at once, with one wake-up of the loop; a
    concurrent Future wrapped for asyncio costs a lock, a wake-up and two callbacks
    per job (~40 µs an issue on these boxes).
    """

    __slots__ = ("future", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.future: asyncio.Future[Any] = loop.create_future()

    def set_running_or_notify_cancel(self) -> bool:
        # Read from the writer thread: at worst a job just given up on runs for nobody,
        # as when it had already started.
        return not self.future.cancelled()


Answer: TypeAlias = "Future[Any] | LoopAnswer"
Job = tuple[Callable[..., Any], tuple[Any, ...], Answer]
Outcome = tuple[Answer, Any, BaseException | None]
Settled: TypeAlias = "tuple[Future[Any] | asyncio.Future[Any], Any, BaseException | None]"

# At most this many jobs share one commit, so a flood still gets answers.
MAX_BATCH = 64


class _Poisoned(Exception):
    """The session's transaction was lost (a failed flush): the batch must be redone."""


class Writer:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        future: Future[T] = Future()
        self._put((fn, args, future))
        return future

    def submit_async(
        self, loop: asyncio.AbstractEventLoop, fn: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        """As submit, for a coroutine on `loop`: await the result."""
        answer = LoopAnswer(loop)
        self._put((fn, args, answer))
        return answer.future

    def _put(self, job: Job) -> None:
        with self._lock:
            if self._thread is None:
                # daemon: a tool that forgets stop() still exits; nothing is
                # acknowledged before its commit, so an unfinished job loses nothing.
                self._thread = threading.Thread(target=self._loop, name="db-writer", daemon=True)
                self._thread.start()
            self._jobs.put(job)

    def stop(self) -> None:
        """Finish the jobs already submitted, then end the thread (a later submit restarts it)."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._jobs.put(None)
        if thread is not None:
            thread.join()

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            jobs = [job]
            stop = False
            while len(jobs) < MAX_BATCH:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                jobs.append(more)
            self._run([j for j in jobs if j[2].set_running_or_notify_cancel()])
            if stop:
                return

    def _run(self, jobs: list[Job]) -> None:
        try:
            try:
                outcomes, batch = self._attempt(jobs)
                answers = [(f, v, e or batch.error) for f, v, e in outcomes]
            except _Poisoned:
                log.warning("a write failed inside the ORM; running its batch one by one")
                answers = []
                for job in jobs:
                    try:
                        outcomes, batch = self._attempt([job])
                        answers += [(f, v, e or batch.error) for f, v, e in outcomes]
                    except _Poisoned as poisoned:
                        answers.append((job[2], None, poisoned.__cause__ or poisoned))
        except Exception as exc:  # the database itself failed (e.g. PostgreSQL down)
            problem = storage_problem(exc)
            if problem is None:
                log.exception("a batch of %d writes failed", len(jobs))
            else:  # a disk full or read-only: logged once by the guard, not per batch
                self.store.guard.note(problem)
            answers = [(future, None, problem or exc) for _fn, _args, future in jobs]
        in_threads: list[Settled] = []
        on_loops: dict[asyncio.AbstractEventLoop, list[Settled]] = {}
        for answer, value, error in answers:
            if isinstance(answer, LoopAnswer):
                on_loops.setdefault(answer.loop, []).append((answer.future, value, error))
            else:
                in_threads.append((answer, value, error))
        _settle(in_threads)
        for loop, settled in on_loops.items():
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:  # the loop is closed: nobody is waiting any more
                log.debug("%d answers for a closed event loop dropped", len(settled))

    def _attempt(self, jobs: list[Job]) -> tuple[list[Outcome], Batch]:
        with self.store.batch() as batch:
            return [self._one(batch, *job) for job in jobs], batch

    @staticmethod
    def _one(
        batch: Batch, fn: Callable[..., Any], args: tuple[Any, ...], future: Answer
    ) -> Outcome:
        session = batch.open_member()
        dbapi = session.info["dbapi"]
        dbapi.execute("SAVEPOINT job")
        try:
            value = fn(*args)
            session.flush()
        except Exception as exc:
            if storage_problem(exc) is not None:
                raise  # the whole batch failed with the disk: see _run
            if not session.is_active:
                raise _Poisoned from exc
            if session.info.get("commit_on_error"):  # e.g. a wrong PIN is still counted
                session.flush()
                dbapi.execute("RELEASE SAVEPOINT job")
            else:
                dbapi.execute("ROLLBACK TO SAVEPOINT job")
                dbapi.execute("RELEASE SAVEPOINT job")
                session.expunge_all()
            return future, None, exc
        dbapi.execute("RELEASE SAVEPOINT job")
        batch.keep_member()
        return future, value, None


def _settle(settled: list[Settled]) -> None:
    """Hand answers to whoever still waits for them (asyncio's: call it on their loop)."""
    for future, value, error in settled:
        if future.cancelled():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)
