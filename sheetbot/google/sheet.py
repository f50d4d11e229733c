"""The spreadsheet: read it in two requests, apply a plan's row changes in five.

Whatever the sheet's size or the number of rows changed, a run costs a constant number of
requests: read (metadata, values); apply (tag rows, verify, write, untag, audit log).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sheetbot.errors import AccessDenied, GoogleError, NotFound, SheetError
from sheetbot.google.client import GoogleClient
from sheetbot.plan import LOG_HEADERS, RowChange, audit_row
from sheetbot.table import Cell, Snapshot, Table

METADATA_FIELDS = "spreadsheetId,properties(locale,timeZone),sheets(properties(sheetId,title))"
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
        except AccessDenied:
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
            known = ", ".join(repr(t) for t in tabs) or "none"
            raise SheetError(
                f"spreadsheet.records_tab: no tab {records_tab!r} in the spreadsheet "
                f"(its tabs: {known})"
            )
        ranges = [a1_tab(records_tab)]
        if roster_tab and roster_tab in tabs:
            ranges.append(a1_tab(roster_tab))
        body = self.client.request(
            "get",
            self.client.sheets_url(f"{self.id}/values:batchGet"),
            params={**READ_PARAMS, "ranges": ranges},
        )
        value_ranges = body.get("valueRanges", [])
        rows: list[list[Cell]] = value_ranges[0].get("values", []) if value_ranges else []
        roster = None
        if len(value_ranges) > 1:
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
            log_tab_exists=bool(log_tab) and log_tab in tabs,
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


def _tag(run_id: str, row: int) -> dict[str, Any]:
    return {"developerMetadataLookup": {"metadataKey": ROW_TAG, "metadataValue": f"{run_id}:{row}"}}


class SheetWriter:
    """Executes a plan's row changes against the sheet it was read from. Thin, no decisions."""

    def __init__(self, adapter: SheetAdapter, snapshot: Snapshot, log_tab: str) -> None:
        self.adapter = adapter
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
        try:
            verified, skipped = self._verify(changes, run_id)
            written = self._write(verified, run_id)
        finally:
            warnings = self._untag()
        gone = [c for c in verified if c.row not in written]
        skipped += [(c.row, "deleted during the run") for c in gone]
        done = [c for c in verified if c.row in written]
        log_rows, log_warning = self._log(done, run_id, now)
        return Applied(
            written=tuple(sorted(written)),
            skipped=tuple(sorted(skipped)),
            log_rows=log_rows,
            warnings=tuple(warnings + log_warning),
        )

    def _verify(
        self, changes: Sequence[RowChange], run_id: str
    ) -> tuple[list[RowChange], list[tuple[int, str]]]:
        """Re-read the tagged rows and the header row; keep the rows that are as planned."""
        header = self.snapshot.table.header_row
        tab = a1_tab(self.snapshot.records_tab)
        filters = [{"a1Range": f"{tab}!{header}:{header}"}]
        filters += [_tag(run_id, c.row) for c in changes]
        body = self.client.request(
            "post",
            self.client.sheets_url(f"{self.id}/values:batchGetByDataFilter"),
            json={"dataFilters": filters, **READ_PARAMS},
        )
        ranges = body.get("valueRanges", [])
        found: dict[str, list[list[Cell]]] = {}
        header_now: list[list[Cell]] | None = None
        for matched in ranges:
            values = matched.get("valueRange", {}).get("values", [])
            for f in matched.get("dataFilters", []):
                if "a1Range" in f:
                    header_now = values
                lookup = f.get("developerMetadataLookup")
                if lookup:
                    found[str(lookup.get("metadataValue"))] = values
        same_header = header_now is not None and _trimmed(
            header_now[0] if header_now else []
        ) == _trimmed(self.snapshot.table.headers)
        verified: list[RowChange] = []
        skipped: list[tuple[int, str]] = []
        for change in changes:
            values = found.get(f"{run_id}:{change.row}")
            if not same_header:
                skipped.append((change.row, "the header row changed during the run"))
            elif values is None or len(values) != 1:
                skipped.append((change.row, "the row was deleted during the run"))
            elif _trimmed(values[0]) != _trimmed(change.expected):
                skipped.append((change.row, "the row moved or was edited during the run"))
            else:
                verified.append(change)
        return verified, skipped

    def _write(self, changes: Sequence[RowChange], run_id: str) -> set[int]:
        """Every verified row's cells in one request: all of them land, or none."""
        if not changes:
            return set()
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
        try:
            self._batch_update(
                [{"deleteDeveloperMetadata": {"dataFilter": {
                    "developerMetadataLookup": {"metadataKey": ROW_TAG}}}}]
            )  # fmt: skip
        except GoogleError as exc:
            return [f"row tags were not removed ({exc}); the next run removes them"]
        return []

    def _log(
        self, done: Sequence[RowChange], run_id: str, now: dt.datetime
    ) -> tuple[int, list[str]]:
        """Append one audit row per applied change. Never re-sent blindly: a lost answer is
        checked by reading the log back, so a retry cannot duplicate rows."""
        if not self.log_tab or not done:
            return 0, []
        rows: list[list[str | int]] = []
        if not self.snapshot.log_tab_exists:
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
