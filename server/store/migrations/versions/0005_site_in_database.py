"""the site in the database: settings, agencies, services and their booking sessions,
counters' setup, schedules (weekly periods, holidays, one-off dates) and the audit log

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.store.tables import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=False),
        sa.Column("logo", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "code", name="uq_agencies_code"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["site_id", "id"], unique=False)
    op.create_table(
        "booking_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_booking_sessions_service", "booking_sessions", ["site_id", "service"], unique=False
    )
    op.create_table(
        "counter_services",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("counter", sa.String(length=32), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_counter_services_counter", "counter_services", ["site_id", "counter"], unique=False
    )
    op.create_table(
        "counter_setup",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "code", name="uq_counter_setup_code"),
    )
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("last_issue_minutes", sa.Integer(), nullable=False),
        sa.Column("always_open", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "scope", "owner", name="uq_schedules_owner"),
    )
    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("prefix", sa.String(length=3), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("target_minutes", sa.Integer(), nullable=False),
        sa.Column("needs_nik", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("next_prefix", sa.String(length=3), nullable=True),
        sa.Column("next_prefix_from", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "code", name="uq_services_code"),
    )
    op.create_index("ix_services_agency", "services", ["site_id", "agency"], unique=False)
    op.create_table(
        "site_settings",
        sa.Column("site_id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("zone_label", sa.String(length=16), nullable=False),
        sa.Column("ticket_format", sa.String(length=64), nullable=False),
        sa.Column("logo", sa.Text(), nullable=False),
        sa.Column("footer", sa.Text(), nullable=False),
        sa.Column("running_text", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=80), nullable=False),
        sa.Column("head_title", sa.String(length=120), nullable=False),
        sa.Column("head_name", sa.String(length=120), nullable=False),
        sa.Column("head_id", sa.String(length=40), nullable=False),
        sa.Column("queue_priority_max_in_row", sa.Integer(), nullable=False),
        sa.Column("queue_requeue_window_minutes", sa.Integer(), nullable=False),
        sa.Column("queue_default_service_minutes", sa.Float(), nullable=False),
        sa.Column("queue_recent_services_for_estimate", sa.Integer(), nullable=False),
        sa.Column("alerts_pause_minutes", sa.Integer(), nullable=False),
        sa.Column("alerts_quota_left", sa.Integer(), nullable=False),
        sa.Column("alerts_device_silent_minutes", sa.Integer(), nullable=False),
        sa.Column("booking_days_ahead", sa.Integer(), nullable=False),
        sa.Column("booking_retention_days", sa.Integer(), nullable=False),
        sa.Column("booking_early_minutes", sa.Integer(), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("site_id"),
    )
    op.create_table(
        "schedule_days",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.String(length=10), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("holiday", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["schedule_id"], ["schedules.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_schedule_days_schedule", "schedule_days", ["schedule_id"], unique=False)
    op.create_table(
        "schedule_periods",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["day_id"], ["schedule_days.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_schedule_periods_day", "schedule_periods", ["day_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_schedule_periods_day", table_name="schedule_periods")
    op.drop_table("schedule_periods")
    op.drop_index("ix_schedule_days_schedule", table_name="schedule_days")
    op.drop_table("schedule_days")
    op.drop_table("site_settings")
    op.drop_index("ix_services_agency", table_name="services")
    op.drop_table("services")
    op.drop_table("schedules")
    op.drop_table("counter_setup")
    op.drop_index("ix_counter_services_counter", table_name="counter_services")
    op.drop_table("counter_services")
    op.drop_index("ix_booking_sessions_service", table_name="booking_sessions")
    op.drop_table("booking_sessions")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("agencies")
