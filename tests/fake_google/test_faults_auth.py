"""Faults, hooks, the request log, tokens, and both transports."""

from __future__ import annotations

import json
import threading
from typing import Any

import google.auth.transport.requests
import gspread
import pytest
import requests
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.oauth2 import service_account

from sheetbot.fake_google import FakeGoogle, RequestRecord, gspread_client, mount, serve

from .conftest import Api


def _sheet(fake: FakeGoogle) -> None:
    fake.add_spreadsheet("s", tabs={"Records": [["Id", "Name"], ["r1", "A. Person"]]})


def test_request_log(fake: FakeGoogle, gc: gspread.Client) -> None:
    _sheet(fake)
    ws = gc.open_by_key("s").sheet1
    ws.update([["x"]], "B2")
    ws.get_all_values()
    assert [r.method for r in fake.writes()] == ["PUT"]
    assert fake.writes()[0].path == "/v4/spreadsheets/s/values/'Records'!B2"
    assert fake.writes()[0].query["valueInputOption"] == ["RAW"]
    assert fake.writes()[0].json["values"] == [["x"]]
    assert all(r.method == "GET" for r in fake.reads())
    assert {r.api for r in fake.requests} == {"sheets"}
    fake.clear_log()
    assert fake.requests == []


def test_faults_in_google_shape(fake: FakeGoogle, api: Api) -> None:
    _sheet(fake)
    fake.fail_next(method="GET", path_contains="/values/", status=429, headers={"Retry-After": "2"})
    status, headers, body = fake.handle("GET", "/v4/spreadsheets/s/values/A1")
    assert status == 429
    assert headers["Retry-After"] == "2"
    assert json.loads(body)["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert api.call("GET", "/v4/spreadsheets/s/values/A1")[0] == 200
    fake.fail_next(path_contains="/drive/", status=503, times=2)
    assert api.call("GET", "/v4/spreadsheets/s")[0] == 200
    status, body = api.call("GET", "/drive/v3/about", query={"fields": "user"})
    assert status == 503
    assert body["error"]["errors"][0]["reason"] == "backendError"
    assert api.call("GET", "/drive/v3/about", query={"fields": "user"})[0] == 503
    assert api.call("GET", "/drive/v3/about", query={"fields": "user"})[0] == 200


def test_applied_then_lost(fake: FakeGoogle, api: Api) -> None:
    _sheet(fake)
    fake.fail_next(method="POST", path_contains=":append", status=503, apply=True)
    status, _ = api.call(
        "POST",
        "/v4/spreadsheets/s/values/Records!A1:append",
        {"values": [["r2"]]},
        query={"valueInputOption": "RAW"},
    )
    assert status == 503
    assert fake.get_values("s", "Records")[-1] == ["r2", None]


def test_reset_over_responses_and_http(fake: FakeGoogle) -> None:
    _sheet(fake)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        root = mount(fake, rsps)
        fake.fail_next(reset=True)
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(root + "/v4/spreadsheets/s", timeout=5)
        assert requests.get(root + "/v4/spreadsheets/s", timeout=5).status_code == 200
    with serve(fake) as root:
        fake.fail_next(reset=True, apply=True, method="PUT")
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.put(
                root + "/v4/spreadsheets/s/values/B2",
                params={"valueInputOption": "RAW"},
                json={"values": [["lost"]]},
                timeout=5,
            )
        assert fake.get_values("s", "Records")[1][1] == "lost"
        assert requests.get(root + "/v4/spreadsheets/s", timeout=5).status_code == 200


def test_hooks_edit_between_read_and_write(fake: FakeGoogle, gc: gspread.Client) -> None:
    _sheet(fake)
    seen: list[RequestRecord] = []

    @fake.before_request
    def human(record: RequestRecord) -> None:
        if record.method == "PUT":
            fake.insert_rows("s", "Records", 2, [["inserted", "B. Person"]])

    fake.after_request(seen.append)
    ws = gc.open_by_key("s").sheet1
    ws.update([["blanked"]], "B2")
    assert fake.get_values("s", "Records") == [
        ["Id", "Name"],
        ["inserted", "blanked"],
        ["r1", "A. Person"],
    ]
    assert seen[-1].method == "PUT"
    fake.remove_hook(human)


def _key_file(root: str) -> dict[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": "fake-project",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "sheetbot@proj.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": root + "/token",
    }


def test_token_endpoint_and_expiry(fake: FakeGoogle) -> None:
    _sheet(fake)
    fake.require_auth = True
    with serve(fake) as root:
        assert requests.get(root + "/v4/spreadsheets/s", timeout=5).status_code == 401
        creds = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            _key_file(root), scopes=["https://www.googleapis.com/auth/spreadsheets"]
        )
        # keep google-auth's "regional access boundary" lookup from leaving loopback
        creds._is_regional_access_boundary_lookup_required = lambda: False
        gc = gspread_client(root, creds)
        assert gc.open_by_key("s").sheet1.acell("A2").value == "r1"
        fake.expire_tokens()
        assert gc.open_by_key("s").sheet1.acell("B2").value == "A. Person"
        tokens = [r for r in fake.requests if r.api == "token"]
        assert len(tokens) == 2
        unauthorized = [e for e in fake.exchanges if e.status == 401]
        assert unauthorized[-1].response["error"]["status"] == "UNAUTHENTICATED"
        session = google.auth.transport.requests.AuthorizedSession(creds)  # type: ignore[no-untyped-call]
        status = session.get(
            root + "/drive/v3/about", params={"fields": "user"}, timeout=5
        ).status_code
        assert status == 200


def test_http_server_is_thread_safe(fake: FakeGoogle) -> None:
    fake.add_spreadsheet("s", tabs={"Log": [["h"]]})
    errors: list[BaseException] = []
    with serve(fake) as root:

        def worker(n: int) -> None:
            try:
                for i in range(5):
                    r = requests.post(
                        root + "/v4/spreadsheets/s/values/Log!A1:append",
                        params={"valueInputOption": "RAW"},
                        json={"values": [[f"{n}-{i}"]]},
                        timeout=5,
                    )
                    assert r.status_code == 200
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert len(fake.get_values("s", "Log")) == 21
