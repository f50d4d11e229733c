"""Properties of policy.decide over generated sheets (hypothesis).

- decisions do not depend on the order of the records;
- adding records never makes an existing record expire earlier (nor be blanked earlier);
- the dates ``decide`` computes (written floor, repeat offence, override) equal a
  step-by-step transcription of the rules;
- the rules computed over all the records at once (``base_dates``, ``actions``) equal the
  rule applied to each record alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Mapping, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetbot.config import Duration, RetentionConfig
from sheetbot.people import person_indices
from sheetbot.policy import (
    Action,
    ExpungeOn,
    actions,
    base_date,
    base_dates,
    decide,
    restarted_term,
)
from sheetbot.records import VIOLATIONS, Keep, Outcome, Permanent, Problem, Record, Records

DAY0 = dt.date(2022, 1, 1)
SPAN = 1500  # days: short enough for many records to overlap

# Dates spread over four years, and dates that often coincide or sit at month ends (where
# "+ 1 month" gives the same day for several starts), so that ties and chains happen.
days = st.one_of(
    st.integers(0, SPAN).map(lambda n: DAY0 + dt.timedelta(days=n)),
    st.integers(0, 40).map(lambda n: DAY0 + dt.timedelta(days=30 * n)),
    st.sampled_from([dt.date(2023, 1, d) for d in (27, 28, 29, 30, 31)]),
)
durations = st.sampled_from(
    [
        Duration(0, "days"),
        Duration(30, "days"),
        Duration(2, "weeks"),
        Duration(1, "months"),
        Duration(6, "months"),
        Duration(14, "months"),
        Duration(26, "months"),
        Duration(1, "years"),
    ]
)
terms = st.builds(
    RetentionConfig,
    no_violation=durations,
    unidentified_reporter=durations,
    resolved=durations,
    flagged=durations,
    after_ban=durations,
    repeat_offence=st.sampled_from(["restart", "match-latest", "off"]),
)
PEOPLE = ["a@mail.test", "b@mail.test", "c", "d", "example.org/e"]


@st.composite
def a_record(draw: st.DrawFn, row: int) -> Record:
    outcome = draw(st.sampled_from([None, *Outcome]))
    problems: tuple[Problem, ...] = ()
    if draw(st.integers(0, 9)) == 0:
        problems = (Problem(row, "Outcome", "not one of the configured outcome labels"),)
        outcome = None
    ban_end: dt.date | Permanent | None = None
    if outcome is Outcome.BANNED:
        ban_end = draw(st.one_of(st.just("permanent"), days))
    override: dt.date | Keep | None = draw(
        st.one_of(st.none(), st.none(), st.none(), st.just("keep"), days)
    )
    subject_expunged = draw(st.integers(0, 5)) == 0
    identifiers: frozenset[str] = frozenset()
    if outcome is not Outcome.UNIDENTIFIED and not subject_expunged:
        identifiers = draw(st.frozensets(st.sampled_from(PEOPLE), max_size=2))
    # The date already in the sheet: often none (a new row), else any date (written by an
    # earlier run, whose links may since have gone, or typed by the committee).
    written: dt.date | None = draw(st.one_of(st.none(), st.none(), days))
    return Record(
        row=row,
        reported=draw(days),
        outcome=outcome,
        ban_end=ban_end,
        override=override,
        identifiers=identifiers,
        reporter_expunged=draw(st.booleans()),
        subject_expunged=subject_expunged,
        problems=problems,
        written=written,
    )


@st.composite
def sheets(draw: st.DrawFn, max_size: int = 14) -> list[Record]:
    rows = draw(st.lists(st.integers(2, 500), unique=True, max_size=max_size))
    return [draw(a_record(row)) for row in rows]


def _later_or_equal(after: ExpungeOn, before: ExpungeOn) -> bool:
    if after == before:
        return True
    if isinstance(before, dt.date):
        return after == "never" or (isinstance(after, dt.date) and after >= before)
    return False


@settings(max_examples=200, deadline=None)
@given(sheet=sheets(), retention=terms, as_of=days, order=st.randoms(use_true_random=False))
def test_decisions_independent_of_row_order(
    sheet: list[Record], retention: RetentionConfig, as_of: dt.date, order: random.Random
) -> None:
    shuffled = list(sheet)
    order.shuffle(shuffled)
    first = {d.record.row: d for d in decide(sheet, retention, as_of)}
    second = {d.record.row: d for d in decide(shuffled, retention, as_of)}
    assert first == second


@settings(max_examples=200, deadline=None)
@given(sheet=sheets(), extra=sheets(max_size=6), retention=terms, as_of=days)
def test_adding_records_never_makes_an_existing_record_expire_earlier(
    sheet: list[Record], extra: list[Record], retention: RetentionConfig, as_of: dt.date
) -> None:
    rows = {r.row for r in sheet}
    added = [r for r in extra if r.row not in rows]
    before = {d.record.row: d for d in decide(sheet, retention, as_of)}
    after = {d.record.row: d for d in decide([*sheet, *added], retention, as_of)}
    blanking = {Action.EXPUNGE, Action.EXPUNGE_REPORTER}
    for row, old in before.items():
        new = after[row]
        assert _later_or_equal(new.expunge_on, old.expunge_on), (row, old, new)
        if new.action in blanking:
            assert old.action is new.action, (row, old, new)


def _later(a: dt.date | str, b: dt.date | str) -> bool:
    """a is later than b ("never" is later than every date)."""
    if a == "never":
        return b != "never"
    if b == "never":
        return False
    assert isinstance(a, dt.date)
    assert isinstance(b, dt.date)
    return a > b


def is_violation(record: Record) -> bool:
    """SPEC section 2: a readable record of type resolved, flagged or banned."""
    return record.outcome in VIOLATIONS and not record.problems


def floor(record: Record, date: ExpungeOn) -> ExpungeOn:
    """README "a date already in the sheet is a floor": a readable record's date is at least
    the date already in its expunge_on cell, when both are dates."""
    written = record.written
    if written is None or record.problems or not isinstance(date, dt.date):
        return date
    return max(date, written)


def step_by_step(
    records: Sequence[Record],
    retention: RetentionConfig,
    start: Mapping[int, ExpungeOn],
    policy: Mapping[int, ExpungeOn],
) -> tuple[dict[int, ExpungeOn], dict[int, int]]:
    """SPEC section 2's repeat offence, as written, from the dates ``start`` (by row; the
    dates after the floor): violations in order of (date, row), each extending every other
    record of the person reported on or before it, still retained on its date. With
    match-latest the candidate is V's ``policy`` date (its base date, without its floor: that
    may be an override the bot wrote, which applies to V only)."""
    keys = person_indices([r.identifiers for r in records])
    person = {r.row: key for r, key in zip(records, keys, strict=True)}
    current = dict(start)
    extended_by: dict[int, int] = {}
    if retention.repeat_offence == "off":
        return current, extended_by
    violations = sorted((r for r in records if is_violation(r)), key=lambda r: (r.reported, r.row))
    for v in violations:
        d = v.reported
        assert d is not None
        for r in records:
            if r.row == v.row or person[r.row] != person[v.row]:
                continue
            if r.problems or r.outcome is None or r.reported is None or r.reported > d:
                continue
            now = current[r.row]
            if not isinstance(now, dt.date) or now <= d:
                continue  # not retained on d
            if retention.repeat_offence == "restart":
                candidate = restarted_term(r, d, retention)
            else:  # kept as long as V: V's date before its floor and this rule
                latest = policy[v.row]
                assert latest is not None
                assert latest != "pending"
                candidate = latest
            if _later(candidate, now):
                current[r.row] = candidate
                extended_by[r.row] = v.row
    return current, extended_by


def override(record: Record, date: ExpungeOn) -> ExpungeOn:
    """SPEC section 2's override, applied last, to a record with an outcome."""
    if record.override is None or record.problems or record.outcome is None:
        return date
    return "never" if record.override == "keep" else record.override


FLOOR_RULE = "kept until the date already in the sheet (the policy alone gives {};"
RETAINED_RULE = (
    "retained on that date by the date already in the sheet, {} (the policy alone gives {};"
)


@settings(max_examples=300, deadline=None)
@given(sheet=sheets(max_size=18), retention=terms)
def test_repeat_offence_matches_the_rule_step_by_step(
    sheet: list[Record], retention: RetentionConfig
) -> None:
    """Base date, then the written floor, then the repeat offence from the floored dates (a
    record the sheet keeps is still retained on the days before its date), then overrides.
    Where the floor decides the date, the rule text gives the date the rules give without
    this record's floor, and ``extended_by`` the violation giving that one."""
    base = {r.row: base_date(r, retention)[0] for r in sheet}
    floored = {r.row: floor(r, base[r.row]) for r in sheet}
    expected, expected_by = step_by_step(sheet, retention, floored, base)
    got = {d.record.row: d for d in decide(sheet, retention, dt.date(2022, 1, 1))}
    for r in sheet:
        row, decision = r.row, got[r.row]
        assert decision.expunge_on == override(r, expected[row]), (r, decision)
        by = expected_by.get(row)
        in_effect = False
        if floored[row] != base[row]:  # what would the rules give without this record's floor?
            alone, alone_by = step_by_step(sheet, retention, {**floored, row: base[row]}, base)
            if expected[row] == floored[row] and alone[row] != floored[row]:  # it decides
                in_effect, by = True, alone_by.get(row)
                assert isinstance(alone[row], dt.date)
                text = FLOOR_RULE.format(alone[row])
                assert text in decision.rule, (r, decision, text)
            elif alone[row] != expected[row]:  # it kept the record retained for a violation
                in_effect = True
                assert isinstance(alone[row], dt.date)
                text = RETAINED_RULE.format(floored[row], alone[row])
                assert text in decision.rule, (r, decision, text)
        if not in_effect:
            assert "already in the sheet" not in decision.rule, (r, decision)
        assert decision.extended_by == by, (r, decision)
        assert ("repeat offence" in decision.rule) == (by is not None), (r, decision)


@settings(max_examples=200, deadline=None)
@given(sheet=sheets(), retention=terms, as_of=days)
def test_terms_only_grow_and_overrides_alone_shorten(
    sheet: list[Record], retention: RetentionConfig, as_of: dt.date
) -> None:
    for d in decide(sheet, retention, as_of):
        base = base_date(d.record, retention)[0]
        if d.record.override is None or d.record.outcome is None or d.record.problems:
            assert _later_or_equal(d.expunge_on, base), d
        if d.action in (Action.EXPUNGE, Action.EXPUNGE_REPORTER, Action.DONE):
            assert isinstance(d.expunge_on, dt.date)
            assert d.expunge_on <= as_of
            assert not d.held_by


@settings(max_examples=300, deadline=None)
@given(
    sheet=sheets(max_size=30),
    retention=terms,
    unreadable_dates=st.lists(st.booleans(), min_size=30, max_size=30),
)
def test_base_dates_are_base_date_of_each_record(
    sheet: list[Record], retention: RetentionConfig, unreadable_dates: list[bool]
) -> None:
    problem = Problem(0, "Date of 1st report", "not a date")
    sheet = [
        dataclasses.replace(r, reported=None, problems=(problem,)) if unreadable else r
        for r, unreadable in zip(sheet, unreadable_dates, strict=False)
    ]
    dates, rules = base_dates(Records.of(sheet), retention)
    assert list(zip(dates, rules, strict=True)) == [base_date(r, retention) for r in sheet]


def action_of(record: Record, expunge_on: ExpungeOn, held: bool, as_of: dt.date) -> Action:
    """SPEC section 2's action, as written, for one record."""
    if record.problems:
        return Action.NEEDS_ATTENTION
    if not isinstance(expunge_on, dt.date) or expunge_on > as_of:
        return Action.RETAIN
    if held:
        return Action.HOLD
    if record.outcome is Outcome.UNIDENTIFIED:
        return Action.DONE if record.reporter_expunged else Action.EXPUNGE_REPORTER
    if record.reporter_expunged and record.subject_expunged:
        return Action.DONE
    return Action.EXPUNGE


effective_dates: st.SearchStrategy[ExpungeOn] = st.one_of(
    days, st.sampled_from(["never", "pending", None])
)


@settings(max_examples=300, deadline=None)
@given(
    sheet=sheets(max_size=30),
    dates=st.lists(effective_dates, min_size=30, max_size=30),
    held=st.lists(st.booleans(), min_size=30, max_size=30),
    as_of=days,
)
def test_actions_match_the_rule_record_by_record(
    sheet: list[Record], dates: list[ExpungeOn], held: list[bool], as_of: dt.date
) -> None:
    count = len(sheet)
    held_by = [(1,) if h else () for h in held[:count]]
    got = actions(Records.of(sheet), dates[:count], held_by, as_of)
    assert got == [action_of(r, d, h, as_of) for r, d, h in zip(sheet, dates, held, strict=False)]
