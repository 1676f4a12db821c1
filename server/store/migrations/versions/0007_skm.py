"""SKM: one anonymous survey per served ticket, a site's own wording of the questions,
and the secret behind ticket page tokens

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCORES = [f"u{i}" for i in range(1, 10)]


def upgrade() -> None:
    op.create_table(
        "skm_surveys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        *(sa.Column(c, sa.SmallInteger(), nullable=False) for c in SCORES),
        sa.Column("age_group", sa.String(length=16), nullable=True),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("education", sa.String(length=16), nullable=True),
        sa.Column("occupation", sa.String(length=16), nullable=True),
        sa.Column("suggestion", sa.Text(), nullable=True),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("counter", sa.String(length=32), nullable=True),
        sa.Column("officer", sa.String(length=64), nullable=True),
        sa.Column("wait_minutes", sa.Integer(), nullable=True),
        sa.Column("target_minutes", sa.Integer(), nullable=False),
        sa.Column("within_target", sa.Boolean(), nullable=True),
        *(sa.CheckConstraint(f"{c} BETWEEN 1 AND 4", name=f"ck_skm_surveys_{c}") for c in SCORES),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
    )
    op.create_index("ix_skm_surveys_day", "skm_surveys", ["site_id", "business_day"])
    op.create_table(
        "skm_questions",
        sa.Column("site_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("unsur", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("a1", sa.String(length=80), nullable=False),
        sa.Column("a2", sa.String(length=80), nullable=False),
        sa.Column("a3", sa.String(length=80), nullable=False),
        sa.Column("a4", sa.String(length=80), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("site_id", "unsur", "lang"),
    )
    op.create_table(
        "ticket_page_keys",
        sa.Column("site_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("site_id"),
    )


def downgrade() -> None:
    op.drop_table("ticket_page_keys")
    op.drop_table("skm_questions")
    op.drop_index("ix_skm_surveys_day", table_name="skm_surveys")
    op.drop_table("skm_surveys")
