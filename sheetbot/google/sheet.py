"""The spreadsheet: read it in two requests, apply a plan's row changes in six.

Whatever the sheet's size or the number of rows changed, a run costs a constant number of
requests: read (metadata, values); apply (tag rows, check them, write, read them back, untag,
audit log), and two more (check, write) for each retry of the write.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sheetbot.errors import AccessDenied, GoogleError, NotFound, SheetError, Unavailable
from sheetbot.google.client import GoogleClient, backoff_wait
from sheetbot.plan import LOG_HEADERS, RowChange, audit_row, expunge_on_matches
from sheetbot.table import Cell, Snapshot, Table

METADATA_FIELDS = "spreadsheetId,properties(locale,timeZone),sheets(properties(sheetId,title))"
# Google's message (after the status) when the spreadsheet is not shared with the caller; any
# other refusal (the API not enabled in the project, a token without the scope) is named as
# Google names it.
NOT_SHARED = ": The caller does not have permission"
READ_PARAMS = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}


def a1_tab(title: str) -> str:
    """A tab title quoted for A1 notation: ``'It''s here'``."""
    return "'" + title.replace("'", "''") + "'"


class SheetAdapter:
    def __init__(self, client: GoogleClient, spreadsheet_id: str, account: str = "") -> None:
        self.client = client
        self.id = spreadsheet_id
        self.account = account  # the bot's own address, for "share it with ..." hints

    def _share_hint(self) -> str:
        who = self.account or "the bot's service account"
        return f"share it with {who} (Editor)"

    def metadata(self) -> dict[str, Any]:
        try:
            meta: dict[str, Any] = self.client.request(
                "get", self.client.sheets_url(self.id), params={"fields": METADATA_FIELDS}
            )
        except AccessDenied as exc:
            if not str(exc).endswith(NOT_SHARED):  # an API not enabled, a missing scope...
                raise AccessDenied(
                    f"the bot's account cannot open spreadsheet {self.id}: {exc}"
                ) from None
            raise AccessDenied(
                f"the bot's account cannot open spreadsheet {self.id}: {self._share_hint()}"
            ) from None
        except NotFound:
            raise NotFound(
                f"spreadsheet {self.id} not found, or not shared with the bot: {self._share_hint()}"
            ) from None
        return meta

    def read_values(self, tab: str) -> list[list[Cell]]:
        body = self.client.request(
            "get",
            self.client.sheets_url(f"{self.id}/values/{quote(a1_tab(tab), safe='')}"),
            params=READ_PARAMS,
        )
        values: list[list[Cell]] = body.get("values", [])
        return values

    def read(
        self, records_tab: str, header_row: int, log_tab: str, roster_tab: str = ""
    ) -> Snapshot:
        """Metadata (locale, time zone, tabs), then the records tab (and the roster tab, if
        configured and present) in one batchGet: two requests, whatever the size."""
        meta = self.metadata()
        tabs = {s["properties"]["title"]: s["properties"] for s in meta.get("sheets", [])}
        if records_tab not in tabs:
            # The other tabs are counted, never named: a committee may name a tab after a case.
            others = (
                "1 tab of another name" if len(tabs) == 1 else f"{len(tabs)} tabs of other names"
            )
            raise SheetError(
                f"spreadsheet.records_tab: no tab {records_tab!r} in the spreadsheet; it has "
                f"{others} (names must match exactly)"
            )
        ranges = [a1_tab(records_tab)]
        with_roster = bool(roster_tab) and roster_tab in tabs
        if with_roster:
            ranges.append(a1_tab(roster_tab))
        log_exists = bool(log_tab) and log_tab in tabs
        if log_exists:  # its first row: is the header there? (``SheetWriter._log``)
            ranges.append(f"{a1_tab(log_tab)}!1:1")
        body = self.client.request(
            "get",
            self.client.sheets_url(f"{self.id}/values:batchGet"),
            params={**READ_PARAMS, "ranges": ranges},
        )
        value_ranges = body.get("valueRanges", [])
        if len(value_ranges) != len(ranges):
            raise SheetError(f"Google answered {len(value_ranges)} of {len(ranges)} ranges read")
        rows: list[list[Cell]] = value_ranges[0].get("values", [])
        log_header = log_exists and bool(value_ranges[-1].get("values"))
        roster = None
        if with_roster:
            roster_rows = value_ranges[1].get("values", [])
            roster = Table(
                header_row=1,
                headers=tuple(roster_rows[0]) if roster_rows else (),
                rows=tuple(tuple(r) for r in roster_rows[1:]),
            )
        headers = tuple(rows[header_row - 1]) if len(rows) >= header_row else ()
        table = Table(
            header_row=header_row,
            headers=headers,
            rows=tuple(tuple(r) for r in rows[header_row:]),
        )
        properties = meta.get("properties", {})
        return Snapshot(
            spreadsheet_id=self.id,
            locale=str(properties.get("locale", "")),
            time_zone=str(properties.get("timeZone", "")),
            records_tab=records_tab,
            records_sheet_id=int(tabs[records_tab].get("sheetId", 0)),
            table=table,
            log_tab_exists=log_exists,
            log_tab_has_header=log_header,
            roster=roster,
        )


# --------------------------------------------------------------------------- apply

ROW_TAG = "sheetbot.row"  # developer metadata key on the rows a run is about to write


@dataclass(frozen=True)
class Applied:
    written: tuple[int, ...]  # sheet rows written
    skipped: tuple[tuple[int, str], ...]  # (row, reason) not written: moved or changed
    log_rows: int
    warnings: tuple[str, ...] = ()


def _trimmed(row: Sequence[Cell]) -> tuple[Cell, ...]:
    """A row without its trailing empty cells (Sheets omits them, a human may not)."""
    cells = list(row)
    while cells and cells[-1] in (None, ""):
        cells.pop()
    return tuple(cells)


def _sheet_value(value: str | dt.date) -> str:
    """A cell value for USER_ENTERED input: dates become real dates, text stays text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if value == "":
        return ""
    return "'" + value  # a leading apostrophe stores the text as it is, never as a formula


def same_record(row: Sequence[Cell], change: RowChange) -> bool:
    """Whether ``row`` (as read back) still holds ``change``'s record: the cells of its
    ``identity`` columns (dates, outcome, override, personal data not written) are as read at
    the start of the run.

    Why: a row tag stays with its row, so a record pasted over the row (or sorted into it,
    were Google not to move tags with a sort) in the instant before the write is written
    into, and the written cells alone show nothing wrong.
    """
    return all(_cell(row, c) == _cell(change.expected, c) for c in change.identity)


def holds_written(row: Sequence[Cell] | None, change: RowChange) -> bool:
    """Whether ``row`` (as read back) holds every cell ``change`` writes, as the bot wrote it.

    A date matches as the plan matches the expunge_on cell (a serial number, or ISO text in a
    column formatted as plain text); text as it was entered; a blanked cell reads back as ""
    or, at the end of a row, not at all. No other cell is compared here (``same_record`` does
    that): Sheets recalculates a formula that reads the written cells (a "days left" column).
    """
    if row is None:
        return False
    for w in change.writes:
        cell = _cell(row, w.column)
        if isinstance(w.value, dt.date):
            if not expunge_on_matches(cell, w.value):
                return False
        elif w.value == "":
            if cell is not None:
                return False
        elif cell != w.value:
            return False
    return True


def _cell(row: Sequence[Cell], column: int) -> Cell:
    """The cell of ``row`` in ``column``; None when empty ("", or beyond the row's end)."""
    cell = row[column] if column < len(row) else None
    return None if cell == "" else cell


def _listed(rows: Iterable[int]) -> str:
    return ", ".join(map(str, rows))


def _one_row(values: list[list[Cell]] | None) -> tuple[Cell, ...] | None:
    """The one row a row tag matched (trimmed), or None when it matched none (deleted)."""
    if values is None or len(values) != 1:
        return None
    return _trimmed(values[0])


@dataclass(frozen=True)
class _Found:
    """The tagged rows as they are now (``SheetWriter._read_tagged``)."""

    same_header: bool  # the header row is as read at the start of the run
    rows: dict[int, tuple[Cell, ...] | None] = field(repr=False)  # planned row → now (trimmed)


@dataclass
class _Outcome:
    """What ``SheetWriter._check_and_write`` found, so far."""

    done: list[RowChange] = field(default_factory=list)  # written, as planned
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, why), not written
    warnings: list[str] = field(default_factory=list)
    failure: GoogleError | None = None  # the last failure, while it is not overcome
    unknown: list[RowChange] = field(default_factory=list)  # sent, answer lost, not checked


def _tag(run_id: str, row: int) -> dict[str, Any]:
    return {"developerMetadataLookup": {"metadataKey": ROW_TAG, "metadataValue": f"{run_id}:{row}"}}


class SheetWriter:
    """Executes a plan's row changes against the sheet it was read from. Thin, no decisions."""

    def __init__(
        self,
        adapter: SheetAdapter,
        snapshot: Snapshot,
        log_tab: str,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.adapter = adapter
        self.sleep = sleep
        self.client = adapter.client
        self.id = adapter.id
        self.snapshot = snapshot
        self.log_tab = log_tab

    def _batch_update(self, requests: list[dict[str, Any]]) -> dict[str, Any]:
        body: dict[str, Any] = self.client.request(
            "post", self.client.sheets_url(f"{self.id}:batchUpdate"), json={"requests": requests}
        )
        return body

    def apply(self, changes: Sequence[RowChange], run_id: str, now: dt.datetime) -> Applied:
        if not changes:
            return Applied((), (), 0)
        sheet_id = self.snapshot.records_sheet_id
        # 1. Tag every target row. The tag moves with its row when rows are inserted,
        #    deleted or sorted, so the write below lands on the row it was meant for.
        requests: list[dict[str, Any]] = []
        if self.log_tab and not self.snapshot.log_tab_exists:
            requests.append({"addSheet": {"properties": {"title": self.log_tab}}})
        for change in changes:
            requests.append(
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataKey": ROW_TAG,
                            "metadataValue": f"{run_id}:{change.row}",
                            "visibility": "DOCUMENT",
                            "location": {
                                "dimensionRange": {
                                    "sheetId": sheet_id,
                                    "dimension": "ROWS",
                                    "startIndex": change.row - 1,
                                    "endIndex": change.row,
                                }
                            },
                        }
                    }
                }
            )
        self._batch_update(requests)
        outcome = _Outcome()
        try:
            self._check_and_write(changes, run_id, outcome)
        except GoogleError as exc:
            outcome.failure = exc
        finally:
            warnings = self._untag()
        if outcome.failure is not None:
            if outcome.unknown:
                rows = _listed(c.row for c in outcome.unknown)
                raise type(outcome.failure)(
                    f"{outcome.failure}; the answer to the write of rows {rows} was lost: "
                    "they may have been written without an audit row, check them"
                )
            if not outcome.done:
                raise outcome.failure  # nothing was written: the sheet is as it was
            outcome.warnings.append(f"the run stopped after some rows: {outcome.failure}")
        log_rows, log_warning = self._log(outcome.done, run_id, now)
        return Applied(
            written=tuple(sorted(c.row for c in outcome.done)),
            skipped=tuple(sorted(outcome.skipped)),
            log_rows=log_rows,
            warnings=tuple(outcome.warnings + warnings + log_warning),
        )

    def _check_and_write(
        self, changes: Sequence[RowChange], run_id: str, outcome: _Outcome
    ) -> None:
        """2-4. Check the tagged rows, write those as planned in one request, read them back.

        The check is the last request before the write; the write is never re-sent by the
        transport (``client._checked_write``). When Google is busy or the answer is lost, this
        waits (``Retry-After`` honoured, bounded like every retry), then checks again: a row
        that now holds what the bot wrote was written (the answer was lost), a row still as
        planned is written again, any other row is skipped. After a write, the rows are read
        back (``_confirm``): Sheets has no conditional write, so a column inserted or moved in
        the instant between the check and the write is found there, and reported loudly.
        """
        policy = self.client.retry
        todo = list(changes)
        for attempt in range(policy.attempts):
            if attempt:
                self.sleep(backoff_wait(policy, attempt, outcome.failure))
            found = self._read_tagged(todo, run_id)
            todo = self._sort(todo, found, outcome, sent=bool(outcome.unknown))
            outcome.unknown = []
            if not todo:
                outcome.failure = None
                return
            try:
                written = self._write(todo, run_id)
            except Unavailable as exc:
                outcome.failure = exc
                if exc.maybe_applied:  # written or not: the next check tells
                    outcome.unknown = todo
                continue
            outcome.failure = None
            landed = [c for c in todo if c.row in written]
            outcome.done += landed
            outcome.skipped += [
                (c.row, "the row was deleted during the run") for c in todo if c.row not in written
            ]
            self._confirm(landed, run_id, outcome)
            return
        # Out of tries. If the last write's fate is unknown, a last check tells: rows written
        # go to done; rows still as planned were not written, and the next run writes them.
        if outcome.unknown:
            todo = self._sort(
                outcome.unknown, self._read_tagged(outcome.unknown, run_id), outcome, sent=True
            )
            outcome.unknown = []
            if not todo:
                outcome.failure = None  # the last write landed after all: the run is complete
        for change in todo:
            outcome.skipped.append((change.row, "not written: Google did not answer"))

    def _read_tagged(self, changes: Sequence[RowChange], run_id: str) -> _Found:
        """The header row and each tagged row as they are now, in one request."""
        header = self.snapshot.table.header_row
        tab = a1_tab(self.snapshot.records_tab)
        filters = [{"a1Range": f"{tab}!{header}:{header}"}]
        filters += [_tag(run_id, c.row) for c in changes]
        body = self.client.request(
            "post",
            self.client.sheets_url(f"{self.id}/values:batchGetByDataFilter"),
            json={"dataFilters": filters, **READ_PARAMS},
        )
        rows: dict[str, list[list[Cell]]] = {}
        header_now: list[list[Cell]] | None = None
        for matched in body.get("valueRanges", []):
            values = matched.get("valueRange", {}).get("values", [])
            for f in matched.get("dataFilters", []):
                if "a1Range" in f:
                    header_now = values
                lookup = f.get("developerMetadataLookup")
                if lookup:
                    rows[str(lookup.get("metadataValue"))] = values
        same_header = header_now is not None and _trimmed(
            header_now[0] if header_now else []
        ) == _trimmed(self.snapshot.table.headers)
        return _Found(
            same_header, {c.row: _one_row(rows.get(f"{run_id}:{c.row}")) for c in changes}
        )

    @staticmethod
    def _sort(
        changes: Sequence[RowChange], found: _Found, outcome: _Outcome, *, sent: bool
    ) -> list[RowChange]:
        """The changes still to write, as planned; the others go to ``outcome.skipped``, or,
        after a write whose answer was lost (``sent``), to ``outcome.done`` when their row
        holds what the bot wrote (``holds_written``). The rows of one person are written
        together or not at all: a record expunged without the longer date it gave another row
        of its person (repeat offence) would lose that date with the link (``plan.this_run``).
        """
        todo: list[RowChange] = []
        refused: dict[int, str] = {}  # person → why its rows wait
        unsure: list[int] = []  # after a lost answer: changed since, written or not
        edited: list[int] = []  # after a lost answer: written, and changed since
        for change in changes:
            row = found.rows[change.row]
            if sent and found.same_header and holds_written(row, change):
                outcome.done.append(change)  # written, its answer lost
                assert row is not None  # ``holds_written``
                if not same_record(row, change):
                    edited.append(change.row)
                continue
            if not found.same_header:
                reason = "the header row changed during the run"
            elif row is None:
                reason = "the row was deleted during the run"
            elif row != _trimmed(change.expected):
                reason = "the row moved or was edited during the run"
            else:
                todo.append(change)
                continue
            if sent and row is not None:
                unsure.append(change.row)
            outcome.skipped.append((change.row, reason))
            refused.setdefault(change.person_key, f"row {change.row} of the same person changed")
        waiting = [c for c in todo if c.person_key in refused]
        for change in waiting:
            outcome.skipped.append((change.row, refused[change.person_key] + " during the run"))
        if edited:
            outcome.warnings.append(
                f"rows {_listed(edited)} were written (Google's answer was lost) and changed "
                "while the bot waited to learn it (an edit, or another record pasted over the "
                "row): check those rows now; the sheet's version history holds their values "
                "from before the run"
            )
        if unsure:
            outcome.warnings.append(
                f"rows {_listed(unsure)} changed while the bot waited to learn whether its write "
                "had landed (Google's answer was lost): they may have been written without an "
                "audit row; check them against the sheet's version history"
            )
        return [c for c in todo if c.person_key not in refused]

    def _confirm(self, changes: Sequence[RowChange], run_id: str, outcome: _Outcome) -> None:
        """After the write (``changes``: the rows it wrote): read them back; any that does not
        hold what the bot wrote, or a header row that moved, is reported loudly (exit 1)."""
        if not changes:
            return
        try:
            found = self._read_tagged(changes, run_id)
        except GoogleError as exc:
            outcome.warnings.append(
                f"rows {_listed(c.row for c in changes)} were written but could not be read "
                f"back to confirm it ({exc}): check them against the sheet's version history"
            )
            return
        moved = [
            c.row
            for c in changes
            if (row := found.rows[c.row]) is not None
            and not (found.same_header and holds_written(row, c) and same_record(row, c))
        ]
        if moved:
            outcome.warnings.append(
                f"rows {_listed(moved)} changed while the bot wrote them (a column inserted, "
                "moved or deleted, another record pasted over the row, or a cell edited, at "
                "that instant): check those rows now; the sheet's version history holds their "
                "values from before the run"
            )

    def _write(self, changes: Sequence[RowChange], run_id: str) -> set[int]:
        """Every checked row's cells in one request: all of them land, or none. Returns the
        rows written (a row deleted since the check matches no tag and is not)."""
        data = []
        for change in changes:
            width = max(w.column for w in change.writes) + 1
            row: list[str | None] = [None] * width  # null leaves a cell as it is
            for w in change.writes:
                row[w.column] = _sheet_value(w.value)
            data.append({"dataFilter": _tag(run_id, change.row), "majorDimension": "ROWS",
                         "values": [row]})  # fmt: skip
        body = self.client.request(
            "post",
            self.client.sheets_url(f"{self.id}/values:batchUpdateByDataFilter"),
            json={"valueInputOption": "USER_ENTERED", "data": data},
        )
        written: set[int] = set()
        for response in body.get("responses", []):
            lookup = response.get("dataFilter", {}).get("developerMetadataLookup", {})
            value = str(lookup.get("metadataValue", ""))
            if response.get("updatedCells") and value.startswith(f"{run_id}:"):
                written.add(int(value.split(":", 1)[1]))
        return written

    def _untag(self) -> list[str]:
        """Remove this run's tags (and any a crashed run left). Failing here harms nothing."""
        untag = [{"deleteDeveloperMetadata": {"dataFilter": {
            "developerMetadataLookup": {"metadataKey": ROW_TAG}}}}]  # fmt: skip
        policy = self.client.retry
        for attempt in range(policy.attempts):
            try:
                self._batch_update(untag)  # sent twice, it leaves the same sheet
                return []
            except Unavailable as exc:
                failure: GoogleError = exc
                if attempt + 1 < policy.attempts:
                    self.sleep(backoff_wait(policy, attempt + 1, exc))
            except GoogleError as exc:
                failure = exc
                break
        return [f"row tags were not removed ({failure}); the next run removes them"]

    def _log(
        self, done: Sequence[RowChange], run_id: str, now: dt.datetime
    ) -> tuple[int, list[str]]:
        """Append one audit row per applied change. Never re-sent blindly: a lost answer is
        checked by reading the log back, so a retry cannot duplicate rows."""
        if not self.log_tab or not done:
            return 0, []
        rows: list[list[str | int]] = []
        if not self.snapshot.log_tab_has_header:  # a new tab, or one left empty by a past run
            rows.append(list(LOG_HEADERS))
        rows += [audit_row(c, now, run_id) for c in done]
        url = self.client.sheets_url(
            f"{self.id}/values/{quote(a1_tab(self.log_tab) + '!A1', safe='')}:append"
        )
        params = {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}
        try:
            self.client.request("post", url, params=params, json={"values": rows})
        except GoogleError as first:
            try:
                logged = self._logged(run_id)
                if logged == 0:
                    self.client.request("post", url, params=params, json={"values": rows})
                elif logged != len(done):
                    raise first
            except GoogleError as exc:
                return 0, [f"the audit log was not written: {exc}"]
        return len(done), []

    def _logged(self, run_id: str) -> int:
        """How many audit rows of this run the log tab holds."""
        column = self.adapter.read_values(self.log_tab)
        return sum(1 for row in column if len(row) > 1 and row[1] == run_id)
