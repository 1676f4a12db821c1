"""what the MPP publishes: each service's standard, and whether the TVs show it

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_standards",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("service", sa.String(32), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("procedure", sa.Text(), nullable=False),
        sa.Column("time", sa.Text(), nullable=False),
        sa.Column("cost", sa.Text(), nullable=False),
        sa.Column("product", sa.Text(), nullable=False),
        sa.Column("complaints", sa.Text(), nullable=False),
        sa.UniqueConstraint("site_id", "service", name="uq_service_standards"),
    )
    with op.batch_alter_table("site_settings") as batch:
        batch.add_column(
            sa.Column("tv_publish", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("site_settings") as batch:
        batch.drop_column("tv_publish")
    op.drop_table("service_standards")
