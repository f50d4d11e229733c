"""Plain data read from the spreadsheet: what the Google adapter hands to the pure core.

Cells arrive as Sheets' UNFORMATTED_VALUE with SERIAL_NUMBER dates: a date typed into
Sheets is a number of days since 1899-12-30, text stays text, booleans stay booleans.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

Cell = str | int | float | bool | None

SERIAL_EPOCH = dt.date(1899, 12, 30)
# The first date read as a date, in the records and in the roster: earlier ones are slips, not
# the dates of a Code of Conduct committee. A number typed into a date column (the year "2025"
# is serial 2025, 17 July 1905; the day "4" is 3 January 1900) or a digit left out of a text
# ("3/4/202") would otherwise be a date long past: a record blanked at once, a member's term
# begun long ago.
FIRST_DAY = dt.date(2000, 1, 1)


def serial_to_date(serial: float) -> dt.date:
    """Sheets' serial number (days since 1899-12-30, fraction = time of day) → date."""
    return SERIAL_EPOCH + dt.timedelta(days=int(serial // 1))


def date_to_serial(day: dt.date) -> int:
    return (day - SERIAL_EPOCH).days


@dataclass(frozen=True)
class Table:
    """The records tab: one header row and the rows below it, exactly as Sheets returned them.

    Rows may be shorter than the header (Sheets omits trailing empty cells).
    """

    header_row: int  # sheet row number (1-based) of the header row
    headers: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def sheet_row(self, index: int) -> int:
        """Sheet row number (1-based, as the committee sees it) of ``rows[index]``."""
        return self.header_row + 1 + index

    def cell(self, index: int, column: int) -> Cell:
        row = self.rows[index]
        return row[column] if column < len(row) else None


@dataclass(frozen=True)
class Snapshot:
    """Everything one run reads from Google about the spreadsheet, in plain values."""

    spreadsheet_id: str
    locale: str  # e.g. "en_US"; decides the default date order
    time_zone: str
    records_tab: str
    records_sheet_id: int
    table: Table
    log_tab_exists: bool
    roster: Table | None = None  # the roster tab, when [access] roster_tab names one that exists
    log_tab_has_header: bool = False  # the log tab's first row is not empty
