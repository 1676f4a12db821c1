"""A consistent online copy of the SQLite database, and its restore.

The copy uses SQLite's backup API (a read snapshot, so the server keeps
issuing tickets meanwhile), is checked with `PRAGMA integrity_check`, and
old copies are pruned. PostgreSQL sites use pg_dump instead (docs/INSTALL.md).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from server.store import identity
from shared.errors import AntrianError

log = logging.getLogger(__name__)

PREFIX = "antrian-"
_NAME = re.compile(r"^antrian-(\d{8}-\d{6})\.sqlite$")


class BackupError(AntrianError):
    """A backup or restore could not be made or failed its check."""


def sqlite_path(url: str) -> Path:
    """The file behind a sqlite:/// URL; other databases are refused with advice."""
    if not url.startswith("sqlite"):
        raise BackupError(
            "this database is not SQLite; back up PostgreSQL with pg_dump (see docs/INSTALL.md)"
        )
    path = url.split("///", 1)[-1]
    if not path or path == ":memory:":
        raise BackupError(f"cannot back up {url!r}: no database file")
    return Path(path)


def check(path: Path) -> None:
    """Raise BackupError unless `PRAGMA integrity_check` says ok."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from exc
    finally:
        con.close()
    if rows != [("ok",)]:
        raise BackupError(f"{path} failed the integrity check: {rows[:5]}")


def backup(db: Path, directory: Path, now: datetime, *, alone: bool = False) -> Path:
    """Copy `db` into directory/antrian-YYYYMMDD-HHMMSS.sqlite, checked; returns the path.

    alone: the file by itself, its -wal left out (a log that is not its own)."""
    if not db.is_file():
        raise BackupError(f"no database at {db}")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{PREFIX}{now:%Y%m%d-%H%M%S}.sqlite"
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(
        f"file:{db}?mode=ro{'&immutable=1' if alone else ''}", uri=True, timeout=30
    )
    dst = sqlite3.connect(partial)
    try:
        # One step (pages=-1): a single read snapshot; WAL readers never block the writer.
        src.backup(dst, pages=-1)
        # A self-contained file (no -wal beside it) is what a technician copies around.
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"backup of {db} failed: {exc}") from exc
    finally:
        dst.close()
        src.close()
    try:
        check(partial)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return target


def prune(directory: Path, keep_days: int, now: datetime, keep: Path | None = None) -> list[Path]:
    """Delete backups older than keep_days (by the time in their name); 0 keeps all."""
    if keep_days <= 0 or not directory.is_dir():
        return []
    cutoff = now - timedelta(days=keep_days)
    gone = []
    for path in sorted(directory.iterdir()):
        m = _NAME.match(path.name)
        if not m or path == keep:
            continue
        made = datetime.strptime(m.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=now.tzinfo)
        if made < cutoff:
            path.unlink()
            gone.append(path)
    return gone


def in_use(db: Path) -> bool:
    """True when a process has the database open (e.g. a running server).

    Asked of the kernel's lock table, not by opening the file: a SQLite connection would
    replay a -wal that is not the file's own (and its close copy it in), and closing any
    descriptor of the file would drop this process's own connections' locks."""
    if not db.exists():
        return False
    st = db.stat()
    # In WAL mode every open connection holds SQLite's shared lock on the file.
    key = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    try:
        table = Path("/proc/locks").read_text()
    except OSError:  # not Linux: nothing tells us, so assume the worst
        return True
    return any(key in line.split() for line in table.splitlines())


def restore(source: Path, db: Path, safety_dir: Path, now: datetime, *, force: bool) -> Path | None:
    """Replace the database with a backup; the current one is saved first. Returns that copy."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    check(source)
    if in_use(db) and not force:
        raise BackupError(
            f"{db} is in use (is the server running? stop it first: "
            "systemctl stop antrian-server); --force restores anyway"
        )
    saved = None
    if db.is_file() and db.stat().st_size > 0:
        try:
            identity.check_wal(db)
            foreign = False
        except identity.StartRefused:  # a log that is not its own: save the file alone
            foreign = True
        saved = backup(db, safety_dir / "before-restore", now, alone=foreign)
    db.parent.mkdir(parents=True, exist_ok=True)
    if in_use(db):  # --force with the server running: into the live file, whose WAL is live
        _copy_into(source, db)
    else:
        # Written beside, then put in place with the -wal and -shm gone: a log left from the
        # old file would be replayed into the restored one at the next open (identity.py).
        fresh = db.with_name(db.name + ".restoring")
        fresh.unlink(missing_ok=True)
        _copy_into(source, fresh)
        for stale in (Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{fresh}-wal")):
            stale.unlink(missing_ok=True)
        os.replace(fresh, db)
        _fsync_dir(db.parent)
    check(db)
    # The technician chose this database: the next start holds it (server/store/identity.py).
    identity.write_record(db, identity.file_identity(db))
    return saved


def _copy_into(source: Path, db: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(db, timeout=30)
    try:
        src.backup(dst, pages=-1)
    except sqlite3.Error as exc:
        raise BackupError(f"restore into {db} failed: {exc}") from exc
    finally:
        dst.close()
        src.close()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
