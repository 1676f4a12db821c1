"""every citizen: a priority ticket's group, the site's list of groups, help requests

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 00:30:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The groups an existing site starts with (shared/config.py's defaults at this revision).
DEFAULT_GROUPS = [
    {"code": "lansia", "name": "Lansia", "name_en": "Elderly"},
    {"code": "disabilitas", "name": "Penyandang disabilitas", "name_en": "People with disabilities"},
    {"code": "ibu_hamil", "name": "Ibu hamil", "name_en": "Pregnant women"},
    {"code": "balita", "name": "Ibu dengan balita", "name_en": "Mothers with small children"},
]


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("priority_group", sa.String(32), nullable=True))
    with op.batch_alter_table("site_settings") as batch:
        batch.add_column(
            sa.Column(
                "queue_priority_groups",
                sa.Text(),
                nullable=False,
                server_default=json.dumps(DEFAULT_GROUPS),
            )
        )
    op.create_table(
        "help_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("kiosk", sa.String(64), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("taken_by", sa.String(64), nullable=True),
        sa.Column("taken_counter", sa.String(32), nullable=True),
    )
    op.create_index("ix_help_asked", "help_requests", ["site_id", "asked_at"])


def downgrade() -> None:
    op.drop_index("ix_help_asked", table_name="help_requests")
    op.drop_table("help_requests")
    with op.batch_alter_table("site_settings") as batch:
        batch.drop_column("queue_priority_groups")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("priority_group")
