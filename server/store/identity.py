"""Which database this data directory holds, so a start never begins empty over a site's data.

Beside the SQLite file lies a small record, `antrian.sqlite.identity`: the
database's id (a random number set once in meta('database_id') by
server/store/migrate.py, so it travels with the file and its backups) and the last
event seq the file itself was seen to hold. A start refuses, in one line and
with exit code 2, when the record says there was a database and the file is
missing or empty, holds another id, or holds a lower seq (an older copy put
back by hand), unless the technician passes --accept-database-change.

The record's seq is always one the database *file* holds, WAL aside: written
at start and at a clean stop after the WAL is copied in, and from the
checkpoint thread only after a checkpoint that copied every page the WAL held
when the seq was read. So after any crash the file alone holds at least the
recorded seq, and a lower one is never a false alarm.

`check_wal` refuses a write-ahead log that does not belong to the file beside
it (what a restore by hand next to a crashed server's -wal leaves). SQLite's
WAL header names no database, and at open SQLite replays any valid log into
whatever file is there, destroying it. So before anything opens the database
for writing:
- a WAL with frames beside a file not in WAL mode (header bytes 18-19 are 1,
  e.g. a copy made by `antrian backup`) cannot be its own: a database leaves
  WAL mode only after copying and deleting its log;
- the WAL's page size must be the file's;
- read without the WAL (immutable=1) and with it (read-only), the database's
  id must be the same, the seq must not go down, and a quick_check of the
  view with the WAL must pass: a log replayed over a file it was not written
  against gives mixed pages, which the check finds.

PostgreSQL has no file to lie beside: its record is `postgresql.identity` in the
server's data directory, holding the database's id and seq as the server last saw
them (at start and at a clean stop; a commit there is in the database, so a crash
leaves the database at or past the record). The same start refuses, in the same
words, a database that is another one, emptied (no meta table: dropped and made
again, or its tables dropped), or older (a dump restored over it), unless
--accept-database-change.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from server.store.tables import DATABASE_ID
from shared.errors import ConfigError

log = logging.getLogger(__name__)

SUFFIX = ".identity"
PG_RECORD = "postgresql.identity"
FLAG = "--accept-database-change"
_WAL_MAGIC = (0x377F0682, 0x377F0683)


class StartRefused(ConfigError):
    """The database is not the one this data directory held (or its WAL is not its own)."""


@dataclass(frozen=True)
class Identity:
    database_id: int | None
    seq: int | None


def record_path(db: Path) -> Path:
    return db.with_name(db.name + SUFFIX)


def read_record(db: Path) -> Identity | None:
    return read_record_at(record_path(db))


def read_record_at(path: Path) -> Identity | None:
    try:
        data = json.loads(path.read_text())
        return Identity(int(data["database_id"]), int(data["seq"]))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise StartRefused(
            f"{path} is damaged ({exc}); remove it to start anyway (it is rewritten at start)"
        ) from exc


def write_record(db: Path, identity: Identity) -> None:
    """Atomically: a crash leaves the old record or the new one, never half of one."""
    _write(record_path(db), identity, db.name)


def _write(path: Path, identity: Identity, database: str) -> None:
    if identity.database_id is None or identity.seq is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    body = {"database_id": identity.database_id, "seq": identity.seq, "database": database}
    with tmp.open("w") as f:
        json.dump(body, f)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _read(uri: str) -> Identity:
    con = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        rows = dict(
            con.execute("SELECT key, value FROM meta WHERE key IN ('seq', ?)", (DATABASE_ID,))
        )
    finally:
        con.close()
    return Identity(rows.get(DATABASE_ID), rows.get("seq"))


def file_identity(db: Path) -> Identity:
    """The id and seq the database file holds by itself, its WAL left aside."""
    try:
        return _read(f"file:{db}?mode=ro&immutable=1")
    except sqlite3.DatabaseError:  # not ours (no meta), or not a database at all
        return Identity(None, None)


def current_identity(con: sqlite3.Connection) -> Identity:
    """The id and seq as a connection sees them (the WAL included)."""
    rows = dict(con.execute("SELECT key, value FROM meta WHERE key IN ('seq', ?)", (DATABASE_ID,)))
    return Identity(rows.get(DATABASE_ID), rows.get("seq"))


def is_empty(db: Path) -> bool:
    """No database for our purposes: missing or zero bytes (SQLite would start it afresh)."""
    try:
        return db.stat().st_size == 0
    except FileNotFoundError:
        return True


def check_wal(db: Path) -> None:
    """Raise StartRefused when the -wal beside `db` is not its own (see the module doc)."""
    wal = Path(f"{db}-wal")
    try:
        with wal.open("rb") as f:
            head = f.read(32)
    except FileNotFoundError:
        return
    if len(head) < 32 or struct.unpack(">I", head[:4])[0] not in _WAL_MAGIC:
        return  # empty or no valid header: SQLite ignores it and starts the log afresh
    if wal.stat().st_size <= 32:
        return  # a header and no frames: nothing to replay
    with db.open("rb") as f:
        header = f.read(100)
    if len(header) < 100:
        return  # the file has no page yet: everything is in the log (a first start cut short)
    fix = (
        f"move {wal.name} and {db.name}-shm out of {db.parent} (they belong to another "
        "database), then start again"
    )
    why = ""
    page = struct.unpack(">H", header[16:18])[0]
    page = 65536 if page == 1 else page
    if header[18] != 2 or header[19] != 2:
        why = f"{db.name} is not in WAL mode (a copied backup?) but a {wal.name} lies beside it"
    elif struct.unpack(">I", head[8:12])[0] != page:
        why = f"{wal.name} has another page size than {db.name}"
    else:
        alone = file_identity(db)
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
            try:
                with_wal = current_identity(con)
                checked = con.execute("PRAGMA quick_check").fetchall()
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            if alone.database_id is None and str(exc).startswith("no such table"):
                # Not one of our databases yet: another process's first start is making
                # it right now (commands racing on a fresh file), or it was cut short.
                # There is nothing in it to protect.
                return
            with_wal, checked = Identity(None, None), [(str(exc),)]
        if alone.database_id is not None and with_wal.database_id != alone.database_id:
            why = f"{wal.name} was written by another database"
        elif (alone.seq or 0) > (with_wal.seq or 0):
            why = f"{wal.name} is older than {db.name} (seq {with_wal.seq} < {alone.seq})"
        elif checked != [("ok",)]:
            why = f"{db.name} read with {wal.name} fails its check ({checked[0][0]})"
    if why:
        raise StartRefused(f"refusing to start: {why}; {fix}")


def check_start(db: Path, *, accept_change: bool) -> None:
    """Refuse a start over a database other than the one recorded (see the module doc)."""
    check_wal(db)
    record = read_record(db)
    if record is None or accept_change:
        return
    where = f"{db} (its record {record_path(db).name}: database {record.database_id}"
    where += f", seq {record.seq})"
    what = (
        "restore the right file (antrian backup --restore FILE), or start with "
        f"{FLAG} to use this one from now on"
    )
    found = None if is_empty(db) else file_identity(db)
    _compare(db.name, where, what, record, found)


def _compare(name: str, where: str, what: str, record: Identity, found: Identity | None) -> None:
    """The refusals both databases share; `found` None: there is no database at all."""
    if found is None:
        raise StartRefused(
            f"refusing to start: no database at {where}; {what.replace('this one', 'an empty one')}"
        )
    if found.database_id != record.database_id:
        raise StartRefused(
            f"refusing to start: {name} is another database ({found.database_id or 'no id'})"
            f" than the one this data directory held, {where}; {what}"
        )
    if (found.seq or 0) < (record.seq or 0):
        raise StartRefused(
            f"refusing to start: {name} holds seq {found.seq}, older than {where} "
            f"(an older copy put back?); {what}"
        )


def server_identity(url: str) -> Identity | None:
    """What a PostgreSQL database holds, read-only; None when it holds none of our tables."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("meta"):
                return None
            query = text("SELECT key, value FROM meta WHERE key IN ('seq', :id)")
            rows = {k: v for k, v in conn.execute(query, {"id": DATABASE_ID})}
            return Identity(rows.get(DATABASE_ID), rows.get("seq"))
    finally:
        engine.dispose()


def check_server_start(url: str, record_at: Path, shown: str, *, accept_change: bool) -> None:
    """PostgreSQL's check_start: the record lives in the data directory (module doc)."""
    record = read_record_at(record_at)
    if record is None or accept_change:
        return
    where = f"{shown} (the record {record_at}: database {record.database_id}, seq {record.seq})"
    what = (
        "restore the site's database (pg_restore of its latest dump) or give --db its URL, "
        f"or start with {FLAG} to use this one from now on"
    )
    _compare("the database", where, what, record, server_identity(url))


def record_server(url: str, record_at: Path, shown: str) -> Identity | None:
    """At start (after the upgrade) and at a clean stop: record what the database holds."""
    found = server_identity(url)
    if found is not None:
        _write(record_at, found, shown)
    return found


def settle(db: Path) -> Identity:
    """At start and at a clean stop: copy the WAL into the file, record what the file holds."""
    # mode=rw: never create a file that is not there
    con = sqlite3.connect(f"file:{db}?mode=rw", uri=True, timeout=30, isolation_level=None)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    found = file_identity(db)
    write_record(db, found)
    return found


class Keeper:
    """Keeps the record current from the checkpoint thread (server/store/checkpoint.py)."""

    def __init__(self, db: Path, last: Identity) -> None:
        self.db = db
        self.last = last
        self.failing = False  # the last write failed (logged once)

    def before(self, con: sqlite3.Connection) -> Identity:
        """Read before the checkpoint: what it will have copied if it copies everything."""
        return current_identity(con)

    def copied(self, seen: Identity) -> None:
        """The checkpoint copied every page: the file holds `seen` by itself."""
        if seen == self.last:
            return
        try:
            write_record(self.db, seen)
        except OSError as exc:  # e.g. the disk is full: the next round tries again
            if not self.failing:
                log.warning("cannot update %s: %s", record_path(self.db).name, exc)
            self.failing = True
            return
        self.failing = False
        self.last = seen
