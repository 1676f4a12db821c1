"""Copying SQLite's write-ahead log into the database file, off the write path.

By default the connection whose commit takes the WAL past 1000 pages copies
them into the database file and fsyncs it, inside that COMMIT. For us that is
the writer thread, with a batch of kiosks waiting on it: measured on these
boxes, a batch of four issues took a median 3.5-4 ms and a p99 of 11 ms that
way, against 1.8-2.4 ms and 3.5 ms when this thread does the copying (the
writer's connections only fall back to it past WAL_FALLBACK pages, if this
thread stopped). A PASSIVE checkpoint takes no write lock: writers go on meanwhile.

The WAL file itself only shrinks when asked: while readers (displays, boards)
keep old snapshots the log cannot start over, and over a busy day it grew to
~40 MB and stayed so. Two bounds: every connection has a journal_size_limit (a
log that starts over is cut back to it), and once the log is wholly copied and
nothing was written for IDLE_ROUNDS rounds, a TRUNCATE checkpoint empties the
file. TRUNCATE waits for readers while holding off writers, so it runs with a
short busy timeout: when a reader is in the way it gives up and tries later.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from server.store.storage import Guard, storage_problem

if TYPE_CHECKING:
    from server.store.identity import Keeper

log = logging.getLogger(__name__)

INTERVAL = 0.5  # seconds between checkpoints
# pages; a writer's connection checkpoints itself only past this (see Store's engines)
WAL_FALLBACK = 10_000
# bytes a WAL that starts over is cut back to (PRAGMA journal_size_limit)
WAL_LIMIT = 4 * 1024 * 1024
# rounds between updates of the identity record (server/store/identity.py)
KEEP_EVERY = 20
# rounds without a new page in the WAL before it is truncated
IDLE_ROUNDS = 2
# ms the idle TRUNCATE waits for readers (writers wait meanwhile) before it gives up
TRUNCATE_WAIT_MS = 20


class Checkpointer:
    def __init__(self, engine: Engine, guard: Guard, interval: float = INTERVAL) -> None:
        self.engine = engine
        self.guard = guard
        self.interval = interval
        self.runs = 0
        self.truncated = 0  # idle TRUNCATE checkpoints that emptied the WAL
        self.keeper: Keeper | None = None  # keeps the identity record current (identity.py)
        # (busy, pages in the WAL, pages copied) of the latest checkpoint
        self.last: tuple[int, int, int] | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def start(self) -> None:
        """Idempotent: called with every write job, so the common case takes no lock."""
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._stop = stop = threading.Event()  # its own: a stopping thread keeps its flag
                thread = threading.Thread(
                    target=self._loop, args=(stop,), name="wal-checkpoint", daemon=True
                )
                self._thread = thread
                thread.start()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not None:
            thread.join()

    def _loop(self, stop: threading.Event) -> None:
        raw: Any = None
        idle = 0
        while not stop.wait(self.interval):
            if not self.guard.writable():  # nothing may write the -shm then (storage.py)
                continue
            try:
                if raw is None:
                    raw = self.engine.raw_connection()
                con = raw.driver_connection
                keeper = self.keeper if self.runs % KEEP_EVERY == 0 else None
                seen = keeper.before(con) if keeper is not None else None
                commits = self.guard.commits  # before: later ones may not be copied
                row = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                last, self.last = self.last, (int(row[0]), int(row[1]), int(row[2]))
                self.runs += 1
                busy, pages, copied = self.last
                if not busy and copied == pages:
                    self.guard.copied = commits  # the file alone holds them (Store._reader)
                    if keeper is not None and seen is not None:
                        keeper.copied(seen)  # the file alone now holds `seen`
                idle = idle + 1 if self.last == last and pages and not busy else 0
                if idle >= IDLE_ROUNDS and copied == pages:
                    self.truncate(con)
                    idle = 0
            except Exception as exc:  # e.g. the disk is full: try again, with a fresh connection
                problem = storage_problem(exc)
                if problem is None:
                    log.warning("WAL checkpoint failed; trying again", exc_info=True)
                else:
                    self.guard.note(problem)
                if raw is not None:
                    raw.invalidate()
                    raw = None
        if raw is not None:
            raw.close()

    def truncate(self, con: Any) -> bool:
        """Empty the WAL file if no reader is in the way; True if it was."""
        con.execute(f"PRAGMA busy_timeout={TRUNCATE_WAIT_MS}")
        try:
            row = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            con.execute("PRAGMA busy_timeout=30000")
        self.truncated += row[0] == 0
        return bool(row[0] == 0)
