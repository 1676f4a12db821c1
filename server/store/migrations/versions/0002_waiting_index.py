"""indexes for a busy day: the queue index leads with priority ('people ahead' is an
index-only count); served per counter, recent calls and recent service times

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 03:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_NEW = ["business_day", "service", "status", "priority", "queued_at", "id"]
_OLD = ["business_day", "service", "status", "queued_at"]


_MORE = {
    "ix_tickets_counter": ["business_day", "counter", "status"],
    "ix_tickets_called": ["business_day", "called_at"],
    "ix_tickets_finished": ["service", "status", "finished_at"],
}


def upgrade() -> None:
    op.create_index("ix_tickets_waiting", "tickets", _NEW)
    op.drop_index("ix_tickets_queue", table_name="tickets")
    for name, columns in _MORE.items():
        op.create_index(name, "tickets", columns)


def downgrade() -> None:
    for name in _MORE:
        op.drop_index(name, table_name="tickets")
    op.create_index("ix_tickets_queue", "tickets", _OLD)
    op.drop_index("ix_tickets_waiting", table_name="tickets")
