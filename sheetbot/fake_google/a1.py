"""A1 notation: parsing ranges the way the Sheets API accepts them, and formatting them
the way it echoes them back (``Sheet1!A1:D5``, ``'My tab'!A1:B2``, ``'D3'!A1``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ApiError

_CELL = re.compile(r"^([A-Za-z]{0,3})(\d*)$")
_BARE_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_CELL = re.compile(r"^[A-Za-z]{1,3}\d+$")
_LOOKS_LIKE_R1C1 = re.compile(r"^[Rr]\d*[Cc]\d*$")


def column_letters(index: int) -> str:
    """0-based column index -> letters (0 -> A, 26 -> AA)."""
    if index < 0:
        raise ValueError(index)
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Letters -> 0-based column index (A -> 0)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - ord("A") + 1)
    return n - 1


def quote_title(title: str) -> str:
    """Quote a sheet title like Google does in the ranges it echoes."""
    if (
        _BARE_TITLE.match(title)
        and not _LOOKS_LIKE_CELL.match(title)
        and not _LOOKS_LIKE_R1C1.match(title)
    ):
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class RangeRef:
    """A parsed A1 range before it is bound to a grid: ``None`` means open-ended.

    Rows and columns are 0-based; ``row_end``/``col_end`` are exclusive.
    """

    sheet_title: str | None
    row_start: int | None
    row_end: int | None
    col_start: int | None
    col_end: int | None


@dataclass(frozen=True)
class GridBox:
    """A concrete rectangle of one sheet (0-based, end-exclusive)."""

    sheet_id: int
    row_start: int
    row_end: int
    col_start: int
    col_end: int

    @property
    def rows(self) -> int:
        return self.row_end - self.row_start

    @property
    def cols(self) -> int:
        return self.col_end - self.col_start

    def is_cell(self) -> bool:
        return self.rows == 1 and self.cols == 1


def format_box(title: str, box: GridBox, *, always_quote: bool = False) -> str:
    """``'Title'!A1:B2`` for a box; a single cell is written ``A1``."""
    start = f"{column_letters(box.col_start)}{box.row_start + 1}"
    end = f"{column_letters(box.col_end - 1)}{box.row_end}"
    cells = start if start == end else f"{start}:{end}"
    t = "'" + title.replace("'", "''") + "'" if always_quote else quote_title(title)
    return f"{t}!{cells}"


def _unparseable(text: str) -> ApiError:
    return ApiError.sheets(400, f"Unable to parse range: {text}")


def split_sheet(text: str) -> tuple[str | None, str | None]:
    """Split ``'Tab'!A1:B2`` into (title, cells). Either part may be None."""
    if text.startswith("'"):
        i = 1
        title_chars: list[str] = []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    title_chars.append("'")
                    i += 2
                    continue
                break
            title_chars.append(ch)
            i += 1
        else:
            raise _unparseable(text)
        rest = text[i + 1 :]
        title = "".join(title_chars)
        if rest == "":
            return title, None
        if not rest.startswith("!"):
            raise _unparseable(text)
        return title, rest[1:]
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    return None, text


def parse_cells(cells: str) -> tuple[int | None, int | None, int | None, int | None] | None:
    """Parse ``A1``, ``A1:B2``, ``A:C``, ``2:5``, ``A2:Z`` into
    (row_start, row_end, col_start, col_end); None if it is not A1 notation."""
    parts = cells.split(":")
    if len(parts) > 2 or not cells:
        return None
    refs: list[tuple[int | None, int | None]] = []
    for part in parts:
        m = _CELL.match(part.strip())
        if not m or (not m.group(1) and not m.group(2)):
            return None
        col = column_index(m.group(1)) if m.group(1) else None
        row = int(m.group(2)) - 1 if m.group(2) else None
        if row is not None and row < 0:
            return None
        refs.append((col, row))
    (c1, r1) = refs[0]
    if len(refs) == 1:
        if c1 is None or r1 is None:
            return None
        return r1, r1 + 1, c1, c1 + 1
    (c2, r2) = refs[1]
    if c1 is None and c2 is not None and r1 is not None and r2 is None:
        return None
    if c1 is not None and c2 is not None and c2 < c1:
        c1, c2 = c2, c1
    if r1 is not None and r2 is not None and r2 < r1:
        r1, r2 = r2, r1
    row_start = r1 if r1 is not None else (0 if c1 is not None else None)
    row_end = r2 + 1 if r2 is not None else None
    col_start = c1 if c1 is not None else None
    col_end = c2 + 1 if c2 is not None else None
    if row_start is None:
        row_start = 0
    if col_start is None:
        col_start = 0
    return row_start, row_end, col_start, col_end


def parse_range(text: str, sheet_titles: list[str]) -> RangeRef:
    """Parse an A1 range against the titles of a spreadsheet's sheets.

    ``Sheet1`` (a title alone) is the whole sheet; ``A1:B2`` without a title is on the
    first sheet; an unknown title gives Google's 400 "Unable to parse range".
    """
    text = text.strip()
    if not text:
        raise _unparseable(text)
    title, cells = split_sheet(text)
    if title is None:
        assert cells is not None
        if cells in sheet_titles:
            return RangeRef(cells, None, None, None, None)
        parsed = parse_cells(cells)
        if parsed is None or not sheet_titles:
            raise _unparseable(text)
        return RangeRef(None, *parsed)
    if title not in sheet_titles:
        raise _unparseable(text)
    if cells is None:
        return RangeRef(title, None, None, None, None)
    parsed = parse_cells(cells)
    if parsed is None:
        raise _unparseable(text)
    return RangeRef(title, *parsed)
