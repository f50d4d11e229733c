"""The fake Google API against what Google's discovery documents say (sheets.v4.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sheetbot import demo
from sheetbot.cli import main
from sheetbot.fake_google import FakeGoogle
from sheetbot.fake_google.discovery import check_exchange, find_method
from sheetbot.google import client as client_mod
from tests.conftest import AS_OF, write_config

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


def test_every_exchange_of_a_real_run_fits_the_discovery_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gspread session of ``fake_google/test_conformance.py`` leaves out the requests the
    bot itself sends (data filters, row tags, the log append, paged permissions with their
    ``fields`` masks) and the faults' error bodies: a full run, with faults, covers them."""
    monkeypatch.setattr(client_mod, "DEFAULT_RETRY", client_mod.RetryPolicy(backoff=0.01))
    members = '["chair@example.org", "alice@example.org", {email = "bob@example.org"}]'
    with demo.demo_server(AS_OF) as (fake, root):
        fake.permissions_page_size = 2
        fake.fail_next(path_contains="batchUpdateByDataFilter", status=429)
        fake.fail_next(path_contains=":append", status=503, apply=True)
        config = write_config(tmp_path, root, f"[access]\nmembers = {members}\nmax_removals = 5\n")
        for command in ("run", "check"):
            argv = [command, "--config", str(config), "--as-of", AS_OF.isoformat()]
            CliRunner().invoke(main, argv, catch_exceptions=False)
        exchanges = fake.exchanges
    ids = {m.id for e in exchanges if (m := find_method(e.request.method, e.request.raw_path))}
    assert {
        "sheets.spreadsheets.values.batchGetByDataFilter",
        "sheets.spreadsheets.values.batchUpdateByDataFilter",
        "sheets.spreadsheets.values.append",
        "drive.permissions.list",
        "drive.permissions.create",
        "drive.permissions.delete",
    } <= ids
    assert {e.status for e in exchanges} >= {200, 204, 429, 503}
    problems = [
        p
        for e in exchanges
        for p in check_exchange(
            e.request.method,
            e.request.raw_path,
            e.request.query,
            e.request.json,
            e.response,
            e.status,
        )
    ]
    assert problems == []
