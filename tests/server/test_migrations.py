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


def test_0015_keeps_the_outbox_and_lets_a_code_have_no_ticket(db_url: str) -> None:
    """From 0013: the outbox's rows stay; a booking code's message may have no ticket; the
    site's require_sms_code is off."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from server.store.migrate import alembic_config

    engine = create_engine(db_url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0013")
        conn.execute(
            text(
                "INSERT INTO notify_outbox (ticket_id, kind, business_day, phone, text, state,"
                " attempts, created_at, next_try_at) VALUES (7, 'near', '2026-12-07',"
                " '6281234567890', 'hampir', 'due', 0, '2026-12-07 01:00:00',"
                " '2026-12-07 01:00:00')"
            )
        )
    engine.dispose()
    store = Store(db_url)
    upgrade(store)
    with store.write_engine.begin() as conn:
        assert conn.execute(text("SELECT ticket_id, text FROM notify_outbox")).all() == [
            (7, "hampir")
        ]
        conn.execute(
            text(
                "INSERT INTO notify_outbox (ticket_id, kind, business_day, phone, text, state,"
                " attempts, created_at, next_try_at) VALUES (NULL, 'code', '2026-12-07',"
                " '6281234567890', 'kode ******', 'due', 0, '2026-12-07 01:00:00',"
                " '2026-12-07 01:00:00')"
            )
        )
        columns = {c["name"]: c for c in inspect(conn).get_columns("site_settings")}
        assert "booking_require_sms_code" in columns
        assert inspect(conn).has_table("booking_phone_codes")
        assert inspect(conn).has_table("booking_links")
    store.dispose()
