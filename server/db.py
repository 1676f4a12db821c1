"""Engines and transactions: SQLite (WAL, FULL sync) by default, PostgreSQL by URL.

Writers are serialised: a process-wide lock, then BEGIN IMMEDIATE on SQLite or a
row lock on meta('seq') on PostgreSQL. That makes "call next" atomic across
counters and event seqs gapless, with no "database is locked" retries; group
commit (Store.write) lets one fsync serve many writers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session

from server.tables import Meta
from shared.errors import ConfigError

log = logging.getLogger(__name__)


def _sqlite_engine(url: str, *, write: bool) -> Engine:
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
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


# At most this many writes share one commit, so a flood still gets answers.
MAX_BATCH = 64


@dataclass
class _Batch:
    """Writes sharing one transaction and one commit."""

    session: Session
    members: int = 0
    callbacks: list[Callable[[], None]] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class Store:
    """The database: a read engine, a serialised write path."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self._ensure_sqlite_dir(url)
            self.read_engine = _sqlite_engine(url, write=False)
            self.write_engine = _sqlite_engine(url, write=True)
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
        self._batch: _Batch | None = None

    @staticmethod
    def _ensure_sqlite_dir(url: str) -> None:
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.read_engine, expire_on_commit=False) as session:
            if not self.is_sqlite:
                # One snapshot for the whole read (board + its seq agree).
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A serialised write; returns once it is durably committed, or raises.

        Group commit: writers run one at a time, each in a SAVEPOINT of a shared
        transaction; the last writer in line commits for all, so one fsync
        serves every request that arrived meanwhile. A writer's error rolls
        back only its own savepoint. Callables appended to
        `session.info["after_commit"]` run after the commit, in order, before
        the next transaction starts, so events are published in seq order.
        """
        with self._count_lock:
            self._queued += 1
        with self._write_lock:
            with self._count_lock:
                self._queued -= 1
            batch = self._batch
            if batch is None:
                batch = self._batch = _Batch(self._begin())
            session = batch.session
            session.info["after_commit"] = []
            session.info.pop("events", None)
            session.info.pop("commit_on_error", None)
            savepoint = session.begin_nested()
            error: BaseException | None = None
            try:
                yield session
                savepoint.commit()
                batch.callbacks.extend(session.info["after_commit"])
            except BaseException as exc:
                # A failure that must still be remembered (a wrong PIN) keeps its changes.
                if session.info.get("commit_on_error"):
                    savepoint.commit()
                else:
                    savepoint.rollback()
                error = exc
            batch.members += 1
            with self._count_lock:
                last_in_line = self._queued == 0
            if last_in_line or batch.members >= MAX_BATCH:
                self._batch = None
                self._commit(batch)
        batch.done.wait()
        if error is not None:
            raise error
        if batch.error is not None:
            raise batch.error

    def _begin(self) -> Session:
        session = Session(self.write_engine, expire_on_commit=False)
        session.begin()
        if not self.is_sqlite:
            session.execute(select(Meta).where(Meta.key == "seq").with_for_update())
        return session

    def _commit(self, batch: _Batch) -> None:
        """Commit a batch (under the write lock) and wake its writers."""
        try:
            batch.session.commit()
        except Exception as exc:
            log.exception("commit of %d writes failed", batch.members)
            batch.error = exc
            batch.session.rollback()
        else:
            for callback in batch.callbacks:
                callback()
        finally:
            batch.session.close()
            batch.done.set()

    def dispose(self) -> None:
        self.read_engine.dispose()
        self.write_engine.dispose()
