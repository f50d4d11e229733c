"""Sheets behaviour: append, atomic batchUpdate, developer metadata that moves with its
rows, ByDataFilter reads and writes, spreadsheets.get field masks, access."""

from __future__ import annotations

from typing import Any

from sheetbot.fake_google import FakeGoogle

from .conftest import Api

S = "/v4/spreadsheets/s"


def _records(fake: FakeGoogle) -> None:
    fake.add_spreadsheet(
        "s",
        title="Incidents",
        tabs={
            "Records": [
                ["Id", "Reporter", "Outcome"],
                ["r1", "a@mail.test", "Resolved"],
                ["r2", "b@mail.test", "Flagged"],
                ["r3", "c@mail.test", "Banned"],
            ],
            "Log": [["When", "What"]],
        },
    )


def _row_metadata(api: Api, row_index: int, value: str) -> int:
    status, body = api.call(
        "POST",
        S + ":batchUpdate",
        {
            "requests": [
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataKey": "sheetbot.record",
                            "metadataValue": value,
                            "visibility": "DOCUMENT",
                            "location": {
                                "dimensionRange": {
                                    "sheetId": 0,
                                    "dimension": "ROWS",
                                    "startIndex": row_index,
                                    "endIndex": row_index + 1,
                                }
                            },
                        }
                    }
                }
            ]
        },
    )
    assert status == 200, body
    md = body["replies"][0]["createDeveloperMetadata"]["developerMetadata"]
    assert md["location"] == {
        "locationType": "ROW",
        "dimensionRange": {
            "sheetId": 0,
            "dimension": "ROWS",
            "startIndex": row_index,
            "endIndex": row_index + 1,
        },
    }
    return int(md["metadataId"])


def _by_value(value: str) -> dict[str, Any]:
    return {"developerMetadataLookup": {"metadataKey": "sheetbot.record", "metadataValue": value}}


def _read(api: Api, flt: dict[str, Any]) -> Any:
    status, body = api.call("POST", S + "/values:batchGetByDataFilter", {"dataFilters": [flt]})
    assert status == 200
    return body


def test_append_finds_the_table_and_expands(fake: FakeGoogle, api: Api) -> None:
    fake.add_spreadsheet("s", tabs={"Log": [["When", "What"], ["t1", "x"]]}, row_count=2)
    status, body = api.call(
        "POST",
        S + "/values/Log!A1:B1:append",
        {"values": [["t2", "y"], ["t3", "z"]]},
        query={"valueInputOption": "RAW"},
    )
    assert status == 200
    assert body["tableRange"] == "Log!A1:B2"
    assert body["updates"]["updatedRange"] == "Log!A3:B4"
    assert fake.get_values("s", "Log")[-1] == ["t3", "z"]
    _, props = api.call("GET", S, query={"fields": "sheets.properties.gridProperties"})
    assert props == {
        "sheets": [{"properties": {"gridProperties": {"rowCount": 4, "columnCount": 26}}}]
    }


def test_append_insert_rows_moves_rows_below(fake: FakeGoogle, api: Api) -> None:
    fake.add_spreadsheet("s", tabs={"T": [["h"], ["a"], [None], ["below"]]})
    md = fake.add_row_metadata("s", "T", 4, "k", "below")
    api.call(
        "POST",
        S + "/values/T!A1:A2:append",
        {"values": [["new"]]},
        query={"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
    )
    assert [r[0] for r in fake.get_values("s", "T")] == ["h", "a", "new", None, "below"]
    assert fake.metadata("s")[0]["metadataId"] == md
    assert fake.metadata("s")[0]["location"]["dimensionRange"]["startIndex"] == 4


def test_batch_update_is_atomic(fake: FakeGoogle, api: Api) -> None:
    _records(fake)
    status, body = api.call(
        "POST",
        S + ":batchUpdate",
        {
            "requests": [
                {"addSheet": {"properties": {"title": "New"}}},
                {"deleteSheet": {"sheetId": 424242}},
            ]
        },
    )
    assert status == 400
    assert body["error"]["message"] == "Invalid requests[1].deleteSheet: No grid with id: 424242"
    _, doc = api.call("GET", S, query={"fields": "sheets.properties.title"})
    assert doc == {
        "sheets": [{"properties": {"title": "Records"}}, {"properties": {"title": "Log"}}]
    }
    status, body = api.call(
        "POST",
        S + "/values:batchUpdate",
        {
            "valueInputOption": "RAW",
            "data": [
                {"range": "Records!B2", "values": [[""]]},
                {"range": "Nowhere!B3", "values": [[""]]},
            ],
        },
    )
    assert status == 400
    assert fake.get_values("s", "Records")[1][1] == "a@mail.test"


def test_add_sheet_rejects_duplicate_titles(fake: FakeGoogle, api: Api) -> None:
    _records(fake)
    status, body = api.call(
        "POST", S + ":batchUpdate", {"requests": [{"addSheet": {"properties": {"title": "Log"}}}]}
    )
    assert status == 400
    assert 'A sheet with the name "Log" already exists' in body["error"]["message"]


def test_metadata_moves_with_inserted_deleted_and_sorted_rows(fake: FakeGoogle, api: Api) -> None:
    _records(fake)
    for i, rid in enumerate(["r1", "r2", "r3"], start=1):
        _row_metadata(api, i, rid)
    fake.insert_rows("s", "Records", 2, [["new", "n@mail.test", ""]])
    assert _read(api, _by_value("r1"))["valueRanges"][0]["valueRange"] == {
        "range": "Records!A3:Z3",
        "majorDimension": "ROWS",
        "values": [["r1", "a@mail.test", "Resolved"]],
    }
    fake.delete_rows("s", "Records", 4, 4)  # r2's row
    assert "valueRanges" not in _read(api, _by_value("r2"))
    fake.sort_rows("s", "Records", 2, key=lambda row: row[0], last=4)
    assert [r[0] for r in fake.get_values("s", "Records")] == ["Id", "new", "r1", "r3"]
    fake.sort_rows("s", "Records", 2, key=lambda row: str(row[0]), last=4)
    fake.sort_rows("s", "Records", 2, key=lambda row: -ord(str(row[0])[-1]), last=4)
    assert [r[0] for r in fake.get_values("s", "Records")] == ["Id", "new", "r3", "r1"]
    got = _read(api, _by_value("r3"))["valueRanges"][0]["valueRange"]
    assert got["range"] == "Records!A3:Z3"
    assert got["values"] == [["r3", "c@mail.test", "Banned"]]


def test_dimension_requests_move_metadata(fake: FakeGoogle, api: Api) -> None:
    _records(fake)
    md = _row_metadata(api, 3, "r3")
    rng = {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}
    assert (
        api.call("POST", S + ":batchUpdate", {"requests": [{"insertDimension": {"range": rng}}]})[0]
        == 200
    )
    assert fake.metadata("s")[0]["location"]["dimensionRange"]["startIndex"] == 4
    rng = {"sheetId": 0, "dimension": "ROWS", "startIndex": 4, "endIndex": 5}
    api.call("POST", S + ":batchUpdate", {"requests": [{"deleteDimension": {"range": rng}}]})
    assert fake.metadata("s") == []
    assert "valueRanges" not in _read(api, {"developerMetadataLookup": {"metadataId": md}})


def test_by_data_filter_writes_at_the_matched_row(fake: FakeGoogle, api: Api) -> None:
    _records(fake)
    md = _row_metadata(api, 2, "r2")
    flt = {"developerMetadataLookup": {"metadataId": md}}
    status, body = api.call(
        "POST",
        S + "/values:batchUpdateByDataFilter",
        {
            "valueInputOption": "RAW",
            "includeValuesInResponse": True,
            "data": [
                {"dataFilter": flt, "values": [[None, "", None]]},
                {"dataFilter": _by_value("gone"), "values": [["x"]]},
            ],
        },
    )
    assert status == 200
    assert body["totalUpdatedCells"] == 1
    assert body["responses"] == [
        {
            "updatedRange": "Records!A3:C3",
            "updatedRows": 1,
            "updatedColumns": 1,
            "updatedCells": 1,
            "dataFilter": flt,
            "updatedData": {
                "range": "Records!A3:C3",
                "majorDimension": "ROWS",
                "values": [["r2", "", "Flagged"]],
            },
        }
    ]
    assert fake.get_values("s", "Records")[2] == ["r2", None, "Flagged"]
    got = _read(api, flt)
    assert got["valueRanges"][0]["dataFilters"] == [flt]
    status, body = api.call(
        "POST",
        S + "/values:batchUpdateByDataFilter",
        {"valueInputOption": "RAW", "data": [{"dataFilter": flt, "values": [["a"], ["b"]]}]},
    )
    assert status == 400
    status, body = api.call("POST", S + "/values:batchClearByDataFilter", {"dataFilters": [flt]})
    assert body["clearedRanges"] == ["Records!A3:Z3"]
    assert fake.get_values("s", "Records")[2] == [None, None, None]
    status, body = api.call(
        "POST",
        S + "/values:batchGetByDataFilter",
        {
            "dataFilters": [
                {"gridRange": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1}},
                {"a1Range": "Log!A1:B1"},
            ]
        },
    )
    assert [v["valueRange"]["range"] for v in body["valueRanges"]] == ["Records!A1:Z1", "Log!A1:B1"]


def test_delete_and_update_developer_metadata(fake: FakeGoogle, api: Api) -> None:
    _records(fake)
    md = _row_metadata(api, 1, "r1")
    _row_metadata(api, 2, "r2")
    status, body = api.call(
        "POST",
        S + ":batchUpdate",
        {
            "requests": [
                {
                    "updateDeveloperMetadata": {
                        "dataFilters": [{"developerMetadataLookup": {"metadataId": md}}],
                        "developerMetadata": {"metadataValue": "r1b"},
                        "fields": "metadataValue",
                    }
                }
            ]
        },
    )
    assert (
        body["replies"][0]["updateDeveloperMetadata"]["developerMetadata"][0]["metadataValue"]
        == "r1b"
    )
    status, body = api.call(
        "POST",
        S + ":batchUpdate",
        {
            "requests": [
                {
                    "deleteDeveloperMetadata": {
                        "dataFilter": {
                            "developerMetadataLookup": {"metadataKey": "sheetbot.record"}
                        }
                    }
                }
            ]
        },
    )
    deleted = body["replies"][0]["deleteDeveloperMetadata"]["deletedDeveloperMetadata"]
    assert [d["metadataValue"] for d in deleted] == ["r1b", "r2"]
    status, body = api.call(
        "POST",
        S + ":batchUpdate",
        {
            "requests": [
                {
                    "deleteDeveloperMetadata": {
                        "dataFilter": {
                            "developerMetadataLookup": {"metadataKey": "sheetbot.record"}
                        }
                    }
                }
            ]
        },
    )
    assert body["replies"] == [{"deleteDeveloperMetadata": {}}]
    status, body = api.call(
        "POST",
        S + "/values:batchGetByDataFilter",
        {"dataFilters": [{"developerMetadataLookup": {}}]},
    )
    assert status == 400


def test_spreadsheet_get_and_field_masks(fake: FakeGoogle, api: Api) -> None:
    _records(fake)
    _row_metadata(api, 1, "r1")
    status, doc = api.call("GET", S)
    assert status == 200
    assert set(doc) == {"spreadsheetId", "properties", "sheets", "spreadsheetUrl"}
    assert doc["sheets"][0]["developerMetadata"][0]["metadataValue"] == "r1"
    assert "developerMetadata" not in doc["sheets"][1]
    assert doc["sheets"][1]["properties"]["index"] == 1
    _, masked = api.call(
        "GET",
        S,
        query={"fields": "properties(locale,timeZone,title),sheets(properties,developerMetadata)"},
    )
    assert masked["properties"] == {"title": "Incidents", "locale": "en_US", "timeZone": "Etc/GMT"}
    assert set(masked) == {"properties", "sheets"}
    assert set(masked["sheets"][1]) == {"properties"}
    _, masked = api.call("GET", S, query={"fields": "properties,sheets.properties"})
    assert set(masked["sheets"][0]) == {"properties"}
    _, masked = api.call("GET", S, query={"fields": "spreadsheetId,nothingLikeThis"})
    assert masked == {"spreadsheetId": "s"}
    _, grid = api.call("GET", S, query={"includeGridData": "true", "ranges": "Log!A1:B1"})
    assert [s["properties"]["title"] for s in grid["sheets"]] == ["Log"]
    assert grid["sheets"][0]["data"][0]["rowData"][0]["values"][1]["formattedValue"] == "What"


def test_access_and_unknown_paths(fake: FakeGoogle, api: Api) -> None:
    fake.add_spreadsheet("ro", bot_role="reader")
    fake.add_spreadsheet("none", bot_role=None)
    assert api.call("GET", "/v4/spreadsheets/ro/values/A1")[0] == 200
    status, body = api.call(
        "PUT",
        "/v4/spreadsheets/ro/values/A1",
        {"values": [["x"]]},
        query={"valueInputOption": "RAW"},
    )
    assert (status, body["error"]["status"]) == (403, "PERMISSION_DENIED")
    assert api.call("GET", "/v4/spreadsheets/none")[1] == {
        "error": {
            "code": 403,
            "message": "The caller does not have permission",
            "status": "PERMISSION_DENIED",
        }
    }
    assert api.call("GET", "/v4/spreadsheets/missing")[1] == {
        "error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}
    }
    assert api.call("POST", "/v4/spreadsheets")[0] == 404
    assert api.call("GET", "/v4/spreadsheets/ro/developerMetadata/1")[0] == 404
    assert api.call("DELETE", "/drive/v3/files/ro")[0] == 404
    assert api.call("GET", "/elsewhere")[0] == 404
    status, body = api.call(
        "POST", "/v4/spreadsheets/ro:batchUpdate", {"requests": [{"repeatCell": {}}]}
    )
    assert status == 403
