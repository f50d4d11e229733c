"""Logs for people and for machines: the ``sheetbot`` logger on stderr, as text or JSON lines.

- ``text``: ``LEVEL message``, one record per line, for a terminal or a cron mail;
- ``json``: one JSON object per line with ``time`` (ISO 8601, UTC), ``level``, ``logger``,
  ``message`` and every ``extra`` field, for a log collector (Cloud Logging, Loki, journald).

Stdout stays the report's; logs go to stderr only. An exception is logged by its type only
(``exc_type``): never its message, traceback or locals, which could quote a cell of the sheet.
Messages themselves must already be free of personal data: this module cannot know.

The CLI reads ``--log-level`` / ``SHEETBOT_LOG_LEVEL`` and ``--log-format`` /
``SHEETBOT_LOG_FORMAT`` and calls ``setup`` once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any, Literal, TextIO

LOGGER_NAME = "sheetbot"
LOG_LEVEL_ENV = "SHEETBOT_LOG_LEVEL"
LOG_FORMAT_ENV = "SHEETBOT_LOG_FORMAT"

LogFormat = Literal["text", "json"]
FORMATS: tuple[LogFormat, ...] = ("text", "json")
LEVELS: tuple[str, ...] = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_LEVEL = "WARNING"  # a cron mails stderr: quiet unless something is wrong
DEFAULT_FORMAT: LogFormat = "text"

# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRS = frozenset(
    {
        *logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None).__dict__,
        "message",
        "asctime",
        "taskName",
    }
)


def exception_type(record: logging.LogRecord) -> str | None:
    """The name of the exception a record carries (``logger.exception``), or None."""
    if not record.exc_info or record.exc_info[0] is None:
        return None
    return record.exc_info[0].__name__


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a caller added with ``extra=``, in the order given."""
    return {
        key: value
        for key, value in record.__dict__.items()
        if key not in _STANDARD_ATTRS and not key.startswith("_")
    }


def _json_value(value: object) -> object:
    return str(value)


class TextFormatter(logging.Formatter):
    """``LEVEL message``; an exception adds ``[TypeName]``, nothing of its text."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{record.levelname} {record.getMessage()}"
        exc = exception_type(record)
        if exc is not None:
            line += f" [{exc}]"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, exc_type."""

    def format(self, record: logging.LogRecord) -> str:
        when = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        entry: dict[str, Any] = {
            "time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in extra_fields(record).items():
            entry.setdefault(key, value)
        exc = exception_type(record)
        if exc is not None:
            entry["exc_type"] = exc
        return json.dumps(entry, default=_json_value, ensure_ascii=False)


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter()
    if fmt == "text":
        return TextFormatter()
    raise ValueError(f"log format: expected one of {', '.join(FORMATS)}, got {fmt!r}")


def level_number(level: str) -> int:
    name = level.strip().upper()
    if name not in LEVELS:
        raise ValueError(f"log level: expected one of {', '.join(LEVELS)}, got {level!r}")
    number: int = logging.getLevelName(name)
    return number


def setup(level: str = DEFAULT_LEVEL, fmt: str = DEFAULT_FORMAT) -> logging.Logger:
    """Configure the ``sheetbot`` logger: one stderr handler at ``level`` in ``fmt``.

    Calling it again replaces the handler it installed before (never anybody else's).
    Records still propagate to the root logger, which has no handler in production.
    Raises ValueError for an unknown level or format.
    """
    handler_formatter = formatter(fmt)
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level_number(level))
    for old in [h for h in logger.handlers if isinstance(h, StderrHandler)]:
        logger.removeHandler(old)
    handler = StderrHandler()
    handler.setFormatter(handler_formatter)
    logger.addHandler(handler)
    return logger
