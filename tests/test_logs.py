"""Logs on stderr: ``LEVEL message`` text or one JSON object per line; exceptions by type only."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator

import pytest

from sheetbot import logs

SECRET = "jo.reporter@mail.test"


@pytest.fixture(autouse=True)
def restore_logger() -> Iterator[None]:
    """Leave the ``sheetbot`` logger as it was for the other tests."""
    logger = logging.getLogger(logs.LOGGER_NAME)
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


def lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line]


def test_text_format(capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup("info", "text")
    log = logging.getLogger("sheetbot.run")
    log.debug("not shown")
    log.info("read %d rows", 12)
    log.warning("row %d skipped", 7, extra={"row": 7})
    captured = capsys.readouterr()
    assert captured.out == ""
    assert lines(captured.err) == ["INFO read 12 rows", "WARNING row 7 skipped"]


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup("DEBUG", "json")
    before = dt.datetime.now(dt.UTC)
    logging.getLogger("sheetbot.google").debug(
        "request %s", "values.get", extra={"attempt": 2, "as_of": dt.date(2025, 6, 1)}
    )
    logging.getLogger("sheetbot").error("done")
    captured = capsys.readouterr()
    assert captured.out == ""
    first, second = (json.loads(line) for line in lines(captured.err))
    assert first == {
        "time": first["time"],
        "level": "DEBUG",
        "logger": "sheetbot.google",
        "message": "request values.get",
        "attempt": 2,
        "as_of": "2025-06-01",
    }
    assert first["time"].endswith("Z")
    when = dt.datetime.fromisoformat(first["time"].replace("Z", "+00:00"))
    assert when.utcoffset() == dt.timedelta(0)
    assert abs((when - before).total_seconds()) < 60
    assert (second["level"], second["logger"], second["message"]) == ("ERROR", "sheetbot", "done")


def test_extra_fields_cannot_replace_the_standard_ones(capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup("INFO", "json")
    logging.getLogger("sheetbot").info("hello", extra={"level": "fake", "time": "fake"})
    entry = json.loads(capsys.readouterr().err)
    assert entry["level"] == "INFO"
    assert entry["time"] != "fake"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_exceptions_by_type_only(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup("INFO", fmt)
    log = logging.getLogger("sheetbot.run")

    def fail(cell: str) -> None:
        raise ValueError(f"cannot read {cell!r}")

    try:
        fail(SECRET)
    except ValueError:
        log.exception("reading the sheet failed", stack_info=True)
    err = capsys.readouterr().err
    assert SECRET not in err
    assert "Traceback" not in err
    assert "Stack" not in err
    assert len(lines(err)) == 1
    if fmt == "json":
        entry = json.loads(err)
        assert entry["message"] == "reading the sheet failed"
        assert entry["exc_type"] == "ValueError"
        assert entry["level"] == "ERROR"
    else:
        assert err == "ERROR reading the sheet failed [ValueError]\n"


def test_setup_again_replaces_its_handler(capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup("INFO", "text")
    logs.setup("WARNING", "json")
    log = logging.getLogger("sheetbot")
    assert sum(isinstance(h, logs.StderrHandler) for h in log.handlers) == 1
    log.info("hidden")
    log.warning("shown")
    assert [json.loads(line)["message"] for line in lines(capsys.readouterr().err)] == ["shown"]


def test_other_loggers_are_left_alone(capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup("DEBUG", "text")
    logging.getLogger("urllib3").debug("not ours")
    assert capsys.readouterr().err == ""


def test_records_still_reach_pytest_caplog(caplog: pytest.LogCaptureFixture) -> None:
    logs.setup("INFO", "json")
    logging.getLogger("sheetbot.x").info("seen")
    assert [r.getMessage() for r in caplog.records] == ["seen"]


@pytest.mark.parametrize(("level", "fmt"), [("LOUD", "text"), ("INFO", "xml")])
def test_unknown_level_or_format(level: str, fmt: str) -> None:
    with pytest.raises(ValueError, match="expected one of"):
        logs.setup(level, fmt)


def test_constants() -> None:
    assert logs.LOG_LEVEL_ENV == "SHEETBOT_LOG_LEVEL"
    assert logs.LOG_FORMAT_ENV == "SHEETBOT_LOG_FORMAT"
    assert logs.FORMATS == ("text", "json")
    assert logs.DEFAULT_LEVEL in logs.LEVELS
