"""Alembic environment: run against the connection handed over by server.store.migrate.

An upgrade needs no table models. A comparison with the models (autogenerate, or
tests/server/test_migrations.py) hands them over as `target_metadata`
(server/runtime/schema.py gathers every room's tables), so the store never imports
the rooms above it.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=context.config.attributes.get("target_metadata"),
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
