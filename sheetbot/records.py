"""A plain table of cells → ``Record``s (dates, outcome, identifiers) and problems. Pure code.

Reading is careful in one direction: a value that cannot be read with certainty becomes a
``Problem`` (the record then *needs attention* and is never blanked), never a guess. A
``Problem`` names the row, the configured header and a reason, never the cell's value: the
value could be personal data.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, Literal

from dateutil import parser as date_parser

from sheetbot.config import Config, DateOrder, column_roles, normalise_header
from sheetbot.errors import SheetError
from sheetbot.table import Cell, Table, date_to_serial, serial_to_date


class Outcome(StrEnum):
    """The five outcome types of the policy; the JSON report uses these values."""

    NO_VIOLATION = "no-violation"
    UNIDENTIFIED = "unidentified"
    RESOLVED = "resolved"
    FLAGGED = "flagged"
    BANNED = "banned"


VIOLATIONS = frozenset({Outcome.RESOLVED, Outcome.FLAGGED, Outcome.BANNED})

Permanent = Literal["permanent"]
Keep = Literal["keep"]


@dataclass(frozen=True)
class Problem:
    """Why a record needs attention. Never holds a cell's value (it could be personal data)."""

    row: int  # sheet row number
    column: str  # the configured header
    reason: str  # e.g. "not a date", "not one of the configured outcome labels"


@dataclass(frozen=True)
class ColumnMap:
    """0-based column index of every configured header found in the header row."""

    reported: int
    outcome: int
    ban_until: int | None
    reporter: tuple[int, ...]
    subject: tuple[int, ...]
    expunge_on: int
    override: int | None
    expunged_on: int | None

    @property
    def pii(self) -> tuple[int, ...]:
        return self.reporter + self.subject


# ``slots=True``: planning builds one Record per row (100,000 for a large sheet, SPEC 6), and a
# slotted instance is smaller and quicker to build and read.
@dataclass(frozen=True, slots=True)
class Record:
    row: int  # sheet row number
    reported: dt.date | None  # None only when unreadable (then ``problems`` says so)
    outcome: Outcome | None  # None = pending (empty cell) or unreadable (see problems)
    ban_end: dt.date | Permanent | None
    override: dt.date | Keep | None
    # Normalised subject identifiers; empty once subjects expunged. Personal data: never shown.
    identifiers: frozenset[str] = field(repr=False)
    reporter_expunged: bool  # every reporter cell empty or the redaction text
    subject_expunged: bool  # every subject cell empty or the redaction text
    problems: tuple[Problem, ...] = ()
    # The date the expunge_on cell already holds (the bot wrote it, or the committee did):
    # a floor, so that terms only ever grow. None when empty, a keyword, or unreadable.
    written: dt.date | None = None

    @property
    def needs_attention(self) -> bool:
        return bool(self.problems)

    @property
    def pending(self) -> bool:
        return self.outcome is None and not self.problems


def slot_setters(cls: type) -> list[Callable[[object, Any], None]]:
    """The setters of a frozen slots dataclass's fields, in ``dataclasses.fields`` order.

    Why: a frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``
    (about 1 µs for a Record), and planning builds a Record and a Decision for each of
    100,000 rows (SPEC 6). ``make_record`` (and ``policy.make_decision``) set the slots
    directly instead: the very same instance (equal, same hash and repr) in half the time.
    """
    assert "__slots__" in cls.__dict__
    assert not hasattr(cls, "__post_init__")
    return [getattr(cls, f.name).__set__ for f in fields(cls)]


_RECORD_SETTERS = slot_setters(Record)
assert [f.name for f in fields(Record)] == [
    "row", "reported", "outcome", "ban_end", "override", "identifiers",
    "reporter_expunged", "subject_expunged", "problems", "written",
]  # fmt: skip


def make_record(
    row: int,
    reported: dt.date | None,
    outcome: Outcome | None,
    ban_end: dt.date | Permanent | None,
    override: dt.date | Keep | None,
    identifiers: frozenset[str],
    reporter_expunged: bool,
    subject_expunged: bool,
    problems: tuple[Problem, ...],
    written: dt.date | None,
) -> Record:
    """``Record(...)`` with every field given, in half the time (see ``slot_setters``)."""
    record: Record = object.__new__(Record)
    s = _RECORD_SETTERS
    s[0](record, row)
    s[1](record, reported)
    s[2](record, outcome)
    s[3](record, ban_end)
    s[4](record, override)
    s[5](record, identifiers)
    s[6](record, reporter_expunged)
    s[7](record, subject_expunged)
    s[8](record, problems)
    s[9](record, written)
    return record


# Reasons of a Problem (fixed texts: they never quote the cell).
EMPTY = "empty"
NOT_A_DATE = "not a date"
UNKNOWN_OUTCOME = "not one of the configured outcome labels (see [outcomes])"
NO_BAN_END = 'a banned record needs a ban end date or "permanent"'
BAD_OVERRIDE = 'not a date or "keep"'

PERMANENT_WORDS = frozenset({"permanent", "indefinite"})
KEEP_WORD = "keep"


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while planning builds its objects.

    Why: planning a 100,000-row sheet (SPEC 6) builds hundreds of thousands of objects that
    live until the plan is done, and each few hundred of them trigger a collection that walks
    the young objects, and now and then every object of the process (the snapshot too): a
    quarter of planning's time. Planning makes no reference cycles, so nothing is held back:
    its garbage is freed by reference counting as usual. Collection resumes afterwards
    (unless the caller had paused it already).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------- columns


def find_columns(headers: tuple[object, ...], config: Config) -> ColumnMap:
    """Locate every configured header (trimmed, case-insensitive), in any order.

    Raises SheetError naming every missing required header, or a configured header found
    twice. Optional headers (``ban_until``, ``override``, ``expunged_on``) that are configured
    but absent map to None, as do those configured as "". Unconfigured duplicate headers are
    fine: the bot never reads them.
    """
    found: dict[str, list[int]] = {}
    for index, cell in enumerate(headers):
        text = cell_text(cell) if isinstance(cell, str | int | float | None) else str(cell)
        key = normalise_header(text)
        if key:
            found.setdefault(key, []).append(index)

    optional = {"ban_until", "override", "expunged_on"}
    missing: list[str] = []
    twice: list[str] = []
    index_of: dict[str, int | None] = {}
    for role, header in column_roles(config.columns):
        places = found.get(normalise_header(header), [])
        if not places:
            index_of[header] = None
            if role not in optional:
                missing.append(f'no column "{header}" (columns.{role})')
        elif len(places) > 1:
            letters = " and ".join(column_letter(i) for i in places)
            twice.append(f'column "{header}" (columns.{role}) twice, in {letters}')
        else:
            index_of[header] = places[0]
    if missing or twice:
        row = config.spreadsheet.header_row
        raise SheetError(f"header row {row} has " + "; ".join(missing + twice))

    cols = config.columns

    def required(header: str) -> int:
        index = index_of[header]
        assert index is not None  # checked above
        return index

    def optional_index(header: str) -> int | None:
        return index_of.get(header) if header else None

    return ColumnMap(
        reported=required(cols.reported),
        outcome=required(cols.outcome),
        ban_until=optional_index(cols.ban_until),
        reporter=tuple(required(h) for h in cols.reporter),
        subject=tuple(required(h) for h in cols.subject),
        expunge_on=required(cols.expunge_on),
        override=optional_index(cols.override),
        expunged_on=optional_index(cols.expunged_on),
    )


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (the column as the committee sees it)."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --------------------------------------------------------------------------- dates

# Territories whose locales write the month first (CLDR short dates M/d/y): the United States,
# its territories, and the Philippines.
_MONTH_FIRST_TERRITORIES = frozenset({"US", "PH", "AS", "GU", "MP", "PR", "UM", "VI"})
# Languages whose locales write the year first (CLDR short dates y/M/d).
_YEAR_FIRST_LANGUAGES = frozenset({"zh", "ja", "ko", "hu", "lt", "mn"})


def default_date_order(locale: str) -> DateOrder:
    """The date order of a spreadsheet locale such as ``en_US``, ``de_DE``, ``ja_JP``.

    - month first (MDY): locales of the United States, its territories (``es_US``,
      ``en_PR``, ``en_GU``, ...) and the Philippines (``en_PH``, ``fil_PH``);
    - year first (YMD): Chinese, Japanese, Korean, Hungarian, Lithuanian, Mongolian;
    - every other locale: day first (DMY).

    An empty or unrecognised locale (Google did not say) is read as DMY, the order of most
    of the world. This is a guess: a committee whose text dates are month-first must set
    ``spreadsheet.date_order``. Dates typed into Sheets arrive as serial numbers and are never
    affected; only dates typed as text are.
    """
    text = locale.strip().replace("-", "_").split(".")[0].split("@")[0]
    language, _, territory = text.partition("_")
    if territory.upper() in _MONTH_FIRST_TERRITORIES:
        return "MDY"
    if language.lower() in _YEAR_FIRST_LANGUAGES:
        return "YMD"
    return "DMY"


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# ``5/3/2025``, ``05.03.2025``, ``05-03-2025``: the text dates committees type most. Read
# without dateutil (10x quicker); whatever this does not settle goes to dateutil.
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})", re.ASCII)
# Text that begins with a four-digit year is read year-month-day whatever the date order:
# dateutil would otherwise read "2025-03-04T10:00" as 3 April when ``dayfirst`` is set.
_YEAR_FIRST_TEXT = re.compile(r"^\d{4}(?:[-/. ]|\d{4}(?:$|\D))")
_MAX_SERIAL = date_to_serial(dt.date.max)
# Two defaults that differ in year, month and day: a text that leaves any of them out parses
# to two different dates and is rejected ("March 2025" is not a date).
_DEFAULTS = (dt.datetime(2001, 1, 1), dt.datetime(2002, 2, 2))


class NotADate(ValueError):
    """A cell that was not empty but is not a whole date."""


def parse_date(cell: Cell, date_order: DateOrder) -> dt.date | None:
    """A cell → a date; None when empty. Raises NotADate when the cell is not a whole date.

    Numbers are Sheets serial dates (days since 1899-12-30); text is ``YYYY-MM-DD`` or any
    full date python-dateutil reads, ambiguous day/month in ``date_order``. A date and time
    is taken as its date. Booleans and partial dates ("March 2025") are not dates.
    """
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise NotADate
    if isinstance(cell, int | float):
        if not math.isfinite(cell) or cell < 1 or cell >= _MAX_SERIAL + 1:
            raise NotADate
        return serial_to_date(cell)
    text = cell.strip()
    if not text:
        return None
    if _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise NotADate from None
    return _numeric_date(text, date_order) or _parse_text_date(text, date_order)


def _numeric_date(text: str, date_order: DateOrder) -> dt.date | None:
    """``d/m/yyyy`` (DMY) or ``m/d/yyyy`` (MDY) read as dateutil reads it; None: ask dateutil.

    Only a valid date in the configured order is settled here. Anything else (a first part
    above 12 in MDY, which dateutil reads day first; 31/02; YMD order) is left to dateutil.
    """
    match = _NUMERIC_DATE.fullmatch(text)
    if match is None or date_order == "YMD":
        return None
    first, _, second, year = match.groups()
    day, month = (first, second) if date_order == "DMY" else (second, first)
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _parse_text_date(text: str, date_order: DateOrder) -> dt.date:
    if _YEAR_FIRST_TEXT.match(text):
        date_order = "YMD"
    results = []
    for default in _DEFAULTS:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. an unknown time zone name
                parsed = date_parser.parse(
                    text,
                    default=default,
                    dayfirst=date_order == "DMY",
                    yearfirst=date_order == "YMD",
                    fuzzy=False,
                )
        except (ValueError, OverflowError, TypeError):
            raise NotADate from None
        results.append(parsed.date())
    if results[0] != results[1]:
        raise NotADate  # a part of the date was missing and came from the default
    return results[0]


# --------------------------------------------------------------------------- identifiers

_SPLIT = re.compile(r"[,;\r\n\v\f\x85\u2028\u2029]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_MAILTO = "mailto:"


def normalise_identifier(text: str) -> str:
    """One identifier of a person, normalised so that spellings of the same address match.

    Case-folded and trimmed; ``mailto:``, a URL scheme (``https://``), a leading ``www.``,
    trailing ``/`` and a leading ``@`` of a handle are removed. ``"Mailto:Jo@Mail.Test"``,
    ``"https://www.example.org/jo/"`` → ``"jo@mail.test"``, ``"example.org/jo"``.
    An identifier without a letter or digit (``-``, ``?``) is a placeholder, not a person:
    it normalises to "" and is dropped.
    """
    value = text.casefold().strip()
    if value.startswith(_MAILTO):
        value = value[len(_MAILTO) :].strip()
    value = _SCHEME.sub("", value, count=1)
    if value.startswith("www."):
        value = value[4:]
    value = value.rstrip("/").strip()
    if value.startswith("@"):
        value = value[1:].strip()
    if not any(ch.isalnum() for ch in value):
        return ""
    return value


def split_identifiers(text: str) -> set[str]:
    """A subject cell → its normalised identifiers (split on commas, semicolons, line breaks)."""
    found = {normalise_identifier(part) for part in _SPLIT.split(text)}
    found.discard("")
    return found


# --------------------------------------------------------------------------- records


def cell_text(cell: Cell) -> str:
    """A cell as text (numbers without a spurious ``.0``)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def is_empty(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


_NO_IDENTIFIERS: frozenset[str] = frozenset()  # shared by every record without any


class _Reader:
    """Reads the rows of one table; caches what is costly to compute (labels, dates,
    identifiers): committees repeat the same dates, labels and people a lot, and a large
    sheet has 100,000 rows (SPEC 6)."""

    def __init__(self, columns: ColumnMap, config: Config, date_order: DateOrder) -> None:
        self.columns = columns
        self.headers = config.columns
        self.date_order = date_order
        self.labels: dict[str, Outcome] = {}
        outcomes = config.outcomes
        for outcome, labels in (
            (Outcome.NO_VIOLATION, outcomes.no_violation),
            (Outcome.UNIDENTIFIED, outcomes.unidentified),
            (Outcome.RESOLVED, outcomes.resolved),
            (Outcome.FLAGGED, outcomes.flagged),
            (Outcome.BANNED, outcomes.banned),
        ):
            for label in labels:
                self.labels[label.strip().casefold()] = outcome
        self.redaction = config.retention.redaction_text.strip().casefold()
        self.redaction_identifier = normalise_identifier(self.redaction)
        self.outcome_cache: dict[str, Outcome | None] = {}
        # Text and serial-number dates alike; never a boolean (True == 1 would hit serial 1).
        self.date_cache: dict[Cell, dt.date | Literal[False] | None] = {}  # False: not a date
        self.identifier_cache: dict[str, frozenset[str]] = {}
        used = [columns.reported, columns.outcome, columns.expunge_on, *columns.pii]
        used += [c for c in (columns.ban_until, columns.override) if c is not None]
        self.width = max(used) + 1  # rows are padded to this many cells

    def date(self, cell: Cell) -> dt.date | None:
        """parse_date, with results cached."""
        if isinstance(cell, bool):
            return parse_date(cell, self.date_order)  # raises NotADate
        try:
            cached = self.date_cache[cell]
        except KeyError:
            try:
                cached = parse_date(cell, self.date_order)
            except NotADate:
                cached = False
            self.date_cache[cell] = cached
        if cached is False:
            raise NotADate
        return cached

    def outcome(self, cell: Cell) -> Outcome | None:
        """None = pending; raises KeyError for a label not in the configuration."""
        if cell is None:
            return None
        if not isinstance(cell, str):
            raise KeyError
        try:
            return self.outcome_cache[cell]
        except KeyError:
            pass
        key = cell.strip().casefold()
        result = None if not key else self.labels[key]
        self.outcome_cache[cell] = result
        return result

    def expunged(self, cell: Cell) -> bool:
        """An empty PII cell, or one that holds the redaction text, counts as expunged."""
        if cell is None:
            return True
        text = (cell if isinstance(cell, str) else cell_text(cell)).strip()
        return not text or (bool(self.redaction) and text.casefold() == self.redaction)

    def identifiers(self, cell: Cell) -> frozenset[str]:
        """The normalised identifiers of one live subject cell, without the redaction text."""
        text = cell_text(cell)
        try:
            return self.identifier_cache[text]
        except KeyError:
            pass
        found = split_identifiers(text)
        found.discard(self.redaction_identifier)
        self.identifier_cache[text] = result = frozenset(found)
        return result

    def record(self, cells: tuple[Cell, ...], row: int) -> Record:
        """The record of one row (``row``: its sheet row number)."""
        if len(cells) < self.width:  # Sheets omits trailing empty cells
            cells += (None,) * (self.width - len(cells))
        cols = self.columns
        headers = self.headers
        problems: list[Problem] = []

        reported: dt.date | None = None
        try:
            reported = self.date(cells[cols.reported])
            if reported is None:
                problems.append(Problem(row, headers.reported, EMPTY))
        except NotADate:
            problems.append(Problem(row, headers.reported, NOT_A_DATE))

        outcome: Outcome | None = None
        try:
            outcome = self.outcome(cells[cols.outcome])
        except KeyError:
            problems.append(Problem(row, headers.outcome, UNKNOWN_OUTCOME))

        ban_end: dt.date | Permanent | None = None
        if outcome is Outcome.BANNED:
            ban_end = self.ban_end(cells[cols.ban_until] if cols.ban_until is not None else None)
            if ban_end is None:
                problems.append(Problem(row, headers.ban_until or "columns.ban_until", NO_BAN_END))

        override: dt.date | Keep | None = None
        if cols.override is not None:
            value = cells[cols.override]
            if isinstance(value, str) and value.strip().casefold() == KEEP_WORD:
                override = "keep"
            else:
                try:
                    override = self.date(value)
                except NotADate:
                    problems.append(Problem(row, headers.override, BAD_OVERRIDE))

        live_subjects = self.live(cells, cols.subject)
        identifiers = _NO_IDENTIFIERS
        if live_subjects and outcome is not Outcome.UNIDENTIFIED:
            for value in live_subjects:
                identifiers |= self.identifiers(value)

        try:
            written = self.date(cells[cols.expunge_on])
        except NotADate:
            written = None  # the bot's own column: whatever stands there is overwritten

        return make_record(
            row,
            reported,
            outcome,
            ban_end,
            override,
            identifiers,
            not self.live(cells, cols.reporter),  # reporter_expunged
            not live_subjects,  # subject_expunged
            tuple(problems),
            written,
        )

    def live(self, cells: tuple[Cell, ...], columns: tuple[int, ...]) -> list[Cell]:
        """The PII cells at ``columns`` that are not expunged (see ``expunged``)."""
        # None and "" (most PII cells of a settled sheet) are expunged without a call.
        return [
            cell
            for cell in [cells[c] for c in columns]
            if cell is not None and cell != "" and not self.expunged(cell)
        ]

    def ban_end(self, cell: Cell) -> dt.date | Permanent | None:
        """A date, or ``permanent`` / ``indefinite``; None when empty or unreadable."""
        if isinstance(cell, str) and cell.strip().casefold() in PERMANENT_WORDS:
            return "permanent"
        try:
            return self.date(cell)
        except NotADate:
            return None


def read_records(
    table: Table, columns: ColumnMap, config: Config, date_order: DateOrder
) -> tuple[Record, ...]:
    """One Record per non-empty row, in sheet order; fully empty rows are skipped.

    A row is fully empty when every cell is empty or white space (Sheets omits trailing
    empty cells, so short rows are normal).
    """
    reader = _Reader(columns, config, date_order)
    first = table.sheet_row(0)
    with cyclic_gc_paused():
        return tuple(
            reader.record(cells, first + index)
            for index, cells in enumerate(table.rows)
            if not _is_blank(cells)
        )


def _is_blank(cells: tuple[Cell, ...]) -> bool:
    """Every cell empty or white space (``is_empty``), without a call per cell."""
    for cell in cells:
        if cell is not None and (not isinstance(cell, str) or cell.strip()):
            return False
    return True
