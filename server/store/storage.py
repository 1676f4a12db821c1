"""When the disk lets the database down: full, made read-only, or the file removed.

Each is a 503 {code, message} with a code that says storage (`storage_full`,
`storage_read_only`, `storage_unavailable`, and `storage_damaged` for pages SQLite finds
malformed while running: SQLITE_CORRUPT or SQLITE_NOTADB), logged once when it starts and once
when it ends, not a traceback per request. A full or read-only disk heals by
itself: the next write after it is fixed goes through, no restart needed. A
database file removed or replaced under the running server does not come back:
writes stay refused (they would land in a file nobody can open again) until a
restart, which server/store/identity.py then checks.

The Guard's checks run once per batch of the writer (a batch is one commit,
often several tickets), never per statement: an access() of the -shm before
and a stat() of the file after the commit (a syscall costs ~5-10 µs on these
boxes), the other files every FULL_EVERY seconds.

Why check writability before writing rather than only map the errors: SQLite
maps its `-shm` file (the WAL index) into memory, and a write to that memory
once the file is immutable (`chattr +i`, or a disk remounted read-only) is a
SIGBUS that kills the process with no log line. No SQLite option avoids the
mapping for a database shared by several connections and processes
(`locking_mode=EXCLUSIVE` would, but then `antrian device add` and backups
could not open the file while the server runs; `mmap_size` is about the main
file only). So nothing that writes (the writer, the checkpointer) touches the
database while any of its files or its folder is not writable.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

from server.problems import Problem

log = logging.getLogger(__name__)

FULL = "storage_full"
READ_ONLY = "storage_read_only"
UNAVAILABLE = "storage_unavailable"
DAMAGED = "storage_damaged"
# seconds between before_write's looks at the file, its log and its folder
FULL_EVERY = 0.25
# seconds within which the same failure (or the recovery) is not logged again
QUIET = 60.0

_MESSAGES = {
    FULL: "The server's disk is full: nothing can be saved until space is freed.",
    READ_ONLY: "The server's database files are read-only: nothing can be saved.",
    UNAVAILABLE: "The server cannot reach its database: nothing can be saved.",
    DAMAGED: "The server's database file is damaged: stop the server and restore the latest "
    "backup (antrian backup --restore FILE).",
}
# What the log line adds after the message, by code.
_CONSEQUENCE = {DAMAGED: "what it holds cannot be read or written"}

# SQLite primary result codes (extended codes carry them in the low byte).
_SQLITE = {
    13: FULL,
    8: READ_ONLY,
    3: READ_ONLY,
    10: UNAVAILABLE,
    14: UNAVAILABLE,
    11: DAMAGED,  # SQLITE_CORRUPT
    26: DAMAGED,  # SQLITE_NOTADB
}


class StorageProblem(Problem):
    """A write (or read) the storage cannot serve now: 503."""

    def __init__(self, code: str, detail: str = "") -> None:
        message = _MESSAGES[code] + (f" ({detail})" if detail else "")
        super().__init__(503, code, message)


def storage_problem(exc: BaseException) -> StorageProblem | None:
    """The storage failure behind `exc` (or its causes), or None if it is not one."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, StorageProblem):
            return e
        if isinstance(e, sqlite3.Error):
            code = _SQLITE.get((getattr(e, "sqlite_errorcode", 0) or 0) & 0xFF)
            if code is not None:
                return StorageProblem(code, str(e))
        sqlstate = getattr(e, "sqlstate", None)
        if type(e).__module__.startswith("psycopg"):
            if sqlstate and sqlstate.startswith("53"):  # insufficient resources: disk full
                return StorageProblem(FULL, str(e).strip())
            if sqlstate == "25006":  # read-only transaction (a standby)
                return StorageProblem(READ_ONLY, str(e).strip())
            if type(e).__name__ == "OperationalError" and (not sqlstate or sqlstate[:2] == "08"):
                return StorageProblem(UNAVAILABLE, str(e).strip().splitlines()[0])
        todo += [getattr(e, "orig", None), e.__cause__, e.__context__]
    return None


class Guard:
    """One store's storage state: checks before and after a write, and the log-once."""

    def __init__(self, path: Path | None) -> None:
        self.path = path  # the SQLite file; None for PostgreSQL (errors are all we see)
        self.failing: str | None = None  # the code while storage fails
        self._opened: tuple[int, int] | None = None  # (st_dev, st_ino) of the file opened
        self._gone = False
        self._lock = threading.Lock()
        self._logged: dict[str, float] = {}  # code -> when it was last logged
        self._next_full = 0.0  # when before_write next looks at every file (monotonic)
        # Commits made, and how many of them the checkpointer has seen wholly copied into
        # the file: reads of the file alone (Store._reader) are the truth only if equal.
        self.commits = 0
        self.copied = 0
        if path is not None:  # str: os.access and os.stat take them without a conversion
            self._shm = f"{path}-shm"
            self._others = (str(path), f"{path}-wal", str(path.parent))

    def opened(self) -> None:
        """The write connection opened the file: remember which one (the first time)."""
        if self.path is not None and self._opened is None:
            st = os.stat(self.path)
            self._opened = (st.st_dev, st.st_ino)

    def before_write(self) -> None:
        """Raise StorageProblem when a write now cannot be kept (or would crash SQLite).

        The -shm is looked at every time (a write to it once immutable is the SIGBUS);
        the file, its log and the folder, whose failures are only errors, every FULL_EVERY
        seconds, or every time while storage is failing (to see it heal at once)."""
        if self.path is None:
            return
        if self._gone:
            self._same_file()
        if not os.access(self._shm, os.W_OK) and os.path.exists(self._shm):
            self.fail(StorageProblem(READ_ONLY, f"{self._shm} is not writable"))
        now = time.monotonic()
        if self.failing is None and now < self._next_full:
            return
        self._next_full = now + FULL_EVERY
        self._same_file()
        for file in self._others:
            if not os.access(file, os.W_OK) and os.path.exists(file):
                self.fail(StorageProblem(READ_ONLY, f"{file} is not writable"))

    def after_commit(self) -> None:
        """Raise StorageProblem if the file was removed or replaced: the commit is lost."""
        if self.path is not None:
            self._same_file()
        self.commits += 1  # under the store's write lock
        if self.failing is not None and self.failing != DAMAGED:
            self.recovered()

    def file_current(self) -> bool:
        """Whether the database file alone holds every commit (its WAL wholly copied)."""
        return self.copied >= self.commits

    def writable(self) -> bool:
        """Whether writing to the files is safe now (for the checkpointer)."""
        try:
            self.before_write()
        except StorageProblem:
            return False
        return True

    def _same_file(self) -> None:
        if self._gone:
            raise StorageProblem(UNAVAILABLE, f"{self.path} was removed or replaced; restart")
        if self._opened is None:
            return
        try:
            st = os.stat(self._others[0])
            same = (st.st_dev, st.st_ino) == self._opened
        except FileNotFoundError:
            same = False
        if not same:
            self._gone = True
            self.fail(StorageProblem(UNAVAILABLE, f"{self.path} was removed or replaced; restart"))

    def fail(self, problem: StorageProblem) -> StorageProblem:
        """Note a failure (one log line when it starts or changes), and raise it."""
        self.note(problem)
        raise problem

    def note(self, problem: StorageProblem) -> None:
        """Logged when a failure starts; a disk that flaps (SQLite freeing a little room of
        its own on a full disk) is not logged again within QUIET seconds."""
        now = time.monotonic()
        with self._lock:
            if self.failing == problem.code:
                return
            self.failing = problem.code
            quiet = now - self._logged.get(problem.code, -QUIET) < QUIET
            if not quiet:
                self._logged[problem.code] = now
        if not quiet:
            then = _CONSEQUENCE.get(problem.code, "writes are refused until it is fixed")
            log.error("storage: %s; %s", problem.message, then)

    def recovered(self) -> None:
        now = time.monotonic()
        with self._lock:
            was, self.failing = self.failing, None
            quiet = was is None or now - self._logged.get("ok", -QUIET) < QUIET
            if not quiet:
                self._logged["ok"] = now
        if not quiet:
            log.warning("storage: writes succeed again (after %s)", was)
