"""Value semantics: render options, locales, trailing empties, null vs "", A1 notation."""

from __future__ import annotations

import datetime as dt

import pytest

from sheetbot.fake_google import FakeGoogle
from sheetbot.fake_google.a1 import column_index, column_letters, parse_range, quote_title
from sheetbot.fake_google.errors import ApiError

from .conftest import Api

V = "/v4/spreadsheets/s/values/"


def _sheet(fake: FakeGoogle, locale: str = "en_US") -> None:
    fake.add_spreadsheet(
        "s",
        locale=locale,
        tabs={
            "Records": [
                ["Date", "Count", "Flag", "Text"],
                [dt.date(2025, 3, 4), 7, True, "x"],
                [dt.datetime(2025, 3, 4, 13, 5, 0), 1.5, False],
                [None, None, None, None],
            ],
            "My tab": [["a", None, "c"]],
            "It's": [["q"]],
        },
    )


@pytest.mark.parametrize(
    ("locale", "date", "number"),
    [
        ("en_US", "3/4/2025", "1.5"),
        ("en_GB", "04/03/2025", "1.5"),
        ("de_DE", "04.03.2025", "1,5"),
        ("ja_JP", "2025-03-04", "1.5"),
    ],
)
def test_formatted_values_follow_locale(
    fake: FakeGoogle, api: Api, locale: str, date: str, number: str
) -> None:
    _sheet(fake, locale)
    status, body = api.call("GET", V + "Records!A2:D3")
    assert status == 200
    assert body["values"][0] == [date, "7", "TRUE", "x"]
    assert body["values"][1][1:] == [number, "FALSE"]


def test_unformatted_values_and_date_options(fake: FakeGoogle, api: Api) -> None:
    _sheet(fake)
    _, serial = api.call(
        "GET", V + "Records!A2:C3", query={"valueRenderOption": "UNFORMATTED_VALUE"}
    )
    assert serial["values"][0] == [45720, 7, True]
    assert isinstance(serial["values"][0][0], int)
    assert serial["values"][1][0] == pytest.approx(45720 + 13 / 24 + 5 / 1440)
    _, text = api.call(
        "GET",
        V + "Records!A2:A3",
        query={
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "FORMATTED_STRING",
        },
    )
    assert text["values"] == [["3/4/2025"], ["3/4/2025 13:05:00"]]


def test_trailing_empties_and_empty_range(fake: FakeGoogle, api: Api) -> None:
    _sheet(fake)
    _, body = api.call("GET", V + "Records!A1:F10")
    assert body["range"] == "Records!A1:F10"
    assert [len(r) for r in body["values"]] == [4, 4, 3]
    _, empty = api.call("GET", V + "Records!H1:J3")
    assert empty == {"range": "Records!H1:J3", "majorDimension": "ROWS"}
    _, cols = api.call("GET", V + "'My tab'!A1:C1", query={"majorDimension": "COLUMNS"})
    assert cols["values"] == [["a"], [], ["c"]]


def test_ranges_are_normalised_and_quoted(fake: FakeGoogle, api: Api) -> None:
    _sheet(fake)
    assert api.call("GET", V + "'My tab'!A:C")[1]["range"] == "'My tab'!A1:C1000"
    assert api.call("GET", V + "'It''s'!A1")[1]["range"] == "'It''s'!A1"
    assert api.call("GET", V + "Records!2:5")[1]["range"] == "Records!A2:Z5"
    assert api.call("GET", V + "Records!A2:Z")[1]["range"] == "Records!A2:Z1000"
    assert api.call("GET", V + "Records")[1]["range"] == "Records!A1:Z1000"
    assert api.call("GET", V + "B1:A2")[1]["range"] == "Records!A1:B2"
    status, body = api.call("GET", V + "Nope!A1")
    assert status == 400
    assert body == {
        "error": {
            "code": 400,
            "message": "Unable to parse range: Nope!A1",
            "status": "INVALID_ARGUMENT",
        }
    }


def test_null_leaves_and_empty_string_clears(fake: FakeGoogle, api: Api) -> None:
    _sheet(fake)
    status, body = api.call(
        "PUT",
        V + "Records!A2:D2",
        {"values": [[None, "", None, "y"]]},
        query={"valueInputOption": "RAW"},
    )
    assert status == 200
    assert body["updatedCells"] == 2
    assert body["updatedRange"] == "Records!A2:D2"
    assert fake.get_values("s", "Records")[1] == [dt.date(2025, 3, 4), None, True, "y"]


def test_user_entered_parsing(fake: FakeGoogle, api: Api) -> None:
    _sheet(fake, "en_GB")
    api.call(
        "PUT",
        V + "Records!A5",
        {
            "values": [
                [
                    "2025-01-31",
                    "03/04/2025",
                    "'0123",
                    "true",
                    "=2*3",
                    "12",
                    "1.25",
                    "=SUM(A1:A2)",
                    "hello",
                ]
            ]
        },
        query={"valueInputOption": "USER_ENTERED"},
    )
    row = fake.get_values("s", "Records")[4]
    assert row == [
        dt.date(2025, 1, 31),
        dt.date(2025, 4, 3),
        "0123",
        True,
        "=2*3",
        12,
        1.25,
        "=SUM(A1:A2)",
        "hello",
    ]
    _, body = api.call("GET", V + "Records!A5:H5", query={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert body["values"][0][4] == 6
    _, formulas = api.call("GET", V + "Records!E5", query={"valueRenderOption": "FORMULA"})
    assert formulas["values"] == [["=2*3"]]
    _, shown = api.call("GET", V + "Records!A5:B5")
    assert shown["values"] == [["2025-01-31", "03/04/2025"]]


def test_raw_keeps_strings(fake: FakeGoogle, api: Api) -> None:
    _sheet(fake)
    api.call(
        "PUT",
        V + "Records!A5",
        {"values": [["2025-01-31", "=1+1", 5]]},
        query={"valueInputOption": "RAW"},
    )
    assert fake.get_values("s", "Records")[4][:3] == ["2025-01-31", "=1+1", 5]


def test_writes_beyond_the_grid_fail(fake: FakeGoogle, api: Api) -> None:
    fake.add_spreadsheet("s", tabs={"T": []}, row_count=3, col_count=2)
    status, body = api.call(
        "PUT", V + "T!A3", {"values": [["a"], ["b"]]}, query={"valueInputOption": "RAW"}
    )
    assert status == 400
    assert (
        body["error"]["message"]
        == "Range ('T'!A3:A4) exceeds grid limits. Max rows: 3, max columns: 2"
    )
    status, body = api.call(
        "PUT", V + "T!A1:A1", {"values": [["a", "b", "c"]]}, query={"valueInputOption": "RAW"}
    )
    assert status == 400
    status, body = api.call(
        "PUT", V + "T!A1:B2", {"values": [["a", "b", "c"]]}, query={"valueInputOption": "RAW"}
    )
    assert "tried writing to column [C]" in body["error"]["message"]
    status, body = api.call("PUT", V + "T!A1", {"values": [["a"]]})
    assert status == 400
    assert "valueInputOption" in body["error"]["message"]
    assert fake.get_values("s", "T") == []


def test_a1_helpers() -> None:
    assert [column_letters(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert column_index("AA") == 26
    assert quote_title("Sheet1") == "Sheet1"
    assert quote_title("D3") == "'D3'"
    assert quote_title("My tab") == "'My tab'"
    assert quote_title("It's") == "'It''s'"
    ref = parse_range("'Tab with spaces'!A:C", ["Tab with spaces"])
    assert (ref.sheet_title, ref.row_start, ref.row_end, ref.col_start, ref.col_end) == (
        "Tab with spaces",
        0,
        None,
        0,
        3,
    )
    with pytest.raises(ApiError):
        parse_range("Sheet1!A1:B2:C3", ["Sheet1"])
