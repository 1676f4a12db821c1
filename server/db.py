"""Engines and transactions: SQLite (WAL, FULL sync) by default, PostgreSQL by URL.

Writers are serialised: a process-wide lock, then BEGIN IMMEDIATE on SQLite or a
row lock on meta('seq') on PostgreSQL. That makes "call next" atomic across
counters and event seqs gapless, with no "database is locked" retries.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
        """A serialised write transaction; commits on success, rolls back on error.

        Callables appended to `session.info["after_commit"]` run after the commit
        while the lock is still held, so events are published in seq order.
        """
        with self._write_lock, Session(self.write_engine, expire_on_commit=False) as session:
            session.info["after_commit"] = []
            session.begin()
            try:
                if not self.is_sqlite:
                    session.execute(select(Meta).where(Meta.key == "seq").with_for_update())
                yield session
                session.commit()
            except Exception:
                # A failure that must still be remembered (a wrong PIN) asks for a commit.
                if session.info.get("commit_on_error"):
                    session.commit()
                else:
                    session.rollback()
                raise
            for callback in session.info["after_commit"]:
                callback()

    def dispose(self) -> None:
        self.read_engine.dispose()
        self.write_engine.dispose()
