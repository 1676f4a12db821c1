"""Every table of the server, from every room: what migrations are checked against.

Each room keeps its tables in its own module on `server.store.tables.Base`; importing
this module registers them all in `Base.metadata` (a room adds one import here).
"""

from __future__ import annotations

from server.booking import tables as booking_tables
from server.complaints import tables as complaint_tables
from server.notify import tables as notify_tables
from server.office import tables as office_tables
from server.reports import tables as report_tables
from server.skm import tables as skm_tables
from server.store import tables
from server.store.tables import Base

metadata = Base.metadata

__all__ = [
    "Base",
    "booking_tables",
    "complaint_tables",
    "metadata",
    "notify_tables",
    "office_tables",
    "report_tables",
    "skm_tables",
    "tables",
]
