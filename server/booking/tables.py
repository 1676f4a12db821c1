"""The booking room's tables (on server.store.tables.Base, gathered by server/runtime/schema.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from server.store.tables import Base, UTCDateTime


class PlaceRow(Base):
    """A session's places on one date: `taken` never passes `places` (server/booking/places.py)."""

    __tablename__ = "booking_places"

    site_id: Mapped[int] = mapped_column(Integer, primary_key=True, server_default=text("1"))
    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    session: Mapped[str] = mapped_column(String(16), primary_key=True)  # "08:00-10:00"
    places: Mapped[int] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer)


class BookingRow(Base):
    """One booking. Name, phone and NIK are erased after the retention period."""

    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    code: Mapped[str] = mapped_column(String(16), unique=True)  # typed at the kiosk
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # the booker's link
    service: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    session: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # booked | cancelled | checked_in | expired
    name: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20))  # normalized, +62...
    # 3578********0001, for the officer to compare with the KTP. Nothing else of the NIK is
    # kept: a keyed hash with its key in the same file gave the hidden digits back in a
    # fraction of a second to anyone with a copy (migration 0012 dropped both).
    nik_masked: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # when a cancelled booking's place went back to its session (a while after the cancel)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    checkin_request_id: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        # One active booking per phone per service per day (booked or checked in: neither
        # cancelled nor expired; a string comparison would read back differently on PG).
        Index(
            "ux_bookings_phone",
            "site_id",
            "service",
            "day",
            "phone",
            unique=True,
            sqlite_where=text("cancelled_at IS NULL AND expired_at IS NULL"),
            postgresql_where=text("cancelled_at IS NULL AND expired_at IS NULL"),
        ),
        # The walk-in quota subtracts the day's checked-in bookings (queue.issue, only
        # near the quota): an index range over the few rows with a ticket.
        Index(
            "ix_bookings_checked_in",
            "service",
            "day",
            sqlite_where=text("ticket_id IS NOT NULL"),
            postgresql_where=text("ticket_id IS NOT NULL"),
        ),
        # Housekeeping: bookings still open past their session, data past retention.
        Index("ix_bookings_day_status", "day", "status"),
    )


class LinkRow(Base):
    """Another link to a booking's page, made when its booker looked it up by code and
    phone (server/booking/bookings.find): the first link keeps working beside it."""

    __tablename__ = "booking_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    booking_id: Mapped[int] = mapped_column(Integer, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PhoneCodeRow(Base):
    """A one-time code sent by SMS to prove a booker's phone (server/booking/phone_codes.py).

    Only a salted hash of the code is kept; the row (and its phone) goes a day after."""

    __tablename__ = "booking_phone_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phone: Mapped[str | None] = mapped_column(String(20))  # normalized, +62...
    salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tries: Mapped[int] = mapped_column(Integer)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_booking_phone_codes_phone", "phone", "made_at"),)
