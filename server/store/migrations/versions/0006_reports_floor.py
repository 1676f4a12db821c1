"""reports and the floor: the officer on each called ticket, the devices' heartbeat state,
the alerts kept with when they started and ended, and the indexes reports read

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("officer", sa.String(64), nullable=True))
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("state", sa.Text(), nullable=True))
        batch.add_column(sa.Column("state_at", sa.DateTime(), nullable=True))
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("message", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_alerts_started", "alerts", ["site_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_alerts_started", table_name="alerts")
    op.drop_table("alerts")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("state_at")
        batch.drop_column("state")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("officer")
