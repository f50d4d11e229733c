"""plan.py's shortcuts against its full rules (hypothesis).

``_rows_to_visit`` skips, column by column, the rows whose decision writes nothing, so that
``row_writes`` is called only for the others (SPEC 6): it must never skip a row that
``row_writes`` would write.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetbot.plan import _rows_to_visit, row_writes
from sheetbot.policy import Action, Decision, Decisions, ExpungeOn
from sheetbot.records import find_columns
from sheetbot.table import Cell, date_to_serial
from tests.builders import EXPUNGE_ON, HEADERS, REPORTER, config, record, table

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
