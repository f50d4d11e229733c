"""Sheets API v4 endpoints of the fake (``ROOT/v4/spreadsheets/...``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .a1 import GridBox, column_letters, format_box, parse_range
from .errors import ApiError
from .fields import apply_mask, parse_mask
from .model import ROLE_RANK, DeveloperMetadata, Sheet, Spreadsheet
from .values import Cell, parse_input, render

if TYPE_CHECKING:
    from .core import FakeGoogle

Query = dict[str, list[str]]
Result = tuple[int, Any]

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}


def _theme_color(kind: str, r: float, g: float, b: float) -> dict[str, Any]:
    return {"colorType": kind, "color": {"rgbColor": {"red": r, "green": g, "blue": b}}}


SPREADSHEET_THEME: dict[str, Any] = {
    "primaryFontFamily": "Arial",
    "themeColors": [
        {"colorType": "TEXT", "color": {"rgbColor": {}}},
        _theme_color("BACKGROUND", 1, 1, 1),
        _theme_color("ACCENT1", 0.25882354, 0.52156866, 0.95686275),
        _theme_color("ACCENT2", 0.91764706, 0.2627451, 0.20784314),
        _theme_color("ACCENT3", 0.9843137, 0.7372549, 0.015686275),
        _theme_color("ACCENT4", 0.20392157, 0.65882355, 0.3254902),
        _theme_color("ACCENT5", 1, 0.42745098, 0.003921569),
        _theme_color("ACCENT6", 0.27450982, 0.7411765, 0.7764706),
        _theme_color("LINK", 0.06666667, 0.33333334, 0.8),
    ],
}

VALUE_RENDER = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATETIME_RENDER = ("SERIAL_NUMBER", "FORMATTED_STRING")
MAJOR = ("ROWS", "COLUMNS")
INPUT_OPTIONS = ("RAW", "USER_ENTERED")


# --- small helpers --------------------------------------------------------------------


def _param(query: Query, name: str, default: str | None = None) -> str | None:
    vals = query.get(name)
    return vals[-1] if vals else default


def _enum(value: Any, allowed: tuple[str, ...], field: str, type_name: str, default: str) -> str:
    if value is None or value == "":
        return default
    if value not in allowed:
        raise ApiError.sheets(
            400,
            f"Invalid value at '{field}' "
            f'(type.googleapis.com/google.apps.sheets.v4.{type_name}), "{value}"',
        )
    return str(value)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true"


def _input_option(value: Any) -> str:
    if value is None or value == "":
        raise ApiError.sheets(400, "'valueInputOption' is required but not specified")
    return _enum(value, INPUT_OPTIONS, "value_input_option", "ValueInputOption", "RAW")


def _values_matrix(values: Any, where: str) -> list[list[Any]]:
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(r, list) for r in values):
        raise ApiError.sheets(
            400,
            f"Invalid JSON payload received. Invalid value at '{where}' "
            "(type.googleapis.com/google.protobuf.ListValue)",
        )
    return values


def _oriented(values: list[list[Any]], major: str) -> list[list[Any]]:
    if major != "COLUMNS":
        return values
    n_rows = max((len(c) for c in values), default=0)
    return [[col[r] if r < len(col) else None for col in values] for r in range(n_rows)]


def _spreadsheet(fake: FakeGoogle, sid: str, *, write: bool) -> Spreadsheet:
    ss = fake.spreadsheets.get(sid)
    if ss is None:
        raise ApiError.sheets(404, "Requested entity was not found.")
    role = fake.role_for(ss)
    if role is None or (write and ROLE_RANK[role] < ROLE_RANK["writer"]):
        raise ApiError.sheets(403, "The caller does not have permission")
    return ss


def _resolve_a1(ss: Spreadsheet, text: str) -> tuple[Sheet, GridBox]:
    ref = parse_range(text, ss.titles())
    return ss.resolve(ref)


def _clamp_read(sheet: Sheet, box: GridBox, text: str) -> GridBox:
    if box.row_start >= sheet.row_count or box.col_start >= sheet.col_count:
        raise _grid_limits(sheet, box)
    return GridBox(
        box.sheet_id,
        box.row_start,
        min(box.row_end, sheet.row_count),
        box.col_start,
        min(box.col_end, sheet.col_count),
    )


def _grid_limits(sheet: Sheet, box: GridBox) -> ApiError:
    return ApiError.sheets(
        400,
        f"Range ({format_box(sheet.title, box, always_quote=True)}) exceeds grid limits. "
        f"Max rows: {sheet.row_count}, max columns: {sheet.col_count}",
    )


# --- reading --------------------------------------------------------------------------


def value_range(
    ss: Spreadsheet, sheet: Sheet, box: GridBox, major: str, vro: str, dtro: str
) -> dict[str, Any]:
    """A ValueRange as Google answers it: trailing empty cells and rows omitted, no
    ``values`` key at all when the range is empty."""
    matrix: list[list[Any]] = []
    if major == "ROWS":
        last_row = min(box.row_end, len(sheet.rows))
        for r in range(box.row_start, last_row):
            row = sheet.rows[r]
            end = min(box.col_end, len(row))
            while end > box.col_start and row[end - 1] is None:
                end -= 1
            matrix.append([render(row[c], vro, dtro, ss.locale) for c in range(box.col_start, end)])
    else:
        for c in range(box.col_start, box.col_end):
            col: list[Any] = []
            last = box.row_start
            for r in range(box.row_start, min(box.row_end, len(sheet.rows))):
                if sheet.get(r, c) is not None:
                    last = r + 1
            for r in range(box.row_start, last):
                col.append(render(sheet.get(r, c), vro, dtro, ss.locale))
            matrix.append(col)
    while matrix and not matrix[-1]:
        matrix.pop()
    out: dict[str, Any] = {"range": format_box(sheet.title, box), "majorDimension": major}
    if matrix:
        out["values"] = matrix
    return out


def _read_options(src: dict[str, Any]) -> tuple[str, str, str]:
    major = _enum(src.get("majorDimension"), MAJOR, "major_dimension", "Dimension", "ROWS")
    vro = _enum(
        src.get("valueRenderOption"),
        VALUE_RENDER,
        "value_render_option",
        "ValueRenderOption",
        "FORMATTED_VALUE",
    )
    dtro = _enum(
        src.get("dateTimeRenderOption"),
        DATETIME_RENDER,
        "date_time_render_option",
        "DateTimeRenderOption",
        "SERIAL_NUMBER",
    )
    return major, vro, dtro


def _query_options(query: Query) -> dict[str, Any]:
    return {
        k: _param(query, k) for k in ("majorDimension", "valueRenderOption", "dateTimeRenderOption")
    }


def values_get(fake: FakeGoogle, sid: str, rng: str, query: Query) -> Result:
    ss = _spreadsheet(fake, sid, write=False)
    major, vro, dtro = _read_options(_query_options(query))
    sheet, box = _resolve_a1(ss, rng)
    return 200, value_range(ss, sheet, _clamp_read(sheet, box, rng), major, vro, dtro)


def values_batch_get(fake: FakeGoogle, sid: str, query: Query) -> Result:
    ss = _spreadsheet(fake, sid, write=False)
    major, vro, dtro = _read_options(_query_options(query))
    out: dict[str, Any] = {"spreadsheetId": sid}
    ranges = []
    for rng in query.get("ranges", []):
        sheet, box = _resolve_a1(ss, rng)
        ranges.append(value_range(ss, sheet, _clamp_read(sheet, box, rng), major, vro, dtro))
    if ranges:
        out["valueRanges"] = ranges
    return 200, out


# --- writing --------------------------------------------------------------------------


class WriteResult:
    def __init__(self, sheet: Sheet, box: GridBox) -> None:
        self.sheet = sheet
        self.box = box
        self.rows: set[int] = set()
        self.cols: set[int] = set()
        self.cells = 0

    def json(self, sid: str, ss: Spreadsheet, include: bool, vro: str, dtro: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "spreadsheetId": sid,
            "updatedRange": format_box(self.sheet.title, self.box),
        }
        if self.cells:
            out["updatedRows"] = len(self.rows)
            out["updatedColumns"] = len(self.cols)
            out["updatedCells"] = self.cells
        if include:
            out["updatedData"] = value_range(ss, self.sheet, self.box, "ROWS", vro, dtro)
        return out


def write_matrix(
    ss: Spreadsheet,
    sheet: Sheet,
    box: GridBox,
    values: list[list[Any]],
    input_option: str,
    *,
    anchor_only: bool,
    expand: bool = False,
) -> WriteResult:
    """Write ``values`` (row-major) at the top-left of ``box``. ``null`` leaves a cell,
    ``""`` empties it. Unless ``anchor_only``, the data must fit in ``box``."""
    n_rows = len(values)
    n_cols = max((len(r) for r in values), default=0)
    if n_rows == 0 or n_cols == 0:
        return WriteResult(
            sheet,
            GridBox(
                sheet.sheet_id, box.row_start, box.row_start + 1, box.col_start, box.col_start + 1
            ),
        )
    if not anchor_only:
        if n_rows > box.rows:
            raise ApiError.sheets(
                400,
                f"Requested writing within range [{format_box(sheet.title, box)}], but tried "
                f"writing to row [{box.row_start + n_rows}]",
            )
        if n_cols > box.cols:
            raise ApiError.sheets(
                400,
                f"Requested writing within range [{format_box(sheet.title, box)}], but tried "
                f"writing to column [{column_letters(box.col_start + n_cols - 1)}]",
            )
    target = GridBox(
        sheet.sheet_id,
        box.row_start,
        box.row_start + n_rows,
        box.col_start,
        box.col_start + n_cols,
    )
    if target.row_end > sheet.row_count or target.col_end > sheet.col_count:
        if not expand:
            raise _grid_limits(sheet, target)
        sheet.row_count = max(sheet.row_count, target.row_end)
        sheet.col_count = max(sheet.col_count, target.col_end)
    result = WriteResult(sheet, target)
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dict | list):
                raise ApiError.sheets(
                    400,
                    "Invalid values[{}][{}]: {}".format(
                        i, j, "list_value" if isinstance(value, list) else "struct_value"
                    ),
                )
            cell: Cell | None = parse_input(value, input_option, ss.locale)
            sheet.put(target.row_start + i, target.col_start + j, cell)
            result.rows.add(target.row_start + i)
            result.cols.add(target.col_start + j)
            result.cells += 1
    return result


def _query_response_options(query: Query) -> tuple[bool, str, str]:
    """``_response_options`` from query parameters (values.update and values.append)."""
    names = ("includeValuesInResponse", "responseValueRenderOption", "responseDateTimeRenderOption")
    return _response_options({name: _param(query, name) for name in names})


def _response_options(src: dict[str, Any]) -> tuple[bool, str, str]:
    include = _bool(src.get("includeValuesInResponse", False))
    vro = _enum(
        src.get("responseValueRenderOption"),
        VALUE_RENDER,
        "response_value_render_option",
        "ValueRenderOption",
        "FORMATTED_VALUE",
    )
    dtro = _enum(
        src.get("responseDateTimeRenderOption"),
        DATETIME_RENDER,
        "response_date_time_render_option",
        "DateTimeRenderOption",
        "SERIAL_NUMBER",
    )
    return include, vro, dtro


def _atomic(ss: Spreadsheet, action: Callable[[], Result]) -> Result:
    snap = ss.snapshot()
    try:
        result = action()
    except BaseException:
        ss.restore(snap)
        raise
    ss.touch()
    return result


def values_update(fake: FakeGoogle, sid: str, rng: str, query: Query, body: Any) -> Result:
    ss = _spreadsheet(fake, sid, write=True)
    include, vro, dtro = _query_response_options(query)
    input_option = _input_option(_param(query, "valueInputOption"))
    body = body if isinstance(body, dict) else {}
    major = _enum(body.get("majorDimension"), MAJOR, "major_dimension", "Dimension", "ROWS")
    values = _oriented(_values_matrix(body.get("values"), "data.values"), major)
    sheet, box = _resolve_a1(ss, rng)

    def act() -> Result:
        res = write_matrix(
            ss,
            sheet,
            box,
            values,
            input_option,
            anchor_only=box.is_cell() or _whole_sheet_ref(rng, ss),
        )
        return 200, res.json(sid, ss, include, vro, dtro)

    return _atomic(ss, act)


def _whole_sheet_ref(rng: str, ss: Spreadsheet) -> bool:
    ref = parse_range(rng, ss.titles())
    return ref.row_start is None and ref.col_end is None and ref.row_end is None


def _batch_totals(sid: str, results: list[WriteResult]) -> dict[str, Any]:
    rows = {(r.sheet.sheet_id, i) for r in results for i in r.rows}
    cols = {(r.sheet.sheet_id, j) for r in results for j in r.cols}
    cells = sum(r.cells for r in results)
    sheets = {r.sheet.sheet_id for r in results if r.cells}
    out: dict[str, Any] = {"spreadsheetId": sid}
    if cells:
        out["totalUpdatedRows"] = len(rows)
        out["totalUpdatedColumns"] = len(cols)
        out["totalUpdatedCells"] = cells
        out["totalUpdatedSheets"] = len(sheets)
    return out


def values_batch_update(fake: FakeGoogle, sid: str, body: Any) -> Result:
    ss = _spreadsheet(fake, sid, write=True)
    body = body if isinstance(body, dict) else {}
    input_option = _input_option(body.get("valueInputOption"))
    include, vro, dtro = _response_options(body)
    data = body.get("data") or []

    def act() -> Result:
        results: list[WriteResult] = []
        for i, vr in enumerate(data):
            if not isinstance(vr, dict) or "range" not in vr:
                raise ApiError.sheets(400, f"Invalid data[{i}]: range is required")
            major = _enum(
                vr.get("majorDimension"), MAJOR, "data.major_dimension", "Dimension", "ROWS"
            )
            values = _oriented(_values_matrix(vr.get("values"), f"data[{i}].values"), major)
            sheet, box = _resolve_a1(ss, vr["range"])
            anchor = box.is_cell() or _whole_sheet_ref(vr["range"], ss)
            results.append(write_matrix(ss, sheet, box, values, input_option, anchor_only=anchor))
        out = _batch_totals(sid, results)
        if results:
            out["responses"] = [r.json(sid, ss, include, vro, dtro) for r in results]
        return 200, out

    return _atomic(ss, act)


def _clear_box(sheet: Sheet, box: GridBox) -> None:
    for r in range(box.row_start, min(box.row_end, len(sheet.rows))):
        row = sheet.rows[r]
        for c in range(box.col_start, min(box.col_end, len(row))):
            row[c] = None


def values_clear(fake: FakeGoogle, sid: str, rng: str) -> Result:
    ss = _spreadsheet(fake, sid, write=True)
    sheet, box = _resolve_a1(ss, rng)
    box = _clamp_read(sheet, box, rng)
    _clear_box(sheet, box)
    ss.touch()
    return 200, {"spreadsheetId": sid, "clearedRange": format_box(sheet.title, box)}


def values_batch_clear(fake: FakeGoogle, sid: str, body: Any) -> Result:
    ss = _spreadsheet(fake, sid, write=True)
    body = body if isinstance(body, dict) else {}

    def act() -> Result:
        cleared = []
        for rng in body.get("ranges") or []:
            sheet, box = _resolve_a1(ss, rng)
            box = _clamp_read(sheet, box, rng)
            _clear_box(sheet, box)
            cleared.append(format_box(sheet.title, box))
        out: dict[str, Any] = {"spreadsheetId": sid}
        if cleared:
            out["clearedRanges"] = cleared
        return 200, out

    return _atomic(ss, act)


# --- append ---------------------------------------------------------------------------


def find_table(sheet: Sheet, area: GridBox) -> GridBox | None:
    """The "table" values.append appends to: the block of non-empty cells connected to
    the last non-empty cell (row-major) of ``area``, as a bounding box. The block may run
    beyond ``area`` (``A1`` appends below a table starting at A1, as with Google). This
    reproduces the recorded answers (``A1, C1`` filled → table ``C1``)."""
    last: tuple[int, int] | None = None
    for r in range(area.row_start, min(area.row_end, len(sheet.rows))):
        row = sheet.rows[r]
        for c in range(area.col_start, min(area.col_end, len(row))):
            if row[c] is not None:
                last = (r, c)
    if last is None:
        return None
    seen = {last}
    stack = [last]
    while stack:
        r, c = stack.pop()
        for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if (nr, nc) in seen or nr < 0 or nc < 0 or sheet.get(nr, nc) is None:
                continue
            seen.add((nr, nc))
            stack.append((nr, nc))
    rows = [p[0] for p in seen]
    cols = [p[1] for p in seen]
    return GridBox(sheet.sheet_id, min(rows), max(rows) + 1, min(cols), max(cols) + 1)


def values_append(fake: FakeGoogle, sid: str, rng: str, query: Query, body: Any) -> Result:
    ss = _spreadsheet(fake, sid, write=True)
    input_option = _input_option(_param(query, "valueInputOption"))
    insert = _enum(
        _param(query, "insertDataOption"),
        ("OVERWRITE", "INSERT_ROWS"),
        "insert_data_option",
        "InsertDataOption",
        "OVERWRITE",
    )
    include, vro, dtro = _query_response_options(query)
    body = body if isinstance(body, dict) else {}
    major = _enum(body.get("majorDimension"), MAJOR, "major_dimension", "Dimension", "ROWS")
    values = _oriented(_values_matrix(body.get("values"), "data.values"), major)
    sheet, area = _resolve_a1(ss, rng)
    area = _clamp_read(sheet, area, rng)

    def act() -> Result:
        table = find_table(sheet, area)
        if table is None:
            start_row, start_col = area.row_start, area.col_start
        else:
            start_row, start_col = table.row_end, table.col_start
        if insert == "INSERT_ROWS" and values:
            ss.insert_dimension(sheet, "ROWS", min(start_row, sheet.row_count), len(values))
        box = GridBox(sheet.sheet_id, start_row, start_row + 1, start_col, start_col + 1)
        res = write_matrix(ss, sheet, box, values, input_option, anchor_only=True, expand=True)
        out: dict[str, Any] = {"spreadsheetId": sid}
        if table is not None:
            out["tableRange"] = format_box(sheet.title, table)
        out["updates"] = res.json(sid, ss, include, vro, dtro)
        return 200, out

    return _atomic(ss, act)


# --- developer metadata and data filters ---------------------------------------------


def _location_matches(md: DeveloperMetadata, loc: dict[str, Any], strategy: str) -> bool:
    """Whether ``md`` is at ``loc`` (EXACT_LOCATION) or at a location intersecting it
    (INTERSECTING_LOCATION: a row and a column of one sheet intersect, a sheet intersects its
    rows and columns; spreadsheet metadata intersects no other location)."""
    intersecting = strategy == "INTERSECTING_LOCATION"
    if loc.get("spreadsheet"):
        return md.location_type == "SPREADSHEET"
    if "sheetId" in loc and "dimensionRange" not in loc:
        if intersecting:
            return bool(md.sheet_id == loc["sheetId"])
        return bool(md.location_type == "SHEET" and md.sheet_id == loc["sheetId"])
    dr = loc.get("dimensionRange")
    if isinstance(dr, dict):
        kind = "ROW" if dr.get("dimension", "ROWS") == "ROWS" else "COLUMN"
        if md.sheet_id != dr.get("sheetId", 0) or md.location_type == "SPREADSHEET":
            return False
        if md.location_type != kind:
            return intersecting  # the sheet itself, or a column across this row
        assert md.start is not None
        assert md.end is not None
        start = int(dr.get("startIndex", 0))
        end = int(dr.get("endIndex", 10**9))
        if intersecting:
            return md.start < end and start < md.end
        return md.start == start and md.end == end
    return True


def match_metadata(ss: Spreadsheet, lookup: Any) -> list[DeveloperMetadata]:
    if not isinstance(lookup, dict) or not any(
        k in lookup
        for k in (
            "metadataId",
            "metadataKey",
            "metadataValue",
            "metadataLocation",
            "locationType",
            "visibility",
        )
    ):
        raise ApiError.sheets(
            400, "Invalid dataFilter: developerMetadataLookup must specify at least one field."
        )
    # "If left unspecified, this field assumes a default value of INTERSECTING. If this field
    # is specified, a metadataLocation must also be specified." (locationType: "must be left
    # unspecified when the locationMatchingStrategy is specified as EXACT")
    strategy = lookup.get("locationMatchingStrategy") or "INTERSECTING_LOCATION"
    if "locationMatchingStrategy" in lookup and "metadataLocation" not in lookup:
        raise ApiError.sheets(
            400, "Invalid dataFilter: locationMatchingStrategy requires a metadataLocation."
        )
    if strategy == "EXACT_LOCATION" and "locationType" in lookup:
        raise ApiError.sheets(
            400, "Invalid dataFilter: locationType cannot be set with EXACT_LOCATION matching."
        )
    found = []
    for md in ss.metadata:
        if "metadataId" in lookup and md.metadata_id != int(lookup["metadataId"]):
            continue
        if "metadataKey" in lookup and md.key != lookup["metadataKey"]:
            continue
        if "metadataValue" in lookup and md.value != lookup["metadataValue"]:
            continue
        if "visibility" in lookup and md.visibility != lookup["visibility"]:
            continue
        if "locationType" in lookup and md.location_type != lookup["locationType"]:
            continue
        loc = lookup.get("metadataLocation")
        if isinstance(loc, dict) and not _location_matches(md, loc, strategy):
            continue
        found.append(md)
    return found


def _sheet_by_id(ss: Spreadsheet, sheet_id: Any) -> Sheet:
    sheet = ss.sheet_by_id(int(sheet_id or 0))
    if sheet is None:
        raise ApiError.sheets(400, f"Invalid dataFilter: No grid with id: {sheet_id}")
    return sheet


def filter_boxes(ss: Spreadsheet, flt: Any) -> list[tuple[Sheet, GridBox]]:
    """The ranges a DataFilter selects (row metadata: its whole rows, every column)."""
    if not isinstance(flt, dict) or len(flt) != 1:
        raise ApiError.sheets(400, "Invalid dataFilter: exactly one filter must be set.")
    if "a1Range" in flt:
        sheet, box = _resolve_a1(ss, flt["a1Range"])
        return [(sheet, _clamp_read(sheet, box, flt["a1Range"]))]
    if "gridRange" in flt:
        gr = flt["gridRange"]
        sheet = _sheet_by_id(ss, gr.get("sheetId", 0))
        box = GridBox(
            sheet.sheet_id,
            int(gr.get("startRowIndex", 0)),
            int(gr.get("endRowIndex", sheet.row_count)),
            int(gr.get("startColumnIndex", 0)),
            int(gr.get("endColumnIndex", sheet.col_count)),
        )
        return [(sheet, _clamp_read(sheet, box, ""))]
    if "developerMetadataLookup" in flt:
        out = []
        for md in match_metadata(ss, flt["developerMetadataLookup"]):
            if md.location_type == "SPREADSHEET":
                continue
            sheet = _sheet_by_id(ss, md.sheet_id)
            if md.location_type == "SHEET":
                out.append((sheet, sheet.whole()))
            elif md.location_type == "ROW":
                assert md.start is not None
                assert md.end is not None
                out.append((sheet, GridBox(sheet.sheet_id, md.start, md.end, 0, sheet.col_count)))
            else:
                assert md.start is not None
                assert md.end is not None
                out.append((sheet, GridBox(sheet.sheet_id, 0, sheet.row_count, md.start, md.end)))
        return out
    raise ApiError.sheets(400, "Invalid dataFilter: unknown filter.")


def batch_get_by_data_filter(fake: FakeGoogle, sid: str, body: Any) -> Result:
    ss = _spreadsheet(fake, sid, write=False)
    body = body if isinstance(body, dict) else {}
    major, vro, dtro = _read_options(body)
    matched: dict[str, dict[str, Any]] = {}
    for flt in body.get("dataFilters") or []:
        for sheet, box in filter_boxes(ss, flt):
            key = format_box(sheet.title, box)
            if key not in matched:
                matched[key] = {
                    "valueRange": value_range(ss, sheet, box, major, vro, dtro),
                    "dataFilters": [],
                }
            matched[key]["dataFilters"].append(flt)
    out: dict[str, Any] = {"spreadsheetId": sid}
    if matched:
        out["valueRanges"] = list(matched.values())
    return 200, out


def batch_update_by_data_filter(fake: FakeGoogle, sid: str, body: Any) -> Result:
    ss = _spreadsheet(fake, sid, write=True)
    body = body if isinstance(body, dict) else {}
    input_option = _input_option(body.get("valueInputOption"))
    include, vro, dtro = _response_options(body)

    def act() -> Result:
        results: list[tuple[WriteResult, Any]] = []
        for i, item in enumerate(body.get("data") or []):
            if not isinstance(item, dict) or "dataFilter" not in item:
                raise ApiError.sheets(400, f"Invalid data[{i}]: dataFilter is required")
            major = _enum(
                item.get("majorDimension"), MAJOR, "data.major_dimension", "Dimension", "ROWS"
            )
            values = _oriented(_values_matrix(item.get("values"), f"data[{i}].values"), major)
            for sheet, box in filter_boxes(ss, item["dataFilter"]):
                res = write_matrix(ss, sheet, box, values, input_option, anchor_only=False)
                results.append((res, item["dataFilter"]))
        out = _batch_totals(sid, [r for r, _ in results])
        responses = []
        for res, flt in results:
            one = res.json(sid, ss, False, vro, dtro)
            del one["spreadsheetId"]
            one["dataFilter"] = flt
            if include:
                one["updatedData"] = value_range(ss, res.sheet, res.box, "ROWS", vro, dtro)
            responses.append(one)
        if responses:
            out["responses"] = responses
        return 200, out

    return _atomic(ss, act)


def batch_clear_by_data_filter(fake: FakeGoogle, sid: str, body: Any) -> Result:
    ss = _spreadsheet(fake, sid, write=True)
    body = body if isinstance(body, dict) else {}

    def act() -> Result:
        cleared = []
        for flt in body.get("dataFilters") or []:
            for sheet, box in filter_boxes(ss, flt):
                _clear_box(sheet, box)
                cleared.append(format_box(sheet.title, box))
        out: dict[str, Any] = {"spreadsheetId": sid}
        if cleared:
            out["clearedRanges"] = cleared
        return 200, out

    return _atomic(ss, act)


# --- spreadsheets.get -----------------------------------------------------------------


def _cell_data(cell: Cell | None, locale: str) -> dict[str, Any]:
    if cell is None:
        return {}

    def ext(v: Any) -> dict[str, Any]:
        if isinstance(v, bool):
            return {"boolValue": v}
        if isinstance(v, str):
            return {"stringValue": v}
        return {"numberValue": v}

    out: dict[str, Any] = {}
    out["userEnteredValue"] = (
        {"formulaValue": cell.formula} if cell.formula is not None else ext(cell.value)
    )
    out["effectiveValue"] = ext(render(cell, "UNFORMATTED_VALUE", "SERIAL_NUMBER", locale))
    out["formattedValue"] = render(cell, "FORMATTED_VALUE", "FORMATTED_STRING", locale)
    if cell.number_format:
        fmt = {"numberFormat": {"type": cell.number_format}}
        out["userEnteredFormat"] = fmt
        out["effectiveFormat"] = fmt
    return out


def _grid_data(ss: Spreadsheet, sheet: Sheet, box: GridBox) -> dict[str, Any]:
    rows = []
    last_row = min(box.row_end, len(sheet.rows))
    for r in range(box.row_start, last_row):
        row = sheet.rows[r]
        end = min(box.col_end, len(row))
        while end > box.col_start and row[end - 1] is None:
            end -= 1
        cells = [_cell_data(row[c], ss.locale) for c in range(box.col_start, end)]
        rows.append({"values": cells} if cells else {})
    while rows and not rows[-1]:
        rows.pop()
    out: dict[str, Any] = {}
    if box.row_start:
        out["startRow"] = box.row_start
    if box.col_start:
        out["startColumn"] = box.col_start
    if rows:
        out["rowData"] = rows
    out["rowMetadata"] = [{"pixelSize": 21} for _ in range(box.rows)]
    out["columnMetadata"] = [{"pixelSize": 100} for _ in range(box.cols)]
    return out


def spreadsheet_json(
    ss: Spreadsheet, ranges: list[str] | None = None, grid_data: bool = False
) -> dict[str, Any]:
    wanted: dict[int, list[GridBox]] | None = None
    if ranges:
        wanted = {}
        for rng in ranges:
            sheet, box = _resolve_a1(ss, rng)
            wanted.setdefault(sheet.sheet_id, []).append(_clamp_read(sheet, box, rng))
    sheets = []
    for sheet in ss.ordered():
        if wanted is not None and sheet.sheet_id not in wanted:
            continue
        entry: dict[str, Any] = {"properties": sheet.properties_json()}
        if grid_data:
            boxes = wanted[sheet.sheet_id] if wanted is not None else [sheet.whole()]
            entry["data"] = [_grid_data(ss, sheet, b) for b in boxes]
        mds = [
            m.to_json()
            for m in ss.metadata
            if m.location_type != "SPREADSHEET" and m.sheet_id == sheet.sheet_id
        ]
        if mds:
            entry["developerMetadata"] = mds
        sheets.append(entry)
    out: dict[str, Any] = {
        "spreadsheetId": ss.spreadsheet_id,
        "properties": {
            "title": ss.title,
            "locale": ss.locale,
            "autoRecalc": "ON_CHANGE",
            "timeZone": ss.time_zone,
            "defaultFormat": DEFAULT_FORMAT,
            "spreadsheetTheme": SPREADSHEET_THEME,
        },
        "sheets": sheets,
    }
    top = [m.to_json() for m in ss.metadata if m.location_type == "SPREADSHEET"]
    if top:
        out["developerMetadata"] = top
    out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{ss.spreadsheet_id}/edit"
    return out


def spreadsheets_get(fake: FakeGoogle, sid: str, query: Query) -> Result:
    ss = _spreadsheet(fake, sid, write=False)
    grid = _bool(_param(query, "includeGridData", "false"))
    doc = spreadsheet_json(ss, query.get("ranges"), grid)
    fields = _param(query, "fields")
    if fields:
        try:
            doc = apply_mask(doc, parse_mask(fields))
        except ValueError as exc:
            raise ApiError.sheets(400, f"Invalid field selection {fields}") from exc
    return 200, doc


# --- routing --------------------------------------------------------------------------


def route(fake: FakeGoogle, method: str, segs: list[str], query: Query, body: Any) -> Result:
    """``segs``: the still-encoded path segments after ``v4/spreadsheets``."""
    from . import sheets_batch

    if not segs or not segs[0]:
        raise ApiError.sheets(404, "Requested entity was not found.")
    head = unquote(segs[0])
    if len(segs) == 1:
        sid, _, verb = head.partition(":")
        if verb == "" and method == "GET":
            return spreadsheets_get(fake, sid, query)
        if verb == "batchUpdate" and method == "POST":
            return sheets_batch.batch_update(fake, sid, body)
        raise _not_found(method, segs)
    sid = head
    if len(segs) == 2:
        verbs: dict[tuple[str, str], Callable[[], Result]] = {
            ("GET", "values:batchGet"): lambda: values_batch_get(fake, sid, query),
            ("POST", "values:batchUpdate"): lambda: values_batch_update(fake, sid, body),
            ("POST", "values:batchClear"): lambda: values_batch_clear(fake, sid, body),
            ("POST", "values:batchGetByDataFilter"): lambda: batch_get_by_data_filter(
                fake, sid, body
            ),
            ("POST", "values:batchUpdateByDataFilter"): lambda: batch_update_by_data_filter(
                fake, sid, body
            ),
            ("POST", "values:batchClearByDataFilter"): lambda: batch_clear_by_data_filter(
                fake, sid, body
            ),
        }
        handler = verbs.get((method, unquote(segs[1])))
        if handler is None:
            raise _not_found(method, segs)
        return handler()
    if len(segs) == 3 and segs[1] == "values":
        raw = segs[2]
        rng_raw, sep, verb = raw.rpartition(":")
        if sep and verb in ("append", "clear"):
            rng = unquote(rng_raw)
            if method == "POST" and verb == "append":
                return values_append(fake, sid, rng, query, body)
            if method == "POST" and verb == "clear":
                return values_clear(fake, sid, rng)
            raise _not_found(method, segs)
        rng = unquote(raw)
        if method == "GET":
            return values_get(fake, sid, rng, query)
        if method == "PUT":
            return values_update(fake, sid, rng, query, body)
    raise _not_found(method, segs)


def _not_found(method: str, segs: list[str]) -> ApiError:
    return ApiError.sheets(
        404, f"The fake Google API does not serve {method} /v4/spreadsheets/{'/'.join(segs)}"
    )
