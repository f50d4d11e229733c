"""Every output of a run, at DEBUG level, scanned for distinctive personal data.

One sheet whose personal-data cells (and a misspelt outcome label, and a date that is not a
date) hold names found nowhere else, shared with strangers; every output path is exercised:
the text and JSON report, text and JSON logs at DEBUG, the dead man's switch and webhook
bodies, the audit log tab, `sheetbot check`, a row edited during the run, a Drive failure.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sheetbot import demo_sheet
from sheetbot.cli import main
from sheetbot.fake_google.core import FakeGoogle, RequestRecord
from sheetbot.google import client as client_mod
from tests.conftest import AS_OF, assert_no_pii, write_config

SHEET = "1ReviewOutputPiiSpreadsheet"
STRANGERS = ("mallory.strangeperson@outside.test", "zebedee.formerchair@outside.test")
PII = {
    "Quill Zephyrine",
    "Ozymandias Subjectson",
    "ozy.subjectson@pii.test",
    "Xanthe Reportingham",
    "Wilhelmina Labelwriter",
    "Barnaby Datewright",
    "Cordelia Editwhile",
    "Persephone Heldback",
    *STRANGERS,
}


def _row(reported: Any, reporter: str, named: str, contact: str, outcome: str) -> list[Any]:
    row: list[Any] = [""] * len(demo_sheet.HEADERS)
    row[demo_sheet.HEADERS.index("Date of 1st report")] = reported
    row[demo_sheet.HEADERS.index("Reporter")] = reporter
    row[demo_sheet.HEADERS.index("Named subjects")] = named
    row[demo_sheet.HEADERS.index("Subject email address/URL")] = contact
    row[demo_sheet.HEADERS.index("Summary of report (for internal purposes)")] = "general"
    row[demo_sheet.HEADERS.index("Outcome")] = outcome
    return row


ROWS = [
    list(demo_sheet.HEADERS),
    # 2: due at once, expunged
    _row(AS_OF.replace(month=10), "Quill Zephyrine", "Ozymandias Subjectson",
         "ozy.subjectson@pii.test", "No violation"),
    # 3: the same person, retained
    _row(AS_OF.replace(month=9), "Persephone Heldback", "", "ozy.subjectson@pii.test",
         "Resolved"),
    # 4: an outcome label that is not configured, and holds a name
    _row(AS_OF.replace(month=8), "Xanthe Reportingham", "", "",
         "Banished by Wilhelmina Labelwriter"),
    # 5: a reported date that is not a date, and holds a name
    _row("sometime with Barnaby Datewright", "x", "", "", "Resolved"),
    # 6: due, edited by a committee member while the bot runs
    _row(AS_OF.replace(month=10), "Cordelia Editwhile", "", "", "No violation"),
]  # fmt: skip
FAST = client_mod.RetryPolicy(attempts=2, backoff=0.01, max_wait=0.05, timeout=5)


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_mod, "DEFAULT_RETRY", FAST)


@pytest.fixture
def bodies() -> Iterator[tuple[str, list[str]]]:
    """A loopback endpoint for the ping and the webhook: (root, the bodies it received)."""
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received.append(self.path + " " + self.rfile.read(length).decode())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _handle

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    finally:
        httpd.shutdown()
        httpd.server_close()


def _sheet(fake: FakeGoogle) -> None:
    permissions = [
        {"type": "user", "role": "writer", "emailAddress": "alice@example.org"},
        *({"type": "user", "role": "writer", "emailAddress": s} for s in STRANGERS),
    ]
    fake.add_spreadsheet(SHEET, locale="en_GB", tabs={"Records": ROWS}, permissions=permissions)


def _config(tmp_path: Path, root: str) -> Path:
    access = '[access]\nmembers = ["alice@example.org", "bob@example.org"]\n'
    return write_config(tmp_path, root, access, sheet_id=SHEET)


def _edit_row_6_while_tagging(fake: FakeGoogle) -> None:
    fired: list[bool] = []

    def hook(record: RequestRecord) -> None:
        if not fired and record.method == "POST" and record.path.endswith(":batchUpdate"):
            fired.append(True)
            fake.set_cell(SHEET, "Records", "B6", "Cordelia Editwhile (edited)")

    fake.before_request(hook)


def _invoke(argv: list[str]) -> str:
    result = CliRunner().invoke(main, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.stdout + result.stderr


def _everything(config: Path, endpoint: str, *run_args: str) -> str:
    out = []
    for log_format in ("text", "json"):
        for fmt in ("text", "json"):
            argv = ["--log-level", "DEBUG", "--log-format", log_format, "run"]
            argv += ["--config", str(config), "--as-of", AS_OF.isoformat(), "--format", fmt]
            argv += ["--ping-url", f"{endpoint}/ping", "--webhook-url", f"{endpoint}/hook"]
            out.append(_invoke([*argv, *run_args]))
    return "\n".join(out)


def test_no_personal_data_in_any_output_of_a_dry_run_at_debug_level(
    served: tuple[FakeGoogle, str], tmp_path: Path, bodies: tuple[str, list[str]]
) -> None:
    fake, root = served
    _sheet(fake)
    endpoint, received = bodies
    output = _everything(_config(tmp_path, root), endpoint, "--dry-run")
    assert '"Outcome": not one of the configured outcome labels' in output
    assert '"Date of 1st report": not a date' in output
    assert "ma…@outside.test" in output  # the strangers, masked
    assert len(received) == 12  # start, end and webhook, four times
    assert_no_pii(output + "\n".join(received), PII)


def test_no_personal_data_in_any_output_of_an_apply_at_debug_level(
    served: tuple[FakeGoogle, str], tmp_path: Path, bodies: tuple[str, list[str]]
) -> None:
    """A row edited during the run (skipped), a failing permission removal (a warning)."""
    fake, root = served
    _sheet(fake)
    _edit_row_6_while_tagging(fake)
    fake.fail_next(method="DELETE", path_contains="/permissions", status=403)
    endpoint, received = bodies
    config = _config(tmp_path, root)
    output = _everything(config, endpoint)
    assert "row 6" in output
    assert "access change stopped after" in output
    log_tab = json.dumps(fake.get_values(SHEET, "Retention log"), default=str)
    assert_no_pii(output + "\n".join(received) + log_tab, PII - {"Cordelia Editwhile"})
    assert "Cordelia Editwhile" not in output + "\n".join(received) + log_tab


def test_no_personal_data_when_drive_fails_while_sharing_is_read(
    served: tuple[FakeGoogle, str], tmp_path: Path, bodies: tuple[str, list[str]]
) -> None:
    fake, root = served
    _sheet(fake)
    fake.fail_next(method="GET", path_contains="/permissions", status=500, times=100)
    endpoint, received = bodies
    output = _everything(_config(tmp_path, root), endpoint)
    assert "access change not made" in output
    assert_no_pii(output + "\n".join(received), PII)


def test_no_personal_data_in_check_at_debug_level(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    _sheet(fake)
    config = _config(tmp_path, root)
    output = []
    for log_format in ("text", "json"):
        for fmt in ("text", "json"):
            argv = ["--log-level", "DEBUG", "--log-format", log_format, "check"]
            argv += ["--config", str(config), "--as-of", AS_OF.isoformat(), "--format", fmt]
            output.append(_invoke(argv))
    text = "\n".join(output)
    assert "rows 4, 5" in text
    assert_no_pii(text, PII)
