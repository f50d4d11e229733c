"""Typed cells and the Sheets value semantics: how input is parsed (RAW / USER_ENTERED)
and how cells are rendered (FORMATTED_VALUE / UNFORMATTED_VALUE / FORMULA, with
SERIAL_NUMBER / FORMATTED_STRING dates), per spreadsheet locale.

Simplifications (documented deviations): formulas are kept as text and evaluated only
when they are plain arithmetic on numbers (``=4/2``); any other formula's value is its
own text. Percentages, currencies and thousands separators typed with USER_ENTERED stay
text.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EPOCH = dt.date(1899, 12, 30)
EPOCH_DT = dt.datetime(1899, 12, 30)

Scalar = int | float | str | bool


@dataclass(frozen=True)
class Cell:
    """One non-empty cell. ``number_format`` is None, "DATE" or "DATE_TIME"; a date is a
    number (serial days since 1899-12-30) carrying that format and a display ``pattern``
    (None: the spreadsheet locale's default)."""

    value: Scalar
    number_format: str | None = None
    pattern: str | None = None
    formula: str | None = None


_DECIMAL_COMMA = {"de", "fr", "es", "it", "nl", "pt", "ru", "pl", "sv", "da", "fi", "nb", "cs"}


def _locale_patterns(locale: str) -> tuple[str, str]:
    if locale == "en_US":
        return "M/d/yyyy", "M/d/yyyy H:mm:ss"
    if locale.startswith("de") or locale.startswith("ru") or locale.startswith("pl"):
        return "dd.MM.yyyy", "dd.MM.yyyy HH:mm:ss"
    if locale.split("_")[0] in {"en", "fr", "es", "it", "pt"}:
        return "dd/MM/yyyy", "dd/MM/yyyy HH:mm:ss"
    return "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss"


def decimal_comma(locale: str) -> bool:
    return locale.split("_")[0] in _DECIMAL_COMMA


def month_first(locale: str) -> bool:
    return locale == "en_US"


# --- serial numbers -------------------------------------------------------------------


def date_to_serial(value: dt.date) -> int | float:
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - EPOCH_DT
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return (value - EPOCH).days


def serial_to_datetime(serial: float) -> dt.datetime:
    return EPOCH_DT + dt.timedelta(days=serial)


def number_json(value: float | int) -> int | float:
    """Google answers integral numbers as JSON integers."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


# --- formatting -----------------------------------------------------------------------

_TOKEN = re.compile(r"yyyy|MM|M|dd|d|HH|H|mm|ss")


def format_datetime(moment: dt.datetime, pattern: str) -> str:
    def sub(m: re.Match[str]) -> str:
        tok = m.group(0)
        return {
            "yyyy": f"{moment.year:04d}",
            "MM": f"{moment.month:02d}",
            "M": str(moment.month),
            "dd": f"{moment.day:02d}",
            "d": str(moment.day),
            "HH": f"{moment.hour:02d}",
            "H": str(moment.hour),
            "mm": f"{moment.minute:02d}",
            "ss": f"{moment.second:02d}",
        }[tok]

    return _TOKEN.sub(sub, pattern)


def format_number(value: float | int, locale: str) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    elif isinstance(value, int):
        text = str(value)
    else:
        text = f"{value:.15g}"
    if decimal_comma(locale):
        text = text.replace(".", ",")
    return text


def formatted_date(cell: Cell, locale: str) -> str:
    assert isinstance(cell.value, int | float)
    assert not isinstance(cell.value, bool)
    date_pat, dt_pat = _locale_patterns(locale)
    pattern = cell.pattern or (dt_pat if cell.number_format == "DATE_TIME" else date_pat)
    moment = serial_to_datetime(float(cell.value))
    # round to the second, as Sheets displays
    moment = (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    return format_datetime(moment, pattern)


def render(cell: Cell | None, value_render: str, datetime_render: str, locale: str) -> Any:
    """A cell as it appears in ``ValueRange.values`` (None: empty cell → "")."""
    if cell is None:
        return ""
    if value_render == "FORMULA" and cell.formula is not None:
        return cell.formula
    v = cell.value
    if isinstance(v, bool):
        if value_render == "FORMATTED_VALUE":
            return "TRUE" if v else "FALSE"
        return v
    if isinstance(v, str):
        return v
    if cell.number_format in ("DATE", "DATE_TIME"):
        if value_render == "FORMATTED_VALUE" or datetime_render == "FORMATTED_STRING":
            return formatted_date(cell, locale)
        return number_json(v)
    if value_render == "FORMATTED_VALUE":
        return format_number(v, locale)
    return number_json(v)


def python_value(cell: Cell | None) -> Any:
    """The raw stored value as Python: date/datetime for date cells, formula text for
    formulas, None for empty."""
    if cell is None:
        return None
    if cell.formula is not None:
        return cell.formula
    if cell.number_format in ("DATE", "DATE_TIME") and not isinstance(cell.value, str | bool):
        moment = serial_to_datetime(float(cell.value))
        if cell.number_format == "DATE":
            return moment.date()
        return moment
    return cell.value


# --- input ----------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_NUMBER_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_LOCAL_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")

_BINOPS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def _eval_arith(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _eval_arith(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if isinstance(node.value, bool):
            raise ValueError("not arithmetic")
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _eval_arith(node.operand)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _BINOPS[type(node.op)](_eval_arith(node.left), _eval_arith(node.right))
    raise ValueError("not arithmetic")


def evaluate_formula(formula: str) -> Scalar:
    """Plain arithmetic is evaluated; anything else keeps the formula text as its value."""
    expr = formula[1:].replace("^", "**")
    try:
        result = _eval_arith(ast.parse(expr, mode="eval"))
    except (ValueError, SyntaxError, ZeroDivisionError, OverflowError, TypeError):
        return formula
    if math.isnan(result) or math.isinf(result):
        return formula
    return number_json(result)


def _date_cell(year: int, month: int, day: int, pattern: str | None) -> Cell | None:
    try:
        d = dt.date(year, month, day)
    except ValueError:
        return None
    return Cell(date_to_serial(d), "DATE", pattern)


def parse_user_entered(text: str, locale: str) -> Cell | None:
    """What Sheets makes of a string typed by a user (USER_ENTERED)."""
    if text == "":
        return None
    if text.startswith("'"):
        return Cell(text[1:]) if len(text) > 1 else None
    if text.startswith("=") and len(text) > 1:
        return Cell(evaluate_formula(text), formula=text)
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return Cell(stripped.upper() == "TRUE")
    if _NUMBER.match(stripped) and not (decimal_comma(locale) and "." in stripped):
        if re.match(r"^[+-]?\d+$", stripped):
            return Cell(int(stripped))
        return Cell(number_json(float(stripped)))
    if decimal_comma(locale) and _NUMBER_COMMA.match(stripped):
        return Cell(number_json(float(stripped.replace(",", "."))))
    m = _ISO_DATE.match(stripped)
    if m:
        cell = _date_cell(int(m[1]), int(m[2]), int(m[3]), "yyyy-MM-dd")
        if cell:
            return cell
    m = _ISO_DATETIME.match(stripped)
    if m:
        try:
            moment = dt.datetime(
                int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0)
            )
        except ValueError:
            return Cell(text)
        return Cell(date_to_serial(moment), "DATE_TIME", "yyyy-MM-dd HH:mm:ss")
    m = _LOCAL_DATE.match(stripped)
    if m:
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        month, day = (a, b) if month_first(locale) else (b, a)
        cell = _date_cell(year, month, day, None)
        if cell:
            return cell
    return Cell(text)


def parse_input(value: Any, input_option: str, locale: str) -> Cell | None:
    """A JSON value of ``ValueRange.values`` (not null) → the stored cell (None: empty)."""
    if isinstance(value, bool):
        return Cell(value)
    if isinstance(value, int | float):
        return Cell(number_json(value))
    text = str(value)
    if input_option == "USER_ENTERED":
        return parse_user_entered(text, locale)
    return Cell(text) if text != "" else None


def from_python(value: Any) -> Cell | None:
    """A fixture value: str (literal text), int/float, bool, date, datetime, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, Cell):
        return value
    if isinstance(value, bool):
        return Cell(value)
    if isinstance(value, dt.datetime):
        return Cell(date_to_serial(value), "DATE_TIME")
    if isinstance(value, dt.date):
        return Cell(date_to_serial(value), "DATE")
    if isinstance(value, int | float):
        return Cell(number_json(value))
    return Cell(str(value))
