"""Alembic migrations: a site upgrades its database in place at server start."""
