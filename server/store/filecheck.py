"""A look at an SQLite file before anything opens it for writing.

Opening it the usual way already changes it (the engines set WAL mode, which rewrites the
header of a file in rollback-journal mode; a migration adds our tables), so what must
refuse a file is decided here, read-only and, unless a crash left a log to replay,
through `immutable=1`, which touches no file at all:
- another application's database (tables, none of them ours): refused, never migrated into;
- a schema revision this version does not know (made by a newer one): refused;
- at the server's start, damaged pages: `PRAGMA quick_check` reads every page of the
  file and checks each b-tree page's structure (not the indexes against the tables, which
  integrity_check does at 7x the time). A year's history (bench.history, 500,000 tickets,
  249 MB) took 1.3 s with the file in the page cache on an idle 2-core box, 2.9 s under a
  load of 12, 8 s from a cold cache under that load (bench/file_check.py). A file that
  fails it is refused with how to restore it; one-shot commands skip this check.

A refused start exits 2 with one line and leaves every file's bytes as they were.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

from server.store.identity import StartRefused, is_empty
from server.store.migrate import check_revision
from shared.errors import ConfigError

RESTORE = (
    "stop here and restore the latest good backup (antrian backup --restore FILE; "
    "see docs/INSTALL.md), or give --db another file"
)


class NotOurs(ConfigError):
    """A non-empty database that another application made."""


def _uri(db: Path) -> str:
    """Read-only; immutable (no -shm, no lock files) unless a WAL with frames must be read."""
    wal = Path(f"{db}-wal")
    try:
        with wal.open("rb") as f:
            head = f.read(32)
        has_frames = wal.stat().st_size > 32 and len(head) == 32
        magic = struct.unpack(">I", head[:4])[0] in (0x377F0682, 0x377F0683) if head else False
    except FileNotFoundError:
        has_frames = magic = False
    return f"file:{db}?mode=ro" if has_frames and magic else f"file:{db}?mode=ro&immutable=1"


def check_file(db: Path, *, pages: bool) -> None:
    """Raise when `db` must not be opened (see the module doc); `pages`: the quick check too."""
    if is_empty(db):
        return
    try:
        con = sqlite3.connect(_uri(db), uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise ConfigError(f"cannot open the database {db}: {exc}") from exc
    try:
        try:
            tables = [
                name
                for (name,) in con.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc):
                raise ConfigError(f"cannot open the database {db}: {exc}") from exc
            raise StartRefused(
                f"refusing to start: {db.name} is damaged ({exc}); {RESTORE}"
            ) from exc
        if tables and "alembic_version" not in tables:
            shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
            raise NotOurs(
                f"{db} is not an Antrian database (it holds other tables: {shown}); "
                "give --db a new file or the site's own database"
            )
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            check_revision(row[0] if row else None)
        if pages:
            try:
                found = con.execute("PRAGMA quick_check(1)").fetchall()
            except sqlite3.DatabaseError as exc:
                found = [(str(exc),)]
            if found != [("ok",)]:
                why = " ".join(str(found[0][0]).replace("*** in database main ***", "").split())
                raise StartRefused(f"refusing to start: {db.name} is damaged ({why}); {RESTORE}")
    finally:
        con.close()
