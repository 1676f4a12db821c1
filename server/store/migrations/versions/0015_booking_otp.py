"""the booking door: links made by a look-up by code and phone

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_booking_links_booking_id", "booking_links", ["booking_id"])


def downgrade() -> None:
    op.drop_index("ix_booking_links_booking_id", "booking_links")
    op.drop_table("booking_links")
