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
import operator
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import cached_property
from itertools import compress, islice, repeat, zip_longest
from operator import attrgetter
from typing import Any, ClassVar, Literal, TypeVar, cast, overload

from dateutil import parser as date_parser

from sheetbot.config import Config, DateOrder, column_roles, normalise_header
from sheetbot.errors import SheetError
from sheetbot.table import (
    FIRST_DAY,
    SERIAL_EPOCH,
    Cell,
    Table,
    date_to_serial,
    serial_to_date,
)


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


# ``slots=True``: a Record is built from the columns (``Records``) for each row a run writes,
# and for every row a caller iterates over (the JSON report: 100,000 for a large sheet, SPEC 6);
# a slotted instance is smaller and quicker to build and read.
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


def check_builder(builder: type, cls: type) -> None:
    """Assert that ``builder`` can become a ``cls`` (see ``_RecordBuilder``): the same slots
    in the same order, which are ``cls``'s dataclass fields, and nothing run after init."""
    names = tuple(f.name for f in fields(cls))
    assert cls.__dict__["__slots__"] == builder.__dict__["__slots__"] == names
    assert not hasattr(cls, "__post_init__")


class _RecordBuilder:
    """``_RecordBuilder(...)`` is ``Record(...)`` with every field given, in a third of the time.

    Why: Records are built by the thousand (``Records``: the rows a run visits, and every row
    of the JSON report, 100,000 for a large sheet, SPEC 6), and a frozen dataclass's
    ``__init__`` sets each field through ``object.__setattr__`` (about 1 µs a Record). This
    class has exactly Record's slots, so its ``__init__`` fills them with plain
    attribute stores (CPython's quickest), and then turns the instance into the Record it is
    laid out as: ``__class__`` may be assigned between classes of the same layout. The result
    is an ordinary Record (equal, same hash and repr, frozen); ``check_builder`` asserts the
    layout at import, and a changed Record would make the assignment raise, never misplace.
    """

    __slots__ = Record.__slots__

    def __init__(
        self,
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
    ) -> None:
        self.row = row
        self.reported = reported
        self.outcome = outcome
        self.ban_end = ban_end
        self.override = override
        self.identifiers = identifiers
        self.reporter_expunged = reporter_expunged
        self.subject_expunged = subject_expunged
        self.problems = problems
        self.written = written
        self.__class__ = Record  # type: ignore[assignment]


check_builder(_RecordBuilder, Record)
# ``make_record(...)``: a Record (see ``_RecordBuilder``).
make_record = cast(Callable[..., Record], _RecordBuilder)


_Row = TypeVar("_Row")


class Columns(Sequence[_Row]):
    """Base of a frozen dataclass holding one tuple per field of a row type (``Record``,
    ``policy.Decision``), named after the field: item ``i`` is the row built from the ``i``-th
    of each, anew at each access (equal every time: the rows are frozen values).

    Why: planning a large sheet (SPEC 6) handles 100,000 records, and a run shows a few
    hundred of them. The rules read whole columns, and a row object is built only for the
    rows the plan writes, the report shows, or a caller iterates over (``of`` goes back).
    """

    _build: ClassVar[Callable[..., Any]]  # the row type's constructor, every field given

    @cached_property
    def columns(self) -> tuple[Sequence[Any], ...]:
        """The columns, in the order of the row type's fields."""
        return tuple(getattr(self, column.name) for column in fields(cast(Any, self)))

    def __len__(self) -> int:
        return len(self.columns[0])

    @overload
    def __getitem__(self, index: int) -> _Row: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[_Row, ...]: ...

    def __getitem__(self, index: int | slice) -> _Row | tuple[_Row, ...]:
        if isinstance(index, slice):
            return tuple(map(self._build, *(column[index] for column in self.columns)))
        row: _Row = self._build(*[column[index] for column in self.columns])
        return row

    def __iter__(self) -> Iterator[_Row]:
        return map(self._build, *self.columns)

    def at(self, positions: Iterable[int]) -> list[_Row]:
        """The rows at ``positions``, built in that order."""
        listed = list(positions)
        return list(map(self._build, *(map(column.__getitem__, listed) for column in self.columns)))


@dataclass(frozen=True)
class Records(Columns[Record]):
    """The records of a table, in sheet order, as columns (see ``Columns``): ``records.row``
    holds the sheet row of every record, ``records.outcome`` every outcome, and so on;
    ``records[i]`` is the i-th ``Record``."""

    _build = staticmethod(make_record)

    row: tuple[int, ...]
    reported: tuple[dt.date | None, ...]
    outcome: tuple[Outcome | None, ...]
    ban_end: tuple[dt.date | Permanent | None, ...]
    override: tuple[dt.date | Keep | None, ...]
    identifiers: tuple[frozenset[str], ...] = field(repr=False)  # personal data: never shown
    reporter_expunged: tuple[bool, ...]
    subject_expunged: tuple[bool, ...]
    problems: tuple[tuple[Problem, ...], ...]
    written: tuple[dt.date | None, ...]

    @classmethod
    def of(cls, records: Iterable[Record]) -> Records:
        """Records (built one by one, say) as columns; ``Records`` as they are."""
        if isinstance(records, Records):
            return records
        listed = tuple(records)
        return cls(*(tuple(map(attrgetter(f.name), listed)) for f in fields(Record)))


assert tuple(f.name for f in fields(Records)) == tuple(f.name for f in fields(Record))


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
    (unless the caller had paused it already), with what was built moved to the oldest
    generation first, where the next collections would have moved it after walking it all
    (some 10 ms after reading 100,000 rows): ``gc.freeze`` then ``gc.unfreeze`` move it in
    constant time. Not when objects are frozen already: unfreezing would thaw them too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


# --------------------------------------------------------------------------- columns


def find_columns(headers: tuple[object, ...], config: Config) -> ColumnMap:
    """Locate every configured header (trimmed, case-insensitive), in any order.

    Raises SheetError naming every configured header that is missing, or found twice (SPEC 1).
    An optional column (``ban_until``, ``override``, ``expunged_on``) configured as "" maps to
    None; configured but absent, it is missing too. Why: a renamed "Retention override"
    column, read as no column, would drop every "keep" and blank what the committee kept; the
    message says how to go without one. Unconfigured duplicate headers are fine: the bot
    never reads them.
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
            without = '; set it to "" if the sheet has no such column' if role in optional else ""
            missing.append(f'no column "{header}" (columns.{role}{without})')
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
# ``24 November 2026``, ``5 Mar 2025``: a day, an English month name, a year from 1000. Read
# without dateutil too when the name is one of dateutil's; the day and year are then
# unambiguous in every date order (a four-digit year, a named month).
_WORDED_DATE = re.compile(r"(\d{1,2}) ([A-Za-z]+) ([1-9]\d{3})", re.ASCII)
_MONTH_NUMBERS = {
    name.lower(): number
    for number, names in enumerate(date_parser.parserinfo.MONTHS, start=1)
    for name in names
}
# Text that begins with a four-digit year is read year-month-day whatever the date order:
# dateutil would otherwise read "2025-03-04T10:00" as 3 April when ``dayfirst`` is set.
_YEAR_FIRST_TEXT = re.compile(r"^\d{4}(?:[-/. ]|\d{4}(?:$|\D))")
_MAX_SERIAL = date_to_serial(dt.date.max)
_SERIAL_EPOCH_ORDINAL = SERIAL_EPOCH.toordinal()  # serial n is date.fromordinal(this + n)
_FIRST_SERIAL = date_to_serial(FIRST_DAY)
# A number of four digits standing alone, but a time zone's offset (``-0800``, ``+0530``): in a
# text date it can only be its year. dateutil reads a second one as a time of day, and then a day
# as the year ("March 4-7, 2025" is 4 March 2007 to it; "4-7 March", 4 March 2004), so the
# year read must be written: the one such number when there is one, else its last two digits.
_FOUR_DIGITS = re.compile(r"(?<![\d+-])\d{4}(?!\d)|(?<=[+-])(?!(?:0\d|1[0-4])[0-5]\d)\d{4}(?!\d)")
_FULL_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")  # a text date that has it writes its year out
# Two defaults that differ in year, month and day: a text that leaves any of them out parses
# to two different dates and is rejected ("March 2025" is not a date).
_DEFAULTS = (dt.datetime(2001, 1, 1), dt.datetime(2002, 2, 2))


class NotADate(ValueError):
    """A cell that was not empty but is not a whole date."""


def parse_date(cell: Cell, date_order: DateOrder) -> dt.date | None:
    """A cell → a date; None when empty. Raises NotADate when the cell is not a whole date.

    Numbers are Sheets serial dates (days since 1899-12-30); text is ``YYYY-MM-DD`` or any
    full date python-dateutil reads, ambiguous day/month in ``date_order``. A date and time
    is taken as its date. Booleans, partial dates ("March 2025") and dates before
    ``FIRST_DAY`` (2000-01-01: a number typed as a date, "3/4/202") are not dates.
    """
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise NotADate
    if isinstance(cell, int | float):
        if not math.isfinite(cell) or cell < _FIRST_SERIAL or cell >= _MAX_SERIAL + 1:
            raise NotADate
        return serial_to_date(cell)
    text = cell.strip()
    if not text:
        return None
    if _ISO_DATE.match(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise NotADate from None
    else:
        day = _numeric_date(text, date_order) or _parse_text_date(text, date_order)
    if day < FIRST_DAY:  # "3/4/202" is a digit left out, not the year 202
        raise NotADate
    return day


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


def _worded_date(text: str) -> dt.date | None:
    """``d Month yyyy`` read as dateutil reads it; None: ask dateutil.

    Checked identical to dateutil on every day 0..33 (padded or not) of every month name (in
    three cases, and near misses), years 0..9999, in all three date orders.
    """
    match = _WORDED_DATE.fullmatch(text)
    if match is None:
        return None
    day, name, year = match.groups()
    month = _MONTH_NUMBERS.get(name.lower())
    if month is None:
        return None
    try:
        return dt.date(int(year), month, int(day))
    except ValueError:
        return None


def _parse_text_date(text: str, date_order: DateOrder) -> dt.date:
    worded = _worded_date(text)  # quicker than dateutil, and the same (see there)
    if worded is not None:
        return worded
    if _YEAR_FIRST_TEXT.match(text):
        date_order = "YMD"
    elif date_order == "YMD" and _FULL_YEAR.search(text):
        # The year written out, but not first: year-month-day does not say which of the two
        # others is the day. Read only when both say the same ("13/04/2025").
        day_first = _parse_text_date(text, "DMY")
        if _parse_text_date(text, "MDY") != day_first:
            raise NotADate
        return day_first
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
        except (ValueError, ArithmeticError, TypeError):  # ArithmeticError: decimal, overflow
            raise NotADate from None
        results.append(parsed.date())
    if results[0] != results[1]:
        raise NotADate  # a part of the date was missing and came from the default
    year = results[0].year
    written = _FOUR_DIGITS.findall(text)
    if (list(map(int, written)) != [year]) if written else (f"{year % 100:02d}" not in text):
        raise NotADate  # a day range, two dates, no year: which day is meant is not certain
    return results[0]


# --------------------------------------------------------------------------- identifiers

_SPLIT = re.compile(r"[,;\r\n\v\f\x85\u2028\u2029]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_MAILTO = "mailto:"
_ALNUM = re.compile(r"[^\W_]")  # exactly the characters of ``str.isalnum`` (\w less "_")


# Characters nobody sees (zero-width spaces and joiners, a soft hyphen, a byte order mark),
# which a copy from a web page or a chat leaves in text.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def _canonical(text: str) -> str:
    """``text`` case-folded; beyond ASCII, also without invisible characters and in Unicode's
    compatibility form (NFKC). Why: "José" typed with a combining accent, "ｊｏ" in full-width
    letters or an address with a zero-width space in it must link to the spelling the next
    record uses, or a repeat offence is missed and the earlier record blanked too early.

    NFKC again after the case-fold: folding can leave text that is not in that form ("ß"
    becomes "ss", which then composes with an accent after it; "İ" becomes "i" and a dot that
    may stand out of order before another mark), and a second reading must give the same.
    """
    if text.isascii():
        return text.casefold()
    folded = unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).casefold()
    return unicodedata.normalize("NFKC", folded)


def normalise_identifier(text: str) -> str:
    """One identifier of a person, normalised so that spellings of the same address match.

    Case-folded (``_canonical``) and trimmed; ``mailto:``, a URL scheme (``https://``), a
    leading ``www.``, trailing ``/`` and a leading ``@`` of a handle are removed.
    ``"Mailto:Jo@Mail.Test"``, ``"https://www.example.org/jo/"`` → ``"jo@mail.test"``,
    ``"example.org/jo"``.
    An identifier without a letter or digit (``-``, ``?``) is a placeholder, not a person:
    it normalises to "" and is dropped.
    """
    value = _canonical(text).strip()
    if value.startswith(_MAILTO):
        value = value[len(_MAILTO) :].strip()
    if "://" in value:  # a quick test first: the scheme's regex costs more (SPEC 6)
        value = _SCHEME.sub("", value, count=1)
    if value.startswith("www."):
        value = value[4:]
    value = value.rstrip("/").strip()
    if value.startswith("@"):
        value = value[1:].strip()
    if not _ALNUM.search(value):  # no ``ch.isalnum()``: the regex runs in C
        return ""
    return value


def split_identifiers(text: str) -> set[str]:
    """A subject cell → its normalised identifiers (split on commas, semicolons, line breaks).

    A part that is an address as an e-mail program writes it, ``Jo Bloggs <jo@mail.test>``,
    and nothing more (``_NAME_ADDRESS``), also gives the name and the address, so that the
    record links to those giving only one of them. Only added: the part itself is still an
    identifier, so every link the part made before it still makes. Nothing more in the part:
    text after the address (``<jo@mail.test> (speaker)``) would be an identifier of its own,
    shared by other people.
    """
    text = _canonical(text)  # first: a full-width comma is a comma
    if not _SPLIT.search(text) and "<" not in text:  # one identifier (most cells) (SPEC 6)
        identifier = normalise_identifier(text)
        return {identifier} if identifier else set()
    found = set()
    for part in _SPLIT.split(text):
        found.add(normalise_identifier(part))
        name_address = _NAME_ADDRESS.fullmatch(part)
        if name_address is not None:
            found.update(map(normalise_identifier, name_address.groups()))
    found.discard("")
    return found


# ``Name <address>``, the whole of one part of a subject cell (no separator of ``_SPLIT`` in it):
# why, see ``split_identifiers``. Group 1: the name (empty in ``<jo@mail.test>``); group 2: the
# address between the angle brackets.
_NAME_ADDRESS = re.compile(r"([^<>]*?)\s*<([^<>]+)>\s*")


# One identifier, case-folded, that ``normalise_identifier`` only strips of a prefix and of
# trailing slashes and white space. Why: a large sheet has tens of thousands of distinct subject
# cells (SPEC 6); this regex reads most of them in C (``_Reader._identifiers``), the others go
# through ``split_identifiers``. Group 1 right-stripped of white space, of slashes, then of
# white space again is its normal form, because the match is, in this order:
# - white space other than a line break (the ``strip`` of ``normalise_identifier``);
# - at most one prefix, in the order that removes them: ``mailto:``; a URL scheme as ``_SCHEME``
#   matches it (its run of scheme characters is followed by ``://`` only whole) but not
#   ``mailto://`` (that loses ``mailto:`` instead), then maybe ``www.``; ``www.``; ``@``;
# - group 1: starts with a letter or digit, not ``www.`` (nothing more to remove at its start,
#   and it is no placeholder); holds no colon (no scheme, no ``mailto:`` left), no separator
#   of ``_SPLIT`` (comma, semicolon, line break: one identifier, as a separator case-folds to
#   itself) and no ``<`` (no ``Name <address>``, ``_NAME_ADDRESS``).
# tests/test_records.py checks it against ``split_identifiers`` on tricky and random cells.
_LINE_BREAKS = r"\r\n\v\f\x85\u2028\u2029"
_PLAIN_IDENTIFIER = re.compile(
    rf"[^\S{_LINE_BREAKS}]*+"
    r"(?:mailto:|(?!mailto:)[a-z][a-z0-9+.-]*+://(?:www\.)?|www\.|@)?"
    rf"(?!www\.)([^\W_][^:,;<{_LINE_BREAKS}]*+)"
)


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


_T = TypeVar("_T")
_NO_IDENTIFIERS: frozenset[str] = frozenset()  # shared by every record without any


class _Expunged(frozenset[str]):
    """The type of ``_EXPUNGED``: an empty set of identifiers that no other set is."""


_EXPUNGED: frozenset[str] = _Expunged()  # an expunged subject cell's (``_Reader._subjects``)


class _Reader:
    """Reads the rows of one table, one configured column at a time (see ``read``).

    Caches what is costly to compute (labels, dates, identifiers) by cell value: committees
    repeat the same dates, labels and people a lot, and a large sheet has 100,000 rows
    (SPEC 6).
    """

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
        # The redaction text is not a person: none of the identifiers it reads as (one, or
        # three for a redaction text such as "Removed <none>") is one.
        self.redaction_identifiers = frozenset(split_identifiers(self.redaction))
        # Cell value → result, one cache per kind of reading (see ``_each``).
        self.date_cache: dict[Cell, dt.date | Literal[False] | None] = {}  # False: not a date
        self.outcome_cache: dict[Cell, Outcome | Literal[False] | None] = {}  # False: unknown
        self.override_cache: dict[Cell, dt.date | Keep | Literal[False] | None] = {}
        self.ban_cache: dict[Cell, dt.date | Permanent | None] = {}
        self.identifier_cache: dict[Cell, frozenset[str]] = {}  # expunged: ``_EXPUNGED``
        used = [columns.reported, columns.outcome, columns.expunge_on, *columns.pii]
        used += [c for c in (columns.ban_until, columns.override) if c is not None]
        self.width = max(used) + 1  # the table is read this many columns wide

    # ------------------------------------------------------------------ one cell

    def date(self, cell: Cell) -> dt.date | Literal[False] | None:
        """parse_date: a date, None when empty, False when not a date."""
        try:
            return parse_date(cell, self.date_order)
        except NotADate:
            return False

    def outcome(self, cell: Cell) -> Outcome | Literal[False] | None:
        """None = pending (empty); False = not one of the configured labels."""
        if cell is None:
            return None
        if not isinstance(cell, str):
            return False
        key = cell.strip().casefold()
        if not key:
            return None
        return self.labels.get(key, False)

    def override(self, cell: Cell) -> dt.date | Keep | Literal[False] | None:
        """The override column: ``keep``, a date, None when empty; False when neither."""
        if isinstance(cell, str) and cell.strip().casefold() == KEEP_WORD:
            return "keep"
        return self.date(cell)

    def ban_end(self, cell: Cell) -> dt.date | Permanent | None:
        """A date, or ``permanent`` / ``indefinite``; None when empty or unreadable."""
        if isinstance(cell, str) and cell.strip().casefold() in PERMANENT_WORDS:
            return "permanent"
        return self.date(cell) or None  # False (not a date) → None

    def expunged(self, cell: Cell) -> bool:
        """An empty PII cell, or one that holds the redaction text, counts as expunged."""
        if cell is None:
            return True
        text = (cell if isinstance(cell, str) else cell_text(cell)).strip()
        return not text or (bool(self.redaction) and text.casefold() == self.redaction)

    def identifiers(self, cell: Cell) -> frozenset[str]:
        """The normalised identifiers of one live subject cell, without the redaction text."""
        found = split_identifiers(cell_text(cell))
        found.difference_update(self.redaction_identifiers)
        return frozenset(found)

    # ------------------------------------------------------------------ whole columns

    @staticmethod
    def _each(
        cells: Sequence[Cell],
        cache: dict[Cell, _T],
        read: Callable[[Cell], _T],
        serial_dates: bool = False,
    ) -> list[_T]:
        """``[read(cell) for cell in cells]``, reading each distinct value once (``cache``).

        Why: a column holds a few thousand distinct values in 100,000 rows (SPEC 6); a set
        and a dict lookup per cell run in C. Booleans would share the dict key of the
        numbers 1 and 0 (``True == 1``: serial 1 is a date, ``TRUE`` is not), so a column
        holding a value equal to 0 or 1 is read cell by cell instead.

        ``serial_dates``: ``read`` reads a whole-number serial as its date (``parse_date``),
        as for most dates typed into Sheets; those are then read in bulk, in C.
        """
        distinct = set(cells)
        if 0 in distinct or 1 in distinct:
            return [read(cell) for cell in cells]
        new = distinct.difference(cache)
        if serial_dates:
            whole = [
                cell for cell in new if type(cell) is int and _FIRST_SERIAL <= cell <= _MAX_SERIAL
            ]
            days = map(dt.date.fromordinal, map(_SERIAL_EPOCH_ORDINAL.__add__, whole))
            cast(dict[Cell, object], cache).update(zip(whole, days, strict=True))
            new.difference_update(whole)
        for cell in new:
            cache[cell] = read(cell)
        return list(map(cache.__getitem__, cells))

    def _expunged(self, cells: Sequence[Cell]) -> list[bool]:
        """Per reporter cell: expunged (``expunged``).

        Like ``_each``: each distinct value is read once, and a column holding a value equal to
        0 or 1 (``True == 1``: ``TRUE`` is not ``1`` as text) is read cell by cell.
        """
        distinct = set(cells)
        if 0 in distinct or 1 in distinct:
            return [self.expunged(cell) for cell in cells]
        return list(map(self._expunged_values(distinct).__contains__, cells))

    def _expunged_values(self, values: set[Cell]) -> set[Cell]:
        """Those of ``values`` (distinct cells) that count as expunged (``expunged``).

        Why: a PII column holds tens of thousands of distinct values (SPEC 6): ``expunged``
        written out for text, without a call per value.
        """
        expunged = self.expunged
        redaction = self.redaction
        if redaction:
            return {
                value
                for value in values
                if (
                    (not (text := value.strip()) or text.casefold() == redaction)
                    if type(value) is str
                    else expunged(value)
                )
            }
        return {
            value
            for value in values
            if ((not value or value.isspace()) if type(value) is str else expunged(value))
        }

    def _subjects(self, cells: Sequence[Cell]) -> tuple[list[bool], list[frozenset[str]]]:
        """Per subject cell: expunged (``expunged``), and its identifiers (``identifiers``;
        none when expunged).

        Like ``_expunged``: each distinct value is read once, into ``identifier_cache``, or each
        cell when the column holds a value equal to 0 or 1. An expunged value is cached as
        ``_EXPUNGED``, an empty set told apart by its identity: one lookup per cell gives both.
        """
        distinct = set(cells)
        if 0 in distinct or 1 in distinct:
            expunged = [self.expunged(cell) for cell in cells]
            return expunged, [
                _NO_IDENTIFIERS if dead else self.identifiers(cell)
                for cell, dead in zip(cells, expunged, strict=True)
            ]
        cache = self.identifier_cache
        new = distinct.difference(cache)
        dead = self._expunged_values(new)
        cache.update(dict.fromkeys(dead, _EXPUNGED))
        new.difference_update(dead)
        # ASCII only: other texts have more to normalise (``_canonical``), as ``identifiers``.
        texts = [value for value in new if type(value) is str and value.isascii()]
        # Most cells are one plain identifier: see ``_PLAIN_IDENTIFIER`` for its normal form.
        # Step by step over all the texts, each step a ``map`` (in C): 30,000 distinct subject
        # texts in a large sheet (SPEC 6).
        matches = list(map(_PLAIN_IDENTIFIER.fullmatch, map(str.casefold, texts)))
        plain = list(compress(texts, matches))
        found = map(str.rstrip, map(operator.itemgetter(1), filter(None, matches)))
        found = map(str.rstrip, map(str.rstrip, found, repeat("/")))
        normal = list(found)
        cache.update(zip(plain, map(frozenset, zip(normal)), strict=True))  # {identifier}
        others = new.difference(plain)  # numbers, and texts not plain
        if self.redaction_identifiers:  # the redaction text is not a person
            others.update(compress(plain, map(self.redaction_identifiers.__contains__, normal)))
        for value in others:
            cache[value] = self.identifiers(value)
        identifiers = list(map(cache.__getitem__, cells))
        return list(map(operator.is_, identifiers, repeat(_EXPUNGED))), identifiers

    def read(self, rows: Sequence[tuple[Cell, ...]], first_row: int) -> Records:
        """The records of ``rows`` (``first_row``: the sheet row of ``rows[0]``).

        Read column by column rather than row by row: each configured column is one ``map``
        over cached readings, and the rare cases (problems, bans) are found by scans in C and
        visited alone. Why: a large sheet has 100,000 rows (SPEC 6), and a Python call per
        cell was most of the time planning took. The reading rules are the same as cell by
        cell; each is named below.
        """
        cols = self.columns
        headers = self.headers
        numbers: Sequence[int] = range(first_row, first_row + len(rows))  # sheet row numbers
        # Fully empty rows are skipped. Sheets sends one as an empty row, and those are left
        # out here, found by a scan in C; a row of white space only is left out at the end.
        empty = positions(rows, ())
        if empty:
            kept = [True] * len(rows)
            for position in empty:
                kept[position] = False
            rows, numbers = list(compress(rows, kept)), list(compress(numbers, kept))
        count = len(rows)
        # The table by column, transposed in C; Sheets omits trailing empty cells, and
        # ``zip_longest`` reads them as None.
        by_column: list[tuple[Cell, ...]] = list(islice(zip_longest(*rows), self.width))
        by_column += [(None,) * count] * (self.width - len(by_column))

        problems: dict[int, list[Problem]] = {}  # position → its problems, in column order

        def problem(position: int, header: str, reason: str) -> None:
            problems.setdefault(position, []).append(Problem(numbers[position], header, reason))

        # Reported: a date; empty or not a date is a problem.
        reported = self._each(
            by_column[cols.reported], self.date_cache, self.date, serial_dates=True
        )
        empty_reported = positions(reported, None)
        for position in empty_reported:
            problem(position, headers.reported, EMPTY)
        for position in positions(reported, False):
            problem(position, headers.reported, NOT_A_DATE)
            reported[position] = None

        # Outcome: empty is pending; a label not configured is a problem.
        outcomes = self._each(by_column[cols.outcome], self.outcome_cache, self.outcome)
        for position in positions(outcomes, False):
            problem(position, headers.outcome, UNKNOWN_OUTCOME)
            outcomes[position] = None

        # Ban end: a banned record needs a date or "permanent".
        ban_ends: list[dt.date | Permanent | None] = [None] * count
        banned = positions(outcomes, Outcome.BANNED)
        if cols.ban_until is None:
            ends: list[dt.date | Permanent | None] = [None] * len(banned)
        else:
            ban_cells = list(map(by_column[cols.ban_until].__getitem__, banned))
            ends = self._each(ban_cells, self.ban_cache, self.ban_end, serial_dates=True)
        for position, ban_end in zip(banned, ends, strict=True):
            ban_ends[position] = ban_end
            if ban_end is None:
                problem(position, headers.ban_until or "columns.ban_until", NO_BAN_END)

        # Override: a date or "keep"; anything else is a problem.
        override_cells = (None,) * count if cols.override is None else by_column[cols.override]
        overrides = self._each(
            override_cells, self.override_cache, self.override, serial_dates=True
        )
        for position in positions(overrides, False):
            problem(position, headers.override, BAD_OVERRIDE)
            overrides[position] = None

        # Expunged: every reporter (subject) cell empty or the redaction text.
        reporter_expunged = _every([self._expunged(by_column[c]) for c in cols.reporter], count)
        subjects = [self._subjects(by_column[c]) for c in cols.subject]
        subject_expunged = _every([expunged for expunged, _ in subjects], count)

        # Identifiers: those of the live subject cells; none for "actor not identified".
        identifiers = [_NO_IDENTIFIERS] * count
        for column, (_, found) in enumerate(subjects):
            if not column:
                identifiers = found
                continue
            for position in compress(range(count), found):  # those with any identifier
                identifiers[position] = (
                    identifiers[position] | found[position]
                    if identifiers[position]
                    else found[position]
                )
        for position in positions(outcomes, Outcome.UNIDENTIFIED):
            identifiers[position] = _NO_IDENTIFIERS

        # Written: the date already in expunge_on; whatever else stands there is overwritten.
        written = self._each(
            by_column[cols.expunge_on], self.date_cache, self.date, serial_dates=True
        )
        for position in positions(written, False):  # not a date
            written[position] = None

        no_problems: tuple[Problem, ...] = ()
        found_problems = [no_problems] * count
        for position, listed in problems.items():
            found_problems[position] = tuple(listed)
        # Rows of white space or unticked checkboxes only are skipped too: such a row has an
        # empty reported cell, so only those rows are looked at whole.
        blank = [p for p in empty_reported if _is_blank(rows[p])]
        live: list[bool] | None = None
        if blank:
            live = [True] * count
            for position in blank:
                live[position] = False

        def kept_only(values: Sequence[_T]) -> tuple[_T, ...]:
            return tuple(values) if live is None else tuple(compress(values, live))

        return Records(
            row=kept_only(numbers),
            reported=kept_only(cast(list[dt.date | None], reported)),
            outcome=kept_only(cast(list[Outcome | None], outcomes)),
            ban_end=kept_only(ban_ends),
            override=kept_only(cast(list[dt.date | Keep | None], overrides)),
            identifiers=kept_only(identifiers),
            reporter_expunged=kept_only(reporter_expunged),
            subject_expunged=kept_only(subject_expunged),
            problems=kept_only(found_problems),
            written=kept_only(cast(list[dt.date | None], written)),
        )


def positions(values: Sequence[_T], value: _T) -> list[int]:
    """The positions of ``value`` in ``values``, found by ``index`` (a scan in C).

    Why: the readings of 100,000 cells (SPEC 6) hold a few problems or bans; a Python loop
    over all of them cost more than the reading. ``list.index`` compares with ``==``: the
    readings searched (dates, outcomes, None, False, ``keep``) equal ``value`` only when
    they are it (no number 0 to equal False).
    """
    found: list[int] = []
    position = -1
    try:
        while True:
            position = values.index(value, position + 1)
            found.append(position)
    except ValueError:
        return found


def _every(flags: list[list[bool]], count: int) -> list[bool]:
    """Per row: True in every one of the columns ``flags`` (True when there are none)."""
    if not flags:
        return [True] * count
    every = flags[0]
    for other in flags[1:]:
        every = list(map(operator.and_, every, other))
    return every


def read_records(
    table: Table, columns: ColumnMap, config: Config, date_order: DateOrder
) -> Records:
    """One Record per non-empty row, in sheet order, as columns (``Records``); fully empty
    rows are skipped.

    A row is fully empty when every cell is empty, white space or an unticked checkbox
    (Sheets omits trailing empty cells, so short rows are normal).
    """
    reader = _Reader(columns, config, date_order)
    with cyclic_gc_paused():
        return reader.read(table.rows, table.sheet_row(0))


def _is_blank(cells: tuple[Cell, ...]) -> bool:
    """Every cell None, a text of white space only, or FALSE: an unticked checkbox, as a
    checkbox column filled down past the records leaves in rows nobody has used."""
    for cell in cells:
        if cell is not None and cell is not False and (not isinstance(cell, str) or cell.strip()):
            return False
    return True
