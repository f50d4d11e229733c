"""The fake Google API against what Google's discovery documents say (sheets.v4.json)."""

from __future__ import annotations

import json
from typing import Any

from sheetbot.fake_google import FakeGoogle

SID = "s"


def _call(fake: FakeGoogle, method: str, path: str, body: Any) -> tuple[int, Any]:
    status, _, raw = fake.handle(method, path, {}, json.dumps(body).encode())
    return status, json.loads(raw) if raw else None


def _tagged_sheet() -> FakeGoogle:
    """Row 2 tagged "row", column B tagged "column", the sheet tagged "sheet"."""
    fake = FakeGoogle()
    fake.add_spreadsheet(SID, tabs={"Records": [["a", "b"], ["c", "d"]]})
    locations = {
        "row": {
            "dimensionRange": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}
        },
        "column": {
            "dimensionRange": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2}
        },
        "sheet": {"sheetId": 0},
        "spreadsheet": {"spreadsheet": True},
    }
    requests = [
        {
            "createDeveloperMetadata": {
                "developerMetadata": {"metadataKey": key, "visibility": "DOCUMENT", "location": loc}
            }
        }
        for key, loc in locations.items()
    ]
    status, _ = _call(fake, "POST", f"/v4/spreadsheets/{SID}:batchUpdate", {"requests": requests})
    assert status == 200
    return fake


def _keys_found(fake: FakeGoogle, lookup: dict[str, Any]) -> set[str]:
    status, body = _call(
        fake,
        "POST",
        f"/v4/spreadsheets/{SID}:batchUpdate",
        {
            "requests": [
                {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": lookup}}}
            ]
        },
    )
    assert status == 200, body
    found = body["replies"][0]["deleteDeveloperMetadata"].get("deletedDeveloperMetadata", [])
    return {m["metadataKey"] for m in found}


ROW_2 = {"dimensionRange": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}}


def test_metadata_lookup_by_location_matches_intersecting_locations_by_default() -> None:
    # DeveloperMetadataLookup.locationMatchingStrategy: "If left unspecified, this field
    # assumes a default value of INTERSECTING"; column B intersects row 2.
    assert _keys_found(_tagged_sheet(), {"metadataLocation": ROW_2}) == {"row", "column", "sheet"}


def test_exact_location_lookup_matches_only_that_row() -> None:
    lookup = {"metadataLocation": ROW_2, "locationMatchingStrategy": "EXACT_LOCATION"}
    assert _keys_found(_tagged_sheet(), lookup) == {"row"}


def test_spreadsheet_metadata_intersects_no_other_location() -> None:
    lookup = {"metadataLocation": {"spreadsheet": True}}
    assert _keys_found(_tagged_sheet(), lookup) == {"spreadsheet"}


def test_a_matching_strategy_without_a_location_is_refused() -> None:
    fake = _tagged_sheet()
    status, body = _call(
        fake,
        "POST",
        f"/v4/spreadsheets/{SID}/values:batchGetByDataFilter",
        {
            "dataFilters": [
                {
                    "developerMetadataLookup": {
                        "metadataKey": "row",
                        "locationMatchingStrategy": "EXACT_LOCATION",
                    }
                }
            ]
        },
    )
    assert status == 400
    assert body["error"]["status"] == "INVALID_ARGUMENT"


def _create_on(fake: FakeGoogle, dimension_range: dict[str, Any]) -> int:
    md = {
        "metadataKey": "k",
        "visibility": "DOCUMENT",
        "location": {"dimensionRange": {"sheetId": 0, **dimension_range}},
    }
    request = {"requests": [{"createDeveloperMetadata": {"developerMetadata": md}}]}
    status, _ = _call(fake, "POST", f"/v4/spreadsheets/{SID}:batchUpdate", request)
    return status


def test_row_metadata_must_sit_on_exactly_one_bounded_row() -> None:
    # DeveloperMetadataLocation.dimensionRange: "must represent a single row or column. It
    # cannot be unbounded or span multiple rows or columns."
    fake = _tagged_sheet()
    assert _create_on(fake, {"dimension": "ROWS", "startIndex": 1, "endIndex": 3}) == 400
    assert _create_on(fake, {"dimension": "ROWS", "startIndex": 1}) == 400
    assert _create_on(fake, {"dimension": "COLUMNS", "startIndex": 0, "endIndex": 26}) == 400
    assert _create_on(fake, {"dimension": "ROWS", "startIndex": 4, "endIndex": 5}) == 200
