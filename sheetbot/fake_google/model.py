"""The fake's state: spreadsheets, sheets (grids of typed cells), developer metadata and
Drive sharing. Plain data plus the structural edits (insert/delete/move rows) that keep
row-located developer metadata attached to its rows, as Sheets does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .a1 import GridBox, RangeRef
from .errors import ApiError
from .values import Cell

ROLE_RANK = {
    "reader": 1,
    "commenter": 2,
    "writer": 3,
    "fileOrganizer": 4,
    "organizer": 5,
    "owner": 6,
}


@dataclass
class DeveloperMetadata:
    metadata_id: int
    key: str
    value: str | None
    visibility: str
    location_type: str  # SPREADSHEET | SHEET | ROW | COLUMN
    sheet_id: int | None = None
    start: int | None = None
    end: int | None = None

    def to_json(self) -> dict[str, Any]:
        loc: dict[str, Any] = {"locationType": self.location_type}
        if self.location_type == "SPREADSHEET":
            loc["spreadsheet"] = True
        elif self.location_type == "SHEET":
            loc["sheetId"] = self.sheet_id
        else:
            loc["dimensionRange"] = {
                "sheetId": self.sheet_id,
                "dimension": "ROWS" if self.location_type == "ROW" else "COLUMNS",
                "startIndex": self.start,
                "endIndex": self.end,
            }
        out: dict[str, Any] = {"metadataId": self.metadata_id, "metadataKey": self.key}
        if self.value is not None:
            out["metadataValue"] = self.value
        out["location"] = loc
        out["visibility"] = self.visibility
        return out


@dataclass
class Sheet:
    sheet_id: int
    title: str
    index: int
    row_count: int = 1000
    col_count: int = 26
    rows: list[list[Cell | None]] = field(default_factory=list)

    # --- cells ---------------------------------------------------------------------
    def get(self, r: int, c: int) -> Cell | None:
        if r < len(self.rows):
            row = self.rows[r]
            if c < len(row):
                return row[c]
        return None

    def put(self, r: int, c: int, cell: Cell | None) -> None:
        if cell is None and self.get(r, c) is None:
            return
        while len(self.rows) <= r:
            self.rows.append([])
        row = self.rows[r]
        while len(row) <= c:
            row.append(None)
        row[c] = cell

    def data_extent(self) -> tuple[int, int]:
        """(rows, cols) of the smallest top-left box holding every non-empty cell."""
        n_rows = 0
        n_cols = 0
        for i, row in enumerate(self.rows):
            last = max((j + 1 for j, cell in enumerate(row) if cell is not None), default=0)
            if last:
                n_rows = i + 1
                n_cols = max(n_cols, last)
        return n_rows, n_cols

    def box(self, ref: RangeRef) -> GridBox:
        """Bind a parsed range to this grid (open ends run to the grid's edge)."""
        r0 = ref.row_start or 0
        c0 = ref.col_start or 0
        r1 = ref.row_end if ref.row_end is not None else self.row_count
        c1 = ref.col_end if ref.col_end is not None else self.col_count
        return GridBox(self.sheet_id, r0, r1, c0, c1)

    def whole(self) -> GridBox:
        return GridBox(self.sheet_id, 0, self.row_count, 0, self.col_count)

    def properties_json(self) -> dict[str, Any]:
        return {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": self.index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": self.row_count, "columnCount": self.col_count},
        }


@dataclass
class Permission:
    id: str
    type: str  # user | group | domain | anyone
    role: str
    email_address: str | None = None
    domain: str | None = None
    display_name: str | None = None
    allow_file_discovery: bool | None = None
    inherited: bool = False
    inherited_from: str | None = None
    permission_type: str = "file"  # file | member (shared drive membership)

    def to_json(self, shared_drive: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "drive#permission", "id": self.id, "type": self.type}
        if self.email_address is not None:
            out["emailAddress"] = self.email_address
        if self.domain is not None:
            out["domain"] = self.domain
        out["role"] = self.role
        if self.display_name is not None:
            out["displayName"] = self.display_name
        if self.allow_file_discovery is not None:
            out["allowFileDiscovery"] = self.allow_file_discovery
        if shared_drive:
            detail: dict[str, Any] = {
                "permissionType": self.permission_type,
                "role": self.role,
                "inherited": self.inherited,
            }
            if self.inherited and self.inherited_from:
                detail["inheritedFrom"] = self.inherited_from
            out["permissionDetails"] = [detail]
        out["deleted"] = False
        out["pendingOwner"] = False
        return out


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    sheets: list[Sheet] = field(default_factory=list)
    metadata: list[DeveloperMetadata] = field(default_factory=list)
    owner: str | None = None
    drive_id: str | None = None
    permissions: list[Permission] = field(default_factory=list)
    writers_can_share: bool = True  # Drive's "Editors can change permissions and share"
    created_time: str = "2024-01-01T00:00:00.000Z"
    modified_time: str = "2024-01-01T00:00:00.000Z"

    # --- sheets --------------------------------------------------------------------
    def titles(self) -> list[str]:
        return [s.title for s in sorted(self.sheets, key=lambda s: s.index)]

    def ordered(self) -> list[Sheet]:
        return sorted(self.sheets, key=lambda s: s.index)

    def sheet_by_title(self, title: str) -> Sheet:
        for s in self.sheets:
            if s.title == title:
                return s
        raise KeyError(title)

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        for s in self.sheets:
            if s.sheet_id == sheet_id:
                return s
        return None

    def resolve(self, ref: RangeRef) -> tuple[Sheet, GridBox]:
        sheet = self.sheet_by_title(ref.sheet_title) if ref.sheet_title else self.ordered()[0]
        return sheet, sheet.box(ref)

    def reindex(self) -> None:
        for i, s in enumerate(self.ordered()):
            s.index = i

    def snapshot(self) -> Spreadsheet:
        """A copy cheap enough to take before every write (cells are immutable)."""
        return replace(
            self,
            sheets=[replace(s, rows=[list(r) for r in s.rows]) for s in self.sheets],
            metadata=[replace(m) for m in self.metadata],
            permissions=[replace(p) for p in self.permissions],
        )

    def restore(self, snap: Spreadsheet) -> None:
        self.__dict__.update(snap.__dict__)

    def touch(self) -> None:
        self.modified_time = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    # --- structural edits (metadata moves with the rows) ----------------------------
    def insert_dimension(self, sheet: Sheet, dimension: str, start: int, count: int) -> None:
        if count <= 0:
            return
        if dimension == "ROWS":
            if start > sheet.row_count:
                raise ApiError.sheets(
                    400,
                    f"range.startIndex ({start}) must be <= the sheet's row count "
                    f"({sheet.row_count})",
                )
            if start < len(sheet.rows):
                sheet.rows[start:start] = [[] for _ in range(count)]
            sheet.row_count += count
        else:
            for row in sheet.rows:
                if start < len(row):
                    row[start:start] = [None] * count
            sheet.col_count += count
        loc = "ROW" if dimension == "ROWS" else "COLUMN"
        for md in self.metadata:
            if md.sheet_id != sheet.sheet_id or md.location_type != loc:
                continue
            assert md.start is not None
            assert md.end is not None
            if md.start >= start:
                md.start += count
                md.end += count
            elif md.end > start:
                md.end += count

    def delete_dimension(self, sheet: Sheet, dimension: str, start: int, end: int) -> None:
        if end <= start:
            return
        count = end - start
        if dimension == "ROWS":
            if count >= sheet.row_count:
                raise ApiError.sheets(
                    400,
                    "You can't delete all the rows on the sheet.",
                )
            del sheet.rows[start:end]
            sheet.row_count -= count
        else:
            if count >= sheet.col_count:
                raise ApiError.sheets(
                    400,
                    "You can't delete all the columns on the sheet.",
                )
            for row in sheet.rows:
                del row[start:end]
            sheet.col_count -= count
        loc = "ROW" if dimension == "ROWS" else "COLUMN"
        kept: list[DeveloperMetadata] = []
        for md in self.metadata:
            if md.sheet_id != sheet.sheet_id or md.location_type != loc:
                kept.append(md)
                continue
            assert md.start is not None
            assert md.end is not None
            new_start = _shift_after_delete(md.start, start, end)
            new_end = _shift_after_delete(md.end, start, end)
            if new_end <= new_start:
                continue  # every row it was on is gone
            md.start, md.end = new_start, new_end
            kept.append(md)
        self.metadata = kept

    def permute_rows(self, sheet: Sheet, start: int, order: Sequence[int]) -> None:
        """Rows ``start + order[i]`` move to ``start + i`` (a sort); metadata follows."""
        n = len(order)
        while len(sheet.rows) < start + n:
            sheet.rows.append([])
        block = sheet.rows[start : start + n]
        sheet.rows[start : start + n] = [block[k] for k in order]
        new_pos = {start + old: start + new for new, old in enumerate(order)}
        for md in self.metadata:
            if md.sheet_id != sheet.sheet_id or md.location_type != "ROW":
                continue
            assert md.start is not None
            assert md.end is not None
            if md.end - md.start == 1 and md.start in new_pos:
                md.start = new_pos[md.start]
                md.end = md.start + 1

    def resize(self, sheet: Sheet, rows: int | None, cols: int | None) -> None:
        if rows is not None and rows < sheet.row_count:
            self.delete_dimension(sheet, "ROWS", rows, sheet.row_count)
        elif rows is not None:
            sheet.row_count = rows
        if cols is not None and cols < sheet.col_count:
            self.delete_dimension(sheet, "COLUMNS", cols, sheet.col_count)
        elif cols is not None:
            sheet.col_count = cols


def _shift_after_delete(index: int, start: int, end: int) -> int:
    if index <= start:
        return index
    if index >= end:
        return index - (end - start)
    return start


def sort_order(rows: Sequence[Sequence[Any]], key: Callable[[list[Any]], Any]) -> list[int]:
    """Stable sort order of ``rows`` by ``key``."""
    return sorted(range(len(rows)), key=lambda i: key(list(rows[i])))
