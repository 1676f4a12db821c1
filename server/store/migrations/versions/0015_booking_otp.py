"""the booking door: links made by a look-up by code and phone; one-time codes by SMS
that prove a booker's phone (the site's [booking] require_sms_code), whose messages
belong to no ticket

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("site_settings") as batch:
        batch.add_column(
            sa.Column(
                "booking_require_sms_code", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    with op.batch_alter_table("notify_outbox") as batch:
        batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "booking_phone_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("salt", sa.String(32), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_booking_phone_codes_phone", "booking_phone_codes", ["phone", "made_at"])
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
    op.drop_index("ix_booking_phone_codes_phone", "booking_phone_codes")
    op.drop_table("booking_phone_codes")
    with op.batch_alter_table("notify_outbox") as batch:
        batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("site_settings") as batch:
        batch.drop_column("booking_require_sms_code")
    op.drop_index("ix_booking_links_booking_id", "booking_links")
    op.drop_table("booking_links")
