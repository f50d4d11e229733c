"""The command line itself: help, argument errors, the demo. Whole messages compared."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sheetbot import demo
from sheetbot.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, main
from tests.conftest import AS_OF, assert_no_pii, demo_pii


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def commands() -> list[str]:
    assert isinstance(main, click.Group)
    return sorted(main.commands)


def test_every_command_has_help() -> None:
    assert {"run", "demo"} <= set(commands())
    for name in commands():
        code, out, _err = invoke(name, "--help")
        assert code == EXIT_OK
        assert out.startswith(f"Usage: main {name} [OPTIONS]")
        command = main.commands[name]
        assert command.help, f"{name} has no help text"
        for param in command.params:
            if isinstance(param, click.Option) and param.name != "help":
                assert param.help, f"{name} {param.opts[0]} has no help"


def test_every_option_has_an_environment_variable() -> None:
    """Each option of a command, or of ``sheetbot`` itself for the log options a command
    accepts too (the variable is read once, before the command)."""
    group = {p.name: p.envvar for p in main.params if isinstance(p, click.Option)}
    for name in commands():
        for param in main.commands[name].params:
            if isinstance(param, click.Option) and param.name != "help":
                envvar = param.envvar or group.get(param.name)
                assert envvar, f"{name} {param.opts[0]} has no SHEETBOT_* variable"
                assert str(envvar).startswith("SHEETBOT_")


@pytest.mark.parametrize(
    "argv",
    [
        ["--log-format", "text", "run", "--log-format", "json"],
        ["run", "--log-level", "critical", "--log-format", "json"],
        ["--log-format", "json", "run", "--log-level", "debug"],
    ],
)
def test_log_options_after_the_command_are_accepted_and_win(argv: list[str]) -> None:
    """``sheetbot run --log-format json``, as an operator adds it to a cron line: accepted
    after the command too (it was a usage error), and there it wins over the one before."""
    code, out, err = invoke(*argv)
    assert (code, out) == (EXIT_ERROR, "")
    line = json.loads(err)
    assert line["level"] == "ERROR"
    assert line["message"] == "no configuration: pass --config FILE or set SHEETBOT_CONFIG"


def test_log_level_after_the_command_sets_the_level() -> None:
    """``--log-level info`` after ``demo`` shows the run's info lines, as it does before it."""
    as_of = ["--as-of", AS_OF.isoformat()]
    before = CliRunner().invoke(main, ["--log-level", "info", "demo", *as_of]).stderr
    after = CliRunner().invoke(main, ["demo", *as_of, "--log-level", "info"]).stderr
    quiet = CliRunner().invoke(main, ["demo", *as_of]).stderr
    info = [line for line in before.splitlines() if line.startswith("INFO ")]
    assert info[0] == "INFO read 44 rows from tab 'Records' (locale en_GB)"
    assert info == [line for line in after.splitlines() if line.startswith("INFO ")]
    assert "INFO " not in quiet


def test_run_without_config_says_how_to_give_one() -> None:
    code, out, err = invoke("run", "--dry-run")
    assert code == EXIT_ERROR
    assert out == ""
    assert err == "sheetbot: error: no configuration: pass --config FILE or set SHEETBOT_CONFIG\n"


def test_config_naming_a_directory_is_a_config_error_like_a_missing_file(tmp_path: Path) -> None:
    """A mount gone wrong (SHEETBOT_CONFIG=/config, the directory): exit 1 and one line, as for
    a missing file, not a usage error (exit 2: "the command line is wrong")."""
    for args, env in (
        (["run", "--config", str(tmp_path)], None),
        (["run"], {"SHEETBOT_CONFIG": str(tmp_path)}),
    ):
        code, out, err = invoke(*args, env=env)
        assert (code, out) == (EXIT_ERROR, "")
        assert err == f"sheetbot: error: cannot read config file {tmp_path}: Is a directory\n"


def test_config_from_environment(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\nbogus = 1\n', encoding="utf-8")
    code, _out, err = invoke("run", env={"SHEETBOT_CONFIG": str(path)})
    assert code == EXIT_ERROR
    assert err == (
        "sheetbot: error: spreadsheet.bogus: unknown key "
        "(see config.example.toml for the accepted keys)\n"
    )


def test_bad_as_of_is_a_usage_error() -> None:
    code, _out, err = invoke("run", "--as-of", "24/11/2026")
    assert code == EXIT_USAGE
    assert err.endswith(
        "Error: Invalid value for '--as-of' (env var: 'SHEETBOT_AS_OF'): "
        "'24/11/2026' is not a date like 2025-01-31\n"
    )


def test_demo_runs_and_exits_zero_without_personal_data() -> None:
    code, out, err = invoke("demo", "--as-of", AS_OF.isoformat())
    assert code == EXIT_OK
    assert err.startswith("Demo: the fake Google API on http://127.0.0.1:")
    assert "Dry run: nothing was written." in out
    assert "Needs attention (never blanked until fixed):" in out
    assert_no_pii(out + err, demo_pii())


def test_demo_json_is_one_object() -> None:
    code, out, _err = invoke("demo", "--as-of", AS_OF.isoformat(), "--format", "json")
    assert code == EXIT_OK
    report = json.loads(out)
    assert report["dry_run"] is True
    assert {"as_of", "records", "access", "problems"} <= set(report)
    assert {"add", "remove", "update", "untouched"} <= set(report["access"])


@pytest.mark.parametrize("flag", ["--version"])
def test_version(flag: str) -> None:
    code, out, _err = invoke(flag)
    assert code == EXIT_OK
    assert out.startswith("sheetbot, version ")


def test_run_help_states_the_exit_codes() -> None:
    """A cron operator reads `sheetbot run --help`, not only the README's table."""
    _code, out, _err = invoke("run", "--help")
    text = " ".join(out.split())
    for line in (
        "0 success",
        "1 error",
        "2 the command line is wrong",
        "3 success, but some records need attention",
        "4 refused by a safety guard",
    ):
        assert line in text


def test_demo_help_gives_its_own_default_date() -> None:
    """The demo has no configuration file, so no spreadsheet.timezone to point to: its help
    names the demo sheet's own time zone, which ``run_demo`` uses."""
    _code, out, _err = invoke("demo", "--help")
    text = " ".join(out.split())
    assert "spreadsheet.timezone" not in text
    assert "(default: today in the demo sheet's time zone, Europe/London)" in text
    assert demo.demo_config().spreadsheet.timezone == "Europe/London"
