"""a complaint entered by staff carries the client's request_id: the same one again (an
answer lost on the way back to the counter) is the complaint filed before, not a second

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("request_id", sa.String(64), nullable=True))
    op.create_index(
        "ux_complaints_request", "complaints", ["filed_by", "request_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_complaints_request", table_name="complaints")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("request_id")
