"""Alembic brings an empty database to exactly the schema the code expects."""

from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server.runtime.schema import Base
from server.store.db import Store
from server.store.migrate import upgrade


def test_upgrade_head_matches_the_tables(db_url: str) -> None:
    store = Store(db_url)
    upgrade(store)
    upgrade(store)  # a second start is a no-op
    with store.write_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    store.dispose()
    assert diff == []


def _where(clause: object) -> str | None:
    return None if clause is None else re.sub(r"[()\s]", "", str(clause)).lower()


def test_partial_indexes_are_as_the_tables_say(db_url: str) -> None:
    """compare_metadata does not look at an index's WHERE; a partial index that came out
    whole would still work, but every issue would write it again (migration 0003)."""
    store = Store(db_url)
    upgrade(store)
    dialect = store.write_engine.dialect.name
    found = {}
    with store.write_engine.connect() as conn:
        for table in Base.metadata.tables:
            for ix in inspect(conn).get_indexes(table):
                found[ix["name"]] = _where(ix.get("dialect_options", {}).get(f"{dialect}_where"))
    store.dispose()
    wanted = {
        ix.name: _where(ix.dialect_kwargs.get(f"{dialect}_where"))
        for table in Base.metadata.tables.values()
        for ix in table.indexes
    }
    assert {name: found.get(name, "missing") for name in wanted} == wanted
    assert wanted["ix_tickets_called"] == "called_atisnotnull"
