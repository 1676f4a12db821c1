"""Bring a database to the current schema (Alembic), and seed the rows it needs."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, select

from server.db import Store
from server.tables import Meta

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(store: Store) -> None:
    """Run pending migrations, then make sure meta('seq') exists."""
    engine = create_engine(store.url)  # a plain engine: DDL needs no write lock dance
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()
    with store.write() as s:
        if s.scalar(select(Meta).where(Meta.key == "seq")) is None:
            s.add(Meta(key="seq", value=0))
