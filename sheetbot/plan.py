"""Decisions + table → the plan: every cell write of the run, as a value. Pure code.

Dry run prints the plan; apply executes exactly this plan and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sheetbot.config import Config
from sheetbot.policy import Action, Decision, ExpungeOn
from sheetbot.records import ColumnMap, Outcome, Problem
from sheetbot.table import SERIAL_EPOCH, Cell, Table

EXPUNGING = frozenset({Action.EXPUNGE, Action.EXPUNGE_REPORTER})

# Rows written in one run at the most. Each is tagged with developer metadata while it is
# written (so that a human's sorting cannot redirect the write), and Google bounds the
# metadata a spreadsheet may hold; the rest waits for the next run, expunges first.
MAX_ROWS_PER_RUN = 500


@dataclass(frozen=True)
class CellWrite:
    column: int  # 0-based column index in the records tab
    header: str  # the header as it stands in the sheet (named in the audit log, never the value)
    value: str | dt.date  # "" empties the cell; a date is written as a real date
    pii: bool = False  # an expired personal-data cell being blanked (or redacted)


@dataclass(frozen=True)
class RowChange:
    """All writes to one record's row. Applied whole or not at all."""

    row: int  # sheet row number
    reported: dt.date | None
    outcome: Outcome | None
    action: Action
    rule: str
    writes: tuple[CellWrite, ...]
    # The row as read, verified unchanged right before writing. Holds personal data: never shown.
    expected: tuple[Cell, ...] = field(repr=False)

    @property
    def expunges(self) -> bool:
        return self.action in EXPUNGING


@dataclass(frozen=True)
class Refusal:
    guard: str  # "mass-expunge" | "access"
    reason: str


@dataclass(frozen=True)
class Plan:
    as_of: dt.date
    decisions: tuple[Decision, ...]
    changes: tuple[RowChange, ...]  # empty when refused
    problems: tuple[Problem, ...]
    refusal: Refusal | None = None
    deferred: tuple[int, ...] = ()  # rows with changes left for the next run (MAX_ROWS_PER_RUN)

    @property
    def expunge_count(self) -> int:
        return sum(1 for d in self.decisions if d.action in EXPUNGING)

    def count(self, action: Action) -> int:
        return sum(1 for d in self.decisions if d.action is action)


_EPOCH_ORDINAL = SERIAL_EPOCH.toordinal()


def expunge_on_matches(cell: Cell, target: ExpungeOn) -> bool:
    """Whether the expunge_on cell already says ``target`` (a date, "never" or "pending")."""
    if target is None:
        return True  # needs attention: the bot writes nothing
    if isinstance(target, dt.date):
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            # serial_to_date(cell) == target, compared as day numbers (quicker: every row)
            return 0 < cell < 2958466 and int(cell // 1) == target.toordinal() - _EPOCH_ORDINAL
        if isinstance(cell, str):
            try:
                return dt.date.fromisoformat(cell.strip()) == target
            except ValueError:
                return False
        return False
    return isinstance(cell, str) and cell.strip().casefold() == target


def _is_expunged(cell: Cell, redaction: str) -> bool:
    if cell is None:
        return True
    text = str(cell).strip()
    return text == "" or (bool(redaction) and text == redaction.strip())


def _header(table: Table, column: int) -> str:
    value = table.headers[column] if column < len(table.headers) else ""
    return " ".join(str(value).split())


def row_writes(
    decision: Decision,
    row: tuple[Cell, ...],
    table: Table,
    columns: ColumnMap,
    config: Config,
    as_of: dt.date,
) -> tuple[CellWrite, ...]:
    """The cells one decision writes: expired PII, ``expunged_on``, ``expunge_on`` if it differs."""
    writes: list[CellWrite] = []

    def cell(column: int) -> Cell:
        return row[column] if column < len(row) else None

    redaction = config.retention.redaction_text
    if decision.action in EXPUNGING:
        targets = columns.reporter if decision.action is Action.EXPUNGE_REPORTER else columns.pii
        for column in targets:
            if not _is_expunged(cell(column), redaction):
                writes.append(CellWrite(column, _header(table, column), redaction, pii=True))
        if writes and columns.expunged_on is not None:
            writes.append(
                CellWrite(columns.expunged_on, _header(table, columns.expunged_on), as_of)
            )
    target = decision.expunge_on
    if target is not None and not expunge_on_matches(cell(columns.expunge_on), target):
        value = target if isinstance(target, dt.date) else str(target)
        writes.append(CellWrite(columns.expunge_on, _header(table, columns.expunge_on), value))
    return tuple(writes)


def build_plan(
    table: Table,
    columns: ColumnMap,
    decisions: Sequence[Decision],
    config: Config,
    as_of: dt.date,
    *,
    allow_mass_expunge: bool = False,
) -> Plan:
    """The complete plan of one run. Guards refuse here, before anything is sent."""
    first_row = table.sheet_row(0)  # the sheet row of table.rows[0]
    expunge_on = columns.expunge_on
    changes: list[RowChange] = []
    problems: list[Problem] = []
    for decision in decisions:
        record = decision.record
        problems.extend(record.problems)
        if decision.action is Action.NEEDS_ATTENTION:
            continue
        row = table.rows[record.row - first_row]
        if decision.action not in EXPUNGING and expunge_on_matches(
            row[expunge_on] if expunge_on < len(row) else None, decision.expunge_on
        ):
            continue  # nothing to write (most rows): a quick test before row_writes
        writes = row_writes(decision, row, table, columns, config, as_of)
        if writes:
            changes.append(
                RowChange(
                    row=record.row,
                    reported=record.reported,
                    outcome=record.outcome,
                    action=decision.action,
                    rule=decision.rule,
                    writes=writes,
                    expected=row,
                )
            )
    deferred: tuple[int, ...] = ()
    if len(changes) > MAX_ROWS_PER_RUN:
        first = sorted(changes, key=lambda c: (not c.expunges, c.row))[:MAX_ROWS_PER_RUN]
        now = {c.row for c in first}
        deferred = tuple(c.row for c in changes if c.row not in now)
        changes = [c for c in changes if c.row in now]
    plan = Plan(as_of, tuple(decisions), tuple(changes), tuple(problems), deferred=deferred)
    limit = config.retention.max_expunge_per_run
    if plan.expunge_count > limit and not allow_mass_expunge:
        reason = (
            f"{plan.expunge_count} records would be expunged, more than "
            f"retention.max_expunge_per_run = {limit}; nothing was written. Check the dates, "
            f"then run again with --allow-mass-expunge if this is intended"
        )
        return Plan(as_of, tuple(decisions), (), plan.problems, Refusal("mass-expunge", reason))
    return plan


LOG_HEADERS = (
    "Timestamp (UTC)",
    "Run",
    "Row",
    "Reported",
    "Outcome",
    "Action",
    "Rule",
    "Columns written",
)


def audit_row(change: RowChange, timestamp: dt.datetime, run_id: str) -> list[str | int]:
    """One log-tab row for one applied change: what was done, never a value."""
    return [
        timestamp.strftime("%Y-%m-%d %H:%M:%S"),
        run_id,
        change.row,
        change.reported.isoformat() if change.reported else "",
        change.outcome.value if change.outcome else "pending",
        change.action.value if change.expunges else "set date",
        change.rule,
        ", ".join(w.header for w in change.writes),
    ]
