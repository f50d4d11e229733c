"""One run, start to end: read → records → policy → plan → (apply). No click, no gspread here.

``plan_snapshot`` is the functional core's entry point (pure: a snapshot in, a plan out);
``execute`` is the imperative shell around it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from sheetbot.config import Config
from sheetbot.google.client import GoogleClient, connect
from sheetbot.google.sheet import SheetAdapter, SheetWriter
from sheetbot.plan import Plan, build_plan
from sheetbot.policy import decide
from sheetbot.records import default_date_order, find_columns, read_records
from sheetbot.report import RunReport, Skipped
from sheetbot.table import Snapshot


def today(config: Config) -> dt.date:
    """ "Today" in the configured time zone."""
    return dt.datetime.now(config.zone).date()


def plan_snapshot(
    snapshot: Snapshot, config: Config, as_of: dt.date, *, allow_mass_expunge: bool = False
) -> Plan:
    """The whole decision, as pure code on plain data."""
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


def execute(
    config: Config,
    *,
    as_of: dt.date,
    dry_run: bool,
    allow_mass_expunge: bool = False,
    client: GoogleClient | None = None,
) -> RunReport:
    client = client or client_for(config)
    sheet = SheetAdapter(client, config.spreadsheet.id)
    snapshot = sheet.read(
        config.spreadsheet.records_tab, config.spreadsheet.header_row, config.spreadsheet.log_tab
    )
    plan = plan_snapshot(snapshot, config, as_of, allow_mass_expunge=allow_mass_expunge)
    report = RunReport(
        spreadsheet_id=config.spreadsheet.id,
        records_tab=config.spreadsheet.records_tab,
        dry_run=dry_run,
        plan=plan,
    )
    if dry_run or plan.refusal is not None:
        return report
    writer = SheetWriter(sheet, snapshot, config.spreadsheet.log_tab)
    applied = writer.apply(plan.changes, run_id=uuid.uuid4().hex[:12], now=now())
    return replace(
        report,
        written=applied.written,
        skipped=tuple(Skipped(row, reason) for row, reason in applied.skipped),
        log_rows=applied.log_rows,
        warnings=applied.warnings,
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
