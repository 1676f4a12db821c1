"""The reports room's tables: the floor's alerts, kept with when they started and ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from server.tables import Base, UTCDateTime


class AlertRow(Base):
    """One alert: open while `ended_at` is NULL; the same (kind, subject) opens again later."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    kind: Mapped[str] = mapped_column(String(16))  # wait, pause, quota, printer, silent
    subject: Mapped[str] = mapped_column(String(64))  # a service, counter or device name
    message: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_alerts_started", "site_id", "started_at"),)
