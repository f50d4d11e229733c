"""The plan (and what was done) → text or JSON. Personal data is never included.

Rows are named by sheet row number, reported date and outcome; problems by row, header and
reason. Nothing here reads a cell value: the plan's values that could hold personal data
(``RowChange.expected``, ``Record.identifiers``) are never touched.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sheetbot import access as access_mod
from sheetbot.plan import MAX_ROWS_PER_RUN, CellWrite, Plan, RowChange
from sheetbot.policy import Action, Decision, ExpungeOn


@dataclass(frozen=True)
class Skipped:
    """A planned row that was not written, and why (it moved or changed since it was read)."""

    row: int
    reason: str


@dataclass(frozen=True)
class RunReport:
    spreadsheet_id: str
    records_tab: str
    dry_run: bool
    plan: Plan
    access: access_mod.AccessPlan | None = None
    written: tuple[int, ...] = ()  # sheet rows written (apply only)
    skipped: tuple[Skipped, ...] = ()
    log_rows: int = 0  # audit rows appended
    warnings: tuple[str, ...] = ()  # things that went wrong after the cells were written
    access_done: int = 0  # permission changes applied


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "no date"


def _expunge_on(value: ExpungeOn) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def _outcome(decision: Decision) -> str:
    record = decision.record
    if record.outcome is not None:
        return record.outcome.value
    return "unreadable" if record.needs_attention else "pending"


# The command that shows what a run refused by the mass-expunge guard would do, writing
# nothing (a refused plan has no changes to list); ``sheetbot check`` names it too.
REVIEW = "sheetbot run --dry-run --allow-mass-expunge"

SYMBOL = {
    Action.EXPUNGE: "-",
    Action.EXPUNGE_REPORTER: "-",
    Action.HOLD: "=",
    Action.NEEDS_ATTENTION: "!",
}


def summary_line(plan: Plan) -> str:
    parts = [
        (plan.count(Action.EXPUNGE), "to expunge"),
        (plan.count(Action.EXPUNGE_REPORTER), "to expunge (reporter only)"),
        (plan.count(Action.HOLD), "held"),
        (plan.count(Action.RETAIN), "retained"),
        (plan.count(Action.DONE), "already expunged"),
        (plan.count(Action.NEEDS_ATTENTION), "need attention"),
    ]
    text = ", ".join(f"{n} {label}" for n, label in parts)
    rows = len(plan.changes)
    plural = "s" if rows != 1 else ""
    later = f" ({len(plan.deferred)} deferred to the next runs)" if plan.deferred else ""
    return f"Plan: {len(plan.decisions)} records: {text}; {rows} row{plural} to write{later}."


def _columns(writes: Sequence[CellWrite]) -> str:
    return ", ".join(f'"{w.header}"' for w in writes)


def _head(symbol: str, decision: Decision) -> str:
    record = decision.record
    return f"  {symbol} row {record.row:<5} {_date(record.reported)}  {_outcome(decision):<13} "


def _change_lines(change: RowChange, decision: Decision) -> list[str]:
    symbol = SYMBOL.get(change.action, "~")
    if change.expunges:
        blanked = [w for w in change.writes if w.pii]
        return [
            f"{_head(symbol, decision)}{change.action.value}: {decision.rule}",
            f"{'':14}blanks {_columns(blanked)}",
        ]
    return [f"{_head(symbol, decision)}{_date_written(decision.expunge_on)}: {decision.rule}"]


def _date_written(target: ExpungeOn) -> str:
    """What a date write says: "expunge on 2027-03-24", "never expunged", "expunge date
    pending" (not "expunge on never")."""
    if target == "never":
        return "never expunged"
    if target == "pending":
        return "expunge date pending"
    return f"expunge on {_expunge_on(target)}"


def render_text(report: RunReport) -> str:
    plan = report.plan
    mode = "dry run" if report.dry_run else "run"
    lines = [
        f'sheetbot {mode}: spreadsheet {report.spreadsheet_id}, tab "{report.records_tab}", '
        f"as of {plan.as_of.isoformat()}",
        summary_line(plan),
    ]
    if plan.refusal is not None:
        lines += ["", f"Changes: none listed, the run is refused (below); to see them: `{REVIEW}`."]
    if plan.changes:
        by_row = plan.decisions.at_rows(change.row for change in plan.changes)
        lines += ["", "Changes (- blanks personal data, ~ writes the expunge date):"]
        for change in plan.changes:
            lines += _change_lines(change, by_row[change.row])
    held = plan.decisions.where(Action.HOLD)
    if held:
        lines += ["", "Held (due, but kept while another record of the same person is open):"]
        lines += [f"{_head('=', d)}{d.rule}" for d in held]
    if plan.problems:
        lines += ["", "Needs attention (never blanked until fixed):"]
        for p in plan.problems:
            lines.append(f'  ! row {p.row:<5} "{p.column}": {p.reason}')
    if report.access is not None:
        lines += ["", "Sharing:", *access_mod.render_access_text(report.access)]
    if plan.deferred:
        lines += [
            "",
            f"Deferred: {len(plan.deferred)} more rows to write, left for the next run "
            f"(at most {MAX_ROWS_PER_RUN} rows are written a run, expunges first).",
        ]
    if report.skipped:
        lines += ["", "Skipped (the row moved or changed during the run; the next run will retry):"]
        lines += [f"  ? row {s.row:<5} {s.reason}" for s in report.skipped]
    if report.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  ! {w}" for w in report.warnings]
    lines.append("")
    if plan.refusal is not None:
        lines.append(f"Refused: {plan.refusal.reason}.")
    elif report.dry_run:
        lines.append("Dry run: nothing was written.")
    else:
        sharing = ""
        if report.access is not None and report.access.refused:
            sharing = "; no sharing changed (refused)"
        elif report.access is not None:
            planned = len(report.access.to_execute)
            sharing = f"; {report.access_done} of {planned} sharing changes made"
        lines.append(
            f"Done: {len(report.written)} rows written, {len(report.skipped)} skipped, "
            f"{report.log_rows} audit rows logged{sharing}."
        )
    return "\n".join(lines) + "\n"


def to_json(report: RunReport) -> dict[str, Any]:
    plan = report.plan
    # A dry run lists what it would write; an apply only what it wrote (not a skipped row).
    landed = None if report.dry_run else set(report.written)
    changes = {
        c.row: [w.header for w in c.writes]
        for c in plan.changes
        if landed is None or c.row in landed
    }
    records: list[dict[str, Any]] = [
        {
            "row": d.record.row,
            "reported": d.record.reported.isoformat() if d.record.reported else None,
            "outcome": _outcome(d),
            "expunge_on": _expunge_on(d.expunge_on),
            "action": d.action.value,
            "rule": d.rule,
            "columns_written": changes.get(d.record.row, []),
        }
        for d in plan.decisions
    ]
    return {
        "spreadsheet": report.spreadsheet_id,
        "tab": report.records_tab,
        "as_of": plan.as_of.isoformat(),
        "dry_run": report.dry_run,
        "summary": {action.value: plan.count(action) for action in Action},
        "records": records,
        "access": access_mod.access_to_json(report.access) if report.access else None,
        "problems": [{"row": p.row, "column": p.column, "reason": p.reason} for p in plan.problems],
        "refused": (
            {"guard": plan.refusal.guard, "reason": plan.refusal.reason} if plan.refusal else None
        ),
        "written": list(report.written),
        "skipped": [{"row": s.row, "reason": s.reason} for s in report.skipped],
        "deferred": list(plan.deferred),
        "log_rows": report.log_rows,
        "access_done": report.access_done,
        "warnings": list(report.warnings),
    }


def render_json(report: RunReport) -> str:
    return json.dumps(to_json(report), indent=2) + "\n"
