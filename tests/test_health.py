"""Health signals: pings in order, dead and slow endpoints bounded, summaries free of PII.

Every request goes to an http.server on 127.0.0.1 in a thread: nothing leaves loopback.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sheetbot import health
from sheetbot.access import AccessChange, AccessPlan
from sheetbot.plan import CellWrite, Plan, Refusal, RowChange
from sheetbot.policy import Action, Decision, Decisions, ExpungeOn
from sheetbot.records import Outcome, Problem, Record
from sheetbot.report import RunReport, Skipped

AS_OF = dt.date(2025, 6, 1)
TOKEN = "5f2c9a0e-6b1d-4c4e-9d3a-secret-token"
PII = (
    "Jo Reporter",
    "jo.reporter@mail.test",
    "Sam Subject",
    "sam.subject@mail.test",
    "example.org/sam",
    "new.member@mail.test",
    "stranger@mail.test",
)


# --------------------------------------------------------------------------- a local server


@dataclass
class Hit:
    method: str
    path: str
    body: bytes
    content_type: str


@dataclass
class Server:
    root: str
    hits: list[Hit] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(root="")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.hits.append(
                Hit(self.command, self.path, body, self.headers.get("Content-Type") or "")
            )
            if "/slow" in self.path:
                state.release.wait(10)
            status = 500 if "/broken" in self.path else 200
            payload = b"OK"
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (the slow case)

        do_GET = _handle
        do_POST = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.root = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connecting is refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --------------------------------------------------------------------------- reports


def record(
    row: int,
    outcome: Outcome | None = Outcome.RESOLVED,
    *,
    problems: tuple[Problem, ...] = (),
) -> Record:
    return Record(
        row=row,
        reported=dt.date(2024, 1, 2),
        outcome=outcome,
        ban_end=None,
        override=None,
        identifiers=frozenset({"sam.subject@mail.test", "example.org/sam"}),
        reporter_expunged=False,
        subject_expunged=False,
        problems=problems,
    )


def decision(
    row: int,
    action: Action,
    expunge_on: ExpungeOn,
    outcome: Outcome | None = Outcome.RESOLVED,
    problems: tuple[Problem, ...] = (),
) -> Decision:
    rec = record(row, outcome, problems=problems)
    return Decision(record=rec, expunge_on=expunge_on, action=action, rule="resolved + 14 months")


def change(row: int, action: Action) -> RowChange:
    return RowChange(
        row=row,
        reported=dt.date(2024, 1, 2),
        outcome=Outcome.RESOLVED,
        action=action,
        rule="resolved + 14 months",
        writes=(CellWrite(3, "Reporter", ""), CellWrite(4, "Named subjects", "")),
        expected=("2024-01-02", "Resolved", "Jo Reporter", "Sam Subject", "sam.subject@mail.test"),
    )


def sample_report(
    *,
    dry_run: bool = False,
    refusal: Refusal | None = None,
    access_refused: str | None = None,
) -> RunReport:
    problem = Problem(7, "Date of 1st report", "not a date")
    decisions = (
        decision(2, Action.EXPUNGE, dt.date(2025, 3, 2)),
        decision(3, Action.EXPUNGE_REPORTER, AS_OF, outcome=Outcome.UNIDENTIFIED),
        decision(4, Action.HOLD, dt.date(2025, 5, 1)),
        decision(5, Action.RETAIN, AS_OF + dt.timedelta(days=1)),  # due soon
        decision(6, Action.RETAIN, AS_OF + dt.timedelta(days=30)),  # due soon (last day)
        decision(8, Action.RETAIN, AS_OF + dt.timedelta(days=31)),  # not within 30 days
        decision(9, Action.RETAIN, "never", outcome=Outcome.BANNED),
        decision(10, Action.RETAIN, "pending", outcome=None),
        decision(7, Action.NEEDS_ATTENTION, None, problems=(problem,)),
        decision(11, Action.DONE, dt.date(2024, 1, 2)),
    )
    changes = () if refusal else (change(2, Action.EXPUNGE), change(3, Action.EXPUNGE_REPORTER))
    plan = Plan(
        as_of=AS_OF,
        decisions=Decisions.of(decisions),
        changes=changes,
        problems=(problem,),
        refusal=refusal,
    )
    access = AccessPlan(
        as_of=AS_OF,
        changes=(
            AccessChange(
                "add", "new.member@mail.test", "user", "writer", email="new.member@mail.test"
            ),
            AccessChange("remove", "s***r@mail.test", "user", "writer", permission_id="p9"),
        ),
        untouched=(),
        inherited=(),
        problems=(),
        refused=access_refused,
        max_removals=3,
    )
    return RunReport(
        spreadsheet_id="1AbCfakeSheetId",
        records_tab="Records",
        dry_run=dry_run,
        plan=plan,
        access=access,
        written=() if dry_run or refusal else (2,),
        skipped=() if dry_run or refusal else (Skipped(3, "the row changed since it was read"),),
        access_done=0 if dry_run or refusal or access_refused else 2,
    )


def assert_no_pii(text: str) -> None:
    for value in PII:
        assert value.casefold() not in text.casefold(), value


# --------------------------------------------------------------------------- pure functions


def test_counts_of_an_applied_run() -> None:
    c = health.counts(sample_report())
    assert c.expunged == 1  # row 2 written; row 3 skipped
    assert c.held == 1
    assert c.needs_attention == 1
    assert c.access_changes == 2
    assert c.due_soon == 2  # rows 5 and 6: (as_of, as_of + 30]; not as_of itself, not day 31
    assert c.skipped == 1
    assert c.refused is None
    assert c.records == 10


def test_counts_of_a_dry_run_are_what_would_happen() -> None:
    c = health.counts(sample_report(dry_run=True))
    assert c.expunged == 2
    assert c.dry_run


def test_refusals_are_named_by_guard_and_change_nothing() -> None:
    report = sample_report(refusal=Refusal("mass-expunge", "would expunge 30 records"))
    c = health.counts(report)
    assert c.refused == "mass-expunge"
    assert c.expunged == 0
    access = health.counts(sample_report(access_refused="4 removals, more than 3"))
    assert access.refused == "access"
    assert access.access_changes == 0


def test_summary_text_is_counts_only() -> None:
    text = health.summary_text(sample_report(), 3)
    assert text == (
        "sheetbot run as of 2025-06-01: NEEDS ATTENTION (exit 3). 1 record expunged, 1 held, "
        "1 needs attention, 2 access changes made, 2 due in the next 30 days, "
        "1 skipped (changed during the run; retried next run) (10 records)."
    )
    assert_no_pii(text)
    assert "1AbCfakeSheetId" not in text


def test_summary_counts_access_changes_done_not_planned() -> None:
    """An apply that stopped after the first of two permission changes made one, not two."""
    report = dataclasses.replace(
        sample_report(),
        access_done=1,
        warnings=("access change stopped after 1 of 2 changes: remove of s***r@mail.test failed",),
    )
    assert health.counts(report).access_changes == 1
    assert health.summary_text(report, 1) == (
        "sheetbot run as of 2025-06-01: ERROR (exit 1). 1 record expunged, 1 held, "
        "1 needs attention, 1 access change made, 2 due in the next 30 days, "
        "1 skipped (changed during the run; retried next run) (10 records)."
    )


def test_summary_text_of_a_dry_run_and_a_refusal() -> None:
    dry = health.summary_text(sample_report(dry_run=True), 0)
    assert dry.startswith("sheetbot dry run as of 2025-06-01: OK (exit 0). 2 records to expunge")
    assert "2 access changes to make" in dry
    refused = health.summary_text(
        sample_report(refusal=Refusal("mass-expunge", "would expunge 30 records")), 4
    )
    assert "REFUSED (exit 4). Refused by the mass-expunge guard." in refused
    for text in (dry, refused):
        assert_no_pii(text)


def test_summary_text_without_access_management() -> None:
    report = dataclasses.replace(sample_report(), access=None)
    assert health.counts(report).access_changes is None
    text = health.summary_text(report, 0)
    assert "access" not in text
    assert "1 needs attention, 2 due in the next 30 days" in text


def test_summary_text_without_a_report() -> None:
    assert health.summary_text(None, 1) == (
        "sheetbot run: ERROR (exit 1). No report: see the job's log for the cause."
    )


@pytest.mark.parametrize(
    ("url", "host"),
    [
        (f"https://hc-ping.com/{TOKEN}", "hc-ping.com"),
        (f"https://user:{TOKEN}@hooks.example.org/x?token={TOKEN}", "hooks.example.org"),
        ("not a url", "an invalid URL"),
        ("http://[::1", "an invalid URL"),
    ],
)
def test_host_of_never_shows_the_secret(url: str, host: str) -> None:
    assert health.host_of(url) == host


@pytest.mark.parametrize(("code", "suffix"), [(0, "0"), (3, "3"), (255, "255"), (-1, "255")])
def test_exit_suffix(code: int, suffix: str) -> None:
    assert health.exit_suffix(code) == suffix


def test_ping_url_joins_once() -> None:
    assert health.ping_url("https://hc-ping.com/abc/", "start") == "https://hc-ping.com/abc/start"


# --------------------------------------------------------------------------- over HTTP


def test_start_and_exit_code_pings_in_order(server: Server) -> None:
    report = sample_report()
    signals = health.Signals(ping_url=f"{server.root}/ping/{TOKEN}", timeout=2)
    signals.start()
    signals.finish(report, 3)
    assert [(h.method, h.path) for h in server.hits] == [
        ("GET", f"/ping/{TOKEN}/start"),
        ("POST", f"/ping/{TOKEN}/3"),
    ]
    body = server.hits[1].body.decode()
    assert body == health.summary_text(report, 3)
    assert_no_pii(body)


def test_a_failed_run_pings_its_exit_code(server: Server) -> None:
    signals = health.Signals(ping_url=f"{server.root}/ping/{TOKEN}/", timeout=2)
    signals.finish(None, 1)
    assert [h.path for h in server.hits] == [f"/ping/{TOKEN}/1"]


def test_webhook_is_slack_json_with_counts_only(server: Server) -> None:
    report = sample_report()
    signals = health.Signals(webhook_url=f"{server.root}/hooks/{TOKEN}", timeout=2)
    signals.start()  # no ping URL: nothing at start
    signals.finish(report, 0)
    assert len(server.hits) == 1
    hit = server.hits[0]
    assert (hit.method, hit.path) == ("POST", f"/hooks/{TOKEN}")
    assert hit.content_type == "application/json"
    assert json.loads(hit.body) == {"text": health.summary_text(report, 0)}
    assert_no_pii(hit.body.decode())


def test_both_signals_together(server: Server) -> None:
    signals = health.Signals(
        ping_url=f"{server.root}/ping/{TOKEN}", webhook_url=f"{server.root}/hooks/x", timeout=2
    )
    signals.start()
    signals.finish(sample_report(dry_run=True), 0)
    assert [h.path for h in server.hits] == [f"/ping/{TOKEN}/start", f"/ping/{TOKEN}/0", "/hooks/x"]


def test_off_sends_nothing(server: Server) -> None:
    signals = health.Signals(timeout=2)
    signals.start()
    signals.finish(sample_report(), 0)
    assert server.hits == []


def test_a_dead_endpoint_does_not_fail_and_hides_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/ping/{TOKEN}"
    caplog.set_level(logging.WARNING, logger="sheetbot")
    began = time.monotonic()
    assert health.ping(url, "start", timeout=2) is False
    assert health.post_webhook(url, "text", timeout=2) is False
    health.Signals(ping_url=url, webhook_url=url, timeout=2).finish(sample_report(), 0)
    assert time.monotonic() - began < 4 * 2
    assert caplog.records
    for rec in caplog.records:
        message = rec.getMessage()
        assert "127.0.0.1" in message
        assert TOKEN not in message
        assert "/ping" not in message
        assert rec.exc_info is None
        assert TOKEN not in json.dumps(rec.__dict__, default=str)


def test_a_slow_endpoint_is_bounded_by_the_timeout(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sheetbot")
    began = time.monotonic()
    assert health.ping(f"{server.root}/slow/{TOKEN}", "start", timeout=0.5) is False
    elapsed = time.monotonic() - began
    assert elapsed < 3
    assert [r.getMessage() for r in caplog.records] == [
        "health ping to 127.0.0.1 failed: ReadTimeout"
    ]


def test_an_error_answer_is_a_warning_not_a_failure(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sheetbot")
    assert health.post_webhook(f"{server.root}/broken/{TOKEN}", "x", timeout=2) is False
    assert [r.getMessage() for r in caplog.records] == ["webhook to 127.0.0.1 answered HTTP 500"]


def test_a_url_that_is_not_http_is_not_sent(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="sheetbot")
    assert health.ping(f"file:///tmp/{TOKEN}", "start") is False
    assert health.post_webhook("hooks.example.org/x", "x") is False
    assert len(caplog.records) == 2
    assert all(TOKEN not in r.getMessage() for r in caplog.records)


def test_a_broken_summary_still_pings(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(report: RunReport) -> health.Counts:
        raise RuntimeError("bug")

    monkeypatch.setattr(health, "counts", boom)
    health.Signals(ping_url=f"{server.root}/p", timeout=2).finish(sample_report(), 0)
    assert [h.path for h in server.hits] == ["/p/0"]
    assert server.hits[0].body.decode().startswith("sheetbot run: OK (exit 0). No report")
