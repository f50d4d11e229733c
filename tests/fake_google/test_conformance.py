"""Every exchange of a representative session driven by the real gspread client fits
Google's discovery documents (paths, parameters, request and response schemas)."""

from __future__ import annotations

import datetime as dt

import gspread
import pytest
from gspread.utils import DateTimeOption, Dimension, ValueInputOption, ValueRenderOption

from sheetbot.fake_google import FakeGoogle, gspread_client, serve
from sheetbot.fake_google.discovery import check_exchange, check_value, find_method, load_apis

from .conftest import BOT


def _session(gc: gspread.Client, root: str) -> None:
    sh = gc.open_by_key("conf-1")
    ws = sh.worksheet("Records")
    ws.get_all_values()
    ws.get_values(
        value_render_option=ValueRenderOption.unformatted,
        date_time_render_option=DateTimeOption.serial_number,
    )
    ws.get("A1:C3", major_dimension=Dimension.cols)
    sh.values_batch_get(["Records!A1:B2", "'My tab'!A:A"])
    ws.update([["x", None, ""]], "A3")
    ws.batch_update([{"range": "A4:B4", "values": [["1", "2024-01-02"]]}], raw=False)
    ws.append_row(["appended", 3], value_input_option=ValueInputOption.user_entered)
    ws.batch_clear(["C1:C2"])
    ws.clear()
    new = sh.add_worksheet("Extra", 10, 5)
    sh.del_worksheet(new)
    http = gc.http_client
    base = "https://sheets.googleapis.com/v4/spreadsheets/conf-1"
    http.request(
        "get",
        base,
        params={"fields": "properties(locale,timeZone,title),sheets(properties,developerMetadata)"},
    )
    reply = http.request(
        "post",
        base + ":batchUpdate",
        json={
            "requests": [
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataKey": "sheetbot.row",
                            "metadataValue": "r1",
                            "visibility": "DOCUMENT",
                            "location": {
                                "dimensionRange": {
                                    "sheetId": 0,
                                    "dimension": "ROWS",
                                    "startIndex": 1,
                                    "endIndex": 2,
                                }
                            },
                        }
                    }
                }
            ]
        },
    ).json()
    md_id = reply["replies"][0]["createDeveloperMetadata"]["developerMetadata"]["metadataId"]
    flt = {"developerMetadataLookup": {"metadataId": md_id}}
    http.request(
        "post",
        base + "/values:batchGetByDataFilter",
        json={"dataFilters": [flt], "valueRenderOption": "UNFORMATTED_VALUE"},
    )
    http.request(
        "post",
        base + "/values:batchUpdateByDataFilter",
        json={"valueInputOption": "RAW", "data": [{"dataFilter": flt, "values": [["", None]]}]},
    )
    http.request("post", base + "/values:batchClearByDataFilter", json={"dataFilters": [flt]})
    http.request(
        "post",
        base + ":batchUpdate",
        json={"requests": [{"deleteDeveloperMetadata": {"dataFilter": flt}}]},
    )
    sh.list_permissions()
    drive = "https://www.googleapis.com/drive/v3"
    # (gspread's own share() adds a legacy "withLink" key, which is not in Drive v3)
    http.request(
        "post",
        drive + "/files/conf-1/permissions",
        params={"supportsAllDrives": "true", "sendNotificationEmail": "false"},
        json={"type": "user", "role": "writer", "emailAddress": "new.member@mail.test"},
    )
    http.request("get", drive + "/about", params={"fields": "user(emailAddress)"})
    http.request(
        "get",
        drive + "/files/conf-1",
        params={
            "supportsAllDrives": "true",
            "fields": "id,name,mimeType,owners,capabilities(canShare,canEdit),driveId,permissions",
        },
    )
    assert sh.get_lastUpdateTime()
    http.request(
        "get",
        drive + "/files/conf-1/permissions",
        params={
            "supportsAllDrives": "true",
            "pageSize": 2,
            "fields": (
                "nextPageToken,permissions(id,type,role,emailAddress,domain,permissionDetails)"
            ),
        },
    )
    perms = sh.list_permissions()
    member = next(p for p in perms if p.get("emailAddress") == "new.member@mail.test")
    http.request(
        "patch",
        drive + f"/files/conf-1/permissions/{member['id']}",
        params={"supportsAllDrives": "true"},
        json={"role": "commenter"},
    )
    sh.remove_permissions("new.member@mail.test")
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open_by_key("missing")


def _fixture(fake: FakeGoogle) -> None:
    fake.add_spreadsheet(
        "conf-1",
        title="Conformance",
        tabs={
            "Records": [
                ["Reported", "Outcome", "Reporter"],
                [dt.date(2024, 3, 1), "Resolved", "r@mail.test"],
            ],
            "My tab": [["a"], ["b"]],
        },
        permissions=[{"type": "anyone", "role": "reader"}],
    )


def _problems(fake: FakeGoogle) -> list[str]:
    problems = []
    assert fake.exchanges
    for ex in fake.exchanges:
        r = ex.request
        problems += check_exchange(r.method, r.raw_path, r.query, r.json, ex.response, ex.status)
    return problems


def test_gspread_session_over_responses_fits_discovery(
    fake: FakeGoogle, gc: gspread.Client, root: str
) -> None:
    _fixture(fake)
    _session(gc, root)
    assert _problems(fake) == []
    found = [find_method(e.request.method, e.request.raw_path) for e in fake.exchanges]
    ids = {m.id.removeprefix("sheets.") for m in found if m is not None}
    assert {
        "spreadsheets.get",
        "spreadsheets.values.get",
        "spreadsheets.values.batchGet",
        "spreadsheets.values.update",
        "spreadsheets.values.batchUpdate",
        "spreadsheets.values.append",
        "spreadsheets.values.batchClear",
        "spreadsheets.values.clear",
        "spreadsheets.batchUpdate",
        "spreadsheets.values.batchGetByDataFilter",
        "spreadsheets.values.batchUpdateByDataFilter",
        "spreadsheets.values.batchClearByDataFilter",
        "drive.about.get",
        "drive.files.get",
        "drive.permissions.list",
        "drive.permissions.create",
        "drive.permissions.update",
        "drive.permissions.delete",
    } <= ids


def test_gspread_session_over_http_fits_discovery() -> None:
    fake = FakeGoogle(user_email=BOT)
    _fixture(fake)
    with serve(fake) as root:
        _session(gspread_client(root), root)
    assert _problems(fake) == []


def test_checker_catches_invented_keys_and_params() -> None:
    problems = check_exchange(
        "GET",
        "/v4/spreadsheets/x/values/A1",
        {"valueRenderOption": ["NOPE"], "bogus": ["1"]},
        None,
        {"range": "Sheet1!A1", "values": [["a"]], "invented": 1},
    )
    assert any("bogus" in p for p in problems)
    assert any("NOPE" in p for p in problems)
    assert any("invented" in p for p in problems)
    assert check_exchange("GET", "/v4/nothing", {}, None, None) != []
    assert (
        check_exchange(
            "GET",
            "/drive/v3/files/x",
            {},
            None,
            {"error": {"code": 404, "message": "m", "foo": 1}},
            404,
        )
        != []
    )


def test_checker_types_follow_refs_and_arrays() -> None:
    schemas = next(a for a in load_apis() if a.name == "sheets").schemas
    assert check_value(
        {"valueRanges": [{"range": 5}]}, {"$ref": "BatchGetValuesResponse"}, schemas, "r"
    )
    assert not check_value(
        {"valueRanges": [{"range": "A1", "values": [[1, "a", True]]}]},
        {"$ref": "BatchGetValuesResponse"},
        schemas,
        "r",
    )
