"""TOML configuration → frozen dataclasses, with errors that name the dotted key.

Every key of SPEC section 7 is accepted exactly as written and has the default shown there
(but ``spreadsheet.id``, which is required). Unknown keys and wrong types are reported with
the key's dotted name, never with a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta

from sheetbot.errors import ConfigError

CONFIG_ENV = "SHEETBOT_CONFIG"

DateOrder = Literal["DMY", "MDY", "YMD"]
RepeatOffence = Literal["restart", "match-latest", "off"]
Role = Literal["reader", "commenter", "writer"]
ROLES: tuple[Role, ...] = ("reader", "commenter", "writer")


@dataclass(frozen=True)
class Duration:
    """A retention term: ``N days|weeks|months|years``, applied with calendar arithmetic."""

    amount: int
    unit: Literal["days", "weeks", "months", "years"]

    @cached_property
    def delta(self) -> relativedelta:
        """Built once per term: planning 100,000 rows adds it 100,000 times."""
        if self.unit == "days":
            return relativedelta(days=self.amount)
        if self.unit == "weeks":
            return relativedelta(weeks=self.amount)
        if self.unit == "months":
            return relativedelta(months=self.amount)
        return relativedelta(years=self.amount)

    def after(self, start: dt.date) -> dt.date:
        """``start`` + this term; 2025-01-31 + 1 month = 2025-02-28.

        ``start + self.delta``, quicker: a relativedelta addition costs about 5 µs, and a
        sheet of 100,000 rows (SPEC 6) has some 15,000 distinct (start, term) pairs. Days and
        weeks are added as a ``timedelta`` of as many days (what the relativedelta adds).
        Months and years are added by the relativedelta to the first of ``start``'s month,
        once per month (``_month_after``): a day up to 28, which every month has, is then
        that day of the resulting month, counted in day numbers (``date.replace`` costs
        three times as much); the days 29 to 31 are added by the relativedelta itself,
        which clamps them to the month's end. ``tests/test_config.py`` checks this
        against ``start + self.delta`` on every day of years of every kind. Past the year
        9999: OverflowError or ValueError, as the relativedelta raises.
        """
        if self.unit == "days" or self.unit == "weeks":
            return start + self._days
        day = start.day
        if day <= 28:
            month = start.toordinal() - day  # the day before the first of start's month
            before = self._month_after.get(month)
            if before is None:
                first: dt.date = start.replace(day=1) + self.delta
                before = self._month_after[month] = first.toordinal() - 1
            return dt.date.fromordinal(before + day)
        result: dt.date = start + self.delta
        return result

    @cached_property
    def _days(self) -> dt.timedelta:
        return dt.timedelta(days=self.amount * (7 if self.unit == "weeks" else 1))

    @cached_property
    def _month_after(self) -> dict[int, int]:
        """The day before the first of a month → the day before (the first of that month +
        this term), both as day numbers (``date.toordinal``; see ``after``)."""
        return {}

    def __str__(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"


_DURATION = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$", re.IGNORECASE)


def parse_duration(text: str) -> Duration:
    """Parse ``"14 months"``; raises ValueError with a readable reason."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError('expected "N days", "N weeks", "N months" or "N years"')
    unit = match.group(2).lower() + "s"
    return Duration(int(match.group(1)), unit)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SpreadsheetConfig:
    id: str
    records_tab: str = "Records"
    header_row: int = 1
    log_tab: str = "Retention log"
    date_order: DateOrder | None = None  # None: from the spreadsheet's locale
    timezone: str = "UTC"


@dataclass(frozen=True)
class GoogleConfig:
    credentials: str = ""
    api_root: str = ""


@dataclass(frozen=True)
class ColumnsConfig:
    reported: str = "Date of 1st report"
    outcome: str = "Outcome"
    ban_until: str = "Ban until"
    reporter: tuple[str, ...] = ("Reporter",)
    subject: tuple[str, ...] = ("Named subjects", "Subject email address/URL")
    expunge_on: str = "Date to expunge this record"
    override: str = "Retention override"  # "" = no override column
    expunged_on: str = "Expunged on"  # "" = not written


@dataclass(frozen=True)
class OutcomesConfig:
    no_violation: tuple[str, ...] = ("No violation",)
    unidentified: tuple[str, ...] = ("Violation, actor not identified",)
    resolved: tuple[str, ...] = ("Resolved",)
    flagged: tuple[str, ...] = ("Flagged",)
    banned: tuple[str, ...] = ("Banned",)


@dataclass(frozen=True)
class RetentionConfig:
    no_violation: Duration = Duration(0, "days")
    unidentified_reporter: Duration = Duration(6, "months")
    resolved: Duration = Duration(14, "months")
    flagged: Duration = Duration(26, "months")
    after_ban: Duration = Duration(26, "months")
    repeat_offence: RepeatOffence = "restart"
    redaction_text: str = ""
    max_expunge_per_run: int = 25


@dataclass(frozen=True)
class Member:
    email: str
    role: Role | None = None  # None: the [access] default role
    start: dt.date | None = None  # the TOML key is ``from``
    until: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        """Inside the member's term of office (both ends inclusive)."""
        return (self.start is None or self.start <= day) and (
            self.until is None or day <= self.until
        )


@dataclass(frozen=True)
class AccessConfig:
    role: Role = "writer"
    keep: tuple[str, ...] = ()
    remove_link_sharing: bool = True
    notify: bool = True
    max_removals: int = 3
    members: tuple[Member, ...] = ()
    roster_tab: str = ""  # "" = the roster is only [access] members
    message: str = ""  # added to Google's notification e-mail to new members


@dataclass(frozen=True)
class Config:
    spreadsheet: SpreadsheetConfig
    google: GoogleConfig = field(default_factory=GoogleConfig)
    columns: ColumnsConfig = field(default_factory=ColumnsConfig)
    outcomes: OutcomesConfig = field(default_factory=OutcomesConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    access: AccessConfig | None = None  # None: sharing is not managed

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.spreadsheet.timezone)


# --------------------------------------------------------------------------- loading


def load(path: Path) -> Config:
    """Read and validate a TOML file. Raises ConfigError with one readable line."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: a byte order mark is no TOML
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"{path}: not UTF-8 text (TOML files are UTF-8): save it as UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return from_mapping(data)


def from_mapping(data: Mapping[str, Any]) -> Config:
    """Validate an already-parsed TOML document."""
    reader = _Reader(data, "")
    sheet = reader.table("spreadsheet", required=True)
    google = reader.table("google")
    columns = reader.table("columns")
    outcomes = reader.table("outcomes")
    retention = reader.table("retention")
    access = reader.table("access") if "access" in data else None
    reader.done()

    spreadsheet_cfg = _spreadsheet(sheet)
    sheet.done()
    google_cfg = GoogleConfig(
        credentials=google.string("credentials", ""), api_root=google.string("api_root", "")
    )
    google.done()
    columns_cfg = _columns(columns)
    columns.done()
    outcomes_cfg = _outcomes(outcomes)
    outcomes.done()
    retention_cfg = _retention(retention)
    retention.done()
    access_cfg = None
    if access is not None:
        access_cfg = _access(access)
        access.done()
        for key in ("records_tab", "log_tab"):
            if _same_tab(access_cfg.roster_tab, getattr(spreadsheet_cfg, key)):
                access.fail("roster_tab", _TAB_OF.format(key, "the roster"))
    return Config(
        spreadsheet=spreadsheet_cfg,
        google=google_cfg,
        columns=columns_cfg,
        outcomes=outcomes_cfg,
        retention=retention_cfg,
        access=access_cfg,
    )


_SPREADSHEET_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_SPREADSHEET_KEY = re.compile(r"^[A-Za-z0-9_-]{10,}$")


def spreadsheet_key(value: str) -> str:
    """The key from a bare key or a full ``https://docs.google.com/spreadsheets/d/KEY/...`` URL."""
    text = value.strip()
    match = _SPREADSHEET_URL.search(text)
    if match and match.group(1) == "e" and "/d/e/" in text:  # "Publish to web": no key in it
        raise ValueError(
            "a published link (.../spreadsheets/d/e/...) does not name the spreadsheet: use "
            "the address of the spreadsheet itself (.../spreadsheets/d/KEY/edit)"
        )
    if match:
        return match.group(1)
    if _SPREADSHEET_KEY.match(text):
        return text
    raise ValueError("expected the spreadsheet key or its full URL")


def _spreadsheet(t: _Reader) -> SpreadsheetConfig:
    key = t.value("id", str, required=True)
    try:
        key = spreadsheet_key(key)
    except ValueError as exc:
        t.fail("id", str(exc))
    header_row = t.value("header_row", int, 1)
    if header_row < 1:
        t.fail("header_row", "must be 1 or more")
    order = t.string("date_order", "").strip().upper()
    if order not in ("", "DMY", "MDY", "YMD"):
        t.fail("date_order", 'must be "DMY", "MDY", "YMD" or "" (from the spreadsheet\'s locale)')
    zone = t.string("timezone", "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a directory
        t.fail("timezone", f"unknown time zone {zone!r} (use an IANA name like Europe/Berlin)")
    records_tab = t.string("records_tab", "Records")
    if not records_tab.strip():
        t.fail("records_tab", "must name the tab that holds the records")
    log_tab = t.string("log_tab", "Retention log")
    if _same_tab(log_tab, records_tab):
        t.fail("log_tab", _TAB_OF.format("records_tab", "the audit log"))
    return SpreadsheetConfig(
        id=key,
        records_tab=records_tab,
        header_row=header_row,
        log_tab=log_tab,
        date_order=order or None,  # type: ignore[arg-type]
        timezone=zone,
    )


_TAB_OF = "is the tab of spreadsheet.{}; {} needs a tab of its own"


def _same_tab(name: str, other: str) -> bool:
    """Two configured tab names that name the same tab (Sheets' names ignore case)."""
    return bool(name.strip()) and name.strip().casefold() == other.strip().casefold()


def _columns(t: _Reader) -> ColumnsConfig:
    d = ColumnsConfig()
    required = {
        "reported": t.string("reported", d.reported),
        "outcome": t.string("outcome", d.outcome),
        "expunge_on": t.string("expunge_on", d.expunge_on),
    }
    for key, value in required.items():
        if not value.strip():
            t.fail(key, "must name a column header")
    reporter = t.strings("reporter", d.reporter)
    subject = t.strings("subject", d.subject)
    for key, values in (("reporter", reporter), ("subject", subject)):
        if not values or any(not v.strip() for v in values):
            t.fail(key, "must list one or more column headers")
    cfg = ColumnsConfig(
        reported=required["reported"],
        outcome=required["outcome"],
        ban_until=t.string("ban_until", d.ban_until),
        reporter=reporter,
        subject=subject,
        expunge_on=required["expunge_on"],
        override=t.string("override", d.override),
        expunged_on=t.string("expunged_on", d.expunged_on),
    )
    seen: dict[str, str] = {}
    for role, header in column_roles(cfg):
        norm = normalise_header(header)
        if norm in seen:
            t.fail(role, f"header {header!r} is also configured as columns.{seen[norm]}")
        seen[norm] = role
    return cfg


def column_roles(cfg: ColumnsConfig) -> list[tuple[str, str]]:
    """(role, header) for every configured column; optional roles left out when "" ."""
    roles = [("reported", cfg.reported), ("outcome", cfg.outcome)]
    if cfg.ban_until:
        roles.append(("ban_until", cfg.ban_until))
    roles += [("reporter", h) for h in cfg.reporter]
    roles += [("subject", h) for h in cfg.subject]
    roles.append(("expunge_on", cfg.expunge_on))
    if cfg.override:
        roles.append(("override", cfg.override))
    if cfg.expunged_on:
        roles.append(("expunged_on", cfg.expunged_on))
    return roles


def normalise_header(text: str) -> str:
    """Headers match trimmed and case-insensitively (internal runs of white space folded)."""
    return " ".join(text.split()).casefold()


def _outcomes(t: _Reader) -> OutcomesConfig:
    d = OutcomesConfig()
    cfg = OutcomesConfig(
        no_violation=t.strings("no_violation", d.no_violation),
        unidentified=t.strings("unidentified", d.unidentified),
        resolved=t.strings("resolved", d.resolved),
        flagged=t.strings("flagged", d.flagged),
        banned=t.strings("banned", d.banned),
    )
    seen: dict[str, str] = {}
    for key in ("no_violation", "unidentified", "resolved", "flagged", "banned"):
        labels: tuple[str, ...] = getattr(cfg, key)
        if not labels or any(not label.strip() for label in labels):
            t.fail(key, "must list one or more non-empty labels")
        for label in labels:
            norm = label.strip().casefold()
            if norm in seen and seen[norm] != key:
                t.fail(key, f"label {label!r} is also listed under outcomes.{seen[norm]}")
            seen[norm] = key
    return cfg


def _retention(t: _Reader) -> RetentionConfig:
    d = RetentionConfig()
    mode = t.string("repeat_offence", d.repeat_offence)
    if mode not in ("restart", "match-latest", "off"):
        t.fail("repeat_offence", 'must be "restart", "match-latest" or "off"')
    limit = t.value("max_expunge_per_run", int, d.max_expunge_per_run)
    if limit < 0:
        t.fail("max_expunge_per_run", "must be 0 or more")
    return RetentionConfig(
        no_violation=t.duration("no_violation", d.no_violation),
        unidentified_reporter=t.duration("unidentified_reporter", d.unidentified_reporter),
        resolved=t.duration("resolved", d.resolved),
        flagged=t.duration("flagged", d.flagged),
        after_ban=t.duration("after_ban", d.after_ban),
        repeat_offence=mode,  # type: ignore[arg-type]
        redaction_text=t.string("redaction_text", d.redaction_text),
        max_expunge_per_run=limit,
    )


_EMAIL = re.compile(r"^[^@\s,;<>()\[\]]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def valid_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


def _role(t: _Reader, key: str, value: object) -> Role:
    if value not in ROLES:
        t.fail(key, 'must be "reader", "commenter" or "writer"')
    return value  # type: ignore[return-value]


def _access(t: _Reader) -> AccessConfig:
    d = AccessConfig()
    role = _role(t, "role", t.value("role", str, d.role))
    max_removals = t.value("max_removals", int, d.max_removals)
    if max_removals < 0:
        t.fail("max_removals", "must be 0 or more")
    keep = tuple(e.strip() for e in t.strings("keep", ()))
    for i, email in enumerate(keep):
        if not valid_email(email):
            t.fail(f"keep[{i}]", "is not an e-mail address")
    raw_members = t.value("members", list, [])
    members: list[Member] = []
    seen: set[str] = set()
    for i, item in enumerate(raw_members):
        members.append(_member(t, f"members[{i}]", item))
        email = members[-1].email.casefold()
        if email in seen:
            t.fail(f"members[{i}]", "lists the same e-mail address twice")
        seen.add(email)
    return AccessConfig(
        role=role,
        keep=keep,
        remove_link_sharing=t.value("remove_link_sharing", bool, d.remove_link_sharing),
        notify=t.value("notify", bool, d.notify),
        max_removals=max_removals,
        members=tuple(members),
        roster_tab=t.string("roster_tab", d.roster_tab),
        message=t.string("message", d.message),
    )


def _member(t: _Reader, key: str, item: Any) -> Member:
    if isinstance(item, str):
        email = item.strip()
        if not valid_email(email):
            t.fail(key, "is not an e-mail address")
        return Member(email=email)
    if not isinstance(item, dict):
        t.fail(key, 'must be an e-mail address or a table { email = "...", role = "..." }')
    sub = _Reader(item, f"{t.prefix}{key}.")
    email = sub.value("email", str, required=True).strip()
    if not valid_email(email):
        sub.fail("email", "is not an e-mail address")
    role = None
    if "role" in item:
        role = _role(sub, "role", sub.value("role", str))
    start = sub.date("from")
    until = sub.date("until")
    if start and until and until < start:
        sub.fail("until", "is before from")
    sub.done()
    return Member(email=email, role=role, start=start, until=until)


class _Reader:
    """Reads typed keys from one TOML table, remembering which keys were used."""

    def __init__(self, data: Mapping[str, Any], prefix: str) -> None:
        self.data = data
        self.prefix = prefix
        self.used: set[str] = set()

    def fail(self, key: str, reason: str) -> Any:
        raise ConfigError(f"{self.prefix}{key}: {reason}")

    def table(self, key: str, required: bool = False) -> _Reader:
        self.used.add(key)
        if key not in self.data:
            if required:
                self.fail(key, "missing table")
            return _Reader({}, f"{self.prefix}{key}.")
        value = self.data[key]
        if not isinstance(value, dict):
            self.fail(key, "must be a table")
        return _Reader(value, f"{self.prefix}{key}.")

    def value(
        self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False
    ) -> Any:
        self.used.add(key)
        if key not in self.data:
            if required:
                self.fail(key, "missing (required)")
            return default
        value = self.data[key]
        # bool is an int in Python, but never a valid int in a config file
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(key, f"must be {_KIND_NAMES.get(kind, str(kind))}")
        return value

    def string(self, key: str, default: str) -> str:
        value: str = self.value(key, str, default)
        return value

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.value(key, (list, str), list(default))
        if isinstance(value, str):
            return (value,)
        if not all(isinstance(v, str) for v in value):
            self.fail(key, "must be a list of strings")
        return tuple(value)

    def duration(self, key: str, default: Duration) -> Duration:
        text = self.value(key, str, None)
        if text is None:
            return default
        try:
            return parse_duration(text)
        except ValueError as exc:
            return self.fail(key, str(exc))  # type: ignore[no-any-return]

    def date(self, key: str) -> dt.date | None:
        self.used.add(key)
        if key not in self.data:
            return None
        value = self.data[key]
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        return self.fail(key, "must be a date like 2025-01-31")  # type: ignore[no-any-return]

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            self.fail(unknown[0], "unknown key (see config.example.toml for the accepted keys)")


_KIND_NAMES: dict[Any, str] = {
    str: "a string",
    int: "a whole number",
    bool: "true or false",
    list: "a list",
    (list, str): "a list of strings",
}
