"""Alembic brings an empty database to exactly the schema the code expects."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.db import Store
from server.migrate import upgrade
from server.tables import Base


def test_upgrade_head_matches_the_tables(db_url: str) -> None:
    store = Store(db_url)
    upgrade(store)
    upgrade(store)  # a second start is a no-op
    with store.write_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    store.dispose()
    assert diff == []
