"""people.py: records sharing an identifier are the same person, transitively."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sheetbot.config import RetentionConfig
from sheetbot.people import person_indices
from sheetbot.policy import decide
from sheetbot.records import Outcome, Record
from tests.builders import NAMED, OUTCOME, REPORTED, SUBJECT, read, record, table


def group(records: Sequence[Record]) -> dict[int, int | None]:
    """Sheet row → its person as the plan sees it (``Decision.person``: the smallest row of
    the records sharing an identifier with it, transitively)."""
    decided = decide(records, RetentionConfig(), dt.date(2026, 1, 1))
    return {decision.record.row: decision.person for decision in decided}


def test_records_sharing_an_identifier_are_one_person() -> None:
    records = [
        record(2, ids=["a@mail.test"]),
        record(3, ids=["b@mail.test"]),
        record(4, ids=["a@mail.test", "c"]),
    ]
    assert group(records) == {2: 2, 3: 3, 4: 2}


def test_linking_is_transitive() -> None:
    records = [
        record(10, ids=["a"]),
        record(5, ids=["c"]),
        record(7, ids=["b", "c"]),
        record(3, ids=["a", "b"]),
        record(8, ids=["z"]),
    ]
    assert group(records) == {10: 3, 5: 3, 7: 3, 3: 3, 8: 8}


def test_records_without_identifiers_are_alone() -> None:
    records = [record(2), record(3), record(4, ids=["a"])]
    assert group(records) == {2: 2, 3: 3, 4: 4}


def test_person_indices_smallest_index_of_the_group() -> None:
    assert person_indices([{"a"}, {"b"}, {"a", "c"}, set(), {"c", "b"}]) == [0, 0, 0, 3, 0]
    assert person_indices([]) == []


def test_same_person_linked_by_normalised_identifiers() -> None:
    records = read(
        table(
            {REPORTED: 45658, OUTCOME: "Resolved", SUBJECT: "mailto:Jo@Mail.Test"},
            {REPORTED: 45658, OUTCOME: "Resolved", NAMED: "jo@mail.test "},
            {REPORTED: 45658, OUTCOME: "Resolved", SUBJECT: "https://www.example.org/kim/"},
            {REPORTED: 45658, OUTCOME: "Resolved", SUBJECT: "EXAMPLE.org/kim"},
            {REPORTED: 45658, OUTCOME: "Resolved", NAMED: "@KimHandle"},
            {REPORTED: 45658, OUTCOME: "Resolved", NAMED: "kimhandle"},
            {REPORTED: 45658, OUTCOME: "Resolved", NAMED: "someone else"},
        )
    )
    assert group(records) == {2: 2, 3: 2, 4: 4, 5: 4, 6: 6, 7: 6, 8: 8}


def test_multi_person_cells() -> None:
    records = read(
        table(
            {REPORTED: 45658, OUTCOME: "Resolved", NAMED: "Ana; Ben\nCy"},
            {REPORTED: 45658, OUTCOME: "Resolved", NAMED: "ben"},
            {REPORTED: 45658, OUTCOME: "Resolved", SUBJECT: "dee@mail.test, cy"},
            {REPORTED: 45658, OUTCOME: "Resolved", NAMED: "dee"},
        )
    )
    assert group(records) == {2: 2, 3: 2, 4: 2, 5: 5}


def test_unidentified_not_linked() -> None:
    records = read(
        table(
            {REPORTED: 45658, OUTCOME: "Resolved", NAMED: "jo@mail.test"},
            {REPORTED: 45658, OUTCOME: "Violation, actor not identified", NAMED: "jo@mail.test"},
        )
    )
    assert records[1].outcome is Outcome.UNIDENTIFIED
    assert group(records) == {2: 2, 3: 3}


def test_a_long_chain_is_linked_without_recursion() -> None:
    n = 100_000  # far beyond Python's recursion limit
    identifier_sets = [{f"id{i}", f"id{i + 1}"} for i in range(n)]
    keys = person_indices(identifier_sets)
    assert set(keys) == {0}
