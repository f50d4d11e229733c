"""The adapter's read path (``SheetAdapter``): what a user is told when Google refuses."""

from __future__ import annotations

from typing import Any

import pytest
import responses

from sheetbot.errors import AccessDenied
from sheetbot.google.client import GoogleClient
from sheetbot.google.sheet import SheetAdapter

ROOT = "http://127.0.0.1:9"
SID = "1SheetKey"
BOT = "sheetbot@proj.iam.gserviceaccount.com"

# Google's answer when the Sheets API is not enabled in the caller's Cloud project.
SERVICE_DISABLED = {
    "error": {
        "code": 403,
        "message": (
            "Google Sheets API has not been used in project 123456 before or it is disabled. "
            "Enable it by visiting https://console.developers.google.com/apis/api/"
            "sheets.googleapis.com/overview?project=123456 then retry."
        ),
        "status": "PERMISSION_DENIED",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "SERVICE_DISABLED",
                "domain": "googleapis.com",
            }
        ],
    }
}
# Google's answer (as recorded) when the spreadsheet is not shared with the caller.
NOT_SHARED = {
    "error": {
        "code": 403,
        "message": "The caller does not have permission",
        "status": "PERMISSION_DENIED",
    }
}


def _read_refused(body: dict[str, Any]) -> str:
    adapter = SheetAdapter(GoogleClient(credentials=None, api_root=ROOT), SID, account=BOT)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, f"{ROOT}/v4/spreadsheets/{SID}", json=body, status=403)
        with pytest.raises(AccessDenied) as caught:
            adapter.read("Records", 1, "")
    return str(caught.value)


def test_a_disabled_api_is_named_not_mistaken_for_a_sheet_not_shared() -> None:
    message = _read_refused(SERVICE_DISABLED)
    assert "has not been used in project 123456" in message
    assert "share it" not in message


def test_a_sheet_not_shared_says_whom_to_share_it_with() -> None:
    assert _read_refused(NOT_SHARED) == (
        f"the bot's account cannot open spreadsheet {SID}: share it with {BOT} (Editor)"
    )
