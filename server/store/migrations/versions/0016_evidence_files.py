"""evidence files: a photo or PDF of an SKM follow-up action done, or of a complaint's answer

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("owner", sa.String(16), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_evidence_owner", "evidence_files", ["site_id", "owner", "owner_id"])


def downgrade() -> None:
    op.drop_index("ix_evidence_owner", table_name="evidence_files")
    op.drop_table("evidence_files")
