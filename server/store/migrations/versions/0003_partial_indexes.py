"""partial indexes: served per counter, recent calls and recent service times skip the
rows without a counter, a call or an end, so issuing a ticket writes none of them

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 06:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_PARTIAL = {
    "ix_tickets_counter": (["business_day", "counter", "status"], "counter IS NOT NULL"),
    "ix_tickets_called": (["business_day", "called_at"], "called_at IS NOT NULL"),
    "ix_tickets_finished": (["service", "status", "finished_at"], "finished_at IS NOT NULL"),
}


def upgrade() -> None:
    for name, (columns, where) in _PARTIAL.items():
        op.drop_index(name, table_name="tickets")
        op.create_index(
            name,
            "tickets",
            columns,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade() -> None:
    for name, (columns, _where) in _PARTIAL.items():
        op.drop_index(name, table_name="tickets")
        op.create_index(name, "tickets", columns)
