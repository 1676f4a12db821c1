"""pengaduan: the complaint register, the site's [complaints] settings, and the SKM's
follow-up actions (rencana tindak lanjut)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("site_settings") as batch:
        batch.add_column(
            sa.Column("complaints_target_days", sa.Integer(), server_default="5", nullable=False)
        )
        batch.add_column(
            sa.Column(
                "complaints_retention_days", sa.Integer(), server_default="365", nullable=False
            )
        )
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("agency", sa.String(32), nullable=False),
        sa.Column("service", sa.String(32), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(120), nullable=True),
        sa.Column("contact_masked", sa.String(120), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("filed_by", sa.String(64), nullable=True),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("lapor_number", sa.String(40), nullable=True),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("filed_day", sa.Date(), nullable=False),
        sa.Column("in_process_at", sa.DateTime(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answer_days", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("contact_erased_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
        sa.UniqueConstraint("token_hash"),
        sa.UniqueConstraint("survey_id"),
        sa.UniqueConstraint("site_id", "year", "seq", name="ux_complaints_year_seq"),
    )
    op.create_index("ix_complaints_filed", "complaints", ["site_id", "filed_day"])
    op.create_index("ix_complaints_status", "complaints", ["site_id", "status"])
    op.create_table(
        "skm_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("unit", sa.String(48), nullable=False),
        sa.Column("unsur", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("who", sa.String(80), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_skm_actions_unit", "skm_actions", ["site_id", "unit", "period_from"])


def downgrade() -> None:
    op.drop_index("ix_skm_actions_unit", table_name="skm_actions")
    op.drop_table("skm_actions")
    op.drop_index("ix_complaints_status", table_name="complaints")
    op.drop_index("ix_complaints_filed", table_name="complaints")
    op.drop_table("complaints")
    with op.batch_alter_table("site_settings") as batch:
        batch.drop_column("complaints_retention_days")
        batch.drop_column("complaints_target_days")
