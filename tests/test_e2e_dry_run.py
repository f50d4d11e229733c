"""The CLI against the fake Google API over real HTTP, through gspread: the dry run."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sheetbot import demo_sheet
from sheetbot.cli import EXIT_ATTENTION, EXIT_ERROR, main
from sheetbot.fake_google.core import FakeGoogle
from tests.conftest import AS_OF, assert_no_pii, demo_pii, write_config


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_dry_run_json_tells_every_demo_story(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    _fake, root = demo_fake
    config = write_config(tmp_path, root)
    code, out, _err = run_cli(
        "run",
        "--config",
        str(config),
        "--dry-run",
        "--as-of",
        AS_OF.isoformat(),
        "--format",
        "json",
    )
    report = json.loads(out)
    assert code == EXIT_ATTENTION  # the demo has rows that need attention
    assert report["as_of"] == "2026-11-24"
    assert report["dry_run"] is True
    stories = demo_sheet.records(AS_OF)
    assert len(report["records"]) == len(stories)
    for entry, story in zip(report["records"], stories, strict=True):
        assert entry["action"] == story.action, f"row {entry['row']}: {story.story}"
    assert {p["row"] for p in report["problems"]} == {
        e["row"] for e in report["records"] if e["action"] == "needs-attention"
    }


def test_dry_run_sends_no_write_request(demo_fake: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = demo_fake
    config = write_config(tmp_path, root)
    code, _out, _err = run_cli("run", "--config", str(config), "--dry-run", "--as-of", "2026-11-24")
    assert code == EXIT_ATTENTION
    assert fake.writes() == []
    assert len(fake.requests) <= 3


def test_dry_run_output_holds_no_personal_data(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    _fake, root = demo_fake
    config = write_config(tmp_path, root)
    outputs = []
    for fmt in ("text", "json"):
        _code, out, err = run_cli(
            "run", "--config", str(config), "--dry-run", "--as-of", "2026-11-24", "--format", fmt
        )
        outputs += [out, err]
    pii = demo_pii()
    assert len(pii) > 40  # the scan has something to look for
    assert_no_pii("\n".join(outputs), pii)


def test_reading_a_large_sheet_costs_the_same_requests(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    header = list(demo_sheet.HEADERS)
    body = [
        [AS_OF.replace(year=2026, month=1), f"R {i}", f"S {i}", f"s{i}@mail.test", "", "", "",
         "", "Resolved", "", "", "", ""]
        for i in range(5000)
    ]  # fmt: skip
    fake.add_spreadsheet("1LargeSheetForRequestCount", tabs={"Records": [header, *body]})
    config = write_config(tmp_path, root, sheet_id="1LargeSheetForRequestCount")
    code, out, _err = run_cli(
        "run", "--config", str(config), "--dry-run", "--as-of", "2026-11-24", "--format", "json"
    )
    assert code == 0
    assert len(json.loads(out)["records"]) == 5000
    assert len(fake.requests) <= 3
    assert fake.writes() == []


def test_missing_header_stops_before_anything_is_written(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    headers = [h for h in demo_sheet.HEADERS if h != "Outcome"]
    fake.add_spreadsheet("1SheetWithoutOutcomeCol", tabs={"Records": [headers]})
    config = write_config(tmp_path, root, sheet_id="1SheetWithoutOutcomeCol")
    code, out, err = run_cli("run", "--config", str(config), "--as-of", "2026-11-24")
    assert code == EXIT_ERROR
    assert out == ""
    assert err == 'sheetbot: error: header row 1 has no column "Outcome" (columns.outcome)\n'
    assert fake.writes() == []


def test_unknown_spreadsheet_is_one_clear_line(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    config = write_config(tmp_path, root, sheet_id="1NoSuchSpreadsheetHere")
    code, out, err = run_cli("run", "--config", str(config), "--dry-run")
    assert code == EXIT_ERROR
    assert out == ""
    assert err.startswith("sheetbot: error: spreadsheet 1NoSuchSpreadsheetHere not found")
    assert err.count("\n") == 1
    assert fake.writes() == []


def test_spreadsheet_not_shared_with_the_bot_says_so(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    fake.add_spreadsheet("1NotSharedWithTheBot", bot_role=None, tabs={"Records": [["x"]]})
    config = write_config(tmp_path, root, sheet_id="1NotSharedWithTheBot")
    code, _out, err = run_cli("run", "--config", str(config), "--dry-run")
    assert code == EXIT_ERROR
    assert err.startswith(
        "sheetbot: error: the bot's account cannot open spreadsheet 1NotSharedWithTheBot: share it"
    )


def test_missing_records_tab_counts_the_tabs_never_names_them(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """A tab's name is the committee's free text, and could name a person."""
    fake, root = served
    fake.add_spreadsheet("1SheetWithOtherTabs", tabs={"Incidents": [["x"]], "Jo Subject": [["x"]]})
    config = write_config(tmp_path, root, sheet_id="1SheetWithOtherTabs")
    code, _out, err = run_cli("run", "--config", str(config), "--dry-run")
    assert code == EXIT_ERROR
    assert err == (
        "sheetbot: error: spreadsheet.records_tab: no tab 'Records' in the spreadsheet; it has "
        "2 tabs of other names (names must match exactly)\n"
    )


def test_the_plan_value_shows_no_personal_data(demo_fake: tuple[FakeGoogle, str]) -> None:
    """The plan is a value that may end up in a log or a traceback: its repr holds no PII."""
    from sheetbot.google.client import GoogleClient
    from sheetbot.google.sheet import SheetAdapter
    from sheetbot.run import plan_snapshot

    _fake, root = demo_fake
    from sheetbot.demo import DEMO_ID, demo_config

    snapshot = SheetAdapter(GoogleClient(credentials=None, api_root=root), DEMO_ID).read(
        "Records", 1, "Retention log"
    )
    plan = plan_snapshot(snapshot, demo_config(), AS_OF)
    assert plan.changes
    assert_no_pii(repr(plan), demo_pii())
