"""Engines and transactions: SQLite (WAL, FULL sync) by default, PostgreSQL by URL.

Writers are serialised: a process-wide lock, then BEGIN IMMEDIATE on SQLite or a
row lock on meta('seq') on PostgreSQL. That makes "call next" atomic across
counters and event seqs gapless, with no "database is locked" retries; group
commit (Store.write) lets one fsync serve many writers.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.orm import Session

from server.store.checkpoint import WAL_FALLBACK, WAL_LIMIT, Checkpointer
from server.store.storage import READ_ONLY, Guard, StorageProblem, storage_problem
from server.store.tables import Meta
from server.store.writer import MAX_BATCH, Writer
from shared.errors import ConfigError

log = logging.getLogger(__name__)
T = TypeVar("T")


def _sqlite_engine(url: str, *, write: bool, guard: Guard) -> Engine:
    path = sqlite_file(url)
    if path is not None:
        # mode=rw: never create the file. Created it is by server/store/migrate.py; a file removed
        # under the running server must not come back empty through a new connection.
        url = f"sqlite:///file:{path}?mode=rw&uri=true"
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged ticket survives power loss, not only a crash.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")  # see server/store/checkpoint.py
        if write:  # the Checkpointer copies the WAL; a writer does only past this
            cur.execute(f"PRAGMA wal_autocheckpoint={WAL_FALLBACK}")
            guard.opened()
        cur.close()

    begin = "BEGIN IMMEDIATE" if write else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # On the driver itself: through exec_driver_sql it costs ~0.1 ms a transaction.
        conn.connection.driver_connection.execute(begin)

    return engine


def sqlite_file(url: str) -> Path | None:
    """The file behind a sqlite:/// URL (None for PostgreSQL or an in-memory database)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1]
    return None if not path or path == ":memory:" or path.startswith("file:") else Path(path)


@dataclass
class Batch:
    """Writes sharing one transaction and one commit."""

    session: Session
    members: int = 0
    callbacks: list[Callable[[], None]] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def open_member(self) -> Session:
        """One more writer in the batch: fresh per-writer notes in the session."""
        self.session.info["after_commit"] = []
        self.session.info.pop("events", None)
        self.session.info.pop("commit_on_error", None)
        self.members += 1
        return self.session

    def keep_member(self) -> None:
        """The writer's changes stand: its after-commit work runs with the batch's."""
        self.callbacks.extend(self.session.info["after_commit"])


class Store:
    """The database: a read engine, a serialised write path."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.guard = Guard(sqlite_file(url))
        if self.is_sqlite:
            self._ensure_sqlite_dir(url)
            self.read_engine = _sqlite_engine(url, write=False, guard=self.guard)
            self.write_engine = _sqlite_engine(url, write=True, guard=self.guard)
        elif url.startswith("postgresql"):
            self.read_engine = create_engine(url, pool_size=10, max_overflow=20)
            self.write_engine = self.read_engine
        else:
            raise ConfigError(
                f"unsupported database URL {url!r} (sqlite:/// or postgresql+psycopg://)"
            )
        self._write_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._queued = 0  # writers waiting for the write lock
        self._batch: Batch | None = None
        self._local = threading.local()  # the writer thread's current batch
        self._kept: Connection | None = None  # the writer thread's connection
        self._writer = Writer(self)
        self._frozen: Engine | None = None  # reads while the files are read-only (_reader)
        self._frozen_lock = threading.Lock()
        self.checkpointer = Checkpointer(self.read_engine, self.guard) if self.is_sqlite else None
        # PostgreSQL's identity record, kept by a server (server/store/identity.py)
        self.identity_record: Path | None = None

    @staticmethod
    def _ensure_sqlite_dir(url: str) -> None:
        path = sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    def _reader(self) -> Engine:
        """The read engine, or while the files are not writable one that leaves them alone.

        A reader may write its mark into the mapped -shm, which is a SIGBUS once the file
        is immutable (server/store/storage.py). immutable=1 reads the database file alone, as
        the checkpointer last left it, and never the -shm. That is the truth only if the
        checkpointer copied every commit into the file; else what a read would miss (a ticket
        acknowledged a moment ago, only in the WAL) would read as unknown: a 503 instead.
        """
        if self.guard.path is None:
            return self.read_engine
        writable = self.guard.writable()
        if writable and self._frozen is None:
            return self.read_engine
        with self._frozen_lock:
            if writable:
                frozen, self._frozen = self._frozen, None
                if frozen is not None:
                    frozen.dispose()  # connections still out close when they come back
                return self.read_engine
            if not self.guard.file_current():
                code = self.guard.failing or READ_ONLY  # the failure already logged
                self.guard.fail(
                    StorageProblem(code, "the latest changes are not in the file alone")
                )
            if self._frozen is None:
                url = f"sqlite:///file:{self.guard.path}?mode=ro&immutable=1&uri=true"
                self._frozen = create_engine(url, connect_args={"check_same_thread": False})
            return self._frozen

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read; a storage failure met in it (damaged pages) is a StorageProblem, logged once."""
        try:
            with Session(self._reader(), expire_on_commit=False) as session:
                if not self.is_sqlite:
                    # One snapshot for the whole read (board + its seq agree).
                    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                yield session
        except Exception as exc:
            problem = storage_problem(exc)
            if problem is None or problem is exc:
                raise
            self.guard.note(problem)
            raise problem from exc

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A serialised write; returns once it is durably committed, or raises.

        Group commit: writers run one at a time, each in a SAVEPOINT of a shared
        transaction; the last writer in line commits for all, so one fsync
        serves every request that arrived meanwhile. A writer's error rolls
        back only its own savepoint. Callables appended to
        `session.info["after_commit"]` run after the commit, in order, before
        the next transaction starts, so events are published in seq order.
        Inside a job of the writer thread (`submit`) this only hands out the
        session: the job as a whole is one savepoint, and the writer commits.
        """
        batch = getattr(self._local, "batch", None)
        if batch is not None:  # in a writer job, whose savepoint covers this
            yield batch.session
            return
        with self._count_lock:
            self._queued += 1
        with self._write_lock:
            with self._count_lock:
                self._queued -= 1
            batch = self._batch
            if batch is None:
                batch = self._batch = Batch(self._begin())
            error: BaseException | None = None
            try:
                with self._member(batch) as session:
                    yield session
            except BaseException as exc:
                error = exc
            with self._count_lock:
                last_in_line = self._queued == 0
            if last_in_line or batch.members >= MAX_BATCH:
                self._batch = None
                self._commit(batch)
        batch.done.wait()
        if error is not None:
            problem = storage_problem(error)
            if problem is None:
                raise error
            self.guard.note(problem)
            raise problem from error
        if batch.error is not None:
            raise batch.error

    @staticmethod
    @contextmanager
    def _member(batch: Batch) -> Iterator[Session]:
        """One writer's savepoint in a batch; its error undoes only its own changes."""
        session = batch.open_member()
        savepoint = session.begin_nested()
        # SQLAlchemy emits the SAVEPOINT lazily, on first use through the session;
        # raw statements (server/store/rawsql.py) bypass it, so emit it now.
        session.connection()
        try:
            yield session
            savepoint.commit()
            batch.keep_member()
        except BaseException:
            # A failure that must still be remembered (a wrong PIN) keeps its changes.
            if session.info.get("commit_on_error"):
                savepoint.commit()
            else:
                savepoint.rollback()
            raise

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run `fn(*args)` on the writer thread (store/writer.py); its result once committed."""
        self._start_checkpoints()
        return self._writer.submit(fn, *args)

    def submit_async(
        self, loop: asyncio.AbstractEventLoop, fn: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        """As submit, for a coroutine on `loop` (see server/store/writer.py's LoopAnswer)."""
        self._start_checkpoints()
        return self._writer.submit_async(loop, fn, *args)

    def _start_checkpoints(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.start()  # with the writer: see server/store/checkpoint.py

    def stop_writer(self) -> None:
        """Finish the jobs already submitted, then end the writer thread (and the checkpoints)."""
        self._writer.stop()
        if self.checkpointer is not None:
            self.checkpointer.stop()

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """The write lock and a fresh batch, committed on a clean exit (for the writer thread).

        write() calls inside the block join it (see write). A batch write() left
        open for a writer still in line is committed first, on its own: a batch
        the writer may have to roll back must hold nobody else's work.
        """
        with self._write_lock:
            if self._batch is not None:
                self._commit(self._batch)
                self._batch = None
            if self._kept is None:
                # Kept from batch to batch: a pool checkout and return per batch
                # cost the writer ~0.1 ms, as much as a cheap job.
                self._kept = self.write_engine.connect()
            try:
                batch = Batch(self._begin(self._kept))
            except BaseException:
                self._drop_kept()
                raise
            self._local.batch = batch
            try:
                yield batch
            except BaseException:
                batch.session.rollback()
                batch.session.close()
                batch.done.set()
                self._drop_kept()  # it may be what failed: the next batch takes a fresh one
                raise
            finally:
                self._local.batch = None
            if not self._commit(batch):
                self._drop_kept()

    def _drop_kept(self) -> None:
        kept, self._kept = self._kept, None
        if kept is not None:
            try:
                kept.close()
            except Exception:  # already broken; the pool replaces it
                log.warning("closing the writer's connection failed", exc_info=True)

    def _begin(self, conn: Connection | None = None) -> Session:
        self.guard.before_write()  # once per batch: see server/store/storage.py
        session = Session(conn or self.write_engine, expire_on_commit=False)
        session.begin()
        # The driver connection, kept for server/store/rawsql.py (looking it up costs ~0.1 ms).
        session.info["dbapi"] = session.connection().connection.driver_connection
        if not self.is_sqlite:
            session.execute(select(Meta).where(Meta.key == "seq").with_for_update())
        return session

    def _commit(self, batch: Batch) -> bool:
        """Commit a batch (under the write lock) and wake its writers; False if it failed."""
        try:
            batch.session.commit()
            self.guard.after_commit()  # a commit into a removed file is no commit
        except StorageProblem as gone:
            batch.error = gone
        except Exception as exc:
            failing = storage_problem(exc)
            if failing is None:
                log.exception("commit of %d writes failed", batch.members)
            else:
                self.guard.note(failing)
            batch.error = failing or exc
            try:
                batch.session.rollback()
            except Exception:  # the storage that failed the commit may fail this too
                log.debug("rollback after a failed commit failed", exc_info=True)
        else:
            for callback in batch.callbacks:
                callback()
        finally:
            batch.session.close()
            batch.done.set()
        return batch.error is None

    def dispose(self) -> None:
        self.stop_writer()
        self._drop_kept()
        if self._frozen is not None:
            self._frozen.dispose()
        self.read_engine.dispose()
        self.write_engine.dispose()
