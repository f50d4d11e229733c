"""Drive v3: about, files.get, permissions with Drive's defaults, paging and refusals."""

from __future__ import annotations

from sheetbot.fake_google import FakeGoogle

from .conftest import BOT, Api

P = "/drive/v3/files/s/permissions"
ALL = {"supportsAllDrives": "true"}


def _shared(fake: FakeGoogle) -> None:
    fake.add_spreadsheet(
        "s",
        permissions=[
            {"type": "user", "role": "writer", "emailAddress": "alice@mail.test"},
            {"type": "group", "role": "reader", "emailAddress": "list@mail.test"},
            {"type": "domain", "role": "reader", "domain": "example.org"},
            {"type": "anyone", "role": "reader"},
        ],
    )


def test_about_requires_fields(fake: FakeGoogle, api: Api) -> None:
    status, body = api.call("GET", "/drive/v3/about")
    assert status == 400
    assert body["error"]["errors"][0]["reason"] == "required"
    _, body = api.call("GET", "/drive/v3/about", query={"fields": "user(emailAddress)"})
    assert body == {"user": {"emailAddress": BOT}}
    _, body = api.call("GET", "/drive/v3/about", query={"fields": "user"})
    assert body["user"]["me"] is True
    assert body["user"]["kind"] == "drive#user"


def test_files_get(fake: FakeGoogle, api: Api) -> None:
    _shared(fake)
    fake.add_spreadsheet("d", drive_id="drive-1", owner=None)
    _, body = api.call("GET", "/drive/v3/files/s")
    assert body == {
        "kind": "drive#file",
        "id": "s",
        "name": "Untitled spreadsheet",
        "mimeType": "application/vnd.google-apps.spreadsheet",
    }
    _, body = api.call(
        "GET",
        "/drive/v3/files/s",
        query={"fields": "id,owners(emailAddress),capabilities(canShare,canEdit),driveId"},
    )
    assert body == {
        "id": "s",
        "owners": [{"emailAddress": "owner@example.org"}],
        "capabilities": {"canShare": True, "canEdit": True},
    }
    status, body = api.call("GET", "/drive/v3/files/d")
    assert status == 404
    assert body["error"]["message"] == "File not found: d."
    assert body["error"]["errors"][0] == {
        "message": "File not found: d.",
        "domain": "global",
        "reason": "notFound",
        "location": "fileId",
        "locationType": "parameter",
    }
    _, body = api.call("GET", "/drive/v3/files/d", query={**ALL, "fields": "driveId"})
    assert body == {"driveId": "drive-1"}


def test_permission_fields_default_and_full(fake: FakeGoogle, api: Api) -> None:
    _shared(fake)
    _, body = api.call("GET", P, query=ALL)
    assert body["kind"] == "drive#permissionList"
    assert all(set(p) == {"kind", "id", "type", "role"} for p in body["permissions"])
    fields = "nextPageToken,permissions(id,type,role,emailAddress,domain,permissionDetails)"
    _, body = api.call("GET", P, query={**ALL, "fields": fields})
    by_type = {p["type"]: p for p in body["permissions"]}
    assert by_type["group"]["emailAddress"] == "list@mail.test"
    assert by_type["domain"]["domain"] == "example.org"
    assert by_type["anyone"]["id"] == "anyoneWithLink"
    _, body = api.call("GET", P, query={**ALL, "fields": "*"})
    assert "deleted" in body["permissions"][0]


def test_permission_paging(fake: FakeGoogle, api: Api) -> None:
    _shared(fake)
    fake.permissions_page_size = 2
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        query = {**ALL, "fields": "nextPageToken,permissions(id,emailAddress)"}
        if token:
            query["pageToken"] = token
        status, body = api.call("GET", P, query=query)
        assert status == 200
        assert len(body["permissions"]) <= 2
        seen += [p["id"] for p in body["permissions"]]
        pages += 1
        token = body.get("nextPageToken")
        if not token:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 6
    assert api.call("GET", P, query={**ALL, "pageSize": 0})[0] == 400
    assert api.call("GET", P, query={**ALL, "pageToken": "garbage"})[0] == 400


def test_create_update_delete_and_notifications(fake: FakeGoogle, api: Api) -> None:
    _shared(fake)
    status, body = api.call(
        "POST",
        P,
        {"type": "user", "role": "writer", "emailAddress": "bob@mail.test"},
        query={**ALL, "emailMessage": "Welcome"},
    )
    assert status == 200
    assert set(body) == {"kind", "id", "type", "role"}
    api.call(
        "POST",
        P,
        {"type": "user", "role": "commenter", "emailAddress": "carol@mail.test"},
        query={**ALL, "sendNotificationEmail": "false"},
    )
    assert fake.notified == ["bob@mail.test"]
    assert fake.permission_creates[0].email_message == "Welcome"
    status, body = api.call("PATCH", f"{P}/{body['id']}", {"role": "reader"}, query=ALL)
    assert (status, body["role"]) == (200, "reader")
    status, body = api.call("DELETE", f"{P}/{body['id']}", query=ALL)
    assert (status, body) == (204, None)
    assert "bob@mail.test" not in [p.email_address for p in fake.spreadsheets["s"].permissions]
    status, body = api.call("DELETE", f"{P}/nope", query=ALL)
    assert status == 404
    status, body = api.call(
        "POST", P, {"type": "user", "role": "owner", "emailAddress": "x@mail.test"}, query=ALL
    )
    assert status == 403


def test_owner_and_inherited_cannot_be_removed(fake: FakeGoogle, api: Api) -> None:
    _shared(fake)
    owner = next(p for p in fake.spreadsheets["s"].permissions if p.role == "owner")
    status, body = api.call("DELETE", f"{P}/{owner.id}", query=ALL)
    assert status == 403
    assert body["error"]["errors"][0]["reason"] == "cannotRemoveOwner"
    status, body = api.call("PATCH", f"{P}/{owner.id}", {"role": "writer"}, query=ALL)
    assert status == 403
    fake.add_spreadsheet(
        "d",
        drive_id="drive-1",
        owner=None,
        permissions=[
            {
                "type": "user",
                "role": "organizer",
                "emailAddress": "admin@example.org",
                "inherited": True,
                "inherited_from": "drive-1",
            }
        ],
    )
    _, body = api.call(
        "GET",
        "/drive/v3/files/d/permissions",
        query={**ALL, "fields": "permissions(id,emailAddress,permissionDetails)"},
    )
    inherited = next(p for p in body["permissions"] if p.get("emailAddress") == "admin@example.org")
    assert inherited["permissionDetails"] == [
        {
            "permissionType": "member",
            "role": "organizer",
            "inherited": True,
            "inheritedFrom": "drive-1",
        }
    ]
    status, body = api.call("DELETE", f"/drive/v3/files/d/permissions/{inherited['id']}", query=ALL)
    assert status == 403
    assert body["error"]["errors"][0]["reason"] == "cannotDeletePermission"


def test_removing_own_access_locks_the_bot_out(fake: FakeGoogle, api: Api) -> None:
    _shared(fake)
    mine = next(p for p in fake.spreadsheets["s"].permissions if p.email_address == BOT)
    fake.spreadsheets["s"].permissions = [
        p for p in fake.spreadsheets["s"].permissions if p.type not in ("anyone", "domain")
    ]
    assert api.call("DELETE", f"{P}/{mine.id}", query=ALL)[0] == 204
    assert api.call("GET", "/v4/spreadsheets/s")[0] == 403
    assert api.call("GET", P, query=ALL)[0] == 404


def test_writer_cannot_share_when_editors_may_not(fake: FakeGoogle, api: Api) -> None:
    fake.add_spreadsheet("s", writers_can_share=False)  # the bot is a writer
    _, body = api.call(
        "GET",
        "/drive/v3/files/s",
        query={"fields": "capabilities(canShare,canEdit),writersCanShare"},
    )
    assert body == {"capabilities": {"canShare": False, "canEdit": True}, "writersCanShare": False}
    status, body = api.call(
        "POST", P, query=ALL, body={"type": "user", "role": "reader", "emailAddress": "x@mail.test"}
    )
    assert status == 403
    assert body["error"]["errors"][0]["reason"] == "insufficientFilePermissions"
