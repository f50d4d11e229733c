"""records.py: headers, cells → Records and problems (SPEC section 1)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sheetbot.records as records_module
from sheetbot.config import ColumnsConfig, DateOrder, OutcomesConfig, RetentionConfig
from sheetbot.errors import SheetError
from sheetbot.people import person_indices
from sheetbot.records import (
    NotADate,
    Outcome,
    Problem,
    Records,
    column_letter,
    default_date_order,
    find_columns,
    normalise_identifier,
    parse_date,
    read_records,
    split_identifiers,
)
from sheetbot.table import Cell, Table
from tests.builders import (
    BAN_UNTIL,
    EXPUNGE_ON,
    EXPUNGED_ON,
    HEADERS,
    NAMED,
    OUTCOME,
    OVERRIDE,
    REPORTED,
    REPORTER,
    SUBJECT,
    SUMMARY,
    config,
    day,
    read,
    table,
)

# --------------------------------------------------------------------------- headers


WITHOUT_OPTIONAL = ColumnsConfig(ban_until="", override="", expunged_on="")


def test_headers_found_by_name_in_any_order() -> None:
    headers = (
        "  outcome ",
        SUMMARY,
        "SUBJECT EMAIL ADDRESS/URL",
        "date  of 1st   report",
        "Named subjects",
        None,
        "Reporter",
        "Date to expunge this record",
    )
    columns = find_columns(headers, config(columns=WITHOUT_OPTIONAL))
    assert columns.outcome == 0
    assert columns.subject == (4, 2)  # in the configured order
    assert columns.reported == 3
    assert columns.reporter == (6,)
    assert columns.expunge_on == 7
    assert columns.pii == (6, 4, 2)
    # optional columns configured as "": none
    assert columns.ban_until is None
    assert columns.override is None
    assert columns.expunged_on is None


def test_configured_optional_column_missing_stops_the_run() -> None:
    """SPEC 1: a missing configured header is a configuration error. An optional column too:
    a renamed "Retention override" column, read as no column, would drop every "keep" and
    blank what the committee kept. The message says how to go without one."""
    headers = tuple(h for h in HEADERS if h not in (OVERRIDE, EXPUNGED_ON))
    with pytest.raises(SheetError) as raised:
        find_columns(headers, config())
    assert str(raised.value) == (
        'header row 1 has no column "Retention override" (columns.override; set it to "" if '
        'the sheet has no such column); no column "Expunged on" (columns.expunged_on; set it '
        'to "" if the sheet has no such column)'
    )


def test_default_headers_all_found() -> None:
    columns = find_columns(HEADERS, config())
    assert (columns.ban_until, columns.override, columns.expunged_on) == (6, 8, 9)


def test_optional_columns_configured_as_empty_are_not_used() -> None:
    cfg = config(columns=ColumnsConfig(override="", expunged_on="", ban_until=""))
    columns = find_columns(HEADERS, cfg)
    assert (columns.ban_until, columns.override, columns.expunged_on) == (None, None, None)


def test_missing_header_names_it() -> None:
    headers = tuple(h for h in HEADERS if h not in (OUTCOME, SUBJECT))
    with pytest.raises(SheetError) as caught:
        find_columns(headers, config())
    assert str(caught.value) == (
        'header row 1 has no column "Outcome" (columns.outcome); '
        'no column "Subject email address/URL" (columns.subject)'
    )


def test_missing_header_names_the_configured_header_row() -> None:
    with pytest.raises(SheetError, match=r'^header row 3 has no column "Reporter" \('):
        find_columns(tuple(h for h in HEADERS if h != REPORTER), config(header_row=3))


def test_duplicate_header_names_it() -> None:
    with pytest.raises(SheetError) as caught:
        find_columns((*HEADERS, " outcome"), config())
    assert str(caught.value) == (
        'header row 1 has column "Outcome" (columns.outcome) twice, in F and K'
    )


def test_duplicate_optional_header_is_an_error_too() -> None:
    with pytest.raises(SheetError, match=r'"Retention override" \(columns.override\) twice'):
        find_columns((*HEADERS, OVERRIDE), config())


def test_unconfigured_duplicate_headers_are_fine() -> None:
    columns = find_columns((*HEADERS, SUMMARY, "Notes", "notes", None, ""), config())
    assert columns.outcome == 5


def test_non_string_header_cells_are_read_as_text() -> None:
    cfg = config(columns=dataclasses.replace(WITHOUT_OPTIONAL, reporter=("2025",)))
    headers: tuple[Cell, ...] = (REPORTED, 2025, NAMED, SUBJECT, OUTCOME, EXPUNGE_ON, True)
    assert find_columns(headers, cfg).reporter == (1,)


def test_column_letter() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


# --------------------------------------------------------------------------- date order


@pytest.mark.parametrize(
    ("locale", "order"),
    [
        ("en_US", "MDY"),
        ("es_US", "MDY"),
        ("en_PH", "MDY"),
        ("en_PR", "MDY"),
        ("en_GU", "MDY"),
        ("en-US", "MDY"),
        ("en_GB", "DMY"),
        ("de_DE", "DMY"),
        ("fr", "DMY"),
        ("en", "DMY"),
        ("ja_JP", "YMD"),
        ("zh_CN", "YMD"),
        ("zh_TW", "YMD"),
        ("ko_KR", "YMD"),
        ("hu_HU", "YMD"),
        ("lt_LT", "YMD"),
        ("mn_MN", "YMD"),
        ("", "DMY"),
        ("xx_QQ", "DMY"),
    ],
)
def test_default_date_order_from_locale(locale: str, order: str) -> None:
    assert default_date_order(locale) == order


# --------------------------------------------------------------------------- dates


def test_serial_dates() -> None:
    assert parse_date(45658, "DMY") == day("2025-01-01")
    assert parse_date(45658.75, "MDY") == day("2025-01-01")  # a time of day is dropped
    assert parse_date(36526, "DMY") == day("2000-01-01")
    assert parse_date(2958465, "DMY") == day("9999-12-31")
    for bad in (0, 0.5, 1, 36525, -3, 2958466, float("nan"), float("inf"), True, False):
        with pytest.raises(NotADate):
            parse_date(bad, "DMY")


def test_empty_cells_are_missing_not_wrong() -> None:
    assert parse_date(None, "DMY") is None
    assert parse_date("   ", "DMY") is None


def test_iso_text_date() -> None:
    assert parse_date(" 2025-01-31 ", "MDY") == day("2025-01-31")
    with pytest.raises(NotADate):
        parse_date("2025-02-30", "DMY")


def test_text_dates_dmy_and_mdy() -> None:
    assert parse_date("31/12/2025", "DMY") == day("2025-12-31")
    assert parse_date("12/31/2025", "MDY") == day("2025-12-31")
    assert parse_date("3 March 2025", "MDY") == day("2025-03-03")
    assert parse_date("March 3, 2025", "DMY") == day("2025-03-03")
    assert parse_date("4.3.2025", "DMY") == day("2025-03-04")


def test_ambiguous_date_follows_date_order() -> None:
    assert parse_date("03/04/2025", "DMY") == day("2025-04-03")
    assert parse_date("03/04/2025", "MDY") == day("2025-03-04")
    assert parse_date("25/04/03", "YMD") == day("2025-04-03")


def test_year_last_text_date_in_ymd_order_needs_attention() -> None:
    # With the year last, the text is not in year-month-day order: "04/03/2025" was read
    # month first (3 April 2025), a guess, in a sheet whose text dates are year first.
    for text in ("04/03/2025", "4/3/2025 10:00", "4 3 2025", "04.03.2025", "04-03-2025"):
        with pytest.raises(NotADate):
            parse_date(text, "YMD")
    assert parse_date("13/04/2025", "YMD") == day("2025-04-13")  # no other reading
    assert parse_date("March 4, 2025", "YMD") == day("2025-03-04")
    assert parse_date("250304", "YMD") == day("2025-03-04")  # year first, two digits


def test_text_starting_with_the_year_is_year_month_day_in_every_order() -> None:
    # dateutil alone reads these as year-day-month when dayfirst is set
    for order in ("DMY", "MDY", "YMD"):
        assert parse_date("2025/03/04", order) == day("2025-03-04")
        assert parse_date("2025-3-4", order) == day("2025-03-04")
        assert parse_date("20250304", order) == day("2025-03-04")


def test_datetime_text_is_taken_as_its_date() -> None:
    assert parse_date("2025-03-04T23:30:00-05:00", "DMY") == day("2025-03-04")
    assert parse_date("4 March 2025 14:00", "MDY") == day("2025-03-04")


@pytest.mark.parametrize("text", ["March 2025", "2025", "Mar 5", "5", "10:30", "2025-03"])
def test_partial_date_is_not_a_date(text: str) -> None:
    with pytest.raises(NotADate):
        parse_date(text, "DMY")


@pytest.mark.parametrize(
    "text",
    [
        "4/7 March 2025",
        "4 - 7 March 2025",
        "4,7 March 2025",
        "March 4-7, 2025",
        "1 2 3 2025",
        "2025-03-04 / 2025-04-05",
        "4 March 2025 2026",
        "4 - 7 March",
        "3/4/5",
        "04-07-Mar-2025",
        "2025-03-04 -2025",
    ],
)
@pytest.mark.parametrize("order", ["DMY", "MDY", "YMD"])
def test_day_range_text_date_needs_attention(text: str, order: DateOrder) -> None:
    # dateutil read a second date's year as a time of day and a day as the year: "March
    # 4-7, 2025" was 4 March 2007, a record reported 18 years too early, blanked at once;
    # "4 - 7 March" was 4 March 2004.
    with pytest.raises(NotADate):
        parse_date(text, order)


@pytest.mark.parametrize(
    "text", ["3/4/202", "03/04/225", "12/31/999", "0025-03-04", "3/4/0025", "4 March 0202"]
)
@pytest.mark.parametrize("order", ["DMY", "MDY", "YMD"])
def test_three_digit_year_text_date_needs_attention(text: str, order: DateOrder) -> None:
    # "3/4/202" (a digit left out) was 3 April 202, and its record was blanked at once. A
    # text date is a date from 2000-01-01 on, as a serial number is.
    with pytest.raises(NotADate):
        parse_date(text, order)
    assert parse_date("01/01/2000", "DMY") == day("2000-01-01")


@pytest.mark.parametrize("cell", [2025, 2026.0, 4, 36525, "31/12/1999", "1905-07-17"])
def test_date_before_2000_needs_attention(cell: Cell) -> None:
    """A year typed as a number into a date column (2025 is serial 2025, 17 July 1905), a day
    typed alone: read as a date long past, the record was blanked at once. A Code of Conduct
    committee has no records from before 2000: such a cell is not a date, the record needs
    attention, never blanked, in every date column."""
    with pytest.raises(NotADate):
        parse_date(cell, "DMY")
    [rec] = read(
        table(
            {REPORTED: cell, OUTCOME: "Banned", BAN_UNTIL: cell, OVERRIDE: cell, EXPUNGE_ON: cell}
        )
    )
    assert [p.column for p in rec.problems] == [REPORTED, BAN_UNTIL, OVERRIDE]
    assert rec.written is None  # the bot writes its own date over it


def test_text_date_with_a_numeric_time_zone_is_its_date() -> None:
    for text in ("Tue, 04 Mar 2025 23:00:00 -0800", "4 March 2025 10:00 +0530", "4-Mar-2025"):
        assert parse_date(text, "DMY") == day("2025-03-04")


@pytest.mark.parametrize("text", ["soon", "tbd", "31/31/2025", "45000", "never"])
def test_unreadable_text_is_not_a_date(text: str) -> None:
    with pytest.raises(NotADate):
        parse_date(text, "DMY")


def test_text_with_a_huge_time_needs_attention() -> None:
    # dateutil raised decimal.InvalidOperation (not a ValueError) on these: one such cell
    # stopped every run, with no word of which cell, so that nothing was ever expunged.
    texts = ["4 March 2025 10:" + "9" * 30, "4 March 2025 " + "9" * 30 + "h"]
    records = read(table(*({REPORTED: text, OUTCOME: "Resolved"} for text in texts)))
    assert [r.problems for r in records] == [
        (Problem(2, REPORTED, "not a date"),),
        (Problem(3, REPORTED, "not a date"),),
    ]


# --------------------------------------------------------------------------- records


def test_record_read_from_a_row() -> None:
    (rec,) = read(
        table(
            {
                REPORTED: 45658,
                REPORTER: "Reporter One",
                NAMED: "Pat Example",
                SUBJECT: "mailto:Pat@Mail.Test",
                SUMMARY: "something happened",
                OUTCOME: " resolved ",
            }
        )
    )
    assert rec.row == 2
    assert rec.reported == day("2025-01-01")
    assert rec.outcome is Outcome.RESOLVED
    assert rec.ban_end is None
    assert rec.override is None
    assert rec.identifiers == {"pat example", "pat@mail.test"}
    assert not rec.reporter_expunged
    assert not rec.subject_expunged
    assert rec.problems == ()
    assert not rec.pending


def test_empty_rows_skipped() -> None:
    sheet = table(
        {REPORTED: "2025-01-01", OUTCOME: "Resolved"},
        (),
        (None, "  ", "\n", None),
        {REPORTED: "2025-02-01", OUTCOME: "Flagged"},
        header_row=3,
    )
    records = read(sheet)
    assert [(r.row, r.outcome) for r in records] == [(4, Outcome.RESOLVED), (7, Outcome.FLAGGED)]


def test_a_row_with_any_content_is_a_record() -> None:
    (rec,) = read(table({SUMMARY: "only a summary"}))
    assert rec.problems == (Problem(2, REPORTED, "empty"),)
    assert rec.pending is False


def test_empty_outcome_is_pending() -> None:
    (rec,) = read(table({REPORTED: "2025-01-01", OUTCOME: "  "}))
    assert rec.outcome is None
    assert rec.pending
    assert rec.problems == ()


def test_configured_outcome_labels() -> None:
    cfg = config(outcomes=OutcomesConfig(banned=("Banned", "Ban"), flagged=("Flagged", "⚑")))
    records = read(
        table(
            {REPORTED: "2025-01-01", OUTCOME: "BAN", BAN_UNTIL: "permanent"},
            {REPORTED: "2025-01-01", OUTCOME: "⚑"},
            {REPORTED: "2025-01-01", OUTCOME: "violation, ACTOR not identified"},
            {REPORTED: "2025-01-01", OUTCOME: "No Violation"},
        ),
        cfg,
    )
    assert [r.outcome for r in records] == [
        Outcome.BANNED,
        Outcome.FLAGGED,
        Outcome.UNIDENTIFIED,
        Outcome.NO_VIOLATION,
    ]


def test_unknown_outcome_label_needs_attention() -> None:
    records = read(
        table(
            {REPORTED: "2025-01-01", OUTCOME: "Resolved?"},
            {REPORTED: "2025-01-01", OUTCOME: 3},
        )
    )
    for rec in records:
        assert rec.outcome is None
        assert not rec.pending
        assert rec.needs_attention
        assert rec.problems == (
            Problem(rec.row, OUTCOME, "not one of the configured outcome labels (see [outcomes])"),
        )


def test_reported_date_required() -> None:
    empty, junk = read(
        table(
            {REPORTED: "", OUTCOME: "Resolved"},
            {REPORTED: "last spring", OUTCOME: "Resolved"},
        )
    )
    assert empty.problems == (Problem(2, REPORTED, "empty"),)
    assert junk.problems == (Problem(3, REPORTED, "not a date"),)
    assert empty.reported is None
    assert junk.reported is None


def test_banned_record_needs_a_ban_end() -> None:
    reason = 'a banned record needs a ban end date or "permanent"'
    records = read(
        table(
            {REPORTED: "2025-01-01", OUTCOME: "Banned", BAN_UNTIL: "2026-06-30"},
            {REPORTED: "2025-01-01", OUTCOME: "Banned", BAN_UNTIL: 46203},
            {REPORTED: "2025-01-01", OUTCOME: "Banned"},
            {REPORTED: "2025-01-01", OUTCOME: "Banned", BAN_UNTIL: "next year"},
        )
    )
    assert [r.ban_end for r in records] == [day("2026-06-30"), day("2026-06-30"), None, None]
    assert [r.problems for r in records[2:]] == [
        (Problem(4, BAN_UNTIL, reason),),
        (Problem(5, BAN_UNTIL, reason),),
    ]


def test_banned_record_without_a_ban_until_column_needs_attention() -> None:
    sheet = table(
        {REPORTED: "2025-01-01", OUTCOME: "Banned"},
        headers=tuple(h for h in HEADERS if h != BAN_UNTIL),
    )
    (rec,) = read(sheet, config(columns=ColumnsConfig(ban_until="")))
    assert rec.problems == (
        Problem(2, "columns.ban_until", 'a banned record needs a ban end date or "permanent"'),
    )


def test_ban_until_ignored_for_other_outcomes() -> None:
    (rec,) = read(table({REPORTED: "2025-01-01", OUTCOME: "Flagged", BAN_UNTIL: "whenever"}))
    assert rec.ban_end is None
    assert rec.problems == ()


def test_keywords_case_insensitive() -> None:
    records = read(
        table(
            {REPORTED: "2025-01-01", OUTCOME: "BANNED", BAN_UNTIL: " Permanent "},
            {REPORTED: "2025-01-01", OUTCOME: "banned", BAN_UNTIL: "INDEFINITE"},
            {REPORTED: "2025-01-01", OUTCOME: "rEsOlVeD", OVERRIDE: " Keep "},
        )
    )
    assert [r.ban_end for r in records] == ["permanent", "permanent", None]
    assert records[2].override == "keep"
    assert [r.outcome for r in records] == [Outcome.BANNED, Outcome.BANNED, Outcome.RESOLVED]
    assert all(not r.problems for r in records)


def test_override_cell() -> None:
    records = read(
        table(
            {REPORTED: "2025-01-01", OUTCOME: "Resolved", OVERRIDE: ""},
            {REPORTED: "2025-01-01", OUTCOME: "Resolved", OVERRIDE: "keep"},
            {REPORTED: "2025-01-01", OUTCOME: "Resolved", OVERRIDE: "2027-05-01"},
            {REPORTED: "2025-01-01", OUTCOME: "Resolved", OVERRIDE: 46000},
            {REPORTED: "2025-01-01", OUTCOME: "Resolved", OVERRIDE: "forever"},
        )
    )
    assert [r.override for r in records] == [
        None,
        "keep",
        day("2027-05-01"),
        day("2025-12-09"),
        None,
    ]
    assert records[4].problems == (Problem(6, OVERRIDE, 'not a date or "keep"'),)


def test_override_column_configured_as_empty_means_no_override() -> None:
    headers = tuple(h for h in HEADERS if h != OVERRIDE)
    cfg = config(columns=ColumnsConfig(override=""))
    (rec,) = read(table({REPORTED: "2025-01-01", OUTCOME: "Resolved"}, headers=headers), cfg)
    assert rec.override is None


def test_text_dates_in_records_follow_date_order() -> None:
    sheet = table({REPORTED: "03/04/2025", OUTCOME: "Banned", BAN_UNTIL: "05/06/2025"})
    (dmy,) = read(sheet, date_order="DMY")
    (mdy,) = read(sheet, date_order="MDY")
    assert (dmy.reported, dmy.ban_end) == (day("2025-04-03"), day("2025-06-05"))
    assert (mdy.reported, mdy.ban_end) == (day("2025-03-04"), day("2025-05-06"))


def test_already_expunged_cells() -> None:
    records = read(
        table(
            {REPORTED: "2025-01-01", OUTCOME: "Resolved"},
            {REPORTED: "2025-01-01", OUTCOME: "Resolved", REPORTER: "x", NAMED: " "},
            {REPORTED: "2025-01-01", OUTCOME: "Resolved", SUBJECT: "pat@mail.test"},
            [45658, None, None, None, None, "Resolved"],  # a short row: missing cells are empty
        )
    )
    assert [(r.reporter_expunged, r.subject_expunged) for r in records] == [
        (True, True),
        (False, True),
        (True, False),
        (True, True),
    ]
    assert [r.identifiers for r in records] == [set(), set(), {"pat@mail.test"}, set()]


def test_redaction_text_counts_as_expunged_and_is_not_an_identifier() -> None:
    cfg = config(retention=RetentionConfig(redaction_text="Expunged"))
    records = read(
        table(
            {REPORTED: 45658, OUTCOME: "Resolved", REPORTER: "Expunged", NAMED: " Expunged "},
            {REPORTED: 45658, OUTCOME: "Resolved", REPORTER: "expunged", SUBJECT: "EXPUNGED"},
            {REPORTED: 45658, OUTCOME: "Resolved", NAMED: "Expunged", SUBJECT: "jo@mail.test"},
            {REPORTED: 45658, OUTCOME: "Resolved", NAMED: "Expunged, kim@mail.test"},
        ),
        cfg,
    )
    assert [(r.reporter_expunged, r.subject_expunged) for r in records] == [
        (True, True),
        (True, True),
        (True, False),
        (True, False),
    ]
    assert [r.identifiers for r in records] == [
        set(),
        set(),
        {"jo@mail.test"},
        {"kim@mail.test"},
    ]


def test_without_redaction_text_only_empty_cells_count_as_expunged() -> None:
    (rec,) = read(table({REPORTED: 45658, OUTCOME: "Resolved", NAMED: "Expunged"}))
    assert not rec.subject_expunged
    assert rec.identifiers == {"expunged"}


def test_unidentified_not_linked() -> None:
    (rec,) = read(
        table(
            {
                REPORTED: 45658,
                OUTCOME: "Violation, actor not identified",
                NAMED: "someone@mail.test",
            }
        )
    )
    assert rec.identifiers == frozenset()
    assert not rec.subject_expunged  # its subject cells are kept, not read as identifiers


def test_needs_attention_records_keep_their_identifiers() -> None:
    (rec,) = read(table({REPORTED: "someday", OUTCOME: "Resolved", NAMED: "jo@mail.test"}))
    assert rec.needs_attention
    assert rec.identifiers == {"jo@mail.test"}


# --------------------------------------------------------------------------- identifiers


def test_same_person_linked_by_normalised_identifiers() -> None:
    spellings = [
        "jo@mail.test",
        "MAILTO:Jo@Mail.Test",
        " mailto: jo@mail.test ",
        "@jo@mail.test",
    ]
    assert {normalise_identifier(s) for s in spellings} == {"jo@mail.test"}
    urls = [
        "https://www.example.org/jo/",
        "http://example.org/jo",
        "HTTPS://WWW.Example.org/jo//",
        "www.example.org/jo",
        "example.org/jo",
    ]
    assert {normalise_identifier(s) for s in urls} == {"example.org/jo"}
    assert {normalise_identifier(s) for s in ["@JoHandle", "johandle", " @johandle "]} == {
        "johandle"
    }


def test_multi_person_cells() -> None:
    assert split_identifiers("a@mail.test, B@mail.test;c@mail.test\nD\r\n@e ;; ,") == {
        "a@mail.test",
        "b@mail.test",
        "c@mail.test",
        "d",
        "e",
    }


def test_spellings_that_look_the_same_link() -> None:
    """A name typed with a combining accent (as macOS may), in full-width letters, or an
    address copied with a zero-width space or a soft hyphen in it, is the spelling the next
    record uses: otherwise the two records are two people, the repeat offence is missed and
    the earlier record blanked too early."""
    same = {
        "jos\u00e9@mail.test": [
            "jose\u0301@mail.test",  # e + combining acute
            "JOS\u00c9@MAIL.TEST",
            "jos\u200b\u00e9@mail.test",
            "\uff4a\uff4f\uff53\u00e9\uff20mail.test",  # full-width letters and @
            "jo\u00adsé@mail.test",
        ],
        "jo@mail.test": ["jo@mail.test\u200b", "\ufeffjo@mail.test", "\u200bmailto:jo@mail.test"],
    }
    for normal, spellings in same.items():
        for spelling in spellings:
            assert split_identifiers(spelling) == {normal}, spelling
    assert split_identifiers("a@mail.test\uff0cb@mail.test") == {"a@mail.test", "b@mail.test"}
    assert split_identifiers("\u200b") == set()
    records = read(
        table(
            *(
                {REPORTED: "2025-01-01", OUTCOME: "Resolved", SUBJECT: s}
                for s in same["jo@mail.test"]
            )
        )
    )
    assert {r.identifiers for r in records} == {frozenset({"jo@mail.test"})}


def test_spellings_read_the_same_once_or_twice() -> None:
    """Case-folding can undo Unicode's normal form ("ß" folds to "ss", which an accent after
    it then composes with): the identifier read from a cell and that identifier read again
    are the same, so what links two records does not depend on how often a spelling was
    normalised on the way."""
    spellings = [
        "stra\u00df\u0301e@mail.test",  # ß and a combining acute
        "STRA\u1e9e\u0323E@MAIL.TEST",  # capital sharp s and a dot below
        "\u0130\u0323pek@mail.test",  # capital I with a dot above, and a dot below
        "\u1f82\u0301@mail.test",  # alpha with marks and a subscript iota, then an acute
    ]
    for spelling in spellings:
        once = records_module._canonical(spelling)
        assert records_module._canonical(once) == once, ascii(spelling)
        assert split_identifiers(spelling) == {normalise_identifier(spelling)}, ascii(spelling)
        assert split_identifiers(once) == split_identifiers(spelling), ascii(spelling)


def test_an_address_with_its_name_links_to_the_bare_address() -> None:
    """``Jo Bloggs <jo@mail.test>``, as an e-mail program writes an address (copied from a
    report's mail), is the person of the record that gives only ``jo@mail.test``, and of the
    one that names ``Jo Bloggs``: otherwise the repeat offence is missed and the earlier
    record blanked too early."""
    assert split_identifiers("Jo Bloggs <Jo@Mail.Test>") == {
        "jo bloggs <jo@mail.test>",  # the part itself, as before: it links what it linked
        "jo bloggs",
        "jo@mail.test",
    }
    assert split_identifiers("<mailto:jo@mail.test>; Sam <sam@mail.test>") >= {
        "jo@mail.test",
        "sam",
        "sam@mail.test",
    }
    assert split_identifiers("a < b") == {"a < b"}  # no address: the text as it is
    records = read(
        table(
            {REPORTED: "2025-01-01", OUTCOME: "Resolved", SUBJECT: "Jo Bloggs <jo@mail.test>"},
            {REPORTED: "2025-02-01", OUTCOME: "Resolved", SUBJECT: "jo@mail.test"},
            {REPORTED: "2025-03-01", OUTCOME: "Resolved", NAMED: "Jo Bloggs"},
        )
    )
    assert person_indices([r.identifiers for r in records]) == [0, 0, 0]


def test_a_name_and_address_still_link_what_they_linked_before() -> None:
    """Reading names and addresses only adds identifiers: a quoted name with a comma in it
    still links with and without its address (through its first half, as before), so the
    earlier record is not blanked early."""
    records = read(
        table(
            {REPORTED: "2025-01-10", OUTCOME: "Resolved", NAMED: '"Bloggs, Jo"'},
            {REPORTED: "2025-12-01", OUTCOME: "Resolved", SUBJECT: '"Bloggs, Jo" <jo@mail.test>'},
            {REPORTED: "2025-01-10", OUTCOME: "Resolved", SUBJECT: "Al <al@mail.test>/"},
            {REPORTED: "2025-12-01", OUTCOME: "Resolved", SUBJECT: "Al <al@mail.test>"},
        )
    )
    assert person_indices([r.identifiers for r in records]) == [0, 0, 2, 2]


def test_no_part_of_the_redaction_text_is_a_person() -> None:
    """A redaction text such as "<removed>" reads as an address too; a cell half blanked by
    hand ("Jo, <removed>") must not link to every other such cell through "removed"."""
    cfg = config(retention=RetentionConfig(redaction_text="<removed>"))
    cells = ["Jo, <removed>", "Al; <removed>", "<Removed>"]
    records = read(table(*({REPORTED: "2025-03-01", SUBJECT: c} for c in cells)), cfg)
    assert [r.identifiers for r in records] == [frozenset({"jo"}), frozenset({"al"}), frozenset()]
    assert [r.subject_expunged for r in records] == [False, False, True]


def test_text_after_an_address_does_not_link_two_people() -> None:
    """``<address> (speaker)`` is not a name and an address: "(speaker)" would be an
    identifier of everyone so described, and one person's violation would keep another's
    records (a missed blank)."""
    records = read(
        table(
            {REPORTED: "2025-03-01", OUTCOME: "Resolved", SUBJECT: "Jo <jo@x.test> (speaker)"},
            {REPORTED: "2026-02-01", OUTCOME: "Resolved", SUBJECT: "Al <al@y.test> (speaker)"},
            {REPORTED: "2026-02-01", OUTCOME: "Resolved", SUBJECT: 'Jo "JB" Bloggs <jo@z.test>'},
            {REPORTED: "2026-02-01", OUTCOME: "Resolved", NAMED: "Bloggs"},
        )
    )
    assert person_indices([r.identifiers for r in records]) == [0, 1, 2, 3]


def test_placeholder_identifiers_are_dropped() -> None:
    assert split_identifiers("-, ?, /, mailto:, https://, @") == set()
    assert normalise_identifier("--") == ""


# --------------------------------------------------------------------------- privacy


def test_problems_never_contain_cell_values() -> None:
    secrets = [
        "Secret Reporter",
        "secret-subject@mail.test",
        "Secret Outcome Label",
        "secret ban text",
        "secret override text",
        "secret date text",
    ]
    sheet = table(
        {
            REPORTED: secrets[5],
            REPORTER: secrets[0],
            SUBJECT: secrets[1],
            OUTCOME: secrets[2],
            OVERRIDE: secrets[4],
        },
        {REPORTED: 45658, OUTCOME: "Banned", BAN_UNTIL: secrets[3], NAMED: secrets[1]},
    )
    records = read(sheet)
    problems = [p for r in records for p in r.problems]
    assert len(problems) == 4
    text = repr(problems).casefold()
    for secret in secrets:
        assert secret.casefold() not in text


# --------------------------------------------------------------------------- performance


def test_reading_many_rows_of_serial_and_text_dates() -> None:
    base: list[tuple[Cell, ...]] = [
        (45000 + i % 700, "R", "N", "s@mail.test", "x", "Resolved", None, None, None, None)
        for i in range(50_000)
    ]
    text: list[tuple[Cell, ...]] = [
        ("2024-01-0" + str(1 + i % 9), "R", "", "", "x", "flagged", None, "", "", "")
        for i in range(50_000)
    ]
    sheet = Table(header_row=1, headers=HEADERS, rows=tuple(base + text))
    cfg = config()
    records = read_records(sheet, find_columns(sheet.headers, cfg), cfg, "DMY")
    assert len(records) == 100_000
    assert not any(r.problems for r in records)
    assert records[50_000].reported == dt.date(2024, 1, 1)


def test_text_dates_are_parsed_once_per_distinct_text(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = records_module._parse_text_date

    def counting(text: str, order: DateOrder) -> dt.date:
        calls.append(text)
        return original(text, order)

    monkeypatch.setattr(records_module, "_parse_text_date", counting)
    rows = [{REPORTED: "1 March 2025", OUTCOME: "Resolved"} for _ in range(50)]
    records = read(table(*rows))
    assert {r.reported for r in records} == {day("2025-03-01")}
    assert calls == ["1 March 2025"]


def test_changed_columns_config_is_used() -> None:
    cfg = config(
        columns=dataclasses.replace(
            WITHOUT_OPTIONAL, outcome="Banned or flagged", reporter=("Reporter", "CoC person")
        )
    )
    headers = (REPORTED, "CoC person", REPORTER, NAMED, SUBJECT, "Banned or flagged", EXPUNGE_ON)
    (rec,) = read(
        table(
            {REPORTED: 45658, "CoC person": "someone", "Banned or flagged": "Flagged"},
            headers=headers,
        ),
        cfg,
    )
    assert rec.outcome is Outcome.FLAGGED
    assert not rec.reporter_expunged
    assert find_columns(headers, cfg).expunged_on is None
    assert EXPUNGED_ON not in headers


def test_written_expunge_date_is_read_as_the_floor() -> None:
    records = read(
        table(
            {REPORTED: 45658, OUTCOME: "Resolved", EXPUNGE_ON: 46500},
            {REPORTED: 45658, OUTCOME: "Resolved", EXPUNGE_ON: "2027-03-10"},
            {REPORTED: 45658, OUTCOME: "Resolved", EXPUNGE_ON: "never"},
            {REPORTED: 45658, OUTCOME: "Resolved", EXPUNGE_ON: "scribbled by hand"},
        )
    )
    assert [r.written for r in records] == [
        dt.date(1899, 12, 30) + dt.timedelta(days=46500),
        dt.date(2027, 3, 10),
        None,
        None,
    ]
    assert all(not r.problems for r in records)  # the bot's own column: overwritten, not a problem


# --------------------------------------------------------------------------- reading in bulk
# records.py reads the distinct values of a column in bulk (SPEC 6): these check that this
# is the same as reading each cell by the rules.

_TRICKY_SUBJECTS: list[Cell] = [
    "Jo@Mail.Test",
    "mailto:Jo@Mail.Test",
    " MAILTO: jo@mail.test ",
    "mailto:https://www.jo.test/",
    "mailto://jo",
    "https://www.example.org/jo/",
    "HTTPS://WWW.Example.org/jo//",
    "http://example.org/jo / ",
    "ftp+x.y-z://x",
    "9://x",
    "x://",
    "x:/",
    "a:b",
    "www.example.org",
    "www.www.x",
    "@www.x",
    "@JoHandle",
    "@@jo",
    " @ jo ",
    "mailto:@jo",
    "https://@jo",
    "https://www.",
    "mailto:",
    "-",
    "?",
    "--",
    "_x",
    "/",
    "@",
    "www.",
    "Straße",
    "STRASSE",
    "İstanbul",
    "ǅemal",
    "ﬀ@x",
    "Σίσυφος",
    "Jo Bloggs",
    "Jo\tBloggs",
    "jo\u00a0bloggs",
    "\u00a0jo\u2003",
    "jo\x1c",
    "jo\x1f ",
    "a, b",
    "a;b",
    "a\nb",
    "a\u2028b",
    "a\x85b",
    "\nJo\n",
    "jo/",
    "jo/ /",
    "jo /",
    "jo:/",
    "x///",
    "١٢٣",
    "Ⅻ",
    "jose\u0301@mail.test",
    "\u200bjo@mail.test",
    "\uff4a\uff4f@mail.test, kim@mail.test",
    "Jo\u00ad@mail.test",
    "Jo Bloggs <Jo@Mail.Test>",
    '"Bloggs, Jo" <mailto:jo@mail.test>, kim@mail.test',
    "<jo@mail.test>",
    "Jo <jo@mail.test> (speaker)",
    "Jo <jo@mail.test>/",
    "a < b",
    "x <> y",
    "Expunged <expunged>",
    "Expunged",
    "Mailto:Expunged",
    "https://expunged/",
    " EXPUNGED ",
    45658,
    1.5,
    12.0,
    "",
    "  ",
    None,
]


def _expunged_cell_by_cell(cell: Cell, redaction: str) -> bool:
    """A PII cell is expunged by the rules (SPEC section 1), one cell at a time."""
    text = records_module.cell_text(cell).strip()
    key = redaction.strip().casefold()
    return not text or bool(key and text.casefold() == key)


def _identifiers_cell_by_cell(cell: Cell, redaction: str) -> frozenset[str]:
    """A subject cell's identifiers by the rules (SPEC section 1), one cell at a time."""
    if _expunged_cell_by_cell(cell, redaction):
        return frozenset()
    key = redaction.strip().casefold()
    return frozenset(split_identifiers(records_module.cell_text(cell)) - split_identifiers(key))


def _check_subjects(cells: list[Cell], redaction: str) -> None:
    cfg = config(retention=RetentionConfig(redaction_text=redaction))
    rows = [{REPORTED: 45658, OUTCOME: "Resolved", NAMED: cell} for cell in cells]
    rows += [{REPORTED: 45658, OUTCOME: "Resolved", SUBJECT: cell} for cell in reversed(cells)]
    records = read(table(*rows), cfg)
    every = cells + cells[::-1]
    assert [r.identifiers for r in records] == [
        _identifiers_cell_by_cell(c, redaction) for c in every
    ]
    assert [r.subject_expunged for r in records] == [
        _expunged_cell_by_cell(c, redaction) for c in every
    ]


@pytest.mark.parametrize(
    "redaction", ["", "Expunged", "jo@mail.test", "Jo", "Removed <none>", "<removed>", "a, b"]
)
def test_subject_cells_read_in_bulk_as_cell_by_cell(redaction: str) -> None:
    _check_subjects(_TRICKY_SUBJECTS, redaction)


_PIECES = [
    "mailto:",
    "MAILTO:",
    "https://",
    "HTTPS://www.",
    "www.",
    "@",
    "/",
    ":",
    "://",
    " ",
    "\t",
    "\u00a0",
    "\x1c",
    "\n",
    ",",
    ";",
    "\x85",
    "Jo",
    "ß",
    "İ",
    "ﬀ",
    "Σ",
    "1",
    "-",
    "_",
    ".",
    "example.org",
    "Expunged",
    "9://",
    "<",
    ">",
    '"',
]


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(
        st.one_of(
            st.text(max_size=12), st.lists(st.sampled_from(_PIECES), max_size=6).map("".join)
        ),
        max_size=40,
    ),
    redaction=st.sampled_from(["", "Expunged", "jo", "1", "<jo>", "Jo, Expunged"]),
)
def test_any_subject_cells_read_in_bulk_as_cell_by_cell(cells: list[str], redaction: str) -> None:
    _check_subjects(list(cells), redaction)


def test_numbers_and_booleans_in_pii_cells_are_read_as_their_text() -> None:
    # True == 1 == 1.0 as values, but TRUE is not 1 as text.
    cells: list[Cell] = [1.0, True, 1, "1", "TRUE", 2, 2.0, False, 0]
    for redaction, expunged in [
        ("1", [True, False, True, True, False, False, False, False, False]),
        ("TRUE", [False, True, False, False, True, False, False, False, False]),
        ("2", [False, False, False, False, False, True, True, False, False]),
    ]:
        cfg = config(retention=RetentionConfig(redaction_text=redaction))
        rows = [{REPORTED: 45658, OUTCOME: "Resolved", REPORTER: c, NAMED: c} for c in cells]
        records = read(table(*rows), cfg)
        assert [r.reporter_expunged for r in records] == expunged
        assert [r.subject_expunged for r in records] == expunged
        assert [r.identifiers for r in records] == [
            _identifiers_cell_by_cell(cell, redaction) for cell in cells
        ]


def test_serial_dates_read_in_bulk_as_cell_by_cell() -> None:
    serials: list[Cell] = [2, 45658, 45658.5, 2958465, 2958466, -5, 10**20, 7, 7.0]
    records = read(table(*({REPORTED: s, OUTCOME: "Resolved", EXPUNGE_ON: s} for s in serials)))
    for rec, serial in zip(records, serials, strict=True):
        try:
            wanted: dt.date | None = parse_date(serial, "DMY")
        except NotADate:
            wanted = None
        assert (rec.reported, rec.written) == (wanted, wanted)
        assert bool(rec.problems) == (wanted is None)


def test_empty_rows_anywhere_are_skipped_and_rows_keep_their_numbers() -> None:
    sheet = table(
        (),
        ("  ", None, "\t"),
        {REPORTED: "2025-01-01", OUTCOME: "Resolved"},
        (None,) * 12,
        {REPORTED: " ", SUMMARY: "only a summary"},
        {REPORTED: "2025-02-01", OUTCOME: "Flagged"},
        ("\n",),
        header_row=2,
    )
    records = read(sheet)
    assert [r.row for r in records] == [5, 7, 8]
    assert records[1].problems == (Problem(7, REPORTED, "empty"),)
    assert read(table((), (" ",))) == ()


def test_rows_of_unticked_checkboxes_only_are_skipped() -> None:
    """A checkbox column filled down past the records leaves FALSE in rows nobody has used:
    they are empty rows, not hundreds of records needing attention. A ticked box is not."""
    sheet = table(
        {REPORTED: "2025-01-01", OUTCOME: "Resolved", SUMMARY: True},
        {SUMMARY: False},
        {SUMMARY: False, NAMED: " "},
        {SUMMARY: True},
    )
    records = read(sheet)
    assert [r.row for r in records] == [2, 5]
    assert records[1].problems == (Problem(5, REPORTED, "empty"),)


def test_records_read_as_columns_are_the_records_one_by_one() -> None:
    sheet = table(
        {REPORTED: "2025-01-01", OUTCOME: "Resolved", NAMED: "jo@mail.test"},
        (),
        {REPORTED: "sometime", OUTCOME: "Banned"},
        {REPORTED: "2025-03-01", OUTCOME: "Flagged", NAMED: "kim@mail.test, @kim"},
    )
    cfg = config()
    records = read_records(sheet, find_columns(sheet.headers, cfg), cfg, "DMY")
    listed = tuple(records)  # each built from the columns
    assert [r.row for r in listed] == [2, 4, 5]
    assert len(records) == 3
    assert [records[0], records[1], records[-1]] == list(listed)
    assert records[1:] == listed[1:]
    assert records.at([2, 0]) == [listed[2], listed[0]]
    assert records.outcome == (Outcome.RESOLVED, Outcome.BANNED, Outcome.FLAGGED)
    assert records.identifiers[2] == {"kim@mail.test", "kim"}
    assert listed[1].problems == records.problems[1] != ()
    assert Records.of(listed) == records
    assert Records.of(records) is records
    assert "mail.test" not in repr(records)  # identifiers are personal data: never shown


def test_collection_resumes_and_objects_frozen_stay_frozen() -> None:
    assert gc.isenabled()
    with records_module.cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with records_module.cyclic_gc_paused():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
