"""policy.py: every retention rule of SPEC section 2, with exact dates and actions."""

from __future__ import annotations

from sheetbot.config import RetentionConfig
from sheetbot.policy import Action, Decisions, decide
from sheetbot.records import Outcome
from tests.builders import (
    NAMED,
    OUTCOME,
    REPORTED,
    REPORTER,
    SUBJECT,
    config,
    day,
    decisions,
    read,
    record,
    retention,
    table,
    unreadable,
)

NO_VIOLATION = Outcome.NO_VIOLATION
UNIDENTIFIED = Outcome.UNIDENTIFIED
RESOLVED = Outcome.RESOLVED
FLAGGED = Outcome.FLAGGED
BANNED = Outcome.BANNED
JO = "jo@mail.test"

# --------------------------------------------------------------------------- base terms


def test_no_violation_expunged_at_once_once_outcome_set() -> None:
    d = decisions([record(2, "2025-03-10", NO_VIOLATION)], as_of="2025-03-10")[2]
    assert d.expunge_on == day("2025-03-10")
    assert d.action is Action.EXPUNGE
    assert d.rule == "no violation: reported + 0 days"


def test_unidentified_expunges_reporter_only_after_6_months() -> None:
    rec = record(2, "2025-01-15", UNIDENTIFIED)
    before = decisions([rec], as_of="2025-07-14")[2]
    assert before.expunge_on == day("2025-07-15")
    assert before.action is Action.RETAIN
    due = decisions([rec], as_of="2025-07-15")[2]
    assert due.action is Action.EXPUNGE_REPORTER
    assert due.rule == "actor not identified: reported + 6 months (reporter only)"
    # once the reporter cells are blank it is done, though its subject cells stay
    done = record(2, "2025-01-15", UNIDENTIFIED, reporter_expunged=True)
    assert decisions([done], as_of="2030-01-01")[2].action is Action.DONE


def test_resolved_14_months() -> None:
    d = decisions([record(2, "2025-01-15", RESOLVED)], as_of="2025-01-15")[2]
    assert d.expunge_on == day("2026-03-15")
    assert d.action is Action.RETAIN
    assert d.rule == "resolved: reported + 14 months"
    assert d.extended_by is None
    assert d.held_by == ()


def test_flagged_26_months() -> None:
    d = decisions([record(2, "2025-01-15", FLAGGED)], as_of="2027-03-15")[2]
    assert d.expunge_on == day("2027-03-15")
    assert d.action is Action.EXPUNGE
    assert d.rule == "flagged: reported + 26 months"


def test_banned_ban_end_plus_26_months() -> None:
    rec = record(2, "2024-05-01", BANNED, ban_end="2025-06-30")
    d = decisions([rec], as_of="2027-08-29")[2]
    assert d.expunge_on == day("2027-08-30")
    assert d.action is Action.RETAIN
    assert d.rule == "banned: ban end + 26 months"
    assert decisions([rec], as_of="2027-08-30")[2].action is Action.EXPUNGE


def test_permanent_ban_never() -> None:
    d = decisions([record(2, "2020-01-01", BANNED, ban_end="permanent")], as_of="9999-12-31")[2]
    assert d.expunge_on == "never"
    assert d.action is Action.RETAIN
    assert d.rule == "banned permanently"


def test_pending_never_while_pending() -> None:
    d = decisions([record(2, "2020-01-01", None)], as_of="9999-12-31")[2]
    assert d.expunge_on == "pending"
    assert d.action is Action.RETAIN
    assert d.rule == "pending: no outcome yet"


def test_month_end_arithmetic_2025_01_31_plus_1_month() -> None:
    terms = retention(resolved="1 month", flagged="1 year")
    got = decisions(
        [
            record(2, "2025-01-31", RESOLVED),
            record(3, "2024-02-29", FLAGGED),
            record(4, "2024-01-31", RESOLVED),
        ],
        as_of="2025-01-01",
        terms=terms,
    )
    assert got[2].expunge_on == day("2025-02-28")
    assert got[3].expunge_on == day("2025-02-28")
    assert got[4].expunge_on == day("2024-02-29")
    assert decisions([record(2, "2024-12-31", RESOLVED)], "2025-01-01")[2].expunge_on == day(
        "2026-02-28"
    )


def test_as_of_boundary_record_due_today_is_expunged() -> None:
    rec = record(2, "2025-01-15", RESOLVED)
    assert decisions([rec], as_of="2026-03-15")[2].action is Action.EXPUNGE
    assert decisions([rec], as_of="2026-03-14")[2].action is Action.RETAIN


def test_terms_are_configurable() -> None:
    terms = retention(
        no_violation="1 week",
        unidentified_reporter="2 years",
        resolved="30 days",
        flagged="3 months",
        after_ban="1 year",
    )
    got = decisions(
        [
            record(2, "2025-01-01", NO_VIOLATION),
            record(3, "2025-01-01", UNIDENTIFIED),
            record(4, "2025-01-01", RESOLVED),
            record(5, "2025-01-01", FLAGGED),
            record(6, "2025-01-01", BANNED, ban_end="2025-02-01"),
        ],
        as_of="2025-01-01",
        terms=terms,
    )
    assert [got[row].expunge_on for row in range(2, 7)] == [
        day("2025-01-08"),
        day("2027-01-01"),
        day("2025-01-31"),
        day("2025-04-01"),
        day("2026-02-01"),
    ]
    assert got[2].rule == "no violation: reported + 1 week"


def test_date_beyond_year_9999_is_never() -> None:
    d = decisions([record(2, "9999-06-01", RESOLVED)], as_of="2025-01-01")[2]
    assert d.expunge_on == "never"
    assert d.action is Action.RETAIN


# --------------------------------------------------------------------------- repeat offence


def test_repeat_offence_restarts_term() -> None:
    got = decisions(
        [
            record(2, "2025-01-10", RESOLVED, ids=[JO]),
            record(3, "2025-09-01", RESOLVED, ids=[JO]),
        ],
        as_of="2026-03-10",
    )
    assert got[2].expunge_on == day("2026-11-01")  # 2025-09-01 + 14 months, not 2026-03-10
    assert got[2].action is Action.RETAIN
    assert got[2].extended_by == 3
    assert got[2].rule == (
        "resolved: reported + 14 months; "
        "repeat offence: term restarted by row 3 (reported 2025-09-01)"
    )
    assert got[3].expunge_on == day("2026-11-01")
    assert got[3].extended_by is None
    assert got[3].rule == "resolved: reported + 14 months"


def test_repeat_offence_restarts_the_records_own_term() -> None:
    got = decisions(
        [
            record(2, "2025-01-10", FLAGGED, ids=[JO]),
            record(3, "2025-09-01", RESOLVED, ids=[JO]),
        ],
        as_of="2025-01-01",
    )
    assert got[2].expunge_on == day("2027-11-01")  # 2025-09-01 + 26 months (flagged)
    assert got[3].expunge_on == day("2026-11-01")  # not extended by an earlier record


def test_repeat_offence_extends_non_violations_still_retained() -> None:
    terms = retention(no_violation="3 months")
    got = decisions(
        [
            record(2, "2025-01-10", NO_VIOLATION, ids=[JO]),
            record(3, "2025-03-01", RESOLVED, ids=[JO]),
        ],
        as_of="2025-01-01",
        terms=terms,
    )
    assert got[2].expunge_on == day("2025-06-01")  # 2025-03-01 + 3 months


def test_repeat_offence_chain() -> None:
    records = [
        record(2, "2024-01-01", RESOLVED, ids=[JO]),  # base 2025-03-01
        record(3, "2025-02-01", RESOLVED, ids=[JO, "jo-handle"]),  # base 2026-04-01
        record(4, "2026-03-01", RESOLVED, ids=["jo-handle"]),  # base 2027-05-01
    ]
    got = decisions(records, as_of="2027-04-30")
    # row 3 kept row 2 until 2026-04-01, so row 2 is still retained when row 4 comes
    assert {row: got[row].expunge_on for row in got} == {
        2: day("2027-05-01"),
        3: day("2027-05-01"),
        4: day("2027-05-01"),
    }
    assert (got[2].extended_by, got[3].extended_by, got[4].extended_by) == (4, 4, None)
    assert {d.action for d in got.values()} == {Action.RETAIN}
    # without the middle violation, row 2 has expired before row 4 is reported
    alone = decisions([records[0], record(4, "2026-03-01", RESOLVED, ids=[JO])], "2025-01-01")
    assert alone[2].expunge_on == day("2025-03-01")
    assert alone[2].extended_by is None


def test_repeat_offence_only_for_records_still_retained() -> None:
    # records that are no violations do not extend each other: only row 5 extends
    got = decisions(
        [
            record(2, "2023-01-01", NO_VIOLATION, ids=[JO]),  # base 2024-03-01: expired
            record(3, "2023-11-01", NO_VIOLATION, ids=[JO]),  # base 2025-01-01: expires on d
            record(4, "2023-11-02", NO_VIOLATION, ids=[JO]),  # base 2025-01-02: retained on d
            record(5, "2025-01-01", RESOLVED, ids=[JO]),  # the new violation, d
        ],
        as_of="2025-01-01",
        terms=retention(no_violation="14 months"),
    )
    assert got[2].expunge_on == day("2024-03-01")
    assert got[3].expunge_on == day("2025-01-01")
    assert got[4].expunge_on == day("2026-03-01")
    assert got[2].action is Action.EXPUNGE
    assert got[3].action is Action.EXPUNGE
    assert got[4].action is Action.RETAIN


def test_repeat_offence_only_extends_records_reported_on_or_before_it() -> None:
    got = decisions(
        [
            record(2, "2025-09-01", RESOLVED, ids=[JO]),
            record(3, "2025-10-01", RESOLVED, ids=[JO]),
            record(4, "2025-10-01", FLAGGED, ids=[JO]),
        ],
        as_of="2025-01-01",
    )
    assert got[2].expunge_on == day("2026-12-01")
    assert got[3].expunge_on == day("2026-12-01")  # restarted on its own day: unchanged
    assert got[4].expunge_on == day("2027-12-01")  # not shortened, not extended by row 3
    assert got[4].extended_by is None


def test_repeat_offence_on_the_same_day_counts() -> None:
    terms = retention(repeat_offence="match-latest")
    got = decisions(
        [
            record(3, "2025-10-01", RESOLVED, ids=[JO]),
            record(4, "2025-10-01", FLAGGED, ids=[JO]),  # reported the same day as row 3
        ],
        as_of="2025-01-01",
        terms=terms,
    )
    assert got[3].expunge_on == day("2027-12-01")
    assert got[3].extended_by == 4


def test_repeat_offence_names_the_first_violation_giving_the_date() -> None:
    terms = retention(resolved="1 month")
    got = decisions(
        [
            record(2, "2025-01-15", RESOLVED, ids=[JO]),  # base 2025-02-15
            record(4, "2025-01-31", RESOLVED, ids=[JO]),  # + 1 month = 2025-02-28
            record(3, "2025-01-30", RESOLVED, ids=[JO]),  # + 1 month = 2025-02-28 as well
        ],
        as_of="2025-01-01",
        terms=terms,
    )
    assert got[2].expunge_on == day("2025-02-28")
    assert got[2].extended_by == 3  # row 4 came later and did not make it grow
    assert got[3].extended_by is None


def test_repeat_offence_banned_counts_from_later_of_ban_end_and_d() -> None:
    terms = retention(after_ban="12 months")
    got = decisions(
        [
            record(2, "2024-01-01", BANNED, ban_end="2025-01-01", ids=[JO]),  # base 2026-01-01
            record(3, "2024-01-01", BANNED, ban_end="2025-09-01", ids=[JO]),  # base 2026-09-01
            record(4, "2024-01-01", BANNED, ban_end="permanent", ids=[JO]),
            record(5, "2025-06-01", FLAGGED, ids=[JO]),  # d
        ],
        as_of="2025-01-01",
        terms=terms,
    )
    assert got[2].expunge_on == day("2026-06-01")  # d (after its ban end) + 12 months
    assert got[2].extended_by == 5
    assert got[3].expunge_on == day("2026-09-01")  # its ban end is later than d: unchanged
    assert got[3].extended_by is None
    assert got[4].expunge_on == "never"


def test_a_record_does_not_extend_itself() -> None:
    # a ban that ended before its report (a typo, perhaps): restarting the record's own term
    # on its own date would give 2027-03-10; only row 3, reported the same day, may do that
    alone = decisions(
        [record(2, "2025-01-10", BANNED, ban_end="2024-06-01", ids=[JO])], "2025-01-01"
    )
    assert alone[2].expunge_on == day("2026-08-01")
    got = decisions(
        [
            record(2, "2025-01-10", BANNED, ban_end="2024-06-01", ids=[JO]),
            record(3, "2025-01-10", RESOLVED, ids=[JO]),
        ],
        as_of="2025-01-01",
    )
    assert got[2].expunge_on == day("2027-03-10")
    assert got[2].extended_by == 3


def test_repeat_offence_counts_every_violation_type() -> None:
    for violation in (
        record(3, "2025-09-01", RESOLVED, ids=[JO]),
        record(3, "2025-09-01", FLAGGED, ids=[JO]),
        record(3, "2025-09-01", BANNED, ban_end="2025-10-01", ids=[JO]),
    ):
        got = decisions([record(2, "2025-01-10", RESOLVED, ids=[JO]), violation], "2025-01-01")
        assert got[2].expunge_on == day("2026-11-01"), violation.outcome


def test_repeat_offence_ignores_non_violations() -> None:
    got = decisions(
        [
            record(2, "2025-01-10", RESOLVED, ids=[JO]),
            record(3, "2025-09-01", NO_VIOLATION, ids=[JO]),
            record(4, "2025-09-01", None, ids=[JO]),  # pending
            unreadable(5, ids=[JO]),
            record(6, "2025-09-01", UNIDENTIFIED, ids=[JO]),  # never linked in practice
        ],
        as_of="2025-01-01",
    )
    assert got[2].expunge_on == day("2026-03-10")
    assert got[2].extended_by is None


def test_repeat_offence_of_another_person_does_not_extend() -> None:
    got = decisions(
        [
            record(2, "2025-01-10", RESOLVED, ids=[JO]),
            record(3, "2025-09-01", RESOLVED, ids=["kim@mail.test"]),
            record(4, "2025-09-01", RESOLVED),
        ],
        as_of="2025-01-01",
    )
    assert got[2].expunge_on == day("2026-03-10")


def test_match_latest() -> None:
    terms = retention(repeat_offence="match-latest")
    records = [
        record(2, "2025-01-10", RESOLVED, ids=[JO]),
        record(3, "2025-09-01", BANNED, ban_end="2027-01-01", ids=[JO]),  # base 2029-03-01
        record(4, "2023-01-01", RESOLVED, ids=[JO]),  # expired before row 3: same condition
    ]
    got = decisions(records, as_of="2025-01-01", terms=terms)
    assert got[2].expunge_on == day("2029-03-01")
    assert got[2].extended_by == 3
    assert got[2].rule == "resolved: reported + 14 months; repeat offence: kept as long as row 3"
    assert got[4].expunge_on == day("2024-03-01")
    restart = decisions(records, as_of="2025-01-01")
    assert restart[2].expunge_on == day("2026-11-01")


def test_match_latest_permanent_ban_keeps_earlier_records_forever() -> None:
    terms = retention(repeat_offence="match-latest")
    got = decisions(
        [
            record(2, "2025-01-10", FLAGGED, ids=[JO]),
            record(3, "2025-09-01", BANNED, ban_end="permanent", ids=[JO]),
        ],
        as_of="2025-01-01",
        terms=terms,
    )
    assert got[2].expunge_on == "never"
    assert got[2].extended_by == 3


def test_match_latest_never_shortens() -> None:
    terms = retention(repeat_offence="match-latest")
    got = decisions(
        [
            record(2, "2025-01-10", FLAGGED, ids=[JO]),  # base 2027-03-10
            record(3, "2025-09-01", RESOLVED, ids=[JO]),  # base 2026-11-01
        ],
        as_of="2025-01-01",
        terms=terms,
    )
    assert got[2].expunge_on == day("2027-03-10")
    assert got[2].extended_by is None


def test_repeat_offence_off() -> None:
    terms = retention(repeat_offence="off")
    got = decisions(
        [
            record(2, "2025-01-10", RESOLVED, ids=[JO]),
            record(3, "2025-09-01", RESOLVED, ids=[JO]),
        ],
        as_of="2025-01-01",
        terms=terms,
    )
    assert got[2].expunge_on == day("2026-03-10")
    assert got[2].extended_by is None


# --------------------------------------------------------------------------- holds


def test_pending_report_holds_older_records() -> None:
    got = decisions(
        [
            record(2, "2024-01-01", RESOLVED, ids=[JO]),  # 2025-03-01, retained on row 4's date
            record(3, "2024-06-01", NO_VIOLATION, ids=[JO]),  # expired before row 4's date
            record(4, "2025-02-01", None, ids=[JO]),  # pending
            record(5, "2024-01-01", RESOLVED, ids=["kim@mail.test"]),  # another person
        ],
        as_of="2025-04-01",
    )
    assert got[2].action is Action.HOLD
    assert got[2].held_by == (4,)
    assert got[2].expunge_on == day("2025-03-01")  # the date stays; only the action waits
    assert got[2].rule == "resolved: reported + 14 months; held: pending report at row 4"
    assert got[3].action is Action.EXPUNGE
    assert got[3].held_by == ()
    assert got[4].action is Action.RETAIN
    assert got[5].action is Action.EXPUNGE


def test_decisions_as_columns_are_the_decisions_one_by_one() -> None:
    records = [
        record(2, "2024-01-01", RESOLVED, ids=[JO]),
        record(3, "2024-06-01", NO_VIOLATION, ids=[JO]),
        record(4, "2025-02-01", None, ids=[JO]),
        record(5, "2024-01-01", RESOLVED, ids=["kim@mail.test"]),
        unreadable(6, ids=["kim@mail.test"]),
    ]
    decided = decide(records, RetentionConfig(), day("2025-04-01"))
    listed = tuple(decided)  # each built from the columns
    assert [d.record for d in listed] == records
    assert decided.action == tuple(d.action for d in listed)
    assert decided.where(Action.HOLD) == [listed[0], listed[3]]
    assert decided.at_rows([6, 3, 99]) == {3: listed[1], 6: listed[4]}
    assert decided[-1] == listed[-1]
    assert decided[1:3] == listed[1:3]
    assert Decisions.of(listed) == decided
    assert Decisions.of(decided) is decided


def test_pending_report_holds_only_records_retained_on_its_date() -> None:
    records = [
        record(2, "2024-01-01", RESOLVED, ids=[JO]),  # 2025-03-01
        record(3, "2025-03-01", None, ids=[JO]),  # pending, reported on row 2's date
    ]
    assert decisions(records, as_of="2025-04-01")[2].action is Action.EXPUNGE
    records[1] = record(3, "2025-02-28", None, ids=[JO])
    assert decisions(records, as_of="2025-04-01")[2].action is Action.HOLD


def test_several_pending_reports_hold() -> None:
    got = decisions(
        [
            record(2, "2024-01-01", RESOLVED, ids=[JO]),
            record(7, "2025-02-01", None, ids=[JO]),
            record(4, "2025-01-01", None, ids=[JO]),
        ],
        as_of="2025-04-01",
    )
    assert got[2].held_by == (4, 7)
    assert got[2].rule.endswith("held: pending reports at rows 4, 7")


def test_hold_only_changes_the_action_of_a_due_record() -> None:
    got = decisions(
        [
            record(2, "2024-01-01", RESOLVED, ids=[JO]),
            record(3, "2025-02-01", None, ids=[JO]),
        ],
        as_of="2025-02-28",
    )
    assert got[2].action is Action.RETAIN
    assert got[2].held_by == ()


def test_released_once_the_pending_report_is_decided() -> None:
    got = decisions(
        [
            record(2, "2024-01-01", RESOLVED, ids=[JO]),
            record(3, "2025-02-01", NO_VIOLATION, ids=[JO]),
        ],
        as_of="2025-04-01",
    )
    assert got[2].action is Action.EXPUNGE


def test_needs_attention_record_holds() -> None:
    got = decisions(
        [
            record(2, "2020-01-01", RESOLVED, ids=[JO]),
            unreadable(4, ids=["JO-HANDLE", JO]),
            record(5, "2020-01-01", RESOLVED, ids=["kim@mail.test"]),
        ],
        as_of="2025-04-01",
    )
    assert got[2].action is Action.HOLD
    assert got[2].held_by == (4,)
    assert got[2].rule == "resolved: reported + 14 months; held: row 4 needs attention"
    assert got[4].action is Action.NEEDS_ATTENTION
    assert got[4].expunge_on is None
    assert got[4].rule == (
        "needs attention: Outcome: not one of the configured outcome labels (see [outcomes])"
    )
    assert got[5].action is Action.EXPUNGE


def test_needs_attention_record_is_never_blanked() -> None:
    rec = record(2, "2000-01-01", RESOLVED, override="2001-01-01", problems=unreadable(2).problems)
    d = decisions([rec], as_of="2025-01-01")[2]
    assert d.action is Action.NEEDS_ATTENTION
    assert d.expunge_on is None


def test_holds_by_pending_and_needs_attention_together() -> None:
    got = decisions(
        [
            record(2, "2020-01-01", RESOLVED, ids=[JO]),
            unreadable(3, ids=[JO]),
            record(4, "2020-02-01", None, ids=[JO]),
            unreadable(5, ids=[JO]),
        ],
        as_of="2025-01-01",
    )
    assert got[2].held_by == (3, 4, 5)
    assert got[2].rule.endswith("held: pending report at row 4; rows 3, 5 need attention")


# --------------------------------------------------------------------------- overrides


def test_override_date_earlier() -> None:
    rec = record(2, "2025-01-01", RESOLVED, override="2025-06-01")
    d = decisions([rec], as_of="2025-06-01")[2]
    assert d.expunge_on == day("2025-06-01")
    assert d.action is Action.EXPUNGE
    assert d.rule == "resolved: reported + 14 months; override: date set by the committee"


def test_override_date_later() -> None:
    rec = record(2, "2025-01-01", RESOLVED, override="2030-01-01")
    d = decisions([rec], as_of="2029-12-31")[2]
    assert d.expunge_on == day("2030-01-01")
    assert d.action is Action.RETAIN


def test_override_keep() -> None:
    rec = record(2, "2020-01-01", NO_VIOLATION, override="keep")
    d = decisions([rec], as_of="2025-01-01")[2]
    assert d.expunge_on == "never"
    assert d.action is Action.RETAIN
    assert d.rule == "no violation: reported + 0 days; override: keep"


def test_override_applied_after_repeat_offence() -> None:
    got = decisions(
        [
            record(2, "2025-01-10", RESOLVED, ids=[JO], override="2025-05-01"),
            record(3, "2025-09-01", RESOLVED, ids=[JO]),
        ],
        as_of="2025-05-01",
    )
    assert got[2].expunge_on == day("2025-05-01")
    assert got[2].action is Action.EXPUNGE


def test_override_own_record_only() -> None:
    records = [
        record(2, "2023-01-01", RESOLVED, ids=[JO], override="keep"),  # computed 2024-03-01
        record(3, "2025-01-01", RESOLVED, ids=[JO], override="2030-01-01"),
        record(4, "2024-12-01", RESOLVED, ids=[JO]),
        record(5, "2025-01-01", RESOLVED),
    ]
    got = decisions(records, as_of="2026-02-01")
    assert got[2].expunge_on == "never"
    # row 3's own computed date is 2026-03-01 and restarts row 4's term from 2025-01-01;
    # neither row 2's keep nor row 3's later override reaches row 4
    assert got[4].expunge_on == day("2026-03-01")
    assert got[4].extended_by == 3
    assert got[5].expunge_on == day("2026-03-01")
    latest = decisions(records, as_of="2026-02-01", terms=retention(repeat_offence="match-latest"))
    assert latest[4].expunge_on == day("2026-03-01")  # row 3's base date, not its override


def test_override_on_pending_record_waits_for_outcome() -> None:
    for override in ("2020-01-01", "keep"):
        rec = record(2, "2019-01-01", None, override=override)
        d = decisions([rec], as_of="2025-01-01")[2]
        assert d.expunge_on == "pending"
        assert d.action is Action.RETAIN
        assert d.rule == "pending: no outcome yet; the override applies once an outcome is set"


def test_holds_use_the_effective_date_after_overrides() -> None:
    got = decisions(
        [
            record(2, "2024-01-01", RESOLVED, ids=[JO], override="2024-06-01"),
            record(3, "2024-12-01", RESOLVED, ids=[JO], override="2025-03-01"),
            record(4, "2025-01-01", None, ids=[JO]),
        ],
        as_of="2025-04-01",
    )
    assert got[2].action is Action.EXPUNGE  # overridden to before the pending report
    assert got[3].action is Action.HOLD


# --------------------------------------------------------------------------- expunged rows


def test_already_expunged_row_is_done() -> None:
    got = decisions(
        [
            record(2, "2020-01-01", RESOLVED, reporter_expunged=True, subject_expunged=True),
            record(3, "2020-01-01", RESOLVED, reporter_expunged=True),
            record(4, "2020-01-01", RESOLVED, subject_expunged=True),
            record(5, "2020-01-01", UNIDENTIFIED, reporter_expunged=True),
        ],
        as_of="2025-01-01",
    )
    assert [got[row].action for row in (2, 3, 4, 5)] == [
        Action.DONE,
        Action.EXPUNGE,
        Action.EXPUNGE,
        Action.DONE,
    ]


def test_redaction_text_counts_as_expunged_and_is_not_an_identifier() -> None:
    cfg = config(retention=RetentionConfig(redaction_text="Expunged"))
    records = read(
        table(
            {REPORTED: "2020-01-01", OUTCOME: "Resolved", REPORTER: "Expunged", NAMED: "Expunged"},
            {REPORTED: "2020-01-02", OUTCOME: "Resolved", NAMED: "Expunged", SUBJECT: JO},
            {REPORTED: "2019-12-01", OUTCOME: "", NAMED: "Expunged"},  # pending
        ),
        cfg,
    )
    got = decisions(records, as_of="2025-01-01", terms=cfg.retention)
    assert got[2].action is Action.DONE  # nothing left to blank, and not held by row 4
    assert got[2].held_by == ()
    assert got[3].action is Action.EXPUNGE
    assert got[3].held_by == ()


# --------------------------------------------------------------------------- whole sheets


def test_decisions_in_the_order_given() -> None:
    records = [record(9, "2025-01-01"), record(3, "2024-01-01"), record(5, "2023-01-01")]
    result = decide(records, RetentionConfig(), day("2025-01-01"))
    assert [d.record.row for d in result] == [9, 3, 5]
    assert [d.record for d in result] == records


def test_rules_never_contain_cell_values() -> None:
    secrets = ["Secret Reporter", "secret-one@mail.test", "Secret Name", "secret-two@mail.test"]
    records = read(
        table(
            {REPORTED: 45000, OUTCOME: "Resolved", REPORTER: secrets[0], SUBJECT: secrets[1]},
            {REPORTED: 45300, OUTCOME: "Flagged", NAMED: f"{secrets[2]}; {secrets[1]}"},
            {REPORTED: 45400, OUTCOME: "", SUBJECT: secrets[3], NAMED: secrets[2]},
            {REPORTED: "junk", OUTCOME: "Resolved", SUBJECT: secrets[3]},
        )
    )
    text = repr(
        [
            (d.rule, d.expunge_on, d.held_by)
            for d in decide(records, RetentionConfig(), day("2025-01-01"))
        ]
    )
    assert "row" in text
    for secret in secrets:
        assert secret.casefold() not in text.casefold()


# --------------------------------------------------------------------------- written date floor


def test_written_date_is_a_floor_terms_only_grow() -> None:
    rec = record(2, "2025-01-01", RESOLVED, written="2027-06-01")
    d = decisions([rec], as_of="2026-06-01")[2]
    assert d.expunge_on == day("2027-06-01")
    assert d.action is Action.RETAIN
    assert d.rule == (
        "resolved: reported + 14 months; kept until the date already in the sheet (the policy "
        "alone gives 2026-03-01; clear the cell or set an override to shorten it)"
    )


def test_written_date_earlier_than_the_policy_is_no_floor() -> None:
    rec = record(2, "2025-01-01", RESOLVED, written="2025-06-01")
    d = decisions([rec], as_of="2025-07-01")[2]
    assert d.expunge_on == day("2026-03-01")
    assert d.action is Action.RETAIN
    assert d.rule == "resolved: reported + 14 months"


def test_override_replaces_the_written_date() -> None:
    rec = record(2, "2025-01-01", RESOLVED, written="2027-06-01", override="2026-01-01")
    d = decisions([rec], as_of="2026-06-01")[2]
    assert d.expunge_on == day("2026-01-01")
    assert d.action is Action.EXPUNGE


def test_expunged_violation_keeps_the_term_it_extended() -> None:
    """A violation blanked on its date stops linking its person; the longer term it gave an
    earlier record, already written in the sheet, still holds."""
    flagged = record(2, "2024-01-10", FLAGGED, ids=["pat@mail.test"])
    resolved = record(3, "2025-01-10", RESOLVED, ids=["pat@mail.test"])
    first = decisions([flagged, resolved], as_of="2026-03-10")
    assert first[2].expunge_on == day("2027-03-10")  # restarted by row 3
    assert first[3].action is Action.EXPUNGE
    # The next run: row 3's subjects are blank, and row 2 carries the date written for it.
    blanked = record(3, "2025-01-10", RESOLVED, reporter_expunged=True, subject_expunged=True)
    later = record(2, "2024-01-10", FLAGGED, ids=["pat@mail.test"], written="2027-03-10")
    after = decisions([later, blanked], as_of="2026-06-01")
    assert after[2].expunge_on == day("2027-03-10")
    assert after[2].action is Action.RETAIN


def test_date_already_in_the_sheet_keeps_a_record_retained_for_a_repeat_offence() -> None:
    """A record kept by its written date is still retained on the days before it: a new
    violation of its person then restarts its term, though the violation that extended it
    has been expunged since (and no longer links it)."""
    pat = "pat@mail.test"
    flagged = record(2, "2022-01-10", FLAGGED, ids=[pat])
    resolved = record(3, "2023-01-10", RESOLVED, ids=[pat])
    first = decisions([flagged, resolved], as_of="2024-03-10")
    assert first[2].expunge_on == day("2025-03-10")  # restarted by row 3
    assert first[3].action is Action.EXPUNGE  # row 3 blanked today: the link is gone
    # Later: row 2 carries the date written for it, and a new violation is reported.
    kept = record(2, "2022-01-10", FLAGGED, ids=[pat], written="2025-03-10")
    blanked = record(
        3,
        "2023-01-10",
        RESOLVED,
        reporter_expunged=True,
        subject_expunged=True,
        written="2024-03-10",
    )
    again = record(4, "2024-06-01", RESOLVED, ids=[pat])
    d = decisions([kept, blanked, again], as_of="2025-03-10")[2]
    assert d.expunge_on == day("2026-08-01")  # 2024-06-01 + 26 months, not 2025-03-10
    assert d.action is Action.RETAIN
    assert d.extended_by == 4
    assert d.rule == (
        "flagged: reported + 26 months; repeat offence: term restarted by row 4 (reported "
        "2024-06-01); retained on that date by the date already in the sheet, 2025-03-10 (the "
        "policy alone gives 2024-03-10; clear the cell or set an override to shorten it)"
    )


def test_date_already_in_the_sheet_repeat_offence_as_a_bot_that_was_down() -> None:
    """The same sheet seen by a bot that was down from before row 3 was blanked until after
    row 4 was entered: row 3 still links the person, and row 2 gets the same date."""
    pat = "pat@mail.test"
    records = [
        record(2, "2022-01-10", FLAGGED, ids=[pat]),
        record(3, "2023-01-10", RESOLVED, ids=[pat]),
        record(4, "2024-06-01", RESOLVED, ids=[pat]),
    ]
    down = decisions(records, as_of="2024-07-01")
    assert down[2].expunge_on == day("2026-08-01")
    assert down[2].extended_by == 4
    assert down[3].action is Action.EXPUNGE


def test_date_already_in_the_sheet_read_back_keeps_the_repeat_offence_rule() -> None:
    """The next run reads back the extended date the bot wrote, the link still there: same
    date, same rule, and no floor in the rule text (the policy alone gives that date)."""
    pat = "pat@mail.test"
    flagged = record(2, "2024-01-10", FLAGGED, ids=[pat], written="2027-03-10")
    resolved = record(3, "2025-01-10", RESOLVED, ids=[pat], written="2026-03-10")
    d = decisions([flagged, resolved], as_of="2025-06-01")[2]
    assert d.expunge_on == day("2027-03-10")
    assert d.extended_by == 3
    assert d.rule == (
        "flagged: reported + 26 months; repeat offence: term restarted by row 3 (reported "
        "2025-01-10)"
    )


def test_date_already_in_the_sheet_decides_after_a_shorter_repeat_offence() -> None:
    """A written date later than any extension decides; the rule text gives the extension
    and the date the policy alone gives."""
    pat = "pat@mail.test"
    flagged = record(2, "2024-01-10", FLAGGED, ids=[pat], written="2028-01-01")
    resolved = record(3, "2025-01-10", RESOLVED, ids=[pat])
    d = decisions([flagged, resolved], as_of="2025-06-01")[2]
    assert d.expunge_on == day("2028-01-01")
    assert d.extended_by == 3
    assert d.rule == (
        "flagged: reported + 26 months; repeat offence: term restarted by row 3 (reported "
        "2025-01-10); kept until the date already in the sheet (the policy alone gives "
        "2027-03-10; clear the cell or set an override to shorten it)"
    )


def test_match_latest_keeps_as_long_as_the_violations_own_date_not_its_floor() -> None:
    """With match-latest, an earlier record is kept as long as the violation's own date; the
    date written in the violation's cell is its floor only (it may be an override the bot
    wrote, and an override applies to its own record only)."""
    pat = "pat@mail.test"
    earlier = record(2, "2023-01-10", RESOLVED, ids=[pat])
    violation = record(3, "2023-06-01", RESOLVED, ids=[pat], written="2025-01-01")
    got = decisions(
        [earlier, violation], as_of="2024-09-01", terms=retention(repeat_offence="match-latest")
    )
    assert got[3].expunge_on == day("2025-01-01")
    assert got[2].expunge_on == day("2024-08-01")  # the violation's policy date
    assert got[2].rule == "resolved: reported + 14 months; repeat offence: kept as long as row 3"


def test_match_latest_an_override_applies_to_its_own_record_only_on_later_runs_too() -> None:
    """The bot writes a violation's override date into its cell; on the next run that written
    date must not reach the person's other records (SPEC 2), so the run writes nothing."""
    pat = "pat@mail.test"
    terms = retention(repeat_offence="match-latest")
    earlier = record(2, "2025-01-10", RESOLVED, ids=[pat])
    violation = record(3, "2025-06-01", RESOLVED, ids=[pat], override="2030-01-01")
    first = decisions([earlier, violation], as_of="2025-06-01", terms=terms)
    assert (first[2].expunge_on, first[3].expunge_on) == (day("2026-08-01"), day("2030-01-01"))
    earlier_again = record(2, "2025-01-10", RESOLVED, ids=[pat], written="2026-08-01")
    violation_again = record(
        3, "2025-06-01", RESOLVED, ids=[pat], override="2030-01-01", written="2030-01-01"
    )
    second = decisions([earlier_again, violation_again], as_of="2025-06-01", terms=terms)
    assert second[2].expunge_on == day("2026-08-01")
