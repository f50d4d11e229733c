"""Sharing made to match the roster, through the CLI, over HTTP, against the fake's Drive."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner

from sheetbot import demo_sheet
from sheetbot.access import AccessChange
from sheetbot.cli import EXIT_ERROR, EXIT_OK, EXIT_REFUSED, main
from sheetbot.errors import AccessDenied, GoogleError, NotFound, Rejected, Unavailable
from sheetbot.fake_google.core import FakeGoogle
from sheetbot.google import client as client_mod
from sheetbot.google.drive import DriveAdapter
from tests.conftest import AS_OF, write_config

SHEET = "1AccessTestSpreadsheet"
FAST = client_mod.RetryPolicy(attempts=3, backoff=0.01, max_wait=0.05, timeout=5)
HEADERS = list(demo_sheet.HEADERS)
ROW = [AS_OF.replace(month=10), "", "", "", "x", "", "", "", "Resolved", "", AS_OF.replace(
    year=2027, month=12), "", ""]  # fmt: skip


def sheet_with(fake: FakeGoogle, permissions: list[dict[str, Any]], **kwargs: Any) -> None:
    tabs = kwargs.pop("tabs", {"Records": [HEADERS, ROW]})
    fake.add_spreadsheet(SHEET, tabs=tabs, permissions=permissions, **kwargs)


def user(email: str, role: str = "writer", **extra: Any) -> dict[str, Any]:
    return {"type": "user", "role": role, "emailAddress": email, **extra}


def access_config(tmp_path: Path, root: str, access: str) -> Path:
    return write_config(tmp_path, root, f"[access]\n{access}\n", sheet_id=SHEET)


def run_cli(config: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    argv = ["run", "--config", str(config), "--as-of", AS_OF.isoformat(), "--format", "json"]
    result = CliRunner().invoke(main, [*argv, *args], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout) if result.stdout else {}, result.stderr


def shared(fake: FakeGoogle) -> dict[str, str]:
    """Who has which role now: e-mail, 'anyone' or 'domain:NAME' → role."""
    result = {}
    for p in fake.spreadsheets[SHEET].permissions:
        key = p.email_address or (f"domain:{p.domain}" if p.domain else p.type)
        result[key.lower()] = p.role
    return result


def drive_writes(fake: FakeGoogle) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.writes() if r.api == "drive"]


def test_new_member_added_and_notified(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    sheet_with(fake, [user("alice@example.org")])
    config = access_config(tmp_path, root, 'members = ["alice@example.org", "bob@example.org"]')
    code, report, _err = run_cli(config)
    assert code == EXIT_OK
    assert shared(fake)["bob@example.org"] == "writer"
    assert fake.notified == ["bob@example.org"]
    assert [a["who"] for a in report["access"]["add"]] == ["bob@example.org"]


def test_new_member_notification_carries_the_configured_message(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    sheet_with(fake, [user("alice@example.org")])
    config = access_config(
        tmp_path,
        root,
        'message = "Welcome to the CoC committee records."\n'
        'members = ["alice@example.org", "bob@example.org"]',
    )
    run_cli(config)
    [create] = fake.permission_creates
    assert create.email_address == "bob@example.org"
    assert create.send_notification_email is True
    assert create.email_message == "Welcome to the CoC committee records."


def test_new_member_not_notified_when_turned_off(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    sheet_with(fake, [user("alice@example.org")])
    config = access_config(
        tmp_path, root, 'notify = false\nmembers = ["alice@example.org", "bob@example.org"]'
    )
    run_cli(config)
    assert shared(fake)["bob@example.org"] == "writer"
    assert fake.notified == []


def test_former_member_removed_and_stranger_masked(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    sheet_with(fake, [user("alice@example.org"), user("mallory@example.org")])
    code, report, err = run_cli(access_config(tmp_path, root, 'members = ["alice@example.org"]'))
    assert code == EXIT_OK
    assert "mallory@example.org" not in shared(fake)
    assert "mallory@example.org" not in json.dumps(report) + err
    assert report["access"]["remove"][0]["who"].startswith("ma…@example.org")


def test_terms_of_office_until_ended_and_from_not_begun(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    sheet_with(fake, [user("alice@example.org"), user("old@example.org")])
    config = access_config(
        tmp_path,
        root,
        'members = ["alice@example.org", {email = "old@example.org", until = 2026-06-30},'
        ' {email = "new@example.org", from = 2027-01-01}]',
    )
    run_cli(config)
    assert "old@example.org" not in shared(fake)
    assert "new@example.org" not in shared(fake)
    assert shared(fake)["alice@example.org"] == "writer"


def test_role_change(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    sheet_with(fake, [user("alice@example.org"), user("dave@example.org", "reader")])
    config = access_config(
        tmp_path,
        root,
        'members = ["alice@example.org", {email = "dave@example.org", role = "commenter"}]',
    )
    _code, report, _err = run_cli(config)
    assert shared(fake)["dave@example.org"] == "commenter"
    assert report["access"]["update"][0]["old_role"] == "reader"


def test_link_and_domain_sharing_removed(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    sheet_with(
        fake,
        [
            user("alice@example.org"),
            {"type": "anyone", "role": "reader"},
            {"type": "domain", "role": "reader", "domain": "example.org"},
        ],
    )
    run_cli(access_config(tmp_path, root, 'members = ["alice@example.org"]'))
    assert "anyone" not in shared(fake)
    assert "domain:example.org" not in shared(fake)


def test_link_sharing_kept_when_configured(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    sheet_with(fake, [user("alice@example.org"), {"type": "anyone", "role": "reader"}])
    config = access_config(
        tmp_path, root, 'remove_link_sharing = false\nmembers = ["alice@example.org"]'
    )
    run_cli(config)
    assert shared(fake)["anyone"] == "reader"


def test_owner_bot_and_keep_untouched(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    sheet_with(fake, [user("alice@example.org"), user("auditor@example.org", "reader")])
    before = shared(fake)
    config = access_config(
        tmp_path, root, 'keep = ["auditor@example.org"]\nmembers = ["alice@example.org"]'
    )
    code, _report, _err = run_cli(config)
    assert code == EXIT_OK
    assert shared(fake) == before  # owner, the bot, the kept auditor and alice all as they were
    assert drive_writes(fake) == []


def test_inherited_permission_reported_not_removed(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    sheet_with(
        fake,
        [
            user("alice@example.org"),
            user(
                "drive-member@example.org",
                "writer",
                inherited=True,
                inherited_from="0ASharedDrive",
                permission_type="member",
            ),
        ],
        drive_id="0ASharedDrive",
    )
    code, report, _err = run_cli(access_config(tmp_path, root, 'members = ["alice@example.org"]'))
    assert code == EXIT_OK
    assert shared(fake)["drive-member@example.org"] == "writer"
    assert len(report["access"]["inherited"]) == 1
    assert report["access"]["remove"] == []


def test_permission_list_spanning_several_pages(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    fake.permissions_page_size = 2
    others = [user(f"former{i}@example.org") for i in range(3)]
    sheet_with(fake, [user("alice@example.org"), *others])
    config = access_config(tmp_path, root, 'members = ["alice@example.org"]')
    code, report, _err = run_cli(config)
    assert code == EXIT_OK
    assert len(report["access"]["remove"]) == 3
    assert set(shared(fake)) == {"owner@example.org", "alice@example.org", fake.user_email}
    pages = [r for r in fake.requests if r.method == "GET" and r.path.endswith("/permissions")]
    assert len(pages) == 3  # six permissions (owner, bot, alice, three former), two a page


def test_roster_tab(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    roster = [["Email", "Role", "From", "Until"], ["alice@example.org", "writer", "", ""],
              ["carol@example.org", "commenter", AS_OF.replace(year=2025), ""]]  # fmt: skip
    sheet_with(
        fake, [user("alice@example.org")], tabs={"Records": [HEADERS, ROW], "Committee": roster}
    )
    config = access_config(tmp_path, root, 'roster_tab = "Committee"')
    code, _report, _err = run_cli(config)
    assert code == EXIT_OK
    assert shared(fake)["carol@example.org"] == "commenter"


@pytest.mark.parametrize(
    ("access", "permissions", "reason"),
    [
        (
            'max_removals = 1\nmembers = ["alice@example.org"]',
            [user("alice@example.org"), user("x1@example.org"), user("x2@example.org")],
            "2 user or group removals planned, more than max_removals = 1",
        ),
        (
            'members = [{email = "alice@example.org", until = 2020-01-01}]',
            [user("alice@example.org")],
            "the roster is empty",
        ),
        (
            'roster_tab = "Committee"\nmembers = ["alice@example.org"]',
            [user("alice@example.org"), user("x1@example.org")],
            "no tab 'Committee'",
        ),
    ],
    ids=["too-many-removals", "empty-roster", "missing-roster-tab"],
)
def test_refusals_change_no_sharing(
    served: tuple[FakeGoogle, str],
    tmp_path: Path,
    access: str,
    permissions: list[dict[str, Any]],
    reason: str,
) -> None:
    fake, root = served
    sheet_with(fake, permissions)
    before = shared(fake)
    code, report, _err = run_cli(access_config(tmp_path, root, access))
    assert code == EXIT_REFUSED
    assert reason in json.dumps(report["access"], ensure_ascii=False)
    assert shared(fake) == before
    assert drive_writes(fake) == []


def test_bad_roster_tab_row_refuses_by_row(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    roster = [["Email", "Role"], ["alice@example.org", "writer"], ["not an email", "owner"]]
    sheet_with(
        fake, [user("alice@example.org")], tabs={"Records": [HEADERS, ROW], "Committee": roster}
    )
    code, report, _err = run_cli(access_config(tmp_path, root, 'roster_tab = "Committee"'))
    assert code == EXIT_REFUSED
    assert any("row 3" in p for p in report["access"]["problems"])
    assert "not an email" not in json.dumps(report)
    assert drive_writes(fake) == []


def test_dry_run_and_second_run_send_no_drive_write(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    sheet_with(fake, [user("alice@example.org"), user("mallory@example.org")])
    config = access_config(tmp_path, root, 'members = ["alice@example.org", "bob@example.org"]')
    code, report, _err = run_cli(config, "--dry-run")
    assert code == EXIT_OK
    assert len(report["access"]["add"]) == 1
    assert len(report["access"]["remove"]) == 1
    assert drive_writes(fake) == []
    run_cli(config)
    assert len(drive_writes(fake)) == 2  # one request per permission change
    fake.clear_log()
    run_cli(config)
    assert drive_writes(fake) == []
    assert fake.writes() == []


def test_request_budget_with_access(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    sheet_with(fake, [user("alice@example.org"), user("mallory@example.org")])
    config = access_config(tmp_path, root, 'members = ["alice@example.org", "bob@example.org"]')
    run_cli(config)
    changes = 2
    pages = 1
    assert len(fake.requests) <= 8 + changes + 1 + pages  # 8, + changes, + about.get, + pages


def test_a_failing_permission_change_is_reported_not_swallowed(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    sheet_with(fake, [user("alice@example.org"), user("mallory@example.org")])
    fake.fail_next(method="POST", path_contains="/permissions", status=403)
    config = access_config(tmp_path, root, 'members = ["alice@example.org", "bob@example.org"]')
    code, report, _err = run_cli(config)
    assert code == EXIT_ERROR
    assert report["warnings"] == [
        "access change stopped after 0 of 2 changes: add of bob@example.org failed: "
        "Drive POST request was refused (403): The caller does not have permission"
    ]
    assert "mallory@example.org" in shared(fake)  # nothing after the failed change was sent


def test_a_drive_rate_limit_is_waited_out_and_every_change_made(
    served: tuple[FakeGoogle, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drive's "403: User rate limit exceeded" on a permission change is not a refusal: the
    change is sent again after a backoff (never twice applied: the refused one was not), and
    the stranger's access is still removed in the same run."""
    monkeypatch.setattr(client_mod, "DEFAULT_RETRY", FAST)
    fake, root = served
    sheet_with(fake, [user("alice@example.org"), user("mallory@example.org")])
    rate_limit = "userRateLimitExceeded"
    fake.fail_next(method="POST", path_contains="/permissions", status=403, reason=rate_limit)
    config = access_config(tmp_path, root, 'members = ["alice@example.org", "bob@example.org"]')
    code, report, _err = run_cli(config)
    assert code == EXIT_OK
    assert report["warnings"] == []
    assert shared(fake)["bob@example.org"] == "writer"
    assert "mallory@example.org" not in shared(fake)
    assert fake.notified == ["bob@example.org"]  # added (and told) once
    assert len([w for w in drive_writes(fake) if w.startswith("POST")]) == 2  # refused, then made


def test_a_member_who_cannot_be_added_does_not_keep_a_removed_member_in(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """Google rejects the add of one member (a 400: an address with no Google account, say):
    the changes after it are still made, so a stranger's access is still removed; the failed
    add is named in a warning, exit 1. A refusal of the bot itself (403) stops them (above)."""
    fake, root = served
    sheet_with(fake, [user("alice@example.org"), user("mallory@example.org")])
    fake.fail_next(method="POST", path_contains="/permissions", status=400)
    config = access_config(tmp_path, root, 'members = ["alice@example.org", "bob@example.org"]')
    code, report, _err = run_cli(config)
    assert code == EXIT_ERROR
    [warning] = report["warnings"]
    assert warning.startswith(
        "access change not made: add of bob@example.org failed: Drive POST request was rejected "
        "(400)"
    )
    assert "mallory@example.org" not in shared(fake)
    assert "bob@example.org" not in shared(fake)


class _FailingDrive:
    """A client whose first Drive request fails with ``error``; the rest succeed."""

    def __init__(self, error: GoogleError) -> None:
        self.error: GoogleError | None = error
        self.sent = 0

    def drive_url(self, path: str) -> str:
        return f"https://www.googleapis.com/drive/v3/{path}"

    def request(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        self.sent += 1
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return {}


CHANGES = (
    AccessChange("add", "bob@example.org", "user", "commenter", email="bob@example.org"),
    AccessChange("remove", "ma…@example.org", "user", "writer", permission_id="p1"),
)


@pytest.mark.parametrize(
    ("error", "stops"),
    [
        (Rejected("Drive POST request was rejected (400): Invalid request."), False),
        (NotFound("Drive PATCH request found nothing (404): not found"), False),
        (GoogleError("could not get an access token from Google: invalid_grant"), True),
        (AccessDenied("Drive POST request was refused (403): rate limit"), True),
        (Unavailable("Drive POST request failed after retries (503): busy", status=503), True),
    ],
    ids=["400", "404", "no-token", "403", "503"],
)
def test_only_a_change_rejected_for_itself_lets_the_others_through(
    error: GoogleError, stops: bool
) -> None:
    """A 400 or 404 concerns that change alone: the removal after it is still sent. Any other
    failure (no token, a refusal of the bot, Google out of reach) would fail the rest alike:
    they are not sent."""
    client = _FailingDrive(error)
    applied = DriveAdapter(cast(Any, client), "1Sheet").apply(CHANGES)
    assert applied.failed == (f"add of bob@example.org failed: {error}",)
    assert (applied.stopped, client.sent, len(applied.done)) == (
        stops,
        1 if stops else 2,
        0 if stops else 1,
    )


# A record due at once: its reporter is blanked by any run that is not refused.
DUE = [AS_OF.replace(month=10), "Robin Reporter", "", "", "x", "", "", "", "No violation", "",
       "", "", ""]  # fmt: skip


def test_mass_expunge_refusal_changes_no_sharing(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """SPEC 4: a run refused by the mass-expunge guard does nothing, sharing included; the
    report still shows the access plan, and says it was not applied."""
    fake, root = served
    sheet_with(
        fake,
        [user("alice@example.org"), user("mallory@example.org")],
        tabs={"Records": [HEADERS, DUE, ROW]},
    )
    config = write_config(
        tmp_path,
        root,
        "[retention]\nmax_expunge_per_run = 0\n"
        '[access]\nmembers = ["alice@example.org", "bob@example.org"]\n',
        sheet_id=SHEET,
    )
    code, report, _err = run_cli(config)
    assert code == EXIT_REFUSED
    assert fake.writes() == []  # no Sheets write and no Drive write
    assert report["refused"]["guard"] == "mass-expunge"
    assert report["access"]["refused"] == (
        "access change not applied: the run was refused by the mass-expunge guard"
    )
    assert [a["who"] for a in report["access"]["add"]] == ["bob@example.org"]
    assert len(report["access"]["remove"]) == 1

    result = CliRunner().invoke(
        main, ["run", "--config", str(config), "--as-of", AS_OF.isoformat()]
    )
    assert result.exit_code == EXIT_REFUSED
    out = result.stdout.splitlines()
    sharing = out[out.index("Sharing:") + 1 :]
    assert sharing[0] == "+ bob@example.org writer"
    assert sharing[1].startswith("- user ma…@example.org writer (permission id ")
    assert sharing[2:] == [
        "access change not applied: the run was refused by the mass-expunge guard",
        "access (not applied): 1 to add, 0 to update, 1 to remove, 3 untouched",
        "",
        "Refused: 1 records would be expunged, more than retention.max_expunge_per_run = 0; "
        "nothing was written. Check the dates, then run again with --allow-mass-expunge if "
        "this is intended.",
    ]
    assert "Robin Reporter" not in result.stdout + result.stderr
    assert fake.writes() == []


def access_failure_run(
    served: tuple[FakeGoogle, str], tmp_path: Path, path: str, *args: str
) -> tuple[int, dict[str, Any], str]:
    """A run whose Drive ``GET`` to ``path`` answers 403, after the cells were written."""
    fake, root = served
    sheet_with(
        fake,
        [user("alice@example.org"), user("mallory@example.org")],
        tabs={"Records": [HEADERS, DUE, ROW]},
    )
    config = access_config(tmp_path, root, 'members = ["alice@example.org", "bob@example.org"]')
    fake.fail_next(method="GET", path_contains=path, status=403)
    return run_cli(config, *args)


DENIED = "Drive GET request was refused (403): The caller does not have permission"


def test_permission_list_failure_after_cells_written_still_prints_the_report(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, _root = served
    code, report, err = access_failure_run(served, tmp_path, "/permissions")
    assert code == EXIT_ERROR
    assert report["written"] == [2]
    assert report["log_rows"] == 1
    assert report["access"] is None
    assert report["warnings"] == [
        f"access change not made: cannot list the spreadsheet's sharing (Drive "
        f"permissions.list): {DENIED}"
    ]
    assert drive_writes(fake) == []
    assert "mallory@example.org" not in json.dumps(report) + err
    assert "Robin Reporter" not in json.dumps(report) + err


def test_about_failure_after_cells_written_still_prints_the_report(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, _root = served
    code, report, _err = access_failure_run(served, tmp_path, "/about")
    assert code == EXIT_ERROR
    assert report["written"] == [2]
    assert report["access"] is None
    assert report["warnings"] == [
        f"access change not made: cannot learn the bot's own account (Drive about.get): {DENIED}"
    ]
    assert drive_writes(fake) == []


def test_permission_list_failure_in_a_dry_run_prints_the_plan_and_exits_1(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """A dry run previews the real run: the same report and warning, the same exit code."""
    fake, _root = served
    code, report, _err = access_failure_run(served, tmp_path, "/permissions", "--dry-run")
    assert code == EXIT_ERROR
    assert report["dry_run"] is True
    assert [r["action"] for r in report["records"]] == ["expunge", "retain"]
    assert report["warnings"] == [
        f"access change not made: cannot list the spreadsheet's sharing (Drive "
        f"permissions.list): {DENIED}"
    ]
    assert fake.writes() == []
