"""``sheetbot check``: a doctor for the setup. Reads only; never sends a write request.

Each check yields one result, ``ok``, ``warn``, ``fail`` or ``skip`` (a check that needs an
earlier one that failed), in this order:

1. ``config``: the configuration file loads (the ConfigError names the dotted key);
2. ``credentials``: credentials load, naming their source, never their contents;
3. ``spreadsheet``: the spreadsheet opens (``spreadsheets.get``);
4. ``edit`` and, with ``[access]``, ``share``: Drive ``files.get`` capabilities;
5. ``headers``: every configured header once in the records tab (an optional one too, or
   configured as "");
6. ``dates``: the records read, the number needing attention (by row and reason), the date
   order in use and where it came from; ``fail`` when the mass-expunge guard would refuse a
   run on that date (more than ``retention.max_expunge_per_run`` records to expunge);
7. with ``[access]``: ``roster`` (the access plan is not refused) and ``link-sharing``;
8. ``version-history``: a ``note``, always: blanked values stay in Google's version history.

Exit status: 1 when any check is ``fail`` (something would make ``sheetbot run`` fail or be
refused), else 0; warnings alone exit 0. No output holds a cell value: problems are named by
row, header and reason; stranger addresses never appear (the committee's own configured
addresses and the bot's account do).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import google.auth.credentials

from sheetbot import config as config_mod
from sheetbot.access import Permission, effective_roster, roster_from_tab
from sheetbot.config import Config
from sheetbot.errors import AccessDenied, ConfigError, GoogleError, NotFound, SheetError
from sheetbot.google.client import (
    DRIVE_SCOPE,
    SHEETS_SCOPE,
    GoogleClient,
    RetryPolicy,
    api_root_from,
    load_credentials,
)
from sheetbot.google.drive import DriveAdapter
from sheetbot.google.sheet import METADATA_FIELDS, SheetAdapter
from sheetbot.plan import Plan
from sheetbot.records import ColumnMap, default_date_order, find_columns
from sheetbot.report import REVIEW
from sheetbot.run import plan_sharing, plan_snapshot, today
from sheetbot.table import Snapshot

Status = Literal["ok", "warn", "fail", "skip", "note"]

EXIT_CHECK_OK = 0  # no check failed (warnings allowed)
EXIT_CHECK_FAILED = 1  # at least one check failed: `sheetbot run` would fail or be refused

# Enough for about.get and files.get(capabilities); asked for only when [access] is not
# configured (with [access], the run's own Drive scope is used).
DRIVE_METADATA_SCOPE = "https://www.googleapis.com/auth/drive.metadata.readonly"
CAPABILITY_FIELDS = "capabilities(canEdit,canShare)"

# An interactive command: give up sooner than the cron run does.
CHECK_RETRY = RetryPolicy(attempts=3, backoff=1.0, max_wait=8.0, timeout=20.0)

MAX_DETAILS = 20  # lines of detail per check before "... and N more"

REMINDER = (
    "Google's version history still holds every blanked value, and anyone with edit rights "
    "can open it (the Drive API cannot delete revisions of a Google Sheet): keep editors to "
    "the committee; viewers and commenters cannot open version history"
)


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    message: str
    details: tuple[str, ...] = ()  # one line each; never a cell value
    fix: str | None = None


@dataclass(frozen=True)
class CheckReport:
    config_path: Path | None
    as_of: dt.date | None
    results: tuple[CheckResult, ...]

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        return self.count("fail") > 0

    @property
    def exit_code(self) -> int:
        return EXIT_CHECK_FAILED if self.failed else EXIT_CHECK_OK

    def result(self, name: str) -> CheckResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)


def _skip(name: str, needs: str) -> CheckResult:
    return CheckResult(name, "skip", f"needs {needs}")


def _capped(lines: list[str]) -> tuple[str, ...]:
    if len(lines) <= MAX_DETAILS:
        return tuple(lines)
    return (*lines[:MAX_DETAILS], f"... and {len(lines) - MAX_DETAILS} more")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


class _Doctor:
    """Runs the checks in order, remembering what later checks need."""

    def __init__(self, client: GoogleClient | None, as_of: dt.date | None) -> None:
        self.client = client
        self.given_client = client is not None
        self.as_of = as_of
        self.config: Config | None = None
        self.creds: google.auth.credentials.Credentials | None = None
        self.root = ""
        self.opened = False
        self.locale = ""
        self.can_share = False
        self.snapshot: Snapshot | None = None
        self.read_error = ""
        self.columns: ColumnMap | None = None
        self.plan: Plan | None = None
        self._drive_email: tuple[str, str] | None = None  # (email, error)

    # ----------------------------------------------------------------- 1. config
    def check_config(self, path: Path | None) -> CheckResult:
        name = "config"
        if path is None:
            return CheckResult(
                name,
                "fail",
                "no configuration file given",
                fix=f"pass --config FILE or set {config_mod.CONFIG_ENV}",
            )
        try:
            config = config_mod.load(path)
            self.root = api_root_from(config.google.api_root)
        except ConfigError as exc:
            return CheckResult(
                name,
                "fail",
                str(exc),
                fix=f"correct {path} (config.example.toml documents every key)",
            )
        self.config = config
        if self.as_of is None:
            self.as_of = today(config)
        sharing = "managed ([access])" if config.access else "not managed (no [access])"
        return CheckResult(
            name,
            "ok",
            f"{path} is valid: spreadsheet {config.spreadsheet.id}, records tab "
            f'"{config.spreadsheet.records_tab}", sharing {sharing}',
        )

    # ----------------------------------------------------------------- 2. credentials
    def check_credentials(self) -> CheckResult:
        name = "credentials"
        config = self.config
        if config is None:
            return _skip(name, "a valid config")
        if self.given_client:
            return CheckResult(name, "ok", "a client was supplied by the caller")
        explicit = config.google.credentials.strip()
        env = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS", "").strip()
        if explicit:
            source = f"service-account key file {explicit} (google.credentials)"
            fix = (
                "set google.credentials to the path of the bot's service-account JSON key file, "
                'or to "" to use GOOGLE_APPLICATION_CREDENTIALS or Application Default '
                "Credentials"
            )
        elif self.root and not env:
            source = f"none: emulator mode, requests to {self.root} carry no token"
            fix = ""
        elif env:
            source = f"key file {env} (GOOGLE_APPLICATION_CREDENTIALS)"
            fix = "point GOOGLE_APPLICATION_CREDENTIALS at the bot's service-account key file"
        else:
            source = "Application Default Credentials"
            fix = (
                "set google.credentials or GOOGLE_APPLICATION_CREDENTIALS to the bot's "
                "service-account key file, or run where Application Default Credentials exist "
                "(a Google Cloud service account, or `gcloud auth application-default login`)"
            )
        drive = DRIVE_SCOPE if config.access else DRIVE_METADATA_SCOPE
        try:
            self.creds = load_credentials(explicit, [SHEETS_SCOPE, drive], self.root)
        except ConfigError as exc:
            return CheckResult(name, "fail", str(exc), fix=fix or None)
        except OSError as exc:  # e.g. the path is a directory; never the file's contents
            return CheckResult(
                name, "fail", f"cannot read {source}: {exc.strerror}", fix=fix or None
            )
        self.client = GoogleClient(credentials=self.creds, api_root=self.root, retry=CHECK_RETRY)
        account = self._credentials_email()
        suffix = f" (account {account})" if account else ""
        return CheckResult(name, "ok", f"{source}{suffix}")

    def _credentials_email(self) -> str:
        email = getattr(self.creds, "service_account_email", "")
        return email if isinstance(email, str) and "@" in email else ""

    def _about_email(self) -> tuple[str, str]:
        """The bot's account from Drive about.get: (email, "") or ("", the error)."""
        if self._drive_email is None:
            assert self.client is not None
            assert self.config is not None
            try:
                email = DriveAdapter(self.client, self.config.spreadsheet.id).bot_email()
                self._drive_email = (email, "" if email else "about.get named no account")
            except GoogleError as exc:
                self._drive_email = ("", str(exc))
        return self._drive_email

    def bot_email(self) -> str:
        """From Drive about.get when possible, else the credentials' service account."""
        return self._about_email()[0] or self._credentials_email()

    def _bot(self) -> str:
        email = self.bot_email()
        return f"the bot ({email})" if email else "the bot"

    # ----------------------------------------------------------------- 3. spreadsheet
    def check_spreadsheet(self) -> CheckResult:
        name = "spreadsheet"
        if self.config is None or self.client is None:
            return _skip(name, "credentials")
        sid = self.config.spreadsheet.id
        try:
            meta = self.client.request(
                "get", self.client.sheets_url(sid), params={"fields": METADATA_FIELDS}
            )
        except (AccessDenied, NotFound) as exc:
            who = self.bot_email() or "the bot's service account"
            share = f"share the spreadsheet with {who} as Editor"
            if _api_disabled(str(exc)):
                fix = "enable the Google Sheets API in the bot's Google Cloud project"
            elif isinstance(exc, NotFound):
                fix = f"check spreadsheet.id (the key in the sheet's URL), and {share}"
            else:
                fix = share
            what = "not found" if isinstance(exc, NotFound) else "cannot be opened by the bot"
            return CheckResult(name, "fail", f"{sid} {what}: {exc}", fix=fix)
        except GoogleError as exc:
            return CheckResult(
                name,
                "fail",
                str(exc),
                fix="check the credentials, the network and google.api_root, then try again",
            )
        self.opened = True
        properties = meta.get("properties", {}) if isinstance(meta, dict) else {}
        self.locale = str(properties.get("locale", ""))
        tabs = len(meta.get("sheets", [])) if isinstance(meta, dict) else 0
        locale = self.locale or "unknown"
        return CheckResult(name, "ok", f"{sid} opens ({_plural(tabs, 'tab')}, locale {locale})")

    # ----------------------------------------------------------------- 4. edit, share
    def check_edit_and_share(self) -> list[CheckResult]:
        config = self.config
        if config is None or self.client is None or not self.opened:
            skipped = [_skip("edit", "the spreadsheet to open")]
            if config is not None and config.access is not None:
                skipped.append(_skip("share", "the spreadsheet to open"))
            return skipped
        managed = config.access is not None
        try:
            body = self.client.request(
                "get",
                self.client.drive_url(f"files/{config.spreadsheet.id}"),
                params={"fields": CAPABILITY_FIELDS, "supportsAllDrives": "true"},
            )
        except GoogleError as exc:
            fix = "enable the Google Drive API in the bot's Google Cloud project"
            if managed:
                return [
                    CheckResult(
                        "edit", "fail", f"Drive cannot tell the bot's rights: {exc}", fix=fix
                    ),
                    _skip("share", "Drive files.get (see edit)"),
                ]
            return [
                CheckResult(
                    "edit",
                    "warn",
                    f"Drive cannot tell whether the bot can edit: {exc}; "
                    "`sheetbot run` needs edit rights only when it writes",
                    fix=fix,
                )
            ]
        caps = body.get("capabilities", {}) if isinstance(body, dict) else {}
        bot = self._bot()
        who = self.bot_email() or "the bot's service account"
        results: list[CheckResult] = []
        if caps.get("canEdit") is True:
            results.append(CheckResult("edit", "ok", f"{bot} can edit the spreadsheet"))
        else:
            results.append(
                CheckResult(
                    "edit",
                    "fail",
                    f"{bot} can open the spreadsheet but not edit it (viewer or commenter)",
                    fix=f"give {who} the Editor role on the spreadsheet (Share)",
                )
            )
            if managed:
                results.append(_skip("share", "edit rights (see edit)"))
            return results
        if not managed:
            return results
        if caps.get("canShare") is True:
            self.can_share = True
            results.append(
                CheckResult("share", "ok", f"{bot} can change the spreadsheet's sharing")
            )
        else:
            results.append(
                CheckResult(
                    "share",
                    "fail",
                    f"{bot} can edit the spreadsheet but not change its sharing, which [access] "
                    "needs",
                    fix=(
                        "let editors change permissions and share (Share → settings), or on a "
                        "shared drive give the bot a role that may share; or leave [access] out "
                        "and manage sharing by hand"
                    ),
                )
            )
        return results

    # ----------------------------------------------------------------- 5. headers
    def check_headers(self) -> CheckResult:
        name = "headers"
        config = self.config
        if config is None or self.client is None or not self.opened:
            return _skip(name, "the spreadsheet to open")
        spreadsheet = config.spreadsheet
        tab = spreadsheet.records_tab
        access = config.access
        try:
            self.snapshot = SheetAdapter(self.client, spreadsheet.id).read(
                tab,
                spreadsheet.header_row,
                spreadsheet.log_tab,
                roster_tab=access.roster_tab if access else "",
            )
        except SheetError as exc:
            self.read_error = "the records tab (see headers)"
            return CheckResult(
                name, "fail", str(exc), fix="set spreadsheet.records_tab to the tab of the records"
            )
        except GoogleError as exc:
            self.read_error = "the records tab (see headers)"
            return CheckResult(name, "fail", f"reading the records tab failed: {exc}")
        roles = config_mod.column_roles(config.columns)
        try:
            self.columns = find_columns(self.snapshot.table.headers, config)
        except SheetError as exc:
            return CheckResult(
                name,
                "fail",
                f'tab "{tab}": {exc}',
                fix=(
                    "add the column to the header row, or set the [columns] key to the header "
                    'the committee uses (each header once), or to "" for an optional column '
                    "the sheet does without"
                ),
            )
        where = f'row {spreadsheet.header_row} of "{tab}"'
        return CheckResult(name, "ok", f"all {len(roles)} configured headers found once in {where}")

    # ----------------------------------------------------------------- 6. dates
    def check_dates(self) -> CheckResult:
        name = "dates"
        config = self.config
        if config is None or self.snapshot is None or self.columns is None:
            return _skip(name, "the headers")
        assert self.as_of is not None
        try:
            self.plan = plan_snapshot(self.snapshot, config, self.as_of)
        except SheetError as exc:  # not expected: find_columns already passed
            return CheckResult(name, "fail", str(exc))
        plan = self.plan
        if config.spreadsheet.date_order:
            order = config.spreadsheet.date_order
            source = "from spreadsheet.date_order"
        else:
            order = default_date_order(self.snapshot.locale)
            source = (
                f"from the spreadsheet's locale {self.snapshot.locale}"
                if self.snapshot.locale
                else "assumed: the spreadsheet's locale is unknown"
            )
        reading = f"text dates are read {order} ({source})"
        records = _plural(len(plan.decisions), "record")
        details: list[str] = []
        fixes: list[str] = []
        rows = sorted({p.row for p in plan.problems})
        attention = (
            f"{len(rows)} need{'s' if len(rows) == 1 else ''} attention "
            f"(row{'s' if len(rows) != 1 else ''} {', '.join(str(r) for r in rows)})"
            if rows
            else "none needs attention"
        )
        message = f"{records} read, {attention}; {reading}"
        if plan.refusal is not None:  # the mass-expunge guard: `sheetbot run` would exit 4
            message = (
                f"a run on {plan.as_of.isoformat()} would be refused: "
                f"{_plural(plan.expunge_count, 'record')} would be expunged, more than "
                f"retention.max_expunge_per_run = {config.retention.max_expunge_per_run}; "
                f"{message}"
            )
            fixes.append(
                f"check the dates and review the plan with `{REVIEW}`; if it is "
                "right, run once with --allow-mass-expunge (or raise "
                "retention.max_expunge_per_run)"
            )
        if rows:
            details += [f'row {p.row} "{p.column}": {p.reason}' for p in plan.problems]
            fixes.append(
                "correct those cells; until then `sheetbot run` leaves these rows alone and exits 3"
            )
        if plan.refusal is None and not rows:
            return CheckResult(name, "ok", message)
        return CheckResult(
            name,
            "fail" if plan.refusal is not None else "warn",
            message,
            details=_capped(details),
            fix="; ".join(fixes),
        )

    # ----------------------------------------------------------------- 7. roster, links
    def check_access(self) -> list[CheckResult]:
        config = self.config
        if config is None or config.access is None:
            return []
        access = config.access
        if self.snapshot is None or self.client is None:
            needs = self.read_error or "the spreadsheet to open"
            return [_skip("roster", needs), _skip("link-sharing", needs)]
        if not self.can_share:
            return [
                _skip("roster", "the bot to be able to share (see share)"),
                _skip("link-sharing", "the bot to be able to share (see share)"),
            ]
        assert self.as_of is not None
        email, about_error = self._about_email()
        if not email:
            fail = CheckResult(
                "roster",
                "fail",
                f"cannot learn the bot's own account from Drive about.get: {about_error}",
                fix="enable the Google Drive API in the bot's Google Cloud project",
            )
            return [fail, _skip("link-sharing", "the bot's own account (see roster)")]
        try:
            permissions = DriveAdapter(self.client, config.spreadsheet.id).permissions()
        except GoogleError as exc:
            fail = CheckResult("roster", "fail", f"cannot list the spreadsheet's sharing: {exc}")
            return [fail, _skip("link-sharing", "the permission list (see roster)")]
        plan = plan_sharing(self.snapshot, access, permissions, email, self.as_of)

        tab_members: tuple[config_mod.Member, ...] = ()
        if access.roster_tab and self.snapshot.roster is not None:
            tab_members, _problems = roster_from_tab(self.snapshot.roster)
        roster = effective_roster(access.members, tab_members, self.as_of, access.role)
        day = self.as_of.isoformat()
        fix_roster = (
            "fix the roster ([access] members"
            + (f' or the "{access.roster_tab}" tab' if access.roster_tab else "")
            + "); check each member's from/until dates"
        )
        if plan.problems:
            roster_result = CheckResult(
                "roster",
                "fail",
                plan.refused or f"the roster has {_plural(len(plan.problems), 'problem')}",
                details=_capped(list(plan.problems)),
                fix=fix_roster,
            )
        elif plan.refused and not roster:
            roster_result = CheckResult("roster", "fail", plan.refused, fix=fix_roster)
        elif plan.refused:
            roster_result = CheckResult(
                "roster",
                "fail",
                plan.refused,
                fix=(
                    "review who would lose access with `sheetbot run --dry-run`; raise "
                    "access.max_removals if that is intended"
                ),
            )
        else:
            members = ", ".join(f"{m.email} ({m.role})" for m in roster)
            changes = (
                f"a run would add {len(plan.adds)}, update {len(plan.updates)}, "
                f"remove {len(plan.removals)}"
            )
            inherited = [f"{e.who} {e.role}: {e.reason}" for e in plan.inherited]
            roster_result = CheckResult(
                "roster",
                "warn" if inherited else "ok",
                f"{_plural(len(roster), 'member')} in office on {day}: {members}; {changes}",
                details=_capped(inherited),
                fix="change those on the shared drive" if inherited else None,
            )
        return [roster_result, self._links(permissions, plan.refused is not None)]

    def _links(self, permissions: list[Permission], refused: bool) -> CheckResult:
        name = "link-sharing"
        assert self.config is not None
        assert self.config.access is not None
        links = [p for p in permissions if p.type in ("anyone", "domain")]
        if not links:
            return CheckResult(name, "ok", "off: nobody can open the spreadsheet by link or domain")
        shown = ", ".join(_link(p) for p in links)
        turn_off = "turn it off now in Share → General access → Restricted"
        if not self.config.access.remove_link_sharing:
            return CheckResult(
                name,
                "warn",
                f"kept (access.remove_link_sharing = false): {shown}",
                fix=f"{turn_off}, or set access.remove_link_sharing = true",
            )
        inherited = [p for p in links if p.inherited]
        if inherited:
            return CheckResult(
                name,
                "warn",
                f"on: {shown}; inherited from the shared drive, so the bot cannot remove it",
                fix="turn link sharing off in the shared drive's settings",
            )
        if refused:
            return CheckResult(
                name,
                "warn",
                f"on: {shown}; the next run would remove it, but the access change is refused "
                "(see roster)",
                fix=turn_off,
            )
        return CheckResult(
            name, "warn", f"on: {shown}; the next run removes it", fix=f"{turn_off}, or run now"
        )


def _link(p: Permission) -> str:
    if p.type == "anyone":
        return f"anyone with the link ({p.role})"
    return f"everyone at {p.domain or 'a domain'} ({p.role})"


def _api_disabled(message: str) -> bool:
    text = message.casefold()
    return "has not been used" in text or "is disabled" in text or "api not enabled" in text


def run_checks(
    config_path: Path | None,
    *,
    client: GoogleClient | None = None,
    as_of: dt.date | None = None,
) -> CheckReport:
    """Run every check in order. Sends read requests only (Sheets ``spreadsheets.get`` and
    ``values.batchGet``; Drive ``about.get``, ``files.get``, ``permissions.list``).

    ``client``: an already built client (the ``credentials`` check then only says so);
    ``as_of``: the date for terms of office and retention (default: today in the configured
    time zone).
    """
    doctor = _Doctor(client, as_of)
    results = [doctor.check_config(config_path), doctor.check_credentials()]
    results.append(doctor.check_spreadsheet())
    results += doctor.check_edit_and_share()
    results.append(doctor.check_headers())
    results.append(doctor.check_dates())
    results += doctor.check_access()
    results.append(CheckResult("version-history", "note", REMINDER))
    return CheckReport(config_path=config_path, as_of=doctor.as_of, results=tuple(results))


# --------------------------------------------------------------------------- rendering


def summary(report: CheckReport) -> str:
    labels: tuple[tuple[Status, str], ...] = (
        ("ok", "ok"),
        ("warn", "warn"),
        ("fail", "failed"),
        ("skip", "skipped"),
    )
    counts = ", ".join(f"{report.count(s)} {label}" for s, label in labels)
    if report.failed:
        verdict = "fix the failures before `sheetbot run`"
    elif report.count("warn"):
        verdict = "`sheetbot run` has what it needs; read the warnings"
    else:
        verdict = "`sheetbot run` has what it needs"
    return f"check: {counts}; {verdict}"


def render_text(report: CheckReport) -> str:
    lines: list[str] = []
    for r in report.results:
        lines.append(f"{r.status:<4}  {r.name}: {r.message}")
        lines += [f"        {d}" for d in r.details]
        if r.fix:
            lines.append(f"      fix: {r.fix}")
    lines += ["", summary(report), ""]
    return "\n".join(lines)


def to_json(report: CheckReport) -> dict[str, Any]:
    return {
        "ok": not report.failed,
        "exit_code": report.exit_code,
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "checks": [
            {
                "name": r.name,
                "status": r.status,
                "message": r.message,
                "details": list(r.details),
                "fix": r.fix,
            }
            for r in report.results
        ],
    }


def render_json(report: CheckReport) -> str:
    return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"
