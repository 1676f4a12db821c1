"""Reports: the daily report, the summary of any period, the floor's figures, exports.

aggregate.py and summary.py (any period, in SQL), months.py (sealed months), daily.py,
views.py (the floor now), alerts.py (the floor's alerts), devices.py (heartbeats),
exports.py (table, CSV, XLSX, PDF), tables.py.

The daily report's names stay importable from here for its users (the API and CLI).
"""

from __future__ import annotations

from server.reports.daily import COLUMNS, daily_report, report_csv, report_table

__all__ = ["COLUMNS", "daily_report", "report_csv", "report_table"]
