"""``spreadsheets.batchUpdate``: addSheet, deleteSheet, updateSheetProperties,
create/update/deleteDeveloperMetadata, insertDimension, deleteDimension. Atomic: when one
request fails, none is applied (as Google does)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import ApiError
from .model import DeveloperMetadata, Sheet, Spreadsheet
from .sheets_api import _spreadsheet, filter_boxes, match_metadata

if TYPE_CHECKING:
    from .core import FakeGoogle

Reply = dict[str, Any]


class _Invalid(Exception):
    """A request-level error; becomes ``Invalid requests[i].kind: message``."""


def _sheet(ss: Spreadsheet, sheet_id: Any) -> Sheet:
    try:
        sheet = ss.sheet_by_id(int(sheet_id or 0))
    except (TypeError, ValueError):
        sheet = None
    if sheet is None:
        raise _Invalid(f"No grid with id: {sheet_id}")
    return sheet


def add_sheet(fake: FakeGoogle, ss: Spreadsheet, req: dict[str, Any]) -> Reply:
    props = req.get("properties") or {}
    titles = {s.title for s in ss.sheets}
    title = props.get("title")
    if title is None:
        n = len(ss.sheets) + 1
        while f"Sheet{n}" in titles:
            n += 1
        title = f"Sheet{n}"
    if title in titles:
        raise _Invalid(
            f'A sheet with the name "{title}" already exists. Please enter another name.'
        )
    if "sheetId" in props:
        sheet_id = int(props["sheetId"])
        if ss.sheet_by_id(sheet_id) is not None:
            raise _Invalid(f"A sheet with id {sheet_id} already exists.")
    else:
        sheet_id = fake.new_sheet_id(ss)
    grid = props.get("gridProperties") or {}
    index = int(props.get("index", len(ss.sheets)))
    index = max(0, min(index, len(ss.sheets)))
    for s in ss.sheets:
        if s.index >= index:
            s.index += 1
    sheet = Sheet(
        sheet_id,
        str(title),
        index,
        int(grid.get("rowCount", 1000)),
        int(grid.get("columnCount", 26)),
    )
    ss.sheets.append(sheet)
    ss.reindex()
    return {"addSheet": {"properties": sheet.properties_json()}}


def delete_sheet(fake: FakeGoogle, ss: Spreadsheet, req: dict[str, Any]) -> Reply:
    sheet = _sheet(ss, req.get("sheetId"))
    if len(ss.sheets) == 1:
        raise _Invalid("You can't remove all the sheets in a document.")
    ss.sheets.remove(sheet)
    ss.metadata = [
        m for m in ss.metadata if m.location_type == "SPREADSHEET" or m.sheet_id != sheet.sheet_id
    ]
    ss.reindex()
    return {}


def update_sheet_properties(fake: FakeGoogle, ss: Spreadsheet, req: dict[str, Any]) -> Reply:
    props = req.get("properties") or {}
    sheet = _sheet(ss, props.get("sheetId"))
    fields = {f.strip().replace("/", ".") for f in str(req.get("fields", "")).split(",")}
    fields.discard("")
    if not fields:
        raise _Invalid("At least one field must be updated, but none were specified.")
    grid = props.get("gridProperties") or {}
    everything = "*" in fields
    if everything or "title" in fields:
        title = props.get("title")
        if not title:
            raise _Invalid("The sheet title must not be empty.")
        if any(s.title == title and s is not sheet for s in ss.sheets):
            raise _Invalid(
                f'A sheet with the name "{title}" already exists. Please enter another name.'
            )
        sheet.title = str(title)
    rows = cols = None
    if everything or "gridProperties" in fields or "gridProperties.rowCount" in fields:
        rows = int(grid.get("rowCount", sheet.row_count))
    if everything or "gridProperties" in fields or "gridProperties.columnCount" in fields:
        cols = int(grid.get("columnCount", sheet.col_count))
    if (rows is not None and rows < 1) or (cols is not None and cols < 1):
        raise _Invalid("The grid must have at least one row and one column.")
    ss.resize(sheet, rows, cols)
    if everything or "index" in fields:
        new_index = max(0, min(int(props.get("index", sheet.index)), len(ss.sheets) - 1))
        others = [s for s in ss.ordered() if s is not sheet]
        others.insert(new_index, sheet)
        for i, s in enumerate(others):
            s.index = i
    unsupported = fields - {
        "*",
        "title",
        "index",
        "gridProperties",
        "gridProperties.rowCount",
        "gridProperties.columnCount",
    }
    if unsupported:
        raise _Invalid(f"The fake does not support updating {sorted(unsupported)}")
    return {}


def _location(ss: Spreadsheet, loc: Any) -> tuple[str, int | None, int | None, int | None]:
    if not isinstance(loc, dict):
        raise _Invalid("Developer metadata must have a location.")
    if loc.get("spreadsheet"):
        return "SPREADSHEET", None, None, None
    if "dimensionRange" in loc:
        dr = loc["dimensionRange"]
        sheet = _sheet(ss, dr.get("sheetId"))
        dim = dr.get("dimension")
        if dim not in ("ROWS", "COLUMNS"):
            raise _Invalid("The dimensionRange must specify a dimension.")
        start = int(dr.get("startIndex", 0))
        end = int(dr.get("endIndex", sheet.row_count if dim == "ROWS" else sheet.col_count))
        limit = sheet.row_count if dim == "ROWS" else sheet.col_count
        if not 0 <= start < end <= limit:
            raise _Invalid(
                f"The dimensionRange [{start}, {end}) is outside the sheet's grid (0-{limit})."
            )
        # "The specified DimensionRange must represent a single row or column. It cannot be
        # unbounded or span multiple rows or columns." (DeveloperMetadataLocation)
        if "endIndex" not in dr or end - start != 1:
            raise _Invalid(
                "Developer metadata can only be associated with a single row or column, "
                f"not [{start}, {end})."
            )
        return ("ROW" if dim == "ROWS" else "COLUMN"), sheet.sheet_id, start, end
    if "sheetId" in loc:
        sheet = _sheet(ss, loc["sheetId"])
        return "SHEET", sheet.sheet_id, None, None
    raise _Invalid("Developer metadata must have a location.")


def create_developer_metadata(fake: FakeGoogle, ss: Spreadsheet, req: dict[str, Any]) -> Reply:
    md = req.get("developerMetadata") or {}
    if not md.get("metadataKey"):
        raise _Invalid("Developer metadata must have a key.")
    visibility = md.get("visibility")
    if visibility not in ("DOCUMENT", "PROJECT"):
        raise _Invalid("Developer metadata must have a visibility of DOCUMENT or PROJECT.")
    loc_type, sheet_id, start, end = _location(ss, md.get("location"))
    if "metadataId" in md:
        metadata_id = int(md["metadataId"])
        if any(m.metadata_id == metadata_id for m in ss.metadata):
            raise _Invalid(f"Developer metadata with id {metadata_id} already exists.")
    else:
        metadata_id = fake.new_metadata_id(ss)
    value = md.get("metadataValue")
    entry = DeveloperMetadata(
        metadata_id,
        str(md["metadataKey"]),
        str(value) if value is not None else None,
        str(visibility),
        loc_type,
        sheet_id,
        start,
        end,
    )
    ss.metadata.append(entry)
    return {"createDeveloperMetadata": {"developerMetadata": entry.to_json()}}


def _metadata_for_filter(ss: Spreadsheet, flt: Any) -> list[DeveloperMetadata]:
    if isinstance(flt, dict) and "developerMetadataLookup" in flt and len(flt) == 1:
        return match_metadata(ss, flt["developerMetadataLookup"])
    # a1Range / gridRange: metadata located within the selected ranges
    out = []
    for sheet, box in filter_boxes(ss, flt):
        for m in ss.metadata:
            if m.sheet_id != sheet.sheet_id or m.start is None or m.end is None:
                continue
            lo, hi = (
                (box.row_start, box.row_end)
                if m.location_type == "ROW"
                else (box.col_start, box.col_end)
            )
            if lo <= m.start and m.end <= hi and m not in out:
                out.append(m)
    return out


def delete_developer_metadata(fake: FakeGoogle, ss: Spreadsheet, req: dict[str, Any]) -> Reply:
    gone = _metadata_for_filter(ss, req.get("dataFilter"))
    ss.metadata = [m for m in ss.metadata if m not in gone]
    inner: Reply = {}
    if gone:
        inner["deletedDeveloperMetadata"] = [m.to_json() for m in gone]
    return {"deleteDeveloperMetadata": inner}


def update_developer_metadata(fake: FakeGoogle, ss: Spreadsheet, req: dict[str, Any]) -> Reply:
    fields = {f.strip() for f in str(req.get("fields", "")).split(",") if f.strip()}
    if not fields:
        raise _Invalid("At least one field must be updated, but none were specified.")
    new = req.get("developerMetadata") or {}
    matched: list[DeveloperMetadata] = []
    for flt in req.get("dataFilters") or []:
        for m in _metadata_for_filter(ss, flt):
            if m not in matched:
                matched.append(m)
    everything = "*" in fields
    for m in matched:
        if everything or "metadataKey" in fields:
            m.key = str(new.get("metadataKey", m.key))
        if everything or "metadataValue" in fields:
            value = new.get("metadataValue")
            m.value = str(value) if value is not None else None
        if everything or "visibility" in fields:
            m.visibility = str(new.get("visibility", m.visibility))
        if everything or "location" in fields:
            m.location_type, m.sheet_id, m.start, m.end = _location(ss, new.get("location"))
    inner: Reply = {}
    if matched:
        inner["developerMetadata"] = [m.to_json() for m in matched]
    return {"updateDeveloperMetadata": inner}


def _dimension_range(ss: Spreadsheet, req: dict[str, Any]) -> tuple[Sheet, str, int, int]:
    dr = req.get("range") or {}
    sheet = _sheet(ss, dr.get("sheetId"))
    dim = dr.get("dimension")
    if dim not in ("ROWS", "COLUMNS"):
        raise _Invalid("range.dimension must be ROWS or COLUMNS.")
    start = int(dr.get("startIndex", 0))
    limit = sheet.row_count if dim == "ROWS" else sheet.col_count
    end = int(dr.get("endIndex", limit))
    if start < 0 or end < start:
        raise _Invalid(f"Invalid range [{start}, {end}).")
    return sheet, str(dim), start, end


def insert_dimension(fake: FakeGoogle, ss: Spreadsheet, req: dict[str, Any]) -> Reply:
    sheet, dim, start, end = _dimension_range(ss, req)
    ss.insert_dimension(sheet, dim, start, end - start)
    return {}


def delete_dimension(fake: FakeGoogle, ss: Spreadsheet, req: dict[str, Any]) -> Reply:
    sheet, dim, start, end = _dimension_range(ss, req)
    limit = sheet.row_count if dim == "ROWS" else sheet.col_count
    if end > limit:
        raise _Invalid(f"Invalid range: endIndex ({end}) is beyond the grid ({limit}).")
    ss.delete_dimension(sheet, dim, start, end)
    return {}


HANDLERS: dict[str, Callable[[FakeGoogle, Spreadsheet, dict[str, Any]], Reply]] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "createDeveloperMetadata": create_developer_metadata,
    "deleteDeveloperMetadata": delete_developer_metadata,
    "updateDeveloperMetadata": update_developer_metadata,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
}


def batch_update(fake: FakeGoogle, sid: str, body: Any) -> tuple[int, Any]:
    ss = _spreadsheet(fake, sid, write=True)
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        raise ApiError.sheets(400, "Must specify at least one request.")
    snap = ss.snapshot()
    replies: list[Reply] = []
    try:
        for i, req in enumerate(requests):
            if not isinstance(req, dict) or len(req) != 1:
                raise ApiError.sheets(
                    400, f"Invalid requests[{i}]: exactly one kind of request must be set."
                )
            kind, payload = next(iter(req.items()))
            handler = HANDLERS.get(kind)
            if handler is None:
                raise ApiError.sheets(
                    400,
                    f"Invalid requests[{i}]: the fake Google API does not implement {kind!r}.",
                )
            try:
                replies.append(handler(fake, ss, payload if isinstance(payload, dict) else {}))
            except _Invalid as exc:
                raise ApiError.sheets(400, f"Invalid requests[{i}].{kind}: {exc}") from exc
            except ApiError as exc:
                msg = exc.body["error"]["message"]
                raise ApiError.sheets(400, f"Invalid requests[{i}].{kind}: {msg}") from exc
    except BaseException:
        ss.restore(snap)
        raise
    ss.touch()
    return 200, {"spreadsheetId": sid, "replies": replies}
