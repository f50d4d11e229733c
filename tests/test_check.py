"""``sheetbot check`` end to end: the CLI command against the fake Google API over loopback HTTP.

Every test asserts the exact lines a user sees and that the check sent no write request.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sheetbot import check as check_mod
from sheetbot import demo, demo_sheet
from sheetbot.cli import main
from sheetbot.fake_google.core import FakeGoogle
from tests.conftest import AS_OF, assert_no_pii, demo_pii, service_account_key, write_config

SHEET = "1CheckTestSpreadsheet"
BOT = demo.DEMO_BOT
HEADERS = list(demo_sheet.HEADERS)
REPORTED = AS_OF.replace(month=10)
# Invented personal data (never to appear in any output).
PII = {"Robin Reporter", "Sam Subject", "sam.subject@mail.test", "Kim Witness", "kim@mail.test"}


def row(reported: Any = REPORTED, outcome: str = "Resolved", **cells: Any) -> list[Any]:
    """A record under HEADERS: a resolved report from October, expunged in 2027."""
    values: dict[str, Any] = {
        "Date of 1st report": reported,
        "Reporter": "Robin Reporter",
        "Named subjects": "Sam Subject",
        "Subject email address/URL": "sam.subject@mail.test",
        "Summary of report (for internal purposes)": "Invented check fixture",
        "Outcome": outcome,
        "Date to expunge this record": dt.date(2027, 12, 24),
        **cells,
    }
    return [values.get(h, "") for h in HEADERS]


ROWS = [row(), row(Reporter="Kim Witness", **{"Subject email address/URL": "kim@mail.test"})]


def user(email: str, role: str = "writer") -> dict[str, Any]:
    return {"type": "user", "role": role, "emailAddress": email}


def add_sheet(
    fake: FakeGoogle,
    *,
    headers: list[str] = HEADERS,
    rows: list[list[Any]] = ROWS,
    permissions: list[dict[str, Any]] | None = None,
    bot_role: str | None = "writer",
    tabs: dict[str, list[list[Any]]] | None = None,
    writers_can_share: bool = True,
) -> None:
    fake.add_spreadsheet(
        SHEET,
        writers_can_share=writers_can_share,
        locale="en_GB",
        tabs={"Records": [headers, *rows], **(tabs or {})},
        owner="chair@example.org",
        permissions=[user("alice@example.org")] if permissions is None else permissions,
        bot_role=bot_role,
    )


MEMBERS = '[access]\nmembers = ["alice@example.org"]\n'


def config(
    tmp_path: Path, root: str, extra: str = "", sheet_id: str = SHEET, spreadsheet: str = ""
) -> Path:
    """write_config; ``spreadsheet`` is TOML added to the [spreadsheet] table."""
    path = write_config(tmp_path, root, extra, sheet_id=sheet_id)
    if spreadsheet:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("[google]", f"{spreadsheet}[google]", 1), encoding="utf-8")
    return path


def run_check(config_path: Path | None, *args: str) -> tuple[int, str]:
    argv = ["check", "--as-of", AS_OF.isoformat(), *args]
    if config_path is not None:
        argv = [*argv, "--config", str(config_path)]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


def lines(out: str) -> list[str]:
    return out.splitlines()


def status_of(out: str) -> dict[str, str]:
    """check name → status, from the text output."""
    found: dict[str, str] = {}
    for line in lines(out):
        if line[:1] != " " and ": " in line and not line.startswith("check:"):
            status, _, rest = line.partition("  ")
            found[rest.split(":", 1)[0].strip()] = status.strip()
    return found


REMINDER = f"note  version-history: {check_mod.REMINDER}"
SKIP_AFTER_CONFIG = {
    "credentials": "skip",
    "spreadsheet": "skip",
    "edit": "skip",
    "headers": "skip",
    "dates": "skip",
}
DATES_OK = (
    "ok    dates: 2 records read, none needs attention; text dates are read DMY "
    "(from the spreadsheet's locale en_GB)"
)


# --------------------------------------------------------------------------- healthy


def test_healthy_setup_all_ok(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake)
    path = config(tmp_path, root, MEMBERS)
    code, out = run_check(path)
    assert code == 0
    assert lines(out) == [
        f'ok    config: {path} is valid: spreadsheet {SHEET}, records tab "Records", '
        "sharing managed ([access])",
        f"ok    credentials: none: emulator mode, requests to {root} carry no token",
        f"ok    spreadsheet: {SHEET} opens (1 tab, locale en_GB)",
        f"ok    edit: the bot ({BOT}) can edit the spreadsheet",
        f"ok    share: the bot ({BOT}) can change the spreadsheet's sharing",
        'ok    headers: all 9 configured headers found once in row 1 of "Records"',
        DATES_OK,
        "ok    roster: 1 member in office on 2026-11-24: alice@example.org (writer); "
        "a run would add 0, update 0, remove 0",
        "ok    link-sharing: off: nobody can open the spreadsheet by link or domain",
        REMINDER,
        "",
        "check: 9 ok, 0 warn, 0 failed, 0 skipped; `sheetbot run` has what it needs",
    ]
    assert fake.writes() == []


def test_healthy_setup_without_access(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake)
    code, out = run_check(config(tmp_path, root))
    assert code == 0
    assert set(status_of(out)) == {
        "config",
        "credentials",
        "spreadsheet",
        "edit",
        "headers",
        "dates",
        "version-history",
    }
    assert "sharing not managed (no [access])" in out
    assert REMINDER in lines(out)
    assert fake.writes() == []


def test_json_format(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake, bot_role="reader")
    code, out = run_check(config(tmp_path, root), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["ok"] is False
    assert report["exit_code"] == 1
    assert report["as_of"] == "2026-11-24"
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["edit"]["status"] == "fail"
    assert by_name["edit"]["fix"] == f"give {BOT} the Editor role on the spreadsheet (Share)"
    assert by_name["version-history"] == {
        "name": "version-history",
        "status": "note",
        "message": check_mod.REMINDER,
        "details": [],
        "fix": None,
    }
    assert fake.writes() == []


# --------------------------------------------------------------------------- 1. config


def test_bad_config_unknown_key(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake)
    path = config(tmp_path, root, "[columns]\ncolour = 'red'\n")
    code, out = run_check(path)
    assert code == 1
    assert lines(out)[:2] == [
        "fail  config: columns.colour: unknown key (see config.example.toml for the accepted keys)",
        f"      fix: correct {path} (config.example.toml documents every key)",
    ]
    assert "skip  credentials: needs a valid config" in lines(out)
    assert status_of(out) == {"config": "fail", **SKIP_AFTER_CONFIG, "version-history": "note"}
    assert REMINDER in lines(out)
    assert lines(out)[-1] == (
        "check: 0 ok, 0 warn, 1 failed, 5 skipped; fix the failures before `sheetbot run`"
    )
    assert fake.requests == []


def test_no_config_given() -> None:
    code, out = run_check(None)
    assert code == 1
    assert lines(out)[:2] == [
        "fail  config: no configuration file given",
        "      fix: pass --config FILE or set SHEETBOT_CONFIG",
    ]


# --------------------------------------------------------------------------- 2. credentials


def test_missing_key_file(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake)
    key = tmp_path / "missing-key.json"
    code, out = run_check(config(tmp_path, root, f'credentials = "{key}"\n'))
    assert code == 1
    assert lines(out)[1:3] == [
        f"fail  credentials: google.credentials: key file not found: {key}",
        "      fix: set google.credentials to the path of the bot's service-account JSON key "
        'file, or to "" to use GOOGLE_APPLICATION_CREDENTIALS or Application Default '
        "Credentials",
    ]
    assert "skip  spreadsheet: needs credentials" in lines(out)
    assert status_of(out)["headers"] == "skip"
    assert fake.requests == []


def test_missing_key_file_named_by_the_environment(
    served: tuple[FakeGoogle, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The variable is set: "set ... GOOGLE_APPLICATION_CREDENTIALS" would send the operator
    looking for the wrong fault. Say that the file it names is not there."""
    fake, root = served
    add_sheet(fake)
    key = tmp_path / "missing-key.json"
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    code, out = run_check(config(tmp_path, root))
    assert code == 1
    assert lines(out)[1:3] == [
        f"fail  credentials: GOOGLE_APPLICATION_CREDENTIALS: key file not found: {key}",
        "      fix: point GOOGLE_APPLICATION_CREDENTIALS at the bot's service-account key file",
    ]
    assert fake.requests == []


def _key_file(tmp_path: Path, root: str) -> tuple[Path, str]:
    path = tmp_path / "bot-key.json"
    return path, service_account_key(path, root + "/token", BOT)


def test_key_file_source_named_contents_never_printed(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    add_sheet(fake)
    fake.require_auth = True
    key, pem = _key_file(tmp_path, root)
    code, out = run_check(config(tmp_path, root, f'credentials = "{key}"\n'))
    assert code == 0, out
    assert lines(out)[1] == (
        f"ok    credentials: service-account key file {key} (google.credentials) (account {BOT})"
    )
    for secret_line in pem.splitlines()[1:-1]:
        assert secret_line not in out
    assert "fake-token" not in out
    assert [r.api for r in fake.requests].count("token") >= 1
    assert fake.writes() == []


# --------------------------------------------------------------------------- 3. spreadsheet


def test_spreadsheet_not_found(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake)
    missing = "1NoSuchSpreadsheetHere"
    code, out = run_check(config(tmp_path, root, sheet_id=missing))
    assert code == 1
    assert lines(out)[2:4] == [
        f"fail  spreadsheet: {missing} not found: Sheets GET request found nothing (404): "
        "Requested entity was not found.",
        "      fix: check spreadsheet.id (the key in the sheet's URL), and share the "
        f"spreadsheet with {BOT} as Editor",
    ]
    assert lines(out)[4:7] == [
        "skip  edit: needs the spreadsheet to open",
        "skip  headers: needs the spreadsheet to open",
        "skip  dates: needs the headers",
    ]
    assert fake.writes() == []


def test_not_shared_with_the_bot(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake, bot_role=None)
    code, out = run_check(config(tmp_path, root, MEMBERS))
    assert code == 1
    assert lines(out)[2:4] == [
        f"fail  spreadsheet: {SHEET} cannot be opened by the bot: Sheets GET request was "
        "refused (403): The caller does not have permission",
        f"      fix: share the spreadsheet with {BOT} as Editor",
    ]
    assert status_of(out) == {
        "config": "ok",
        "credentials": "ok",
        "spreadsheet": "fail",
        "edit": "skip",
        "share": "skip",
        "headers": "skip",
        "dates": "skip",
        "roster": "skip",
        "link-sharing": "skip",
        "version-history": "note",
    }
    assert fake.writes() == []


# --------------------------------------------------------------------------- 4. edit, share


def test_bot_is_only_a_reader(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake, bot_role="reader")
    code, out = run_check(config(tmp_path, root, MEMBERS))
    assert code == 1
    assert lines(out)[3:8] == [
        f"fail  edit: the bot ({BOT}) can open the spreadsheet but not edit it "
        "(viewer or commenter)",
        f"      fix: give {BOT} the Editor role on the spreadsheet (Share)",
        "skip  share: needs edit rights (see edit)",
        'ok    headers: all 9 configured headers found once in row 1 of "Records"',
        DATES_OK,
    ]
    assert "skip  roster: needs the bot to be able to share (see share)" in lines(out)
    assert fake.writes() == []


def test_capabilities_request_is_the_documented_one(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    add_sheet(fake)
    run_check(config(tmp_path, root))
    files_get = [r for r in fake.requests if r.api == "drive" and r.path.endswith(SHEET)]
    assert len(files_get) == 1
    assert files_get[0].query["fields"] == ["capabilities(canEdit,canShare)"]
    assert files_get[0].query["supportsAllDrives"] == ["true"]


def test_cannot_share_with_access(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake, writers_can_share=False)  # the owner turned "editors can share" off
    code, out = run_check(config(tmp_path, root, MEMBERS))
    assert code == 1
    assert lines(out)[3:6] == [
        f"ok    edit: the bot ({BOT}) can edit the spreadsheet",
        f"fail  share: the bot ({BOT}) can edit the spreadsheet but not change its sharing, "
        "which [access] needs",
        "      fix: let editors change permissions and share (Share → settings), or on a shared "
        "drive give the bot a role that may share; or leave [access] out and manage sharing "
        "by hand",
    ]
    assert "skip  roster: needs the bot to be able to share (see share)" in lines(out)
    assert "skip  link-sharing: needs the bot to be able to share (see share)" in lines(out)
    assert fake.writes() == []


def test_share_not_checked_without_access(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake, writers_can_share=False)
    code, out = run_check(config(tmp_path, root))
    assert code == 0
    assert "share" not in status_of(out)


# --------------------------------------------------------------------------- 5. headers


HEADERS_FIX = (
    "      fix: add the column to the header row, or set the [columns] key to the header the "
    'committee uses (each header once), or to "" for an optional column the sheet does without'
)


def test_missing_header(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    headers = [h if h != "Outcome" else "Decision" for h in HEADERS]
    add_sheet(fake, headers=headers)
    code, out = run_check(config(tmp_path, root))
    assert code == 1
    assert lines(out)[4:7] == [
        'fail  headers: tab "Records": header row 1 has no column "Outcome" (columns.outcome)',
        HEADERS_FIX,
        "skip  dates: needs the headers",
    ]
    assert fake.writes() == []


def test_header_twice(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake, headers=[*HEADERS, "reporter "], rows=[[*r, ""] for r in ROWS])
    code, out = run_check(config(tmp_path, root))
    assert code == 1
    assert lines(out)[4] == (
        'fail  headers: tab "Records": header row 1 has column "Reporter" (columns.reporter) '
        "twice, in B and N"
    )


def test_missing_records_tab(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake)
    code, out = run_check(config(tmp_path, root, spreadsheet='records_tab = "Incidents"\n'))
    assert code == 1
    assert lines(out)[4:6] == [
        "fail  headers: spreadsheet.records_tab: no tab 'Incidents' in the spreadsheet; it has "
        "1 tab of another name (names must match exactly)",
        "      fix: set spreadsheet.records_tab to the tab of the records",
    ]


def test_missing_optional_column_fails(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    """A configured "Retention override" column that is not in the sheet (renamed, say) would
    drop every "keep": `run` stops, and `check` fails, saying how to go without it."""
    fake, root = served
    keep = [i for i, h in enumerate(HEADERS) if h != "Retention override"]
    add_sheet(fake, headers=[HEADERS[i] for i in keep], rows=[[r[i] for i in keep] for r in ROWS])
    code, out = run_check(config(tmp_path, root))
    assert code == 1
    assert lines(out)[4:7] == [
        'fail  headers: tab "Records": header row 1 has no column "Retention override" '
        '(columns.override; set it to "" if the sheet has no such column)',
        HEADERS_FIX,
        "skip  dates: needs the headers",
    ]
    assert fake.writes() == []


# --------------------------------------------------------------------------- 6. dates


def test_unreadable_dates_warn_naming_rows(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    rows = [row(), row(reported="sometime in spring"), row(outcome="Sorted, more or less")]
    add_sheet(fake, rows=rows)
    code, out = run_check(config(tmp_path, root))
    assert code == 0  # a warning: `run` still runs (and exits 3)
    assert lines(out)[5:9] == [
        "warn  dates: 3 records read, 2 need attention (rows 3, 4); text dates are read DMY "
        "(from the spreadsheet's locale en_GB)",
        '        row 3 "Date of 1st report": not a date',
        '        row 4 "Outcome": not one of the configured outcome labels (see [outcomes])',
        "      fix: correct those cells; until then `sheetbot run` leaves these rows alone and "
        "exits 3",
    ]
    assert "sometime in spring" not in out
    assert "Sorted, more or less" not in out
    assert fake.writes() == []


def test_date_order_from_config(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake)
    code, out = run_check(config(tmp_path, root, spreadsheet='date_order = "MDY"\n'))
    assert code == 0
    assert (
        "ok    dates: 2 records read, none needs attention; text dates are read MDY "
        "(from spreadsheet.date_order)"
    ) in lines(out)


def test_mass_expunge_guard_fails_the_check(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    """README: check exits 1 when `sheetbot run` would be refused, the mass-expunge guard too."""
    fake, root = served
    due = row(outcome="No violation", **{"Date to expunge this record": ""})
    add_sheet(fake, rows=[due, row()])
    code, out = run_check(config(tmp_path, root, "[retention]\nmax_expunge_per_run = 0\n"))
    assert code == 1
    assert lines(out)[5:7] == [
        "fail  dates: a run on 2026-11-24 would be refused: 1 record would be expunged, more "
        "than retention.max_expunge_per_run = 0; 2 records read, none needs attention; text "
        "dates are read DMY (from the spreadsheet's locale en_GB)",
        "      fix: check the dates and review the plan with `sheetbot run --dry-run "
        "--allow-mass-expunge`; if it is "
        "right, run once with --allow-mass-expunge (or raise retention.max_expunge_per_run)",
    ]
    assert lines(out)[-1] == (
        "check: 5 ok, 0 warn, 1 failed, 0 skipped; fix the failures before `sheetbot run`"
    )
    assert fake.writes() == []


def test_mass_expunge_guard_and_rows_needing_attention(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    due = row(outcome="No violation", **{"Date to expunge this record": ""})
    other = {"Named subjects": "Kim Witness", "Subject email address/URL": "kim@mail.test"}
    add_sheet(fake, rows=[due, row(reported="sometime in spring", **other)])
    code, out = run_check(config(tmp_path, root, "[retention]\nmax_expunge_per_run = 0\n"))
    assert code == 1
    assert lines(out)[5:8] == [
        "fail  dates: a run on 2026-11-24 would be refused: 1 record would be expunged, more "
        "than retention.max_expunge_per_run = 0; 2 records read, 1 needs attention (row 3); "
        "text dates are read DMY (from the spreadsheet's locale en_GB)",
        '        row 3 "Date of 1st report": not a date',
        "      fix: check the dates and review the plan with `sheetbot run --dry-run "
        "--allow-mass-expunge`; if it is "
        "right, run once with --allow-mass-expunge (or raise retention.max_expunge_per_run); "
        "correct those cells; until then `sheetbot run` leaves these rows alone and exits 3",
    ]
    assert "sometime in spring" not in out
    assert fake.writes() == []


# --------------------------------------------------------------------------- 7. roster, links


def test_empty_roster(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake)
    path = config(
        tmp_path,
        root,
        '[access]\nmembers = [{ email = "alice@example.org", until = 2026-06-30 }]\n',
    )
    code, out = run_check(path)
    assert code == 1
    assert lines(out)[7:10] == [
        "fail  roster: access change refused: the roster is empty (every member is outside "
        "their from/until dates or none is configured)",
        "      fix: fix the roster ([access] members); check each member's from/until dates",
        "ok    link-sharing: off: nobody can open the spreadsheet by link or domain",
    ]
    assert fake.writes() == []


def test_roster_tab_problems(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    roster = [["Email", "Role"], ["alice@example.org", "writer"], ["not an address", "owner"]]
    add_sheet(fake, tabs={"Roster": roster})
    code, out = run_check(config(tmp_path, root, '[access]\nroster_tab = "Roster"\n'))
    assert code == 1
    assert lines(out)[7:11] == [
        "fail  roster: access change refused: the roster has 2 problems; no sharing is changed "
        "until it is fixed",
        '        roster tab row 3: "Email" is not an e-mail address',
        '        roster tab row 3: "Role" is not reader, commenter or writer',
        '      fix: fix the roster ([access] members or the "Roster" tab); check each '
        "member's from/until dates",
    ]
    assert "not an address" not in out
    assert fake.writes() == []


def test_too_many_removals_refused(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    strangers = [user(f"stranger{i}@mail.test") for i in range(2)]
    add_sheet(fake, permissions=[user("alice@example.org"), *strangers])
    path = config(tmp_path, root, MEMBERS + "max_removals = 1\n")
    code, out = run_check(path)
    assert code == 1
    assert lines(out)[7:9] == [
        "fail  roster: access change refused: 2 user or group removals planned, more than "
        "max_removals = 1 (raise it in [access] if this is intended)",
        "      fix: review who would lose access with `sheetbot run --dry-run`; raise "
        "access.max_removals if that is intended",
    ]
    assert "stranger" not in out
    assert fake.writes() == []


def test_link_sharing_on(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(
        fake,
        permissions=[
            user("alice@example.org"),
            {"type": "anyone", "role": "reader"},
            {"type": "domain", "role": "commenter", "domain": "example.org"},
        ],
    )
    code, out = run_check(config(tmp_path, root, MEMBERS))
    assert code == 0  # the next run fixes it: a warning, not a failure
    assert lines(out)[7:10] == [
        "ok    roster: 1 member in office on 2026-11-24: alice@example.org (writer); "
        "a run would add 0, update 0, remove 2",
        "warn  link-sharing: on: anyone with the link (reader), everyone at example.org "
        "(commenter); the next run removes it",
        "      fix: turn it off now in Share → General access → Restricted, or run now",
    ]
    assert fake.writes() == []


def test_link_sharing_kept_by_config(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake, permissions=[user("alice@example.org"), {"type": "anyone", "role": "reader"}])
    code, out = run_check(config(tmp_path, root, MEMBERS + "remove_link_sharing = false\n"))
    assert code == 0
    assert lines(out)[8:10] == [
        "warn  link-sharing: kept (access.remove_link_sharing = false): anyone with the link "
        "(reader)",
        "      fix: turn it off now in Share → General access → Restricted, or set "
        "access.remove_link_sharing = true",
    ]
    assert fake.writes() == []


# --------------------------------------------------------------------------- personal data


def test_no_personal_data_in_any_output(demo_fake: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = demo_fake
    members = '[access]\nmembers = ["chair@example.org", "alice@example.org"]\n'
    path = write_config(tmp_path, root, members)
    outputs = []
    for fmt in ("text", "json"):
        _code, out = run_check(path, "--format", fmt)
        outputs.append(out)
    text = "\n".join(outputs)
    assert "warn  dates: 43 records read, 3 need attention" in text  # rows are named
    pii = demo_pii() | {"visitor@mail.test", "frankie@example.org"}  # + strangers' addresses
    assert len(pii) > 40
    assert_no_pii(text, pii)
    assert fake.writes() == []


def test_no_personal_data_in_own_fixture(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake, rows=[*ROWS, row(reported="kim@mail.test")])
    _code, out = run_check(config(tmp_path, root, MEMBERS))
    assert 'row 4 "Date of 1st report": not a date' in out
    assert_no_pii(out, PII)


# --------------------------------------------------------------------------- library


def test_run_checks_library_api(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = served
    add_sheet(fake)
    report = check_mod.run_checks(config(tmp_path, root, MEMBERS), as_of=AS_OF)
    assert report.exit_code == 0
    assert report.as_of == AS_OF
    assert report.result("share").status == "ok"
    assert [r.name for r in report.results][-1] == "version-history"
    assert check_mod.render_text(report).endswith("`sheetbot run` has what it needs\n")
    assert json.loads(check_mod.render_json(report))["ok"] is True
