"""people: console passwords and the admin role, survey tablets bound to a counter,
console sessions, and sign-in failures kept per username (known or not)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("officers") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("counter", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="counter")
        )
    op.create_table(
        "login_failures",
        sa.Column("site_id", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )


def downgrade() -> None:
    op.drop_table("login_failures")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("counter")
    with op.batch_alter_table("officers") as batch:
        batch.drop_column("password_hash")
