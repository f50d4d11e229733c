"""plan.py's shortcuts against its full rules (hypothesis).

``_rows_to_visit`` skips, column by column, the rows whose decision writes nothing, so that
``row_writes`` is called only for the others (SPEC 6): it must never skip a row that
``row_writes`` would write.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetbot import plan as plan_mod
from sheetbot.config import RetentionConfig
from sheetbot.plan import CellWrite, RowChange, _rows_to_visit, row_writes, this_run
from sheetbot.policy import Action, Decision, Decisions, ExpungeOn
from sheetbot.records import find_columns
from sheetbot.table import Cell, date_to_serial
from tests.builders import (
    BAN_UNTIL,
    EXPUNGE_ON,
    HEADERS,
    NAMED,
    OUTCOME,
    OVERRIDE,
    REPORTED,
    REPORTER,
    SUBJECT,
    config,
    record,
    table,
)

AS_OF = dt.date(2026, 11, 24)
COLUMNS = find_columns(HEADERS, config())
TARGET_DAYS = [
    dt.date(1899, 12, 30),  # serial 0
    dt.date(1899, 12, 31),  # serial 1: the number a TRUE cell equals
    dt.date(1900, 1, 1),
    dt.date(1800, 5, 1),  # before serial 0
    dt.date(2026, 11, 24),
    dt.date(2027, 3, 1),
]

targets: st.SearchStrategy[ExpungeOn] = st.sampled_from([*TARGET_DAYS, "never", "pending", None])
cells: st.SearchStrategy[Cell] = st.one_of(
    st.sampled_from([None, True, False, "", "never", " Never ", "pending", "tbc", "1/3/2027"]),
    st.sampled_from(TARGET_DAYS).map(date_to_serial),
    st.sampled_from(TARGET_DAYS).map(lambda d: date_to_serial(d) + 0.5),
    st.sampled_from(TARGET_DAYS).map(lambda d: d.isoformat()),
    st.integers(-2, 3),
)
rows = st.lists(
    st.tuples(
        st.sampled_from(list(Action)), targets, cells, st.sampled_from([None, "", "Reporter X"])
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(rows)
def test_rows_to_visit_never_skips_a_row_that_writes(
    generated: list[tuple[Action, ExpungeOn, Cell, str | None]],
) -> None:
    sheet = table(*({EXPUNGE_ON: cell, REPORTER: reporter} for _, _, cell, reporter in generated))
    decisions = [
        Decision(record(2 + i), target, action, "rule")
        for i, (action, target, _, _) in enumerate(generated)
    ]
    visited = set(_rows_to_visit(Decisions.of(decisions), sheet.rows, COLUMNS.expunge_on))
    writing = {
        i
        for i, (decision, row) in enumerate(zip(decisions, sheet.rows, strict=True))
        if row_writes(decision, row, sheet, COLUMNS, config(), AS_OF)
    }
    assert writing <= visited


def test_redaction_text_in_another_case_counts_as_expunged() -> None:
    """As the records are read: a reporter cell holding the redaction text in any case is not
    written again when the row's other cells are blanked."""
    settings_ = config(retention=RetentionConfig(redaction_text="Expunged"))
    sheet = table({REPORTER: " expunged ", NAMED: "Sam Subject", SUBJECT: "sam@mail.test"})
    decision = Decision(record(2), AS_OF, Action.EXPUNGE, "rule")
    writes = row_writes(decision, sheet.rows[0], sheet, COLUMNS, settings_, AS_OF)
    assert [w.header for w in writes if w.pii] == [NAMED, SUBJECT]


def test_identity_is_every_cell_read_to_decide_that_the_change_leaves_alone() -> None:
    """What the read-back after the write compares (``SheetWriter``): a blank of the personal
    data leaves the dates, outcome and override; a date write leaves the personal data too."""
    read = [HEADERS.index(h) for h in (REPORTED, OUTCOME, BAN_UNTIL, OVERRIDE)]
    pii = [HEADERS.index(h) for h in (REPORTER, NAMED, SUBJECT)]
    blank = [CellWrite(column, "", "", pii=True) for column in pii]
    date = [CellWrite(HEADERS.index(EXPUNGE_ON), EXPUNGE_ON, AS_OF)]
    assert plan_mod.identity_columns(COLUMNS, blank + date) == tuple(sorted(read))
    assert plan_mod.identity_columns(COLUMNS, date) == tuple(sorted(read + pii))
    # the date already written is read too (a floor): compared when the change leaves it
    assert plan_mod.identity_columns(COLUMNS, blank) == tuple(
        sorted([*read, HEADERS.index(EXPUNGE_ON)])
    )


def _change(row: int, action: Action, person: int | None = None) -> RowChange:
    return RowChange(
        row=row,
        reported=AS_OF,
        outcome=None,
        action=action,
        rule="rule",
        writes=(CellWrite(0, "Date to expunge this record", AS_OF),),
        expected=(),
        person=person,
    )


def test_an_expunge_is_never_deferred_behind_a_person_with_many_dates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A placeholder subject links an expunge to many rows whose dates change: that person
    is taken whole, and an unrelated record due today is not deferred behind it."""
    monkeypatch.setattr(plan_mod, "MAX_ROWS_PER_RUN", 5)
    crowd = [_change(2, Action.EXPUNGE, 2)] + [_change(r, Action.RETAIN, 2) for r in range(3, 9)]
    lone = _change(9, Action.EXPUNGE_REPORTER)
    dates = [_change(r, Action.RETAIN) for r in range(10, 13)]
    now, deferred = this_run([*crowd, lone, *dates])
    assert [c.row for c in now] == [*range(2, 10)]
    assert deferred == (10, 11, 12)


def test_expunges_beyond_the_rows_a_run_writes_wait_only_in_a_mass_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """More expunging rows than a run writes (a reviewed --allow-mass-expunge run): whole
    persons in row order, the others wait for the next runs."""
    monkeypatch.setattr(plan_mod, "MAX_ROWS_PER_RUN", 2)
    changes = [_change(r, Action.EXPUNGE) for r in range(2, 6)] + [_change(6, Action.RETAIN)]
    now, deferred = this_run(changes)
    assert [c.row for c in now] == [2, 3]
    assert deferred == (4, 5, 6)
