"""Exit codes and the report's truth when a run partly fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sheetbot import demo_sheet
from sheetbot.cli import EXIT_ERROR, main
from sheetbot.fake_google.core import FakeGoogle, RequestRecord
from tests.conftest import AS_OF, write_config

SHEET = "1ReviewOutputExitCodes"
HEADERS = list(demo_sheet.HEADERS)
# Due at once: any run that is not refused by the mass-expunge guard blanks its reporter.
DUE = [AS_OF.replace(month=10), "Robin Reporter", "", "", "x", "", "", "", "No violation", "",
       "", "", ""]  # fmt: skip


def run_json(config: Path, *args: str) -> tuple[int, dict[str, Any]]:
    argv = ["run", "--config", str(config), "--as-of", AS_OF.isoformat(), "--format", "json"]
    result = CliRunner().invoke(main, [*argv, *args], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def test_an_error_after_cells_were_written_is_not_hidden_by_an_access_refusal(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """Cells written, the audit log failed (exit 1), and the access change refused (exit 4):
    the error that needs the operator's action now wins, and the report says both."""
    fake, root = served
    strangers = [
        {"type": "user", "role": "writer", "emailAddress": f"x{i}@example.org"} for i in range(2)
    ]
    fake.add_spreadsheet(SHEET, tabs={"Records": [HEADERS, DUE]}, permissions=strangers)
    fake.fail_next(method="POST", path_contains=":append", status=400, times=5)
    config = write_config(
        tmp_path,
        root,
        '[access]\nmembers = ["alice@example.org"]\nmax_removals = 1\n',
        sheet_id=SHEET,
    )
    code, report = run_json(config)
    assert report["written"] == [2]
    assert report["warnings"][0].startswith("the audit log was not written")
    assert report["access"]["refused"].startswith("access change refused")
    assert code == EXIT_ERROR
    argv = ["run", "--config", str(config), "--as-of", AS_OF.isoformat()]
    text = CliRunner().invoke(main, argv, catch_exceptions=False).stdout
    assert text.endswith("; no sharing changed (refused).\n")


def test_json_columns_written_after_an_apply_lists_only_rows_actually_written(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """A row skipped because a committee member edited it during the run was not written: its
    record must not claim written columns. A dry run still lists what it would write."""
    fake, root = served
    fake.add_spreadsheet(SHEET, tabs={"Records": [HEADERS, DUE, DUE]})
    config = write_config(tmp_path, root, sheet_id=SHEET)
    fired: list[bool] = []

    def edit_row_3(record: RequestRecord) -> None:
        if not fired and record.method == "POST" and record.path.endswith(":batchUpdate"):
            fired.append(True)
            fake.set_cell(SHEET, "Records", "B3", "edited")

    _code, planned = run_json(config, "--dry-run")
    assert [r["columns_written"] != [] for r in planned["records"]] == [True, True]
    fake.before_request(edit_row_3)
    _code, applied = run_json(config)
    assert applied["written"] == [2]
    assert [s["row"] for s in applied["skipped"]] == [3]
    columns = {r["row"]: r["columns_written"] for r in applied["records"]}
    assert columns[2] == planned["records"][0]["columns_written"]
    assert columns[3] == []


def test_the_report_of_an_apply_says_how_many_sharing_changes_were_made(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """The sharing section is the plan ("1 to add"); after an apply the report must say what
    was done, also when a change failed half-way."""
    fake, root = served
    strangers = [{"type": "user", "role": "writer", "emailAddress": "x1@example.org"}]
    fake.add_spreadsheet(SHEET, tabs={"Records": [HEADERS]}, permissions=strangers)
    fake.fail_next(method="DELETE", path_contains="/permissions", status=403)
    config = write_config(
        tmp_path, root, '[access]\nmembers = ["alice@example.org"]\n', sheet_id=SHEET
    )
    code, report = run_json(config)
    assert code == EXIT_ERROR
    assert report["access_done"] == 1
    argv = ["run", "--config", str(config), "--as-of", AS_OF.isoformat()]
    text = CliRunner().invoke(main, argv, catch_exceptions=False).stdout
    assert text.endswith("Done: 0 rows written, 0 skipped, 0 audit rows logged; 1 of 1 sharing "
                         "changes made.\n")  # fmt: skip
    dry = CliRunner().invoke(main, [*argv, "--dry-run"], catch_exceptions=False).stdout
    assert dry.endswith("Dry run: nothing was written.\n")


def test_the_advice_after_a_mass_expunge_refusal_leads_to_a_reviewable_plan(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """A refused run lists no changes, a refused dry run neither: the advice (the report's and
    check's) must name the command that shows what would be expunged, and it must show it."""
    fake, root = served
    fake.add_spreadsheet(SHEET, locale="en_GB", tabs={"Records": [HEADERS, DUE]})
    config = write_config(tmp_path, root, "[retention]\nmax_expunge_per_run = 0\n", sheet_id=SHEET)
    review = "sheetbot run --dry-run --allow-mass-expunge"
    argv = ["run", "--config", str(config), "--as-of", AS_OF.isoformat()]
    refused = CliRunner().invoke(main, [*argv, "--dry-run"], catch_exceptions=False).stdout
    assert "- row 2" not in refused
    assert f"`{review}`" in refused
    check = ["check", "--config", str(config), "--as-of", AS_OF.isoformat()]
    assert f"`{review}`" in CliRunner().invoke(main, check, catch_exceptions=False).stdout
    args = [*argv, "--dry-run", "--allow-mass-expunge"]
    reviewed = CliRunner().invoke(main, args, catch_exceptions=False).stdout
    assert "- row 2" in reviewed
    assert fake.writes() == []


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_cause_of_a_failed_run_is_printed_whatever_the_log_level(log_format: str) -> None:
    """The one-line cause is the command's own error output, not a log message to filter: with
    JSON logs and --log-level CRITICAL a failed run used to exit 1 saying nothing at all."""
    argv = ["--log-format", log_format, "--log-level", "CRITICAL", "run"]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert result.exit_code == EXIT_ERROR
    assert "no configuration: pass --config FILE or set SHEETBOT_CONFIG" in result.stderr
    assert result.stderr.count("\n") == 1


LEAK = "Jane Leakington"  # what an exception's message might quote


def _raise(*_args: object, **_kwargs: object) -> str:
    raise ValueError(f"cell {LEAK!r} is odd")


def test_a_bug_while_rendering_the_report_names_its_type_never_its_message(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README: an unexpected exception prints its type and place, never its message; the run's
    end is still signalled (the ping gets the exit code, not only /start)."""
    import sheetbot.cli as cli_mod
    from sheetbot import health

    _fake, root = demo_fake
    pinged: list[int] = []
    monkeypatch.setattr(health.Signals, "start", lambda self: None)
    monkeypatch.setattr(health.Signals, "finish", lambda self, report, code: pinged.append(code))
    monkeypatch.setattr(cli_mod, "render_text", _raise)
    argv = ["run", "--config", str(write_config(tmp_path, root)), "--as-of", AS_OF.isoformat()]
    result = CliRunner().invoke(main, [*argv, "--dry-run"])
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith("sheetbot: error: internal error (ValueError at ")
    assert LEAK not in result.stdout + result.stderr
    assert pinged == [EXIT_ERROR]


def test_a_bug_in_the_demo_names_its_type_never_its_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sheetbot import demo

    monkeypatch.setattr(demo, "run_demo", _raise)
    result = CliRunner().invoke(main, ["demo"])
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith("sheetbot: error: internal error (ValueError at ")
    assert LEAK not in result.stdout + result.stderr


def test_a_bug_while_printing_the_check_names_its_type_never_its_message(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetbot import check

    _fake, root = demo_fake
    monkeypatch.setattr(check, "render_text", _raise)
    config = str(write_config(tmp_path, root))
    result = CliRunner().invoke(main, ["check", "--config", config, "--as-of", AS_OF.isoformat()])
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith("sheetbot: error: internal error (ValueError at ")
    assert LEAK not in result.stdout + result.stderr
