"""The documentation tells the truth: README transcripts, tables and config.example.toml are
checked against what the code prints and accepts today, so that they cannot go stale."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from sheetbot import cli, config, demo
from sheetbot.google import client as client_mod

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLE = ROOT / "config.example.toml"
README_AS_OF = "2026-11-24"  # the date of every transcript in the README
PORT = re.compile(r"127\.0\.0\.1:\d+")


def section(title: str) -> str:
    """The README's text under the heading ``title``, up to the next heading of any level."""
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#+ )", README, re.M | re.S)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def fenced_blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, re.M | re.S)


def table_first_cells(text: str) -> list[str]:
    """The first column of a markdown table, backticks removed, header and rule left out."""
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    return [row.split("|")[1].strip().strip("`") for row in rows[2:]]


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def test_readme_environment_table_names_exactly_the_cli_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    documented = set(table_first_cells(section("Environment variables")))
    accepted: set[str] = set()
    commands = [cli.main, *cli.main.commands.values()]
    for command in commands:
        for param in command.params:
            if isinstance(param, click.Option) and param.envvar:
                accepted.add(str(param.envvar))
    outside_click = {client_mod.API_ROOT_ENV, "GOOGLE_APPLICATION_CREDENTIALS"}
    assert documented - outside_click == accepted
    assert outside_click <= documented
    # "`[google] api_root` (the environment wins)"
    monkeypatch.setenv(client_mod.API_ROOT_ENV, "http://127.0.0.1:1")
    assert client_mod.api_root_from("http://127.0.0.1:2") == "http://127.0.0.1:1"


def test_readme_test_command_is_what_ci_runs() -> None:
    quick_start = fenced_blocks(section("Quick start"))
    test_command = quick_start[1].strip()
    assert test_command.startswith(".venv/bin/ruff check .")
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines, "`.ci/run` must run the README's test command word for word"


def test_every_dependency_is_pinned_at_a_version_pyproject_accepts() -> None:
    """constraints.txt pins each runtime and test dependency (``name==version``) at a version
    pyproject.toml accepts, and every install (the README's setup, CI, the image) uses it."""
    pins: dict[str, Version] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not name==version"
            pins[canonicalize_name(name)] = Version(version)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for dependency in project["dependencies"] + project["optional-dependencies"]["test"]:
        requirement = Requirement(dependency)
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pinned), f"{requirement.name}=={pinned}"
    setup = fenced_blocks(section("Quick start"))[0]
    assert "pip install -c constraints.txt -e '.[test]'" in setup
    assert "-c constraints.txt -e '.[test]'" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -c /src/constraints.txt /src" in (ROOT / "Dockerfile").read_text("utf-8")
    assert "!constraints.txt" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    workflow = (ROOT / "deploy" / "github-actions" / "sheetbot.yml").read_text(encoding="utf-8")
    pinned_install = r'-c https://\S+/v([\d.]+)/constraints\.txt\s+"sheetbot @ \S+@v\1"'
    assert re.search(pinned_install, workflow), "the workflow installs a release with its pins"


def test_readme_exit_codes_are_the_cli_constants() -> None:
    documented = {int(code) for code in table_first_cells(section("Exit codes"))}
    constants = {cli.EXIT_OK, cli.EXIT_ERROR, cli.EXIT_USAGE, cli.EXIT_ATTENTION, cli.EXIT_REFUSED}
    assert documented == constants == {0, 1, 2, 3, 4}


def test_config_example_shows_every_default() -> None:
    """Its first line: "Every key is shown with its default; only spreadsheet.id is required"."""
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    minimal = {
        "spreadsheet": {"id": example["spreadsheet"]["id"]},
        "access": {"members": example["access"]["members"]},  # members have no default
    }
    assert config.from_mapping(example) == config.from_mapping(minimal)


def test_config_example_carries_every_key_the_code_accepts() -> None:
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    tables = {
        "spreadsheet": config.SpreadsheetConfig,
        "google": config.GoogleConfig,
        "columns": config.ColumnsConfig,
        "outcomes": config.OutcomesConfig,
        "retention": config.RetentionConfig,
        "access": config.AccessConfig,
    }
    assert set(example) == set(tables)
    for name, cls in tables.items():
        accepted = {f.name for f in dataclasses.fields(cls)}
        assert set(example[name]) == accepted, name


def demo_json() -> dict[str, object]:
    result = invoke("demo", "--as-of", README_AS_OF, "--format", "json")
    assert result.exit_code == cli.EXIT_OK
    report: dict[str, object] = json.loads(result.stdout)
    return report


def test_readme_json_report_names_every_key() -> None:
    report = demo_json()
    documented = set(re.findall(r"`([a-z_-]+)`", section("JSON report")))
    records = report["records"]
    access = report["access"]
    assert isinstance(records, list)
    assert isinstance(access, dict)
    problems = report["problems"]
    assert isinstance(problems, list)
    keys = set(report) | set(records[0]) | set(access) | set(problems[0])
    assert keys - documented == set()
    actions = {record["action"] for record in records}
    assert actions <= documented


def test_readme_demo_transcript_is_real() -> None:
    """What the README shows of the demo (abridged at "...") is what the demo prints."""
    block = fenced_blocks(section("Quick start"))[2]
    shown = [line for line in block.splitlines() if line.strip() != "..."]
    result = invoke("demo", "--as-of", README_AS_OF)
    assert result.exit_code == cli.EXIT_OK
    assert PORT.sub("PORT", shown[0]) == PORT.sub("PORT", result.stderr.splitlines()[0])
    printed = iter(result.stdout.splitlines())
    for line in shown[1:]:
        assert line in printed, f"not printed by the demo (or not in this order): {line!r}"


def test_readme_check_transcript_is_real(tmp_path: Path) -> None:
    """The README's `sheetbot check` transcript, against `python -m sheetbot.demo`."""
    block = fenced_blocks(section("`sheetbot check`"))[0]
    shown_path = re.search(r"config: (\S+) is valid", block)
    assert shown_path
    config_path = tmp_path / "demo-check.toml"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sheetbot.demo",
            "--as-of",
            README_AS_OF,
            "--config",
            str(config_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert first.startswith("fake Google API at http://127.0.0.1:"), first
        written = server.stdout.readline()
        assert written == f"config written to {config_path}; try, in another shell:\n"
        result = invoke("check", "--config", str(config_path), "--as-of", README_AS_OF)
        as_json = invoke(
            "check", "--config", str(config_path), "--as-of", README_AS_OF, "--format", "json"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert result.exit_code == cli.EXIT_OK
    expected = PORT.sub("PORT", block.replace(shown_path.group(1), str(config_path)))
    assert PORT.sub("PORT", result.stdout) == expected
    report = json.loads(as_json.stdout)
    documented = set(re.findall(r"`([a-z_]+)`", section("`sheetbot check`")))
    assert set(report) | set(report["checks"][0]) <= documented


def test_demo_toml_is_the_demo_configuration() -> None:
    text = demo.demo_toml("http://127.0.0.1:8765")
    loaded = config.from_mapping(tomllib.loads(text))
    assert loaded.google.api_root == "http://127.0.0.1:8765"
    assert dataclasses.replace(loaded, google=config.GoogleConfig()) == demo.demo_config()
