"""One run, start to end: read → records → policy → plan → (apply). No click, no gspread here.

``plan_snapshot`` is the functional core's entry point (pure: a snapshot in, a plan out);
``execute`` is the imperative shell around it.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import replace

from sheetbot.access import (
    AccessPlan,
    Permission,
    effective_roster,
    plan_access,
    roster_from_tab,
)
from sheetbot.config import AccessConfig, Config, Member
from sheetbot.errors import GoogleError
from sheetbot.google.client import GoogleClient, connect
from sheetbot.google.drive import DriveAdapter
from sheetbot.google.sheet import SheetAdapter, SheetWriter
from sheetbot.plan import Plan, build_plan
from sheetbot.policy import decide
from sheetbot.records import cyclic_gc_paused, default_date_order, find_columns, read_records
from sheetbot.report import RunReport, Skipped, summary_line
from sheetbot.table import Snapshot

log = logging.getLogger("sheetbot.run")


def today(config: Config) -> dt.date:
    """ "Today" in the configured time zone."""
    return dt.datetime.now(config.zone).date()


def plan_snapshot(
    snapshot: Snapshot, config: Config, as_of: dt.date, *, allow_mass_expunge: bool = False
) -> Plan:
    """The whole decision, as pure code on plain data.

    The cyclic garbage collector is paused throughout (``cyclic_gc_paused``), the plan too:
    in a process holding much else, its collections were 2% of planning 100,000 rows.
    """
    with cyclic_gc_paused():
        table = snapshot.table
        columns = find_columns(table.headers, config)
        order = config.spreadsheet.date_order or default_date_order(snapshot.locale)
        records = read_records(table, columns, config, order)
        decisions = decide(records, config.retention, as_of)
        return build_plan(
            table, columns, decisions, config, as_of, allow_mass_expunge=allow_mass_expunge
        )


def client_for(config: Config) -> GoogleClient:
    return connect(
        config.google.credentials,
        config.google.api_root,
        manage_access=config.access is not None,
    )


def plan_sharing(
    snapshot: Snapshot,
    access: AccessConfig,
    permissions: list[Permission],
    bot_email: str,
    as_of: dt.date,
) -> AccessPlan:
    """The access decision, as pure code: roster (config and tab) against the permissions."""
    tab_members: tuple[Member, ...] = ()
    problems: tuple[str, ...] = ()
    if access.roster_tab:
        if snapshot.roster is None:
            problems = (f"access.roster_tab: no tab {access.roster_tab!r} in the spreadsheet",)
        else:
            tab_members, problems = roster_from_tab(snapshot.roster)
    roster = effective_roster(access.members, tab_members, as_of, access.role)
    return plan_access(
        permissions,
        roster,
        owner_emails=[p.email for p in permissions if p.role == "owner" and p.email],
        bot_email=bot_email,
        config=access,
        as_of=as_of,
        roster_problems=problems,
    )


def execute(
    config: Config,
    *,
    as_of: dt.date,
    dry_run: bool,
    allow_mass_expunge: bool = False,
    client: GoogleClient | None = None,
) -> RunReport:
    """Read, plan, and unless a dry run, apply: retention first, then sharing."""
    client = client or client_for(config)
    sheet = SheetAdapter(client, config.spreadsheet.id, account=client.account)
    access = config.access
    snapshot = sheet.read(
        config.spreadsheet.records_tab,
        config.spreadsheet.header_row,
        config.spreadsheet.log_tab,
        roster_tab=access.roster_tab if access else "",
    )
    log.info(
        "read %d rows from tab %r (locale %s)",
        len(snapshot.table.rows),
        snapshot.records_tab,
        snapshot.locale or "unknown",
    )
    plan = plan_snapshot(snapshot, config, as_of, allow_mass_expunge=allow_mass_expunge)
    log.info(summary_line(plan))
    if plan.refusal is not None:
        log.warning("refused: %s", plan.refusal.reason)
    report = RunReport(
        spreadsheet_id=config.spreadsheet.id,
        records_tab=config.spreadsheet.records_tab,
        dry_run=dry_run,
        plan=plan,
    )
    if not dry_run and plan.refusal is None:
        writer = SheetWriter(sheet, snapshot, config.spreadsheet.log_tab)
        applied = writer.apply(plan.changes, run_id=uuid.uuid4().hex[:12], now=now())
        report = replace(
            report,
            written=applied.written,
            skipped=tuple(Skipped(row, reason) for row, reason in applied.skipped),
            log_rows=applied.log_rows,
            warnings=applied.warnings,
        )
        log.info("wrote %d rows, logged %d audit rows", len(applied.written), applied.log_rows)
        for row, reason in applied.skipped:
            log.warning("row %d skipped: %s; the next run retries it", row, reason)
        for warning in applied.warnings:
            log.warning(warning)
    if access is None:
        return report
    drive = DriveAdapter(client, config.spreadsheet.id)
    # Cells may be written and logged by now: a Drive failure must not lose their report. It
    # becomes a warning (exit 1), in a dry run too, so that the preview matches the real run.
    step = "list the spreadsheet's sharing (Drive permissions.list)"
    try:
        permissions = drive.permissions()
        step = "learn the bot's own account (Drive about.get)"
        bot_email = drive.bot_email()
    except GoogleError as exc:
        warning = f"access change not made: cannot {step}: {exc}"
        log.warning(warning)
        return replace(report, warnings=(*report.warnings, warning))
    access_plan = plan_sharing(snapshot, access, permissions, bot_email, as_of)
    if plan.refusal is not None and access_plan.refused is None:
        # SPEC 4: a refused run does nothing. The plan is still shown, marked not applied.
        guard = plan.refusal.guard
        refused = f"access change not applied: the run was refused by the {guard} guard"
        access_plan = replace(access_plan, refused=refused)
    report = replace(report, access=access_plan)
    if dry_run or not access_plan.to_execute:
        return report
    done = drive.apply(access_plan.to_execute, message=access.message)
    log.info("applied %d permission changes", len(done.done))
    warnings = report.warnings
    failures = list(done.failed)
    stopped_by = failures.pop() if done.stopped else None
    for failure in failures:  # rejected alone: the changes after it were sent
        log.warning(failure)
        warnings += (f"access change not made: {failure}",)
    if stopped_by is not None:
        log.warning(stopped_by)
        warnings += (
            f"access change stopped after {len(done.done)} of "
            f"{len(access_plan.to_execute)} changes: {stopped_by}",
        )
    return replace(report, access_done=len(done.done), warnings=warnings)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
