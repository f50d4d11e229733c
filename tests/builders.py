"""Small builders of Records, Tables and Configs for tests. Every name in them is fake.

``record(12, "2025-03-01", Outcome.RESOLVED, ids=["jo@mail.test"])`` builds a Record directly;
``table({"Date of 1st report": "2025-03-01", "Outcome": "Resolved"})`` builds the plain table
the Google adapter would hand over, with the default headers of SPEC section 1.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from sheetbot.config import (
    ColumnsConfig,
    Config,
    DateOrder,
    OutcomesConfig,
    RetentionConfig,
    SpreadsheetConfig,
    parse_duration,
)
from sheetbot.policy import Decision, decide
from sheetbot.records import (
    Keep,
    Outcome,
    Permanent,
    Problem,
    Record,
    find_columns,
    read_records,
)
from sheetbot.table import Cell, Table

SPREADSHEET_ID = "1FakeSpreadsheetKey_for_tests"

REPORTED = "Date of 1st report"
REPORTER = "Reporter"
NAMED = "Named subjects"
SUBJECT = "Subject email address/URL"
SUMMARY = "Summary of report (for internal purposes)"
OUTCOME = "Outcome"
BAN_UNTIL = "Ban until"
EXPUNGE_ON = "Date to expunge this record"
OVERRIDE = "Retention override"
EXPUNGED_ON = "Expunged on"

HEADERS: tuple[str, ...] = (
    REPORTED,
    REPORTER,
    NAMED,
    SUBJECT,
    SUMMARY,
    OUTCOME,
    BAN_UNTIL,
    EXPUNGE_ON,
    OVERRIDE,
    EXPUNGED_ON,
)


def day(text: str) -> dt.date:
    """``day("2025-01-31")``."""
    return dt.date.fromisoformat(text)


def retention(**terms: str | int) -> RetentionConfig:
    """RetentionConfig with durations as text: ``retention(resolved="1 year")``."""
    values: dict[str, object] = {}
    for key, value in terms.items():
        durations = ("no_violation", "unidentified_reporter", "resolved", "flagged", "after_ban")
        values[key] = (
            parse_duration(value) if key in durations and isinstance(value, str) else value
        )
    return dataclasses.replace(RetentionConfig(), **values)  # type: ignore[arg-type]


def config(
    *,
    retention: RetentionConfig | None = None,
    columns: ColumnsConfig | None = None,
    outcomes: OutcomesConfig | None = None,
    header_row: int = 1,
    date_order: DateOrder | None = None,
) -> Config:
    return Config(
        spreadsheet=SpreadsheetConfig(
            id=SPREADSHEET_ID, header_row=header_row, date_order=date_order
        ),
        columns=columns or ColumnsConfig(),
        outcomes=outcomes or OutcomesConfig(),
        retention=retention or RetentionConfig(),
    )


def _date(value: dt.date | str | None) -> dt.date | None:
    return day(value) if isinstance(value, str) else value


def record(
    row: int,
    reported: dt.date | str | None = "2025-01-01",
    outcome: Outcome | None = Outcome.RESOLVED,
    *,
    ban_end: dt.date | str | Permanent | None = None,
    override: dt.date | str | Keep | None = None,
    ids: Iterable[str] = (),
    reporter_expunged: bool = False,
    subject_expunged: bool = False,
    problems: Sequence[Problem] = (),
    written: dt.date | str | None = None,
) -> Record:
    """A Record as records.py would read it; dates may be given as ISO text."""
    ban: dt.date | Permanent | None = ban_end if ban_end == "permanent" else _date(ban_end)
    kept: dt.date | Keep | None = override if override == "keep" else _date(override)
    return Record(
        row=row,
        reported=_date(reported),
        outcome=outcome,
        ban_end=ban,
        override=kept,
        identifiers=frozenset(ids),
        reporter_expunged=reporter_expunged,
        subject_expunged=subject_expunged,
        problems=tuple(problems),
        written=_date(written),
    )


def unreadable(row: int, ids: Iterable[str] = (), column: str = OUTCOME) -> Record:
    """A record that needs attention (an outcome label not in the configuration)."""
    problem = Problem(row, column, "not one of the configured outcome labels (see [outcomes])")
    return record(row, outcome=None, ids=ids, problems=[problem])


def table(
    *rows: Mapping[str, Cell] | Sequence[Cell],
    headers: Sequence[Cell] = HEADERS,
    header_row: int = 1,
) -> Table:
    """A Table; each row a mapping header → cell (missing headers empty) or a plain sequence.

    Trailing empty cells are left out, as Sheets does.
    """
    built: list[tuple[Cell, ...]] = []
    for row in rows:
        if isinstance(row, Mapping):
            unknown = set(row) - set(headers)
            assert not unknown, f"not a header: {unknown}"
            cells = [row.get(h) if isinstance(h, str) else None for h in headers]
        else:
            cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        built.append(tuple(cells))
    return Table(header_row=header_row, headers=tuple(headers), rows=tuple(built))


def read(
    sheet: Table, cfg: Config | None = None, date_order: DateOrder = "DMY"
) -> tuple[Record, ...]:
    """find_columns + read_records, as a run does."""
    cfg = cfg or config(header_row=sheet.header_row)
    return tuple(read_records(sheet, find_columns(sheet.headers, cfg), cfg, date_order))


def decisions(
    records: Sequence[Record], as_of: dt.date | str, terms: RetentionConfig | None = None
) -> dict[int, Decision]:
    """decide(), keyed by sheet row."""
    today = day(as_of) if isinstance(as_of, str) else as_of
    result = decide(records, terms or RetentionConfig(), today)
    return {d.record.row: d for d in result}
