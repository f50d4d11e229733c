"""Applying the plan through the CLI, over HTTP, against the fake: exactly the planned cells."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dateutil.relativedelta import relativedelta

from sheetbot import demo, demo_sheet
from sheetbot import plan as plan_mod
from sheetbot.cli import EXIT_ATTENTION, EXIT_ERROR, EXIT_REFUSED, main
from sheetbot.fake_google.core import FakeGoogle, RequestRecord
from sheetbot.google import client as client_mod
from sheetbot.plan import LOG_HEADERS
from tests.conftest import AS_OF, assert_no_pii, demo_pii, write_config

FAST = client_mod.RetryPolicy(attempts=4, backoff=0.01, max_wait=0.05, timeout=5)
SUMMARY = demo_sheet.HEADERS.index("Summary of report (for internal purposes)")


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_mod, "DEFAULT_RETRY", FAST)


def run_cli(config: Path, *args: str) -> tuple[int, str, str]:
    argv = ["run", "--config", str(config), "--as-of", AS_OF.isoformat(), *args]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def records_tab(fake: FakeGoogle) -> list[list[Any]]:
    return fake.get_values(demo.DEMO_ID, "Records")


def by_summary(rows: list[list[Any]]) -> dict[str, list[Any]]:
    """Rows keyed by their summary (general information the bot never writes)."""
    return {str(r[SUMMARY]): r for r in rows[1:] if len(r) > SUMMARY and r[SUMMARY]}


def padded(row: list[Any], width: int) -> list[Any]:
    return [*row, *[None] * (width - len(row))]


@pytest.fixture
def reference() -> Iterator[dict[str, list[Any]]]:
    """The demo sheet after an undisturbed run: what every row must end up as."""
    with demo.demo_server(AS_OF) as (fake, root):
        config = write_config(Path(_tmp_dir(fake)), root)
        code, _out, _err = run_cli(config)
        assert code == EXIT_ATTENTION
        yield by_summary(records_tab(fake))


def _tmp_dir(fake: FakeGoogle) -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="sheetbot-ref-")


def test_apply_changes_exactly_the_planned_cells(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    config = write_config(tmp_path, root)
    before = records_tab(fake)
    _code, out, _err = run_cli(config, "--dry-run", "--format", "json")
    plan = json.loads(out)
    code, out, _err = run_cli(config, "--format", "json")
    assert code == EXIT_ATTENTION
    after = records_tab(fake)
    headers = [str(h) for h in before[0]]
    planned = {
        (entry["row"], headers.index(column))
        for entry in plan["records"]
        for column in entry["columns_written"]
    }
    width = len(headers)
    changed = {
        (r + 1, c)
        for r in range(len(before))
        for c in range(width)
        if padded(before[r], width)[c] != padded(after[r], width)[c]
    }
    assert changed == planned
    assert len(after) == len(before)
    applied = json.loads(out)
    assert applied["written"] == sorted({row for row, _c in planned})
    assert applied["skipped"] == []


def test_expunged_cells_are_blank_and_general_information_kept(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    config = write_config(tmp_path, root)
    run_cli(config)
    rows = by_summary(records_tab(fake))
    due = rows["Demo: resolved, due exactly today: expunged"]
    assert due[1:4] == [None, None, None]  # reporter and both subject cells
    assert due[demo_sheet.HEADERS.index("Outcome")] == "Resolved"
    assert due[demo_sheet.HEADERS.index("Expunged on")] == AS_OF
    assert due[demo_sheet.HEADERS.index("Date to expunge this record")] == AS_OF
    reporter_only = rows["Demo: unidentified actor, 7 months: reporter only"]
    assert reporter_only[1] is None
    assert reporter_only[2] == "unknown attendee"  # kept permanently
    held = rows["Demo: held: due, but the same person has a pending report"]
    assert held[1] == "Hayden Reporter"
    pending = rows["Demo: pending decision: never while pending"]
    assert pending[demo_sheet.HEADERS.index("Date to expunge this record")] == "pending"


def test_second_run_the_same_day_sends_no_write(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    config = write_config(tmp_path, root)
    run_cli(config)
    fake.clear_log()
    code, out, _err = run_cli(config, "--format", "json")
    assert code == EXIT_ATTENTION
    assert fake.writes() == []
    assert len(fake.requests) <= 4
    assert json.loads(out)["written"] == []


def test_log_tab_holds_every_change_and_no_personal_data(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    config = write_config(tmp_path, root)
    code, out, err = run_cli(config, "--format", "json")
    assert code == EXIT_ATTENTION
    report = json.loads(out)
    log = fake.get_values(demo.DEMO_ID, "Retention log")
    assert log[0] == list(LOG_HEADERS)
    assert sorted(int(r[2]) for r in log[1:]) == report["written"]
    assert report["log_rows"] == len(log) - 1
    assert_no_pii(json.dumps(log, default=str) + out + err, demo_pii())


def test_apply_request_budget(demo_fake: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = demo_fake
    config = write_config(tmp_path, root)
    run_cli(config)
    assert len(fake.requests) <= 8


def test_row_tags_are_removed_after_the_run(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    run_cli(write_config(tmp_path, root))
    assert fake.metadata(demo.DEMO_ID) == []


def test_mass_expunge_guard_refuses_and_writes_nothing(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    config = write_config(tmp_path, root, "[retention]\nmax_expunge_per_run = 3\n")
    before = records_tab(fake)
    code, out, _err = run_cli(config)
    assert code == EXIT_REFUSED
    assert fake.writes() == []
    assert records_tab(fake) == before
    assert (
        "Refused: 10 records would be expunged, more than retention.max_expunge_per_run = 3; "
        "nothing was written." in out
    )
    code, _out, _err = run_cli(config, "--allow-mass-expunge")
    assert code == EXIT_ATTENTION
    assert records_tab(fake) != before


# --------------------------------------------------------------------------- concurrency


def _on_first(fake: FakeGoogle, predicate: Any, action: Any) -> None:
    fired: list[bool] = []

    def hook(record: RequestRecord) -> None:
        if not fired and predicate(record):
            fired.append(True)
            action()

    fake.before_request(hook)


def _is_tagging(record: RequestRecord) -> bool:
    return record.method == "POST" and record.path.endswith(":batchUpdate")


def _is_verify(record: RequestRecord) -> bool:
    return record.path.endswith(":batchGetByDataFilter")


def _is_write(record: RequestRecord) -> bool:
    return record.path.endswith(":batchUpdateByDataFilter")


EDITS = {
    "insert": lambda fake: fake.insert_rows(demo.DEMO_ID, "Records", 3, [["new row"] * 5] * 2),
    "delete": lambda fake: fake.delete_rows(demo.DEMO_ID, "Records", 5, 6),
    "sort": lambda fake: fake.sort_rows(
        demo.DEMO_ID, "Records", 2, key=lambda row: str(row[SUMMARY] if len(row) > SUMMARY else "")
    ),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize(
    "moment",
    [_is_tagging, _is_verify, _is_write],
    ids=["before-tag", "before-verify", "before-write"],
)
def test_rows_edited_during_the_run_are_never_mistaken(
    demo_fake: tuple[FakeGoogle, str],
    tmp_path: Path,
    reference: dict[str, list[Any]],
    edit: str,
    moment: Any,
) -> None:
    """A human inserts, deletes or sorts rows between the bot's read and its write: no row
    but a planned one is touched, and a follow-up run finishes the job."""
    fake, root = demo_fake
    config = write_config(tmp_path, root)
    original = by_summary(records_tab(fake))
    _on_first(fake, moment, lambda: EDITS[edit](fake))
    run_cli(config)
    width = len(demo_sheet.HEADERS)
    for summary, row in by_summary(records_tab(fake)).items():
        if summary not in original:
            continue
        assert padded(row, width) in (
            padded(original[summary], width),
            padded(reference[summary], width),
        ), f"row changed to something unplanned: {summary}"
    assert [r[:1] for r in records_tab(fake) if r[:1] == ["new row"]] == (
        [["new row"]] * 2 if edit == "insert" else []
    )
    fake.clear_log()
    run_cli(config)
    finished = by_summary(records_tab(fake))
    for summary, row in finished.items():
        if summary == "new row":
            # a human's new row is never written
            assert padded(row, width) == padded(["new row"] * 5, width)
        else:
            assert padded(row, width) == padded(reference[summary], width), summary


def test_row_edited_during_the_run_is_skipped_and_reported(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    config = write_config(tmp_path, root)
    row = 9  # "resolved, due exactly today", planned for expunging
    _on_first(fake, _is_tagging, lambda: fake.set_cell(demo.DEMO_ID, "Records", f"I{row}", ""))
    code, out, _err = run_cli(config, "--format", "json")
    report = json.loads(out)
    assert {"row": row, "reason": "the row moved or was edited during the run"} in report["skipped"]
    assert row not in report["written"]
    assert records_tab(fake)[row - 1][1] == "Avery Reporter"  # not blanked
    assert code == EXIT_ATTENTION


# --------------------------------------------------------------------------- faults


def test_429_then_success(demo_fake: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    fake, root = demo_fake
    fake.fail_next(
        path_contains="batchUpdateByDataFilter", status=429, headers={"Retry-After": "0"}
    )
    code, out, _err = run_cli(write_config(tmp_path, root), "--format", "json")
    assert code == EXIT_ATTENTION
    assert json.loads(out)["skipped"] == []
    assert len([r for r in fake.requests if _is_write(r)]) == 2


def test_repeated_503_leaves_the_sheet_untouched(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    before = records_tab(fake)
    fake.fail_next(path_contains="batchUpdateByDataFilter", status=503, times=100)
    code, out, err = run_cli(write_config(tmp_path, root))
    assert code == EXIT_ERROR
    assert out == ""
    assert err.startswith("sheetbot: error: Sheets POST request failed after retries (503)")
    assert err.count("\n") == 1
    assert records_tab(fake) == before
    assert len([r for r in fake.requests if _is_write(r)]) == FAST.attempts


def test_400_on_the_write_leaves_the_sheet_untouched(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    before = records_tab(fake)
    fake.fail_next(path_contains="batchUpdateByDataFilter", status=400)
    code, _out, err = run_cli(write_config(tmp_path, root))
    assert code == EXIT_ERROR
    assert err.startswith("sheetbot: error: Sheets POST request was rejected (400)")
    assert records_tab(fake) == before
    assert len([r for r in fake.requests if _is_write(r)]) == 1


def test_connection_reset_on_the_write_is_retried(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path, reference: dict[str, list[Any]]
) -> None:
    fake, root = demo_fake
    fake.fail_next(path_contains="batchUpdateByDataFilter", reset=True)
    code, _out, _err = run_cli(write_config(tmp_path, root))
    assert code == EXIT_ATTENTION
    assert by_summary(records_tab(fake)) == reference


def test_lost_answer_to_the_log_append_does_not_duplicate_rows(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    fake.fail_next(path_contains=":append", status=503, apply=True)
    code, out, _err = run_cli(write_config(tmp_path, root), "--format", "json")
    report = json.loads(out)
    log = fake.get_values(demo.DEMO_ID, "Retention log")
    assert len(log) - 1 == len(report["written"])
    assert code == EXIT_ATTENTION


def test_failed_log_append_is_an_error_after_the_cells(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    fake.fail_next(path_contains=":append", status=500, times=100)
    code, out, _err = run_cli(write_config(tmp_path, root), "--format", "json")
    report = json.loads(out)
    assert code == EXIT_ERROR
    assert report["written"] != []
    assert report["warnings"][0].startswith("the audit log was not written")


# --------------------------------------------------------------------------- terms only grow

PERSON_SHEET = "1TermsOnlyGrowSheet"


def add_flagged_then_resolved(fake: FakeGoogle) -> None:
    """Row 2: flagged (2024-01-10); row 3: resolved (2025-01-10), the same person, whose
    violation restarts row 2's term to 2027-03-10; row 3 falls due on 2026-03-10."""
    headers = list(demo_sheet.HEADERS)

    def row(reported: str, outcome: str, who: str) -> list[Any]:
        cells = dict.fromkeys(headers, "")
        cells.update({"Date of 1st report": reported, "Reporter": f"Reporter {who}",
                      "Named subjects": "Pat", "Subject email address/URL": "pat@mail.test",
                      "Summary of report (for internal purposes)": f"incident {who}",
                      "Outcome": outcome})  # fmt: skip
        return [cells[h] for h in headers]

    rows = [headers, row("2024-01-10", "Flagged", "A"), row("2025-01-10", "Resolved", "B")]
    fake.add_spreadsheet(PERSON_SHEET, tabs={"Records": rows})


def run_person_sheet(config: Path, day: str) -> dict[str, Any]:
    argv = ["run", "--config", str(config), "--as-of", day, "--format", "json"]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_a_term_extended_by_an_expunged_violation_still_holds(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """When row 3 is expunged on its date it no longer names the person; row 2 must still be
    kept until the date the restart gave it, and a second run the same day writes nothing."""
    fake, root = served
    add_flagged_then_resolved(fake)
    config = write_config(tmp_path, root, sheet_id=PERSON_SHEET)
    first = run_person_sheet(config, "2026-03-10")  # row 3's own date: expunged today
    assert [r["action"] for r in first["records"]] == ["retain", "expunge"]
    assert first["records"][0]["expunge_on"] == "2027-03-10"  # restarted by row 3
    fake.clear_log()
    run_person_sheet(config, "2026-03-10")
    assert fake.writes() == []  # a second run the same day writes nothing at all
    later = run_person_sheet(config, "2026-06-01")
    assert later["records"][0]["action"] == "retain"
    assert later["records"][0]["expunge_on"] == "2027-03-10"
    assert fake.get_values(PERSON_SHEET, "Records")[1][1] == "Reporter A"  # not blanked early


def test_deferring_never_separates_a_violation_from_the_terms_it_extended(
    served: tuple[FakeGoogle, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With room for one row a run, expunging row 3 and writing row 2's restarted date still
    go together: deferring row 2's date would lose the restart with row 3's identifiers."""
    fake, root = served
    monkeypatch.setattr(plan_mod, "MAX_ROWS_PER_RUN", 1)
    add_flagged_then_resolved(fake)
    config = write_config(tmp_path, root, sheet_id=PERSON_SHEET)
    first = run_person_sheet(config, "2026-03-10")
    assert first["written"] == [2, 3]
    assert first["deferred"] == []
    later = run_person_sheet(config, "2026-06-01")
    assert later["records"][0]["action"] == "retain"
    assert fake.get_values(PERSON_SHEET, "Records")[1][1] == "Reporter A"


def test_request_budget_at_10000_rows(served: tuple[FakeGoogle, str], tmp_path: Path) -> None:
    """SPEC 6: any run at most 8 requests, a run that changes nothing at most 4, whatever the
    number of rows. The sheet is in the state daily runs leave it: every date written, older
    records expunged, twenty records falling due today."""
    fake, root = served
    headers = list(demo_sheet.HEADERS)
    col = {h: i for i, h in enumerate(headers)}
    rows = []
    for i in range(10_000):
        reported = max(AS_OF - relativedelta(days=i), dt.date(2000, 1, 1))  # no date before
        due = reported + relativedelta(months=14)
        cells: list[Any] = [""] * len(headers)
        cells[col["Date of 1st report"]] = reported
        cells[col["Outcome"]] = "Resolved"
        cells[col["Date to expunge this record"]] = due
        if due > AS_OF - relativedelta(days=20):  # not yet expunged
            cells[col["Reporter"]] = f"R{i}"
            cells[col["Subject email address/URL"]] = f"s{i}@mail.test"
        else:
            cells[col["Expunged on"]] = due
        rows.append(cells)
    fake.add_spreadsheet("1TenThousandRows", tabs={"Records": [headers, *rows]})
    config = write_config(tmp_path, root, sheet_id="1TenThousandRows")
    argv = ["run", "--config", str(config), "--as-of", AS_OF.isoformat(), "--format", "json"]
    first = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert first.exit_code == 0, first.stderr
    assert len(json.loads(first.stdout)["written"]) == 20
    assert len(fake.requests) <= 8
    fake.clear_log()
    second = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert second.exit_code == 0
    assert fake.writes() == []
    assert len(fake.requests) <= 4


def test_more_rows_than_a_run_writes_are_deferred_expunges_first(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, root = demo_fake
    monkeypatch.setattr(plan_mod, "MAX_ROWS_PER_RUN", 12)
    config = write_config(tmp_path, root)
    code, out, _err = run_cli(config, "--format", "json")
    report = json.loads(out)
    assert code == EXIT_ATTENTION
    expunged = {r["row"] for r in report["records"] if r["action"].startswith("expunge")}
    assert len(report["written"]) == 12
    assert expunged <= set(report["written"])  # the privacy promise first
    assert len(report["deferred"]) == 38 - 12
    assert len(fake.requests) <= 8
    for _ in range(3):
        run_cli(config)
    fake.clear_log()
    code, out, _err = run_cli(config, "--format", "json")
    assert json.loads(out)["deferred"] == []
    assert fake.writes() == []


def test_debug_logs_in_json_hold_no_personal_data(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    _fake, root = demo_fake
    config = write_config(tmp_path, root)
    argv = ["--log-level", "DEBUG", "--log-format", "json", "run", "--config", str(config)]
    result = CliRunner().invoke(main, [*argv, "--as-of", AS_OF.isoformat()], catch_exceptions=False)
    assert result.exit_code == EXIT_ATTENTION
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    messages = [entry["message"] for entry in lines]
    assert any(m.startswith("read 44 rows from tab 'Records'") for m in messages)
    assert any(m.startswith("wrote ") for m in messages)
    assert_no_pii(result.stderr + result.stdout, demo_pii())


# --------------------------------------------------------------------------- the write's window


def _insert_column_at_a(fake: FakeGoogle) -> None:
    with fake.lock:
        spreadsheet = fake.spreadsheets[demo.DEMO_ID]
        spreadsheet.insert_dimension(spreadsheet.sheet_by_title("Records"), "COLUMNS", 0, 1)


def _chair_marks_keep_during_the_wait(fake: FakeGoogle, row: int) -> None:
    """At the bot's second check of the tagged rows (after its wait to write again), the chair
    types "keep" into ``row``'s override cell."""
    override = "ABCDEFGHIJKLM"[demo_sheet.HEADERS.index("Retention override")]
    checks: list[RequestRecord] = []

    def chair(record: RequestRecord) -> None:
        if _is_verify(record):
            checks.append(record)
            if len(checks) == 2:
                fake.set_cell(demo.DEMO_ID, "Records", f"{override}{row}", "keep")

    fake.before_request(chair)


def test_row_edited_while_the_bot_waits_to_write_again_is_not_written(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """Google rate-limits the write; while the bot waits, the chair marks a planned row
    "keep". The write is never re-sent unchecked: the row is checked again and skipped."""
    fake, root = demo_fake
    row = 9  # "resolved, due exactly today", planned for expunging
    fake.fail_next(
        path_contains="batchUpdateByDataFilter", status=429, headers={"Retry-After": "0"}
    )
    _chair_marks_keep_during_the_wait(fake, row)
    code, out, _err = run_cli(write_config(tmp_path, root), "--format", "json")
    report = json.loads(out)
    assert records_tab(fake)[row - 1][1] == "Avery Reporter"  # not blanked
    assert {"row": row, "reason": "the row moved or was edited during the run"} in report["skipped"]
    assert report["written"] != []
    assert row not in report["written"]
    assert code == EXIT_ATTENTION


@pytest.mark.parametrize("times", [1, 100], ids=["once", "every-time"])
def test_lost_answer_to_the_write_is_found_and_logged(
    demo_fake: tuple[FakeGoogle, str],
    tmp_path: Path,
    reference: dict[str, list[Any]],
    times: int,
) -> None:
    """The write lands but Google's answer is lost (once, or every time): the next check finds
    the rows written, so they are reported and logged once, and nothing is written twice."""
    fake, root = demo_fake
    fake.fail_next(path_contains="batchUpdateByDataFilter", status=503, times=times, apply=True)
    code, out, _err = run_cli(write_config(tmp_path, root), "--format", "json")
    report = json.loads(out)
    assert by_summary(records_tab(fake)) == reference
    assert len([r for r in fake.requests if _is_write(r)]) == 1
    log = fake.get_values(demo.DEMO_ID, "Retention log")
    assert sorted(int(r[2]) for r in log[1:]) == report["written"]
    assert len(report["written"]) == 38
    assert (code, report["skipped"]) == (EXIT_ATTENTION, [])


def test_column_inserted_at_the_instant_of_the_write_is_reported_loudly(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """Sheets has no conditional write: a column inserted between the last check and the
    write shifts the cells under it. The bot reads the rows back and names them, exit 1."""
    fake, root = demo_fake
    _on_first(fake, _is_write, lambda: _insert_column_at_a(fake))
    code, out, _err = run_cli(write_config(tmp_path, root), "--format", "json")
    report = json.loads(out)
    assert code == EXIT_ERROR
    [warning] = report["warnings"]
    rows = ", ".join(map(str, report["written"]))
    assert warning == (
        f"rows {rows} changed while the bot wrote them (a column inserted, moved or deleted, "
        "another record pasted over the row, or a cell edited, at that instant): check those "
        "rows now; the sheet's version history holds their values from before the run"
    )


def _paste_row_over(fake: FakeGoogle, source: int, target: int) -> None:
    """A human pastes row ``source``'s values over row ``target``: the row tag stays put."""
    values = records_tab(fake)[source - 1]
    for column, value in enumerate(values):
        fake.set_cell(demo.DEMO_ID, "Records", f"{'ABCDEFGHIJKLM'[column]}{target}", value)


def test_record_pasted_over_a_planned_row_at_the_instant_of_the_write_is_reported_loudly(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """Another record pasted over planned row 9 between the last check and the write: the
    write follows row 9's tag into it. The read-back finds that row 9 no longer holds the
    record planned (its reported date, outcome and untouched cells), names it, exit 1."""
    fake, root = demo_fake
    _on_first(fake, _is_write, lambda: _paste_row_over(fake, source=10, target=9))
    code, out, _err = run_cli(write_config(tmp_path, root), "--format", "json")
    report = json.loads(out)
    assert code == EXIT_ERROR
    assert 9 in report["written"]
    [warning] = report["warnings"]
    assert warning.startswith("rows 9 changed while the bot wrote them")


def test_column_inserted_before_the_check_is_never_written_into(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    before = records_tab(fake)
    _on_first(fake, _is_verify, lambda: _insert_column_at_a(fake))
    code, out, _err = run_cli(write_config(tmp_path, root), "--format", "json")
    report = json.loads(out)
    assert [r[1:] for r in records_tab(fake)] == [list(r) for r in before]
    assert report["written"] == []
    assert {s["reason"] for s in report["skipped"]} == {"the header row changed during the run"}
    assert code == EXIT_ATTENTION


def test_one_busy_answer_to_the_tag_removal_is_retried(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """Removing the run's row tags can be sent twice (unlike adding them): one 503 there is
    retried, and the run ends as if nothing happened."""
    fake, root = demo_fake
    structural = f"{demo.DEMO_ID}:batchUpdate"  # tagging and untagging, not the cells' write
    checks: list[RequestRecord] = []

    def busy_after_the_write(record: RequestRecord) -> None:
        if _is_verify(record):
            checks.append(record)
            if len(checks) == 2:  # the read-back after the write: the untag comes next
                fake.fail_next(method="POST", path_contains=structural, status=503)

    fake.before_request(busy_after_the_write)
    code, _out, _err = run_cli(write_config(tmp_path, root))
    untags = [r for r in fake.requests if r.method == "POST" and r.path.endswith(structural)]
    assert len(untags) == 3  # the tagging, the untag answered 503, the untag again
    assert fake.metadata(demo.DEMO_ID) == []
    assert code == EXIT_ATTENTION


def test_log_tab_left_empty_by_a_past_run_gets_its_header(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """A run created the log tab, then logged nothing (every row skipped): the next run that
    logs writes the header row first."""
    fake, root = demo_fake
    _on_first(fake, _is_verify, lambda: _insert_column_at_a(fake))
    config = write_config(tmp_path, root)
    run_cli(config)
    assert fake.get_values(demo.DEMO_ID, "Retention log") == []
    fake.clear_log()
    with fake.lock:  # the committee takes the column out again
        spreadsheet = fake.spreadsheets[demo.DEMO_ID]
        spreadsheet.delete_dimension(spreadsheet.sheet_by_title("Records"), "COLUMNS", 0, 1)
    code, out, _err = run_cli(config, "--format", "json")
    log = fake.get_values(demo.DEMO_ID, "Retention log")
    assert log[0] == list(LOG_HEADERS)
    assert len(log) - 1 == len(json.loads(out)["written"]) == 38
    assert code == EXIT_ATTENTION


def test_a_row_changed_during_the_run_holds_back_the_rows_of_its_person(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """Row 2's restarted date is skipped (edited mid-run): row 3, the violation that restarted
    it, is not blanked either, or its identifiers would go and the restart with them."""
    fake, root = served
    add_flagged_then_resolved(fake)
    config = write_config(tmp_path, root, sheet_id=PERSON_SHEET)
    summary = "ABCDEFGHIJKLM"[SUMMARY]
    _on_first(
        fake, _is_tagging, lambda: fake.set_cell(PERSON_SHEET, "Records", f"{summary}2", "edited")
    )
    first = run_person_sheet(config, "2026-03-10")
    assert first["written"] == []
    assert first["skipped"] == [
        {"row": 2, "reason": "the row moved or was edited during the run"},
        {"row": 3, "reason": "row 2 of the same person changed during the run"},
    ]
    later = run_person_sheet(config, "2026-06-01")
    assert later["records"][0]["expunge_on"] == "2027-03-10"
    assert fake.get_values(PERSON_SHEET, "Records")[1][1] == "Reporter A"  # not blanked early


def test_failed_read_back_after_a_good_write_keeps_the_report_and_the_log(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path, reference: dict[str, list[Any]]
) -> None:
    """The write is answered; reading the rows back fails: the rows were written (Google said
    so), so they are reported and logged, and a warning says they could not be confirmed."""
    fake, root = demo_fake
    _on_first(
        fake,
        _is_write,
        lambda: fake.fail_next(path_contains="batchGetByDataFilter", status=503, times=100),
    )
    code, out, _err = run_cli(write_config(tmp_path, root), "--format", "json")
    report = json.loads(out)
    assert by_summary(records_tab(fake)) == reference
    log = fake.get_values(demo.DEMO_ID, "Retention log")
    assert sorted(int(r[2]) for r in log[1:]) == report["written"]
    assert len(report["written"]) == 38
    [warning] = report["warnings"]
    assert warning.startswith(f"rows {', '.join(map(str, report['written']))} were written but ")
    assert warning.endswith(
        "could not be read back to confirm it (Sheets POST request failed after retries (503): "
        "The service is currently unavailable.): check them against the sheet's version history"
    )
    assert code == EXIT_ERROR


def test_row_edited_after_its_write_landed_unanswered_is_reported_and_logged(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """The write lands, its answer is lost; while the bot waits, the chair marks a written row
    "keep". The blank did land: the row is reported written and logged, not "retried", and
    named in a warning (exit 1): the chair's "keep" came too late for the cells, and the row
    cannot be told from another record pasted over it at the instant of the write."""
    fake, root = demo_fake
    row = 9
    fake.fail_next(path_contains="batchUpdateByDataFilter", status=503, apply=True)
    _chair_marks_keep_during_the_wait(fake, row)
    code, out, _err = run_cli(write_config(tmp_path, root), "--format", "json")
    report = json.loads(out)
    log = fake.get_values(demo.DEMO_ID, "Retention log")
    assert row in report["written"]
    assert row in [int(r[2]) for r in log[1:]]
    assert report["warnings"] == [
        f"rows {row} were written (Google's answer was lost) and changed while the bot waited "
        "to learn it (an edit, or another record pasted over the row): check those rows now; "
        "the sheet's version history holds their values from before the run"
    ]
    assert (report["skipped"], code) == ([], EXIT_ERROR)


def test_last_allowed_write_landing_unanswered_completes_the_run(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    fake.fail_next(path_contains="batchUpdateByDataFilter", status=503, times=FAST.attempts - 1)
    fake.fail_next(path_contains="batchUpdateByDataFilter", status=503, apply=True)
    code, out, _err = run_cli(write_config(tmp_path, root), "--format", "json")
    report = json.loads(out)
    assert len(report["written"]) == 38
    assert (report["skipped"], report["warnings"], code) == ([], [], EXIT_ATTENTION)


FORMULA_SHEET = "1FormulaColumnSheet"


def test_a_formula_recalculated_from_a_written_cell_is_no_alarm(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    """A "Days left" column computed from the expunge date changes when the bot writes it, as
    Sheets recalculates (the fake does not follow references: a hook sets the new value).
    Only the cells the bot writes are compared when it reads the rows back."""
    fake, root = served
    headers = [*demo_sheet.HEADERS, "Days left"]
    cells: dict[str, Any] = dict.fromkeys(headers, "")
    cells.update(
        {
            "Date of 1st report": "2025-01-10",
            "Reporter": "Rita Reporter",
            "Subject email address/URL": "sam@mail.test",
            "Summary of report (for internal purposes)": "incident",
            "Outcome": "Resolved",
            "Days left": -46000,
        }
    )
    fake.add_spreadsheet(FORMULA_SHEET, tabs={"Records": [headers, [cells[h] for h in headers]]})
    _on_first(fake, _is_write, lambda: fake.set_cell(FORMULA_SHEET, "Records", "N2", 0))
    config = write_config(tmp_path, root, sheet_id=FORMULA_SHEET)
    report = run_person_sheet(config, "2026-03-10")
    assert report["written"] == [2]
    assert report["warnings"] == []
