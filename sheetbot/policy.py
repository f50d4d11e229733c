"""Records + terms → one decision per record (date, action, rule). Pure code.

The rules of SPEC section 2, each in a function named after the policy's words, applied in
this order:

1. ``base_date``: the outcome type's term (``term``) from the reported date (or, for a ban,
   from its end); ``pending`` while the outcome is empty, ``never`` for a permanent ban.
2. ``written_date``: a date already in the expunge_on column is a floor (terms only grow,
   across runs too: a record expunged stops linking its person, see ``written_date``). It
   comes before the repeat offence: a record kept by it is still retained on its date.
3. ``repeat_offence``: a new violation of the same person (``people``) restarts the term of
   the person's earlier records that are still retained on its date (or, with
   ``match-latest``, keeps them as long as the violation). Terms only grow.
4. ``overrides``: the committee's date or ``keep`` replaces the computed date of its own
   record, applied last. A pending record stays pending whatever its override says.
5. ``holds``: a pending report, or a record that needs attention, holds the other records of
   the same person (see ``holds`` for exactly which).
6. ``actions``: what to do today (``as_of``) with each effective date.

The result is a function of the records as they are now: it never depends on their order,
and (the sheet's dates being what they are) not on when the bot ran before. "never" is later
than every date throughout.
"""

from __future__ import annotations

import datetime as dt
import operator
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from itertools import compress, repeat
from operator import attrgetter
from typing import Literal, cast

from sheetbot.config import Duration, RetentionConfig
from sheetbot.people import first_rows, person_indices
from sheetbot.records import (
    VIOLATIONS,
    Columns,
    Keep,
    Outcome,
    Permanent,
    Record,
    Records,
    check_builder,
    cyclic_gc_paused,
    positions,
)

ExpungeOn = dt.date | Literal["never", "pending"] | None  # None: needs attention
Never = Literal["never"]


class Action(StrEnum):
    EXPUNGE = "expunge"  # due: blank reporter and subject cells
    EXPUNGE_REPORTER = "expunge-reporter"  # due, actor not identified: blank reporter cells only
    RETAIN = "retain"  # not due yet (or never)
    HOLD = "hold"  # due, but held by a pending (or unreadable) record of the same person
    NEEDS_ATTENTION = "needs-attention"  # unreadable: never blanked
    DONE = "done"  # due and already expunged: nothing left to blank


# slots: built by the thousand (see ``Decisions``), 100,000 in the JSON report of a large sheet
@dataclass(frozen=True, slots=True)
class Decision:
    record: Record
    expunge_on: ExpungeOn  # the effective date written to the expunge_on column
    action: Action
    rule: str  # why, in the policy's words, without personal data
    held_by: tuple[int, ...] = ()  # sheet rows of the records holding this one
    extended_by: int | None = None  # sheet row of the violation that last extended the term
    # The person (``people``): the smallest sheet row of the records sharing an identifier with
    # this one, transitively (its own row when none does). None: not decided by ``decide``.
    person: int | None = None


OUTCOME_WORDS = {
    Outcome.NO_VIOLATION: "no violation",
    Outcome.UNIDENTIFIED: "actor not identified",
    Outcome.RESOLVED: "resolved",
    Outcome.FLAGGED: "flagged",
    Outcome.BANNED: "banned",
}

# "never" as a number later than every date, so that dates and "never" compare and sort.
_NEVER = dt.date.max.toordinal() + 1


def _ordinal(day: dt.date | Never) -> int:
    return _NEVER if day == "never" else day.toordinal()


def _day(ordinal: int) -> dt.date | Never:
    return "never" if ordinal >= _NEVER else dt.date.fromordinal(ordinal)


def _after(duration: Duration, start: dt.date) -> dt.date | Never:
    """``start + duration`` (``Duration.after``). A date beyond the year 9999 cannot be
    written: it is "never"."""
    try:
        return duration.after(start)
    except (OverflowError, ValueError):
        return "never"


# --------------------------------------------------------------------------- 1. base date


_TERMS = {  # outcome type → the RetentionConfig field holding its term
    Outcome.NO_VIOLATION: "no_violation",
    Outcome.UNIDENTIFIED: "unidentified_reporter",
    Outcome.RESOLVED: "resolved",
    Outcome.FLAGGED: "flagged",
    Outcome.BANNED: "after_ban",
}


def term(outcome: Outcome, retention: RetentionConfig) -> Duration:
    """The retention term of an outcome type (for a ban: the term after the ban's end)."""
    duration: Duration = getattr(retention, _TERMS[outcome])
    return duration


def needs_attention_rule(record: Record) -> str:
    return "needs attention: " + "; ".join(f"{p.column}: {p.reason}" for p in record.problems)


def base_date(record: Record, retention: RetentionConfig) -> tuple[ExpungeOn, str]:
    """The date the outcome type's term gives, ignoring repeat offences and overrides.

    pending → "pending"; banned → ban end + ``after_ban`` ("never" for a permanent ban);
    every other type → reported + its term. Needs attention → None.
    """
    if record.problems:
        return None, needs_attention_rule(record)
    return _base(_term_start(record), record.outcome, _terms(retention))


def _term_start(record: Record) -> dt.date | Permanent | None:
    """The date a record's term counts from: its ban end if banned, else its reported date."""
    return record.ban_end if record.outcome is Outcome.BANNED else record.reported


_Terms = dict[Outcome, tuple[Duration, str]]  # outcome type → its term and the term's rule text


def _terms(retention: RetentionConfig) -> _Terms:
    terms = {outcome: term(outcome, retention) for outcome in Outcome}
    return {outcome: (terms[outcome], _term_rule(outcome, terms[outcome])) for outcome in Outcome}


def _base(
    start: dt.date | Permanent | None, outcome: Outcome | None, terms: _Terms
) -> tuple[ExpungeOn, str]:
    """``base_date`` of a readable record, from its term's start and its outcome."""
    if outcome is None:
        return "pending", "pending: no outcome yet"
    if start == "permanent":
        return "never", "banned permanently"
    assert isinstance(start, dt.date)  # records.py makes an unreadable one a problem
    duration, rule = terms[outcome]
    return _after(duration, start), rule


def base_dates(records: Records, retention: RetentionConfig) -> tuple[list[ExpungeOn], list[str]]:
    """``base_date`` of every record: the dates, and the rules.

    Computed once per distinct (outcome, start), then looked up: 100,000 records (SPEC 6)
    have some 15,000 distinct ones. Built column by column, the lookups in C, in one table per
    outcome keyed by the start (``_BaseDates``: a date keeps its hash, a tuple key would be
    hashed at every lookup). The rule text is the outcome's (``_base``), but for a permanent
    ban. Only the banned records (whose term starts elsewhere, ``_term_start``) and the
    unreadable ones are visited alone.
    """
    outcomes = records.outcome
    starts: list[dt.date | Permanent | None] = list(records.reported)
    terms = _terms(retention)
    rule_of: dict[Outcome | None, str] = {None: _base(None, None, terms)[1]}
    rule_of.update((outcome, rule) for outcome, (_, rule) in terms.items())
    rules = list(map(rule_of.__getitem__, outcomes))
    for index in positions(outcomes, Outcome.BANNED):
        start = starts[index] = records.ban_end[index]  # a ban's term starts at its end
        if start == "permanent":
            rules[index] = _base(start, Outcome.BANNED, terms)[1]
    date_of = {outcome: _BaseDates(outcome, terms) for outcome in (*Outcome, None)}
    dates: list[ExpungeOn] = list(map(dict.__getitem__, map(date_of.__getitem__, outcomes), starts))
    for index in compress(range(len(outcomes)), records.problems):
        dates[index] = None
        rules[index] = needs_attention_rule(records[index])
    return dates, rules


class _BaseDates(dict[object, ExpungeOn]):
    """Start of the term → ``base_date`` of one outcome type, computed at the first lookup of
    each start (``__missing__``).

    A start of None (an unreadable record: a readable one has a start) gives None;
    ``base_dates`` sets it and the rule from the record's problems.
    """

    def __init__(self, outcome: Outcome | None, terms: _Terms) -> None:
        super().__init__({None: None})
        self.outcome = outcome
        self.terms = terms

    def __missing__(self, start: dt.date | Permanent) -> ExpungeOn:
        date = self[start] = _base(start, self.outcome, self.terms)[0]
        return date


def _term_rule(outcome: Outcome, duration: Duration) -> str:
    if outcome is Outcome.BANNED:
        return f"banned: ban end + {duration}"
    rule = f"{OUTCOME_WORDS[outcome]}: reported + {duration}"
    if outcome is Outcome.UNIDENTIFIED:
        rule += " (reporter only)"
    return rule


def restarted_term(record: Record, day: dt.date, retention: RetentionConfig) -> dt.date | Never:
    """``record``'s term started again on ``day``: day + term, or for a banned record
    the later of its ban end and ``day`` + ``after_ban`` ("never" for a permanent ban)."""
    return _restarted_term(record.outcome, record.ban_end, day, retention)


def _restarted_term(
    outcome: Outcome | None,
    ban_end: dt.date | Permanent | None,
    day: dt.date,
    retention: RetentionConfig,
) -> dt.date | Never:
    """``restarted_term`` of a record of this outcome and ban end."""
    assert outcome is not None
    duration = term(outcome, retention)
    if outcome is Outcome.BANNED:
        if ban_end == "permanent":
            return "never"
        assert isinstance(ban_end, dt.date)
        return _after(duration, max(ban_end, day))
    return _after(duration, day)


# --------------------------------------------------------------------------- 2. written date


def written_date(record: Record, computed: ExpungeOn) -> tuple[ExpungeOn, str | None]:
    """Terms only ever grow, across runs too: a date already in the expunge_on column is a
    floor for the computed date.

    Why: expunging a record blanks its subjects, so it stops linking the person's other
    records, and a term it extended (repeat offence) would shrink back on the next run and
    fall due early — evidence destroyed against the written rule. The extended date the bot
    wrote while the link existed keeps it. A floor can only keep data longer, never blank
    it: to shorten a date (a corrected outcome or reported date), the committee clears the
    cell or sets an override, which replaces it; the rule text says so.

    The floor comes before the repeat offence (``written_dates``): a record the sheet keeps
    until a date is "still retained" on every day before it, so a new violation of its
    person reported then restarts its term (as it would have, had the expunged violation
    still linked it: a bot that was down all along reaches the same date). With
    ``match-latest``, records are kept as long as a violation's date without its own floor
    (which may be an override the bot wrote: an override applies to its own record only).
    ``computed``: the date without the floor; the rule text (None when the floor changes
    nothing) says what it is.
    """
    floor = _floor(record.written, bool(record.problems), computed)
    if floor is None:
        return computed, None
    assert isinstance(computed, dt.date)
    return floor, floor_rule(computed)


def floor_rule(alone: dt.date) -> str:
    """The rule text of a record its floor keeps (``written_date``): ``alone``, the date the
    policy gives without it."""
    return (
        f"kept until the date already in the sheet (the policy alone gives "
        f"{alone.isoformat()}; clear the cell or set an override to shorten it)"
    )


def retained_rule(floor: dt.date, alone: dt.date) -> str:
    """The rule text of a record whose floor (the date already in the sheet) kept it retained
    on the date of the violation that restarted its term (``repeat_offence``)."""
    return (
        f"retained on that date by the date already in the sheet, {floor.isoformat()} (the "
        f"policy alone gives {alone.isoformat()}; clear the cell or set an override to "
        f"shorten it)"
    )


def _floor(written: dt.date | None, unreadable: bool, computed: ExpungeOn) -> dt.date | None:
    """The written date if it lifts the computed date of a readable record, else None."""
    if written is None or unreadable or not isinstance(computed, dt.date):
        return None
    return written if written > computed else None


def written_dates(records: Records, dates: list[ExpungeOn]) -> dict[int, dt.date]:
    """``written_date`` of every record: lift ``dates`` in place to the date already in the
    sheet where that is later; return the records lifted (position → their date before).

    Only a date already written, other than the computed one, can change it: most often the
    two are equal (the bot wrote it last time), so few records are visited (SPEC 6), on
    their columns (a ``Record`` built for each was a tenth of deciding 100,000 records).
    """
    lifted: dict[int, dt.date] = {}
    written, problems = records.written, records.problems
    for index in compress(range(len(dates)), map(operator.ne, written, dates)):
        before = dates[index]
        floor = _floor(written[index], bool(problems[index]), before)
        if floor is not None:
            assert isinstance(before, dt.date)  # ``_floor`` lifts dates only
            dates[index], lifted[index] = floor, before
    return lifted


# --------------------------------------------------------------------------- 3. repeat offence


class _RangeMax:
    """Maximum of (value, -position) over any range of a fixed list, in O(1) per query."""

    def __init__(self, values: Sequence[int]) -> None:
        level = [(value, -position) for position, value in enumerate(values)]
        self.levels = [level]
        width = 1
        while 2 * width <= len(values):
            level = [max(level[i], level[i + width]) for i in range(len(level) - width)]
            self.levels.append(level)
            width *= 2

    def query(self, lo: int, hi: int) -> tuple[int, int] | None:
        """(largest value in positions [lo, hi), first position holding it), or None."""
        if lo >= hi:
            return None
        k = (hi - lo).bit_length() - 1
        level = self.levels[k]
        value, position = max(level[lo], level[hi - (1 << k)])
        return value, -position


def shared_persons(persons: Sequence[int]) -> dict[int, list[int]]:
    """Person → the positions of its records, in order, for every person named in more than
    one record. The others (most records) are left out: no rule links them to anything, and
    skipping them keeps the rules over persons quick on 100,000 rows (SPEC 6)."""
    counts = Counter(persons)  # counted in C
    shared = {person for person, count in counts.items() if count > 1}
    members: dict[int, list[int]] = {}
    for index in compress(range(len(persons)), map(shared.__contains__, persons)):
        members.setdefault(persons[index], []).append(index)
    return members


def repeat_offence(
    records: Records,
    dates: list[ExpungeOn],
    persons: Sequence[int],
    retention: RetentionConfig,
    floored: dict[int, dt.date] | None = None,
    retained: dict[int, tuple[dt.date, dt.date]] | None = None,
) -> list[int | None]:
    """Extend ``dates`` in place for repeat offences; return, per record, the position (in
    ``records``) of the violation that last extended it (None when none did).

    The rule: for each violation V of a person, reported on d, in order of (d, row), every
    other readable, decided record R of that person reported on or before d whose current
    date is after d ("still retained on d") gets ``max(current, candidate)``, where the
    candidate is d + term(R) (``restart``; for a banned R the term after the ban counts from
    the later of its ban end and d) or V's own date before its floor (``match-latest``). ``off``
    skips the rule. Terms only grow. ``dates`` come in after the written floor
    (``written_dates``): a record kept by it is retained on the days before it.

    ``floored``: the records the floor lifted (``written_dates``) → their date before it,
    updated for the rule text. Each is taken through the rule from that date first (what
    clearing the cell would give), then on from its floor if that falls short: the same
    result as from the floor alone (the least date at or after the start that nothing
    grows), one pass of jumps. Where the floor decides the date, the entry becomes the date
    the rule gives without it, and ``extended_by`` the violation giving that one (if any);
    where the repeat offence decides (the bot wrote its date, say), the record is removed,
    and when only its floor kept it retained on the date of the violation that extended it,
    it goes to ``retained`` (position → (its floor, the date the rule gives without it)).

    How it is computed: a record's result depends only on its own dates and on the sorted
    dates of its person's violations, so each record is settled on its own. It sees the
    violations with ``R.reported <= d < current``; as ``current`` only grows, the result is
    the least date c, at or after R's date as given, that is at or after the candidate of
    every violation with d < c. From that date, jump to the best candidate seen so far until
    nothing grows: a few range-maximum queries per record instead of a step per pair of
    records (a person named in thousands of rows stays fast). ``extended_by`` is the first
    violation, in (d, row) order, giving the final date: the last one that made it grow.
    ``tests/test_policy_properties.py`` checks this against a step-by-step transcription.
    """
    extended_by: list[int | None] = [None] * len(records)
    if retention.repeat_offence == "off":
        return extended_by
    if floored is None:
        floored = {}
    restarts: dict[tuple[object, ...], int] = {}  # shared by the persons (``_restart``)
    outcomes, problems = records.outcome, records.problems
    for indices in shared_persons(persons).values():
        # The violations: readable records of type resolved, flagged or banned.
        violations = [i for i in indices if outcomes[i] in VIOLATIONS and not problems[i]]
        if not violations:
            continue
        offences = _Violations(records, violations, dates, retention, restarts, floored)
        for index in indices:
            current = dates[index]
            if problems[index] or outcomes[index] is None or not isinstance(current, dt.date):
                continue  # unreadable, pending, or never: nothing to extend
            before = floored.get(index)
            if before is not None:  # lifted by its floor: first, the rule without it
                alone = offences.extend(index, before)
                day = before if alone is None else alone[0]
                if day != "never" and day < current:  # short of the floor: on from there
                    extension = offences.extend(index, current)
                    if extension is None:  # the floor decides
                        floored[index] = day
                        if alone is not None:
                            extended_by[index] = alone[1]
                        continue
                    if retained is not None:  # only the floor kept it retained then
                        retained[index] = (current, day)
                else:  # the rule alone reaches the floor (say the bot wrote it) or beyond
                    extension = alone
                del floored[index]
            else:
                extension = offences.extend(index, current)
            if extension is not None:
                dates[index], extended_by[index] = extension
    return extended_by


class _Violations:
    """The violations of one person, sorted by (reported, row), for ``repeat_offence``."""

    def __init__(
        self,
        records: Records,
        violations: list[int],
        dates: Sequence[ExpungeOn],
        retention: RetentionConfig,
        restarts: dict[tuple[object, ...], int],
        floored: Mapping[int, dt.date],
    ) -> None:
        reported, rows = records.reported, records.row
        violations.sort(key=lambda i: (_known(reported[i]), rows[i]))
        self.records = records
        self.violations = violations
        self.retention = retention
        self.restarts = restarts
        self.reported = [_known(reported[i]).toordinal() for i in violations]
        self.position = {index: position for position, index in enumerate(violations)}
        self.latest: _RangeMax | None = None
        if retention.repeat_offence == "match-latest":
            # The violation's own date without its written floor: that date may be an override
            # the bot wrote, and an override applies to its own record only (SPEC 2).
            policy = [floored.get(i, dates[i]) for i in violations]
            self.latest = _RangeMax([_ordinal(_date_or_never(day)) for day in policy])

    def extend(self, index: int, current: dt.date) -> tuple[dt.date | Never, int] | None:
        """Record ``index``'s extended date and the violation that gave it; None: unchanged."""
        skip = self.position.get(index, -1)  # a record does not extend itself
        reported = _known(self.records.reported[index]).toordinal()
        lo = bisect_left(self.reported, reported)  # reported on or before d
        start = value = current.toordinal()
        while True:
            hi = bisect_left(self.reported, value, lo)  # still retained on d: d < value
            best = self.best(index, lo, hi, skip)
            if best is None or best <= value:
                break
            value = best
        if value == start:
            return None
        return _day(value), self.violations[self.first(index, lo, hi, skip, value)]

    def best(self, record: int, lo: int, hi: int, skip: int) -> int | None:
        """The best candidate among the violations at [lo, hi) but ``skip``."""
        if self.latest is not None:
            found = self._latest(self.latest, lo, hi, skip)
            return None if found is None else found[0]
        # The restart candidate never decreases with d: the best is the latest violation's.
        top = self._last(lo, hi, skip)
        return None if top is None else self._restart(record, self.reported[top])

    def first(self, record: int, lo: int, hi: int, skip: int, value: int) -> int:
        """The first violation at [lo, hi) but ``skip`` whose candidate is ``value`` (the best)."""
        if self.latest is not None:
            found = self._latest(self.latest, lo, hi, skip)
            assert found is not None
            return found[1]
        top = self._last(lo, hi, skip)
        assert top is not None
        # The days giving ``value`` are a short run ending at the latest violation's day
        # (2025-01-28..31 + 1 month all give 2025-02-28): find its first day, then the first
        # violation on or after it.
        first_day = self.reported[top]
        while first_day > self.reported[lo] and self._restart(record, first_day - 1) == value:
            first_day -= 1
        first = bisect_left(self.reported, first_day, lo, hi)
        return first + 1 if first == skip else first  # the one after ``skip`` gives it too

    def _last(self, lo: int, hi: int, skip: int) -> int | None:
        top = hi - 1 if hi - 1 != skip else hi - 2
        return top if top >= lo else None

    def _restart(self, record: int, day: int) -> int:
        """``restarted_term`` of record ``record`` (a position) as a day number, computed once
        per (outcome, ban end, day) in a plan: the records of a person are restarted by the
        same few days."""
        outcome, ban_end = self.records.outcome[record], self.records.ban_end[record]
        key = (outcome, ban_end, day)
        found = self.restarts.get(key)
        if found is None:
            restarted = _restarted_term(outcome, ban_end, dt.date.fromordinal(day), self.retention)
            found = self.restarts[key] = _ordinal(restarted)
        return found

    @staticmethod
    def _latest(table: _RangeMax, lo: int, hi: int, skip: int) -> tuple[int, int] | None:
        if not lo <= skip < hi:
            return table.query(lo, hi)
        parts = [p for p in (table.query(lo, skip), table.query(skip + 1, hi)) if p is not None]
        return max(parts, key=lambda p: (p[0], -p[1])) if parts else None


def repeat_offence_rule(violation: Record, retention: RetentionConfig) -> str:
    if retention.repeat_offence == "match-latest":
        return f"repeat offence: kept as long as row {violation.row}"
    reported = _known(violation.reported).isoformat()
    return f"repeat offence: term restarted by row {violation.row} (reported {reported})"


def _known(reported: dt.date | None) -> dt.date:
    """A readable record's reported date (an unreadable one has a problem instead)."""
    assert reported is not None
    return reported


def _date_or_never(value: ExpungeOn) -> dt.date | Never:
    assert value is not None
    assert value != "pending"
    return value


# --------------------------------------------------------------------------- 4. overrides


def overrides(record: Record, computed: ExpungeOn) -> tuple[ExpungeOn, str | None]:
    """The committee's override of its own record: a date replaces the computed date (earlier
    or later); ``keep`` → "never". Returns the effective date and the rule text (None when
    no override applies). An override waits for an outcome: a pending record stays pending.
    """
    return _override(record.override, record.outcome, bool(record.problems), computed)


def _override(
    override: dt.date | Keep | None,
    outcome: Outcome | None,
    unreadable: bool,
    computed: ExpungeOn,
) -> tuple[ExpungeOn, str | None]:
    """``overrides`` of a record of this override, outcome and readability."""
    if override is None or unreadable:
        return computed, None
    if outcome is None:
        return computed, "the override applies once an outcome is set"
    if override == "keep":
        return "never", "override: keep"
    return override, "override: date set by the committee"


# --------------------------------------------------------------------------- 5. holds


def holds(
    records: Records,
    effective: Sequence[ExpungeOn],
    persons: Sequence[int],
    as_of: dt.date,
) -> list[tuple[int, ...]]:
    """Sheet rows holding each due record (empty for records that are not due).

    - A pending report P holds every other record R of the same person whose effective date
      is after P's reported date (R is retained on P's date): the committee needs the
      person's history while it decides.
    - A record N that needs attention holds every other record of the same person,
      whatever the dates: N could not be read, so nobody knows what it implies (it may be a
      pending report, or a violation that would extend the others). Being careful, the
      person's records wait until the committee fixes N.

    Holds are computed on effective dates (after overrides) and matter only for records that
    are due.
    """
    problems, reported, sheet_rows = records.problems, records.reported, records.row
    unreadable = list(compress(range(len(records)), problems))
    attention: dict[int, list[int]] = {}
    for index in unreadable:
        attention.setdefault(persons[index], []).append(sheet_rows[index])
    pending: dict[int, list[tuple[dt.date, int]]] = {}
    for index in set(positions(records.outcome, None)).difference(unreadable):
        report = (_known(reported[index]), sheet_rows[index])
        pending.setdefault(persons[index], []).append(report)
    for reports in pending.values():
        reports.sort()

    held_by: list[tuple[int, ...]] = [()] * len(records)
    holding = pending.keys() | attention.keys()
    # Only the records of a person with a pending or unreadable record can be held (few).
    for index in [i for i, person in enumerate(persons) if person in holding]:
        date = effective[index]
        if not isinstance(date, dt.date) or date > as_of or problems[index]:
            continue
        person = persons[index]
        reports = pending.get(person, [])
        by_pending = [row for day, row in reports[: bisect_left(reports, (date,))]]
        by_attention = attention.get(person, [])
        rows = [row for row in by_pending + by_attention if row != sheet_rows[index]]
        held_by[index] = tuple(sorted(rows))
    return held_by


def hold_rule(unreadable: Collection[int], rows: Sequence[int]) -> str:
    """The rule text of a record held by ``rows`` (sheet rows); ``unreadable``: the sheet rows
    of the records that need attention (the others holding it are pending reports)."""
    pending = [row for row in rows if row not in unreadable]
    attention = [row for row in rows if row in unreadable]
    parts = []
    if pending:
        noun = "pending report at row" if len(pending) == 1 else "pending reports at rows"
        parts.append(f"{noun} {_rows(pending)}")
    if attention:
        verb = "row {} needs attention" if len(attention) == 1 else "rows {} need attention"
        parts.append(verb.format(_rows(attention)))
    return "held: " + "; ".join(parts)


def _rows(rows: Sequence[int], most: int = 10) -> str:
    """``4, 7, 9``; a long list is cut (``Decision.held_by`` has every row)."""
    text = ", ".join(str(row) for row in rows[:most])
    return text if len(rows) <= most else f"{text} and {len(rows) - most} more"


# --------------------------------------------------------------------------- 6. action


def actions(
    records: Records,
    dates: Sequence[ExpungeOn],
    held_by: Sequence[Sequence[int]],
    as_of: dt.date,
) -> list[Action]:
    """What to do today with each record, given its effective date and the rows holding it.

    - needs attention: never blanked;
    - not due (date after ``as_of``, "never", "pending"): retain. A record due today
      (date == as_of) is expunged today;
    - due and held: hold;
    - due, actor not identified: expunge the reporter cells (done when they are expunged);
    - due: expunge the reporter and subject cells (done when all are expunged).

    One comprehension over all the records, whether a date is due looked up once per
    distinct date: a call per record was a tenth of deciding 100,000 records (SPEC 6).
    """
    due = {date: isinstance(date, dt.date) and date <= as_of for date in set(dates)}
    unidentified = Outcome.UNIDENTIFIED
    attention, retain, hold = Action.NEEDS_ATTENTION, Action.RETAIN, Action.HOLD
    done, expunge, expunge_reporter = Action.DONE, Action.EXPUNGE, Action.EXPUNGE_REPORTER
    # fmt: off
    return [
        attention if problems
        else retain if not due[date]
        else hold if held
        else (done if reporter_expunged else expunge_reporter)
        if outcome is unidentified
        else (done if reporter_expunged and subject_expunged else expunge)
        for problems, outcome, reporter_expunged, subject_expunged, date, held in zip(
            records.problems,
            records.outcome,
            records.reporter_expunged,
            records.subject_expunged,
            dates,
            held_by,
            strict=True,
        )
    ]
    # fmt: on


def decide(records: Sequence[Record], retention: RetentionConfig, as_of: dt.date) -> Decisions:
    """One decision per record, in the order given. Independent of row order otherwise."""
    with cyclic_gc_paused():  # see there: 100,000 rows (SPEC 6)
        return _decide(Records.of(records), retention, as_of)


def _decide(records: Records, retention: RetentionConfig, as_of: dt.date) -> Decisions:
    # Rule by rule over all the records' columns, each rule visiting only the records it can
    # change (most records: none but the first): 100,000 records (SPEC 6).
    count = len(records)
    rows = records.row
    persons = person_indices(records.identifiers)
    dates, rules = base_dates(records, retention)  # 1. base date
    floored = written_dates(records, dates)  # 2. written date: a floor, before 3
    retained: dict[int, tuple[dt.date, dt.date]] = {}
    extended_by = repeat_offence(records, dates, persons, retention, floored, retained)  # 3.
    extended_rows: list[int | None] = [None] * count  # the row of the violation, if any
    extension_rules: dict[int, str] = {}  # violation → its rule text
    for index in compress(range(count), map(operator.is_not, extended_by, repeat(None))):
        violation = extended_by[index]
        assert violation is not None
        if violation not in extension_rules:
            extension_rules[violation] = repeat_offence_rule(records[violation], retention)
        rules[index] += "; " + extension_rules[violation]
        extended_rows[index] = rows[violation]

    # The floor's rule text where it decides the date, after any extension the policy alone
    # gives (``repeat_offence`` left those records in ``floored``, with the date it gives).
    # One text per date (thousands of records in a large sheet, a few hundred dates).
    floor_rules: dict[dt.date, str] = {}
    for index, alone in floored.items():
        assert _floor(records.written[index], bool(records.problems[index]), alone) is not None
        text = floor_rules.get(alone)
        if text is None:
            text = floor_rules[alone] = floor_rule(alone)
        rules[index] += "; " + text
    for index, (floor, alone) in retained.items():  # the floor is in effect there too
        rules[index] += "; " + retained_rule(floor, alone)

    # 4. overrides
    override, outcome, problems = records.override, records.outcome, records.problems
    for index in compress(range(count), map(operator.is_not, override, repeat(None))):
        dates[index], override_rule = _override(
            override[index], outcome[index], bool(problems[index]), dates[index]
        )
        if override_rule is not None:
            rules[index] += "; " + override_rule

    held_by = holds(records, dates, persons, as_of)  # 5. holds
    held = list(compress(range(count), held_by))
    if held:
        unreadable = set(compress(rows, records.problems))
        for index in held:
            rules[index] += "; " + hold_rule(unreadable, held_by[index])

    found_actions = actions(records, dates, held_by, as_of)  # 6. action
    return Decisions(
        record=records,
        expunge_on=tuple(dates),
        action=tuple(found_actions),
        rule=tuple(rules),
        held_by=tuple(held_by),
        extended_by=tuple(extended_rows),
        person=tuple(first_rows(persons, rows)),
    )


class _DecisionBuilder:
    """``_DecisionBuilder(...)`` is ``Decision(...)`` with every field given, quicker: built by
    the thousand (``Decisions``). How and why: see ``records._RecordBuilder``."""

    __slots__ = Decision.__slots__

    def __init__(
        self,
        record: Record,
        expunge_on: ExpungeOn,
        action: Action,
        rule: str,
        held_by: tuple[int, ...],
        extended_by: int | None,
        person: int | None,
    ) -> None:
        self.record = record
        self.expunge_on = expunge_on
        self.action = action
        self.rule = rule
        self.held_by = held_by
        self.extended_by = extended_by
        self.person = person
        self.__class__ = Decision  # type: ignore[assignment]


check_builder(_DecisionBuilder, Decision)
# ``make_decision(...)``: a Decision (see ``_DecisionBuilder``).
make_decision = cast(Callable[..., Decision], _DecisionBuilder)


@dataclass(frozen=True)
class Decisions(Columns[Decision]):
    """``decide``'s result: one decision per record, as columns (see ``records.Columns``):
    ``decisions.action`` holds every action, ``decisions.record`` the records (as
    ``Records``); ``decisions[i]`` is the i-th ``Decision``."""

    _build = staticmethod(make_decision)

    record: Records
    expunge_on: tuple[ExpungeOn, ...]
    action: tuple[Action, ...]
    rule: tuple[str, ...]
    held_by: tuple[tuple[int, ...], ...]
    extended_by: tuple[int | None, ...]
    person: tuple[int | None, ...]

    @classmethod
    def of(cls, decisions: Iterable[Decision]) -> Decisions:
        """Decisions (built one by one, say) as columns; ``Decisions`` as they are."""
        if isinstance(decisions, Decisions):
            return decisions
        listed = tuple(decisions)
        records = Records.of(d.record for d in listed)
        return cls(records, *(tuple(map(attrgetter(f.name), listed)) for f in fields(Decision)[1:]))

    def where(self, action: Action) -> list[Decision]:
        """The decisions of this action, in order."""
        return self.at(positions(self.action, action))

    def at_rows(self, rows: Iterable[int]) -> dict[int, Decision]:
        """Sheet row → its decision, for these rows (those decided)."""
        wanted = set(rows)
        sheet_rows = self.record.row
        found = compress(range(len(sheet_rows)), map(wanted.__contains__, sheet_rows))
        return {decision.record.row: decision for decision in self.at(found)}


assert tuple(f.name for f in fields(Decisions)) == tuple(f.name for f in fields(Decision))
