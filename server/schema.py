"""Every table of the server, from every room: what migrations are checked against.

Each room keeps its tables in its own module on `server.tables.Base`; importing
this module registers them all in `Base.metadata` (a room adds one import here).
"""

from __future__ import annotations

from server import tables
from server.reports import tables as report_tables
from server.tables import Base

metadata = Base.metadata

__all__ = ["Base", "metadata", "report_tables", "tables"]
