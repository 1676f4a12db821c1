"""Cells of every spreadsheet we write (CSV and XLSX): what someone typed stays text.

A name that begins with `=`, `+`, `-` or `@` (an agency, service, counter, officer, or a
citizen's suggestion) would be a live formula in Excel or LibreOffice: `=HYPERLINK(...)`
becomes a link that sends data away, `=cmd|...` worse (OWASP, "CSV Injection"). So:
- CSV: such a text cell is written with a leading `'` (OWASP's rule), which spreadsheets
  show as the text itself; numbers are written as numbers;
- XLSX: every text cell has the string type, never a formula, whatever it starts with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl is imported only when a workbook is written
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

# What starts a formula (tab and carriage return too: some spreadsheets skip them first).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value for a CSV row: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(values: list[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def text_cell(ws: Worksheet, row: int, col: int, value: str | None) -> Cell:
    """An XLSX cell that is text whatever it starts with (never a formula)."""
    cell = ws.cell(row=row, column=col)
    cell.value = value or ""
    cell.data_type = "s"
    return cell
