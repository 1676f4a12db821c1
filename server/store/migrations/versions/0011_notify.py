"""notify: visitors' phones for the day, the outbox of messages, the site's [notify];
services stopped for the day

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_BODY = '{"to": "{phone}", "text": "{text}"}'


def _settings() -> list[sa.Column[object]]:
    return [
        sa.Column("notify_channel", sa.String(8), server_default="none", nullable=False),
        sa.Column("notify_device", sa.String(200), server_default="", nullable=False),
        sa.Column("notify_url", sa.String(500), server_default="", nullable=False),
        sa.Column("notify_headers", sa.JSON(), server_default="{}", nullable=False),
        sa.Column("notify_body", sa.Text(), server_default=_BODY, nullable=False),
        sa.Column("notify_near_ahead", sa.Integer(), server_default="3", nullable=False),
        sa.Column("notify_near_minutes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("notify_per_minute", sa.Integer(), server_default="30", nullable=False),
        sa.Column("notify_per_day", sa.Integer(), server_default="2000", nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("site_settings") as batch:
        for column in _settings():
            batch.add_column(column)
    op.create_table(
        "notify_phones",
        sa.Column("ticket_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("service", sa.String(32), nullable=False),
        sa.Column("phone", sa.String(16), nullable=True),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("near_done", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_index(
        "ix_notify_phones_waiting", "notify_phones", ["business_day", "service", "near_done"]
    )
    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(16), nullable=True),
        sa.Column("text", sa.String(320), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "kind", name="ux_notify_outbox_ticket_kind"),
    )
    op.create_index("ix_notify_outbox_state", "notify_outbox", ["state", "next_try_at"])
    op.create_index("ix_notify_outbox_claimed", "notify_outbox", ["claimed_at"])
    op.create_table(
        "service_stops",
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("service", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("stopped_by", sa.String(64), nullable=False),
        sa.Column("stopped_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("business_day", "service"),
    )


def downgrade() -> None:
    op.drop_table("service_stops")
    op.drop_index("ix_notify_outbox_claimed", table_name="notify_outbox")
    op.drop_index("ix_notify_outbox_state", table_name="notify_outbox")
    op.drop_table("notify_outbox")
    op.drop_index("ix_notify_phones_waiting", table_name="notify_phones")
    op.drop_table("notify_phones")
    with op.batch_alter_table("site_settings") as batch:
        for column in reversed(_settings()):
            batch.drop_column(column.name)
