"""Decisions + table → the plan: every cell write of the run, as a value. Pure code.

Dry run prints the plan; apply executes exactly this plan and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sheetbot.config import Config
from sheetbot.policy import Action, Decision, Decisions, ExpungeOn
from sheetbot.records import ColumnMap, Outcome, Problem
from sheetbot.table import SERIAL_EPOCH, Cell, Table

EXPUNGING = frozenset({Action.EXPUNGE, Action.EXPUNGE_REPORTER})

# Rows written in one run at the most. Each is tagged with developer metadata while it is
# written (so that a human's sorting cannot redirect the write), and Google bounds the
# metadata a spreadsheet may hold; the rest waits for the next run (see ``this_run``).
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
    # The record's person (``Decision.person``): the rows of one person are written in the same
    # run or not at all (``this_run``, ``SheetWriter``); None: the row is a person of its own.
    person: int | None = None
    # The columns that tell this record from another and that the change does not write (its
    # dates, outcome, override, personal data left as it is): after the write, the row read back
    # must still hold ``expected`` there, or the write landed on another record.
    identity: tuple[int, ...] = ()

    @property
    def person_key(self) -> int:
        """The person's key: ``person``, or the row itself for a person of its own."""
        return self.row if self.person is None else self.person

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
    decisions: Decisions
    changes: tuple[RowChange, ...]  # empty when refused
    problems: tuple[Problem, ...]
    refusal: Refusal | None = None
    deferred: tuple[int, ...] = ()  # rows with changes left for the next run (MAX_ROWS_PER_RUN)

    @property
    def expunge_count(self) -> int:
        return sum(map(self.count, EXPUNGING))

    def count(self, action: Action) -> int:
        return self.decisions.action.count(action)


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
    """As ``records`` reads it: empty, or the redaction text in any case."""
    if cell is None:
        return True
    text = str(cell).strip()
    return text == "" or (bool(redaction) and text.casefold() == redaction.strip().casefold())


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


def identity_columns(columns: ColumnMap, writes: Iterable[CellWrite]) -> tuple[int, ...]:
    """The columns the bot reads to decide (reported, outcome, ban end, override, the date
    already written, personal data) that ``writes`` leave alone: what tells the record from
    another after the write."""
    read = (
        columns.reported,
        columns.outcome,
        columns.ban_until,
        columns.override,
        columns.expunge_on,
        *columns.pii,
    )
    written = {w.column for w in writes}
    return tuple(sorted({c for c in read if c is not None and c not in written}))


# The cell value no cell equals: a target written as serial 1 or less is checked in full.
_NO_CELL = object()
_LAST_UNSAFE_DAY = SERIAL_EPOCH + dt.timedelta(days=1)  # serial 1: the number TRUE equals


def _as_written(targets: Iterable[ExpungeOn]) -> dict[ExpungeOn, object]:
    """Each distinct target → the cell value that certainly matches it (see
    ``expunge_on_matches``): a date's serial number, "never" and "pending" as they are; a
    date of serial 1 or less maps to a value no cell equals (``True == 1``: a cell holding
    TRUE is not the serial 1).

    The serial numbers (``date_to_serial``) are computed as day numbers in bulk, in C: some
    20,000 distinct dates at 100,000 rows (SPEC 6), a call each cost 3% of planning.
    """
    distinct = set(targets)
    days = [target for target in distinct if isinstance(target, dt.date)]
    serials = map(_EPOCH_ORDINAL.__rsub__, map(dt.date.toordinal, days))
    written: dict[ExpungeOn, object] = dict(zip(days, serials, strict=True))
    written.update((target, target) for target in distinct.difference(days))
    written.update((day, _NO_CELL) for day in days if day <= _LAST_UNSAFE_DAY)
    return written


def _rows_to_visit(
    decisions: Decisions, rows: Sequence[tuple[Cell, ...]], expunge_on: int
) -> list[int]:
    """The positions of the decisions that may write: all but those that expunge nothing and
    whose expunge_on cell already holds their date exactly as the bot writes it (a serial
    number, "never", "pending": ``expunge_on_matches`` says yes to all of these).

    Why: most rows write nothing, and this finds them with a comparison per row instead of a
    call (100,000 rows, SPEC 6). A row kept here is checked in full by ``row_writes``.
    """
    targets = decisions.expunge_on
    as_written = _as_written(targets)
    cells = [row[expunge_on] if expunge_on < len(row) else None for row in rows]
    return [
        index
        for index, (action, cell, written) in enumerate(
            zip(decisions.action, cells, map(as_written.__getitem__, targets), strict=True)
        )
        if cell != written or action in EXPUNGING
    ]


def this_run(changes: list[RowChange]) -> tuple[list[RowChange], tuple[int, ...]]:
    """The changes this run writes (at most MAX_ROWS_PER_RUN rows, see below) and the rows
    deferred.

    The cut never separates the records of one person (``RowChange.person``): expunging a
    violation blanks the identifiers that link its person's records, so the longer dates it
    gave them (repeat offence) must be written in the same run, or they would be lost with
    the link (see ``policy.written_date``). Whole persons are taken, in order of their first
    row:

    - every person with an expunge, whatever the rows its dates add: expunges are bounded by
      ``retention.max_expunge_per_run`` already, and one due record must not wait because
      another person (a placeholder subject links many rows) has many dates to write. Only
      when the expunging rows alone are more than MAX_ROWS_PER_RUN (a reviewed
      ``--allow-mass-expunge`` run) are these persons cut too, as below;
    - then the others, while they fit; a person larger than the limit is taken whole when
      nothing else is.
    """
    if len(changes) <= MAX_ROWS_PER_RUN:
        return changes, ()
    persons: dict[int, list[RowChange]] = {}
    for change in changes:
        persons.setdefault(change.person_key, []).append(change)
    expunging: list[list[RowChange]] = []
    others: list[list[RowChange]] = []
    for person_changes in persons.values():
        expunges = any(c.expunges for c in person_changes)
        (expunging if expunges else others).append(person_changes)
    chosen: set[int] = set()
    if sum(c.expunges for c in changes) <= MAX_ROWS_PER_RUN:
        chosen.update(c.row for cs in expunging for c in cs)
        ordered = others
    else:
        ordered = expunging + others
    for person_changes in ordered:
        if chosen and len(chosen) + len(person_changes) > MAX_ROWS_PER_RUN:
            break
        chosen.update(c.row for c in person_changes)
    now = [c for c in changes if c.row in chosen]
    return now, tuple(c.row for c in changes if c.row not in chosen)


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
    decided = Decisions.of(decisions)
    first_row = table.sheet_row(0)  # the sheet row of table.rows[0]
    problems = [problem for found in decided.record.problems if found for problem in found]
    rows = [table.rows[row - first_row] for row in decided.record.row]
    changes: list[RowChange] = []
    for index in _rows_to_visit(decided, rows, columns.expunge_on):
        if decided.action[index] is Action.NEEDS_ATTENTION:
            continue
        decision = decided[index]
        record = decision.record
        row = rows[index]
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
                    person=decision.person,
                    identity=identity_columns(columns, writes),
                )
            )
    changes, deferred = this_run(changes)
    plan = Plan(as_of, decided, tuple(changes), tuple(problems), deferred=deferred)
    limit = config.retention.max_expunge_per_run
    if plan.expunge_count > limit and not allow_mass_expunge:
        reason = (
            f"{plan.expunge_count} records would be expunged, more than "
            f"retention.max_expunge_per_run = {limit}; nothing was written. Check the dates, "
            f"then run again with --allow-mass-expunge if this is intended"
        )
        return Plan(as_of, decided, (), plan.problems, Refusal("mass-expunge", reason))
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
