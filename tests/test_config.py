"""Configuration: defaults, the example file, and one clear line per mistake."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetbot import config
from sheetbot.cli import EXIT_ERROR, main
from sheetbot.config import Duration, Member, load, parse_duration
from sheetbot.errors import ConfigError
from sheetbot.run import today

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT.parent / "shared" / "SPEC.md"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sheetbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(write(tmp_path, text))
    return str(info.value)


def keys(table: dict[str, object], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for key, value in table.items():
        if isinstance(value, dict):
            found |= keys(value, f"{prefix}{key}.")
        else:
            found.add(f"{prefix}{key}")
    return found


def test_minimal_config_takes_every_default(tmp_path: Path) -> None:
    cfg = load(write(tmp_path, '[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\n'))
    assert cfg.spreadsheet.id == "1AbCdEfGhIjKlMnOp"
    assert cfg.spreadsheet.records_tab == "Records"
    assert cfg.spreadsheet.header_row == 1
    assert cfg.spreadsheet.log_tab == "Retention log"
    assert cfg.spreadsheet.date_order is None
    assert cfg.spreadsheet.timezone == "UTC"
    assert cfg.columns.subject == ("Named subjects", "Subject email address/URL")
    assert cfg.retention.resolved == Duration(14, "months")
    assert cfg.retention.flagged == Duration(26, "months")
    assert cfg.retention.unidentified_reporter == Duration(6, "months")
    assert cfg.retention.no_violation == Duration(0, "days")
    assert cfg.retention.repeat_offence == "restart"
    assert cfg.retention.max_expunge_per_run == 25
    assert cfg.access is None


def test_spreadsheet_id_may_be_a_full_url(tmp_path: Path) -> None:
    url = "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOp_x-y/edit#gid=0"
    cfg = load(write(tmp_path, f'[spreadsheet]\nid = "{url}"\n'))
    assert cfg.spreadsheet.id == "1AbCdEfGhIjKlMnOp_x-y"


def test_published_link_is_refused_not_read_as_the_key_e(tmp_path: Path) -> None:
    """A "Publish to web" link (.../d/e/2PACX.../pubhtml) names no spreadsheet: its "e" is not
    a key. The message says which address to use."""
    url = "https://docs.google.com/spreadsheets/d/e/2PACX-1vQabcdefghijklmnop/pubhtml"
    with pytest.raises(ConfigError) as raised:
        load(write(tmp_path, f'[spreadsheet]\nid = "{url}"\n'))
    assert str(raised.value).endswith(
        "spreadsheet.id: a published link (.../spreadsheets/d/e/...) does not name the "
        "spreadsheet: use the address of the spreadsheet itself (.../spreadsheets/d/KEY/edit)"
    )


def test_example_config_loads_and_documents_every_key() -> None:
    example = ROOT / "config.example.toml"
    cfg = load(example)
    assert cfg.access is not None
    assert cfg.access.members[1] == Member(
        "bob@example.org", "commenter", dt.date(2025, 1, 1), dt.date(2026, 12, 31)
    )
    text = example.read_text(encoding="utf-8")
    for line in text.splitlines():
        if re.match(r"^[a-z_]+ = ", line):
            assert "#" in line, f"key without a comment: {line}"


@pytest.mark.skipif(not SPEC.exists(), reason="shared/SPEC.md is not beside this checkout")
def test_example_config_carries_every_key_of_spec_section_7() -> None:
    block = SPEC.read_text(encoding="utf-8").split("## 7. Configuration keys", 1)[1]
    spec_toml = block.split("```toml", 1)[1].split("```", 1)[0]
    spec_keys = keys(tomllib.loads(spec_toml))
    example_keys = keys(tomllib.loads((ROOT / "config.example.toml").read_text("utf-8")))
    assert spec_keys - example_keys == set()
    # and the SPEC's own block is accepted as written, but for its placeholder key "1AbC...xyz"
    spec = tomllib.loads(spec_toml.replace("1AbC...xyz", "1AbCdEfGhIjKlMnOp"))
    assert config.from_mapping(spec).access is not None


def test_missing_spreadsheet_id_is_named(tmp_path: Path) -> None:
    assert error_of(tmp_path, "[spreadsheet]\n") == "spreadsheet.id: missing (required)"
    assert error_of(tmp_path, "") == "spreadsheet: missing table"


def test_unknown_key_is_named_with_its_dotted_name(tmp_path: Path) -> None:
    text = '[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\n[retention]\nresolvd = "14 months"\n'
    assert error_of(tmp_path, text) == (
        "retention.resolvd: unknown key (see config.example.toml for the accepted keys)"
    )


def test_unknown_table_is_named(tmp_path: Path) -> None:
    text = '[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\n[acess]\nrole = "writer"\n'
    assert error_of(tmp_path, text).startswith("acess: unknown key")


def test_wrong_type_is_named(tmp_path: Path) -> None:
    text = '[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\nheader_row = "2"\n'
    assert error_of(tmp_path, text) == "spreadsheet.header_row: must be a whole number"
    text = '[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\n[retention]\nmax_expunge_per_run = true\n'
    assert error_of(tmp_path, text) == "retention.max_expunge_per_run: must be a whole number"


def test_bad_duration_is_named(tmp_path: Path) -> None:
    text = '[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\n[retention]\nresolved = "14 moons"\n'
    assert error_of(tmp_path, text) == (
        'retention.resolved: expected "N days", "N weeks", "N months" or "N years"'
    )


def test_bad_choices_are_named(tmp_path: Path) -> None:
    base = '[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\n'
    assert error_of(tmp_path, base + 'date_order = "DDMM"\n').startswith("spreadsheet.date_order:")
    assert error_of(tmp_path, base + 'timezone = "Mars/Base"\n').startswith("spreadsheet.timezone:")
    assert error_of(tmp_path, base + '[retention]\nrepeat_offence = "twice"\n').startswith(
        "retention.repeat_offence:"
    )


def test_timezone_naming_a_directory_names_the_key(tmp_path: Path) -> None:
    """ "Europe" is a directory of the time-zone database, not a zone: one line, not an
    internal error, from `run` and from `check` alike."""
    path = write(tmp_path, '[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\ntimezone = "Europe"\n')
    message = (
        "spreadsheet.timezone: unknown time zone 'Europe' (use an IANA name like Europe/Berlin)"
    )
    run = CliRunner().invoke(main, ["run", "--dry-run", "--config", str(path)])
    assert (run.exit_code, run.stdout, run.stderr) == (
        EXIT_ERROR,
        "",
        f"sheetbot: error: {message}\n",
    )
    check = CliRunner().invoke(main, ["check", "--config", str(path)])
    assert check.exit_code == EXIT_ERROR
    assert check.stdout.splitlines()[:2] == [
        f"fail  config: {message}",
        f"      fix: correct {path} (config.example.toml documents every key)",
    ]


def test_member_mistakes_are_named_by_index(tmp_path: Path) -> None:
    base = '[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\n[access]\n'
    assert error_of(tmp_path, base + 'members = ["not-an-email"]\n') == (
        "access.members[0]: is not an e-mail address"
    )
    assert (
        error_of(
            tmp_path, base + 'members = ["a@example.org", {email="b@example.org", role="owner"}]\n'
        )
        == 'access.members[1].role: must be "reader", "commenter" or "writer"'
    )
    assert (
        error_of(
            tmp_path,
            base + 'members = [{email="b@example.org", from=2026-01-01, until=2025-01-01}]\n',
        )
        == "access.members[0].until: is before from"
    )
    assert error_of(tmp_path, base + 'members = [{email="b@example.org", form=2026-01-01}]\n') == (
        "access.members[0].form: unknown key (see config.example.toml for the accepted keys)"
    )


def test_same_header_for_two_roles_is_refused(tmp_path: Path) -> None:
    text = '[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\n[columns]\nreporter = ["Outcome"]\n'
    assert (
        error_of(tmp_path, text)
        == "columns.reporter: header 'Outcome' is also configured as columns.outcome"
    )


def test_log_or_roster_tab_that_is_another_tab_is_refused(tmp_path: Path) -> None:
    # The audit log would be appended below the records (or the roster), as rows of them.
    base = '[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\n'
    assert error_of(tmp_path, base + 'log_tab = "records"\n') == (
        "spreadsheet.log_tab: is the tab of spreadsheet.records_tab; "
        "the audit log needs a tab of its own"
    )
    for tab, key in (("Records", "records_tab"), ("Retention log", "log_tab")):
        assert error_of(tmp_path, base + f'[access]\nroster_tab = "{tab}"\n') == (
            f"access.roster_tab: is the tab of spreadsheet.{key}; the roster needs a tab of its own"
        )
    load(write(tmp_path, base + 'log_tab = ""\n[access]\nroster_tab = "Roster"\n'))


def test_same_outcome_label_twice_is_refused(tmp_path: Path) -> None:
    text = '[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\n[outcomes]\nflagged = ["resolved"]\n'
    assert error_of(tmp_path, text) == (
        "outcomes.flagged: label 'resolved' is also listed under outcomes.resolved"
    )


def test_invalid_toml_is_one_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[spreadsheet\n")
    assert "not valid TOML" in message
    assert "\n" not in message


def test_config_file_not_in_utf8_is_one_line(tmp_path: Path) -> None:
    # A file saved as Latin-1 ("Réunions" typed in an old editor) was an "internal error".
    path = tmp_path / "sheetbot.toml"
    path.write_bytes(b'[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\nrecords_tab = "R\xe9unions"\n')
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(info.value) == f"{path}: not UTF-8 text (TOML files are UTF-8): save it as UTF-8"


def test_config_file_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    # Notepad's "UTF-8" adds one: the file was "not valid TOML: Invalid statement (at line
    # 1, column 1)", a mistake nobody could see.
    path = tmp_path / "sheetbot.toml"
    path.write_bytes(b'\xef\xbb\xbf[spreadsheet]\nid = "1AbCdEfGhIjKlMnOp"\n')
    assert load(path).spreadsheet.id == "1AbCdEfGhIjKlMnOp"


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0 days", Duration(0, "days")),
        ("1 week", Duration(1, "weeks")),
        ("14 Months", Duration(14, "months")),
        ("2 years", Duration(2, "years")),
    ],
)
def test_durations(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


def test_month_arithmetic_is_calendar_arithmetic() -> None:
    assert Duration(1, "months").after(dt.date(2025, 1, 31)) == dt.date(2025, 2, 28)
    assert Duration(14, "months").after(dt.date(2024, 12, 31)) == dt.date(2026, 2, 28)
    assert Duration(1, "years").after(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)


@pytest.mark.parametrize(
    "duration",
    [Duration(n, unit) for unit in ("days", "weeks", "months", "years") for n in (0, 1, 6, 14, 26)],
    ids=str,
)
def test_term_after_a_date_is_what_relativedelta_adds(duration: Duration) -> None:
    # Duration.after adds months to the first of the month, once per month (speed, SPEC 6):
    # the same as the relativedelta on every day of a leap year, the years around it and
    # the last days a date can take.
    start = dt.date(2023, 1, 1)
    days = [start + dt.timedelta(days=n) for n in range(3 * 366)]
    days += [dt.date.max - dt.timedelta(days=n) for n in range(800)]
    for day in days:
        try:
            wanted: dt.date | type[Exception] = day + duration.delta
        except (OverflowError, ValueError) as error:
            wanted = type(error)
        try:
            found: dt.date | type[Exception] = duration.after(day)
        except (OverflowError, ValueError) as error:
            found = type(error)
        assert (day, found) == (day, wanted)


def test_member_terms_of_office_are_inclusive() -> None:
    member = Member("a@example.org", None, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert not member.active_on(dt.date(2024, 12, 31))
    assert member.active_on(dt.date(2025, 1, 1))
    assert member.active_on(dt.date(2025, 12, 31))
    assert not member.active_on(dt.date(2026, 1, 1))


SHEET = "1DemoCoCIncidentRecords-sheetbot"


def test_as_of_defaults_to_today_in_the_configured_time_zone() -> None:
    """SPEC 2: "today" is the date in ``spreadsheet.timezone``, not the machine's. Kiritimati
    (UTC+14) and Pago Pago (UTC-11) are 25 hours apart: their dates always differ."""
    east = config.from_mapping({"spreadsheet": {"id": SHEET, "timezone": "Pacific/Kiritimati"}})
    west = config.from_mapping({"spreadsheet": {"id": SHEET, "timezone": "Pacific/Pago_Pago"}})
    assert (today(east) - today(west)).days in (1, 2)
