"""Bring a database to the current schema (Alembic), and seed the rows it needs.

Several processes may start on one fresh database at once (a server and a
technician's `antrian device add`): the whole upgrade runs in one transaction
that first takes the database's write lock (SQLite: BEGIN IMMEDIATE, which
waits out the other up to the busy timeout; PostgreSQL: a transaction-scoped
advisory lock), so the second finds the schema done and only reads it.
"""

from __future__ import annotations

import logging
import random
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text

from server.store.db import Store
from server.store.tables import DATABASE_ID
from shared.errors import ConfigError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
# pg_advisory_xact_lock's key for "a schema upgrade is running" (any constant of ours).
PG_UPGRADE_LOCK = 0x616E_7472  # "antr"


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


class NewerDatabase(ConfigError):
    """The database's schema revision is unknown to this version (made by a newer one)."""


def _engine(url: str) -> Engine:
    """A plain engine (DDL needs no write lock dance) whose transactions take the write lock."""
    if not url.startswith("sqlite"):
        return create_engine(url)
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # BEGIN IMMEDIATE below, not the driver's lazy BEGIN
        # WAL from the very first page, as the Store's engines would set it anyway.
        dbapi_conn.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE")

    return engine


def check_revision(current: str | None) -> None:
    """Refuse a revision this code does not know (a newer version made the database)."""
    if current is None:
        return
    script = ScriptDirectory.from_config(alembic_config())
    try:
        script.get_revision(current)
    except CommandError as exc:
        raise NewerDatabase(
            f"the database is at schema revision {current}, which this version of Antrian "
            f"does not know (it knows up to {script.get_current_head()}): it was made by a "
            "newer version; install that version again, or restore a backup made by this one"
        ) from exc


def _check_ours(conn: Connection) -> None:
    """Refuse a non-empty database another application made (never migrate into it).

    For SQLite server/store/filecheck.py has said so before anything opened the file;
    this is PostgreSQL's (the transaction rolls back: nothing is changed)."""
    names = set(inspect(conn).get_table_names())
    if names and "alembic_version" not in names:
        shown = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
        raise ConfigError(
            "the database is not an Antrian database (it holds other tables: "
            f"{shown}); give --db a new database or the site's own"
        )


def upgrade(store: Store) -> None:
    """Run pending migrations, then make sure meta('seq') and meta('database_id') exist."""
    engine = _engine(store.url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_UPGRADE_LOCK})
            cfg = alembic_config()
            check_revision(MigrationContext.configure(conn).get_current_revision())
            _check_ours(conn)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            # Seeded under the same lock: two first starts must not both insert them.
            seed = (
                "INSERT INTO meta (key, value) SELECT CAST(:key AS VARCHAR(32)), "
                "CAST(:value AS INTEGER) WHERE NOT EXISTS "
                "(SELECT 1 FROM meta WHERE key = CAST(:key AS VARCHAR(32)))"
            )
            conn.execute(text(seed), {"key": "seq", "value": 0})
            # 31 bits: meta.value is a PostgreSQL INTEGER.
            conn.execute(text(seed), {"key": DATABASE_ID, "value": random.randrange(1, 2**31)})
    finally:
        engine.dispose()
