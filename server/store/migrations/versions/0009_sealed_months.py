"""sealed months: a closed month's report rows, so a long period need not read every
ticket again (server/reports/months.py)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# As server/reports/tables.py has them at this revision (a migration keeps its own copy).
COUNTS = (
    "issued",
    "online",
    "served",
    "no_show",
    "cancelled",
    "transferred",
    "priority",
    "called",
    "within_target",
    "wait_n",
    "wait_sum",
    "service_n",
    "service_sum",
    "building_n",
    "building_sum",
)


def upgrade() -> None:
    op.create_table(
        "report_month_seals",
        sa.Column("month", sa.Date(), primary_key=True),
        sa.Column("upto", sa.Date(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("max_id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(), nullable=False),
    )

    def keys() -> list[sa.Column[object]]:
        return [
            sa.Column("month", sa.Date(), primary_key=True),
            sa.Column("dim", sa.String(8), primary_key=True),
            sa.Column("key", sa.String(64), primary_key=True),
        ]

    op.create_table(
        "report_month_counts",
        *keys(),
        *(
            sa.Column(name, sa.BigInteger() if name.endswith("_sum") else sa.Integer(), nullable=False)
            for name in COUNTS
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_month_cells",
        *keys(),
        sa.Column("measure", sa.String(8), primary_key=True),
        sa.Column("x", sa.Integer(), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,  # the key is the row: kept once, not again in an index
    )


def downgrade() -> None:
    op.drop_table("report_month_cells")
    op.drop_table("report_month_counts")
    op.drop_table("report_month_seals")
