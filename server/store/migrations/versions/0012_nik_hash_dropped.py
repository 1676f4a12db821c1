"""the NIK's keyed hash and its key dropped: only the masked NIK is kept; a cancelled
booking's place goes back a while after the cancel (bookings.released_at)

Nothing used the hash, and its key lay in the same file (and every backup): the eight
hidden digits fell to a search in a fraction of a second. On SQLite the dropped pages are
overwritten with zeros (secure_delete), not left readable in the free list.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA secure_delete=ON")
    op.execute("UPDATE bookings SET nik_hash = NULL")
    # Native on both (SQLite >= 3.35): a batch copy would have to re-create the partial
    # indexes of the table.
    op.execute("ALTER TABLE bookings DROP COLUMN nik_hash")
    op.execute("DELETE FROM booking_secrets")
    op.drop_table("booking_secrets")
    if sqlite:
        op.execute("PRAGMA secure_delete=OFF")
    op.add_column("bookings", sa.Column("released_at", sa.DateTime(), nullable=True))
    # Those cancelled before gave their place back at once.
    op.execute(
        "UPDATE bookings SET released_at = cancelled_at WHERE cancelled_at IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_column("bookings", "released_at")
    op.create_table(
        "booking_secrets",
        sa.Column("site_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("site_id"),
    )
    op.add_column("bookings", sa.Column("nik_hash", sa.String(64), nullable=True))
