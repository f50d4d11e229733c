"""The command line: parse, call the library, render, exit code.

The only module that knows click.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from sheetbot import __version__, health, logs
from sheetbot import config as config_mod
from sheetbot.errors import ConfigError, SheetbotError
from sheetbot.report import RunReport, render_json, render_text

# Exit codes (documented in the README).
EXIT_OK = 0  # success
EXIT_ERROR = (
    1  # error: configuration, Google, the sheet's shape; nothing or a consistent part written
)
EXIT_USAGE = 2  # the command line itself is wrong (click's own code)
EXIT_ATTENTION = 3  # success, but some records need attention
EXIT_REFUSED = 4  # a safety guard refused (mass expunge, access change); nothing it guards written

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("sheetbot")


def exit_code(report: RunReport) -> int:
    """An error that needs the operator's action (a warning: the audit log, the sharing, rows
    to check) wins over a refusal, which wins over records that need attention."""
    if report.warnings:
        return EXIT_ERROR
    refused = report.plan.refusal is not None or (
        report.access is not None and report.access.refused is not None
    )
    if refused:
        return EXIT_REFUSED
    if report.plan.problems:
        return EXIT_ATTENTION
    return EXIT_OK


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """One line on stderr: plain text, or a JSON log line under ``--log-format json``.

    Whatever ``--log-level``: the cause of a failed run is the command's output, not a log
    message that a level may filter away (the handler is called directly)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().params.get("log_format") == "json":
        log.handle(log.makeRecord(log.name, logging.ERROR, __file__, 0, message, (), None))
    else:
        click.echo(f"sheetbot: error: {message}", err=True)
    sys.exit(code)


def internal_error(exc: BaseException) -> NoReturn:
    """An unexpected exception: name where, never its message (it could quote a cell)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    fail(
        f"internal error ({type(exc).__name__} at {where}); please report it. "
        "Nothing more was written."
    )


class DateParam(click.ParamType):  # type: ignore[type-arg]
    name = "YYYY-MM-DD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date like 2025-01-31", param, ctx)


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path),  # a directory: ``config.load`` says so, exit 1
        envvar=config_mod.CONFIG_ENV,
        show_envvar=True,
        help="The TOML configuration file.",
    )(func)


def load_config(path: Path | None) -> config_mod.Config:
    if path is None:
        raise ConfigError(f"no configuration: pass --config FILE or set {config_mod.CONFIG_ENV}")
    return config_mod.load(path)


def emit(report: RunReport, fmt: str) -> None:
    click.echo(render_json(report) if fmt == "json" else render_text(report), nl=False)


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        envvar="SHEETBOT_FORMAT",
        show_envvar=True,
        show_default=True,
        help="How to print the report.",
    )(func)


def as_of_option(today: str) -> Callable[[F], F]:
    return click.option(
        "--as-of",
        type=DateParam(),
        envvar="SHEETBOT_AS_OF",
        show_envvar=True,
        help=f"Decide as if today were this date (default: today in {today}).",
    )


LOG_LEVEL = click.Choice(logs.LEVELS, case_sensitive=False)
LOG_LEVEL_HELP = "The least severe log message written to stderr."
LOG_FORMAT_HELP = "Logs on stderr: 'LEVEL message' lines, or one JSON object per line."


def _log_option_after_command(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """``sheetbot run --log-format json``: the option given after the command wins over the
    one before it (and the environment); logging is set up again, and ``fail`` sees it."""
    if value is None or param.name is None:
        return
    root = ctx.find_root()
    root.params[param.name] = value
    logs.setup(root.params["log_level"], root.params["log_format"])


def log_options(func: F) -> F:
    """``--log-level`` and ``--log-format`` after the command too: an operator adding them to a
    cron line writes them where the other options are."""
    for name, kind, text in (
        ("--log-format", click.Choice(logs.FORMATS), LOG_FORMAT_HELP),
        ("--log-level", LOG_LEVEL, LOG_LEVEL_HELP),
    ):
        func = click.option(
            name,
            type=kind,
            default=None,
            expose_value=False,
            callback=_log_option_after_command,
            help=f"{text} As before the command; given here, it wins.",
        )(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sheetbot")
@click.option(
    "--log-level",
    type=LOG_LEVEL,
    default=logs.DEFAULT_LEVEL,
    envvar=logs.LOG_LEVEL_ENV,
    show_envvar=True,
    show_default=True,
    help=LOG_LEVEL_HELP,
)
@click.option(
    "--log-format",
    type=click.Choice(logs.FORMATS),
    default=logs.DEFAULT_FORMAT,
    envvar=logs.LOG_FORMAT_ENV,
    show_envvar=True,
    show_default=True,
    help=LOG_FORMAT_HELP,
)
def main(log_level: str, log_format: str) -> None:
    """Keep a Code of Conduct committee's incident spreadsheet true to its record-keeping policy.

    sheetbot reads the records tab, works out when each record's personal data must go,
    blanks the expired cells (keeping the general information), makes the sheet's sharing
    match the committee roster, and reports what it did without printing personal data.
    """
    logs.setup(log_level, log_format)


@main.command()
@config_option
@click.option(
    "--dry-run",
    is_flag=True,
    envvar="SHEETBOT_DRY_RUN",
    show_envvar=True,
    help="Print the plan and stop: no write request is sent.",
)
@as_of_option("spreadsheet.timezone")
@format_option
@click.option(
    "--allow-mass-expunge",
    is_flag=True,
    envvar="SHEETBOT_ALLOW_MASS_EXPUNGE",
    show_envvar=True,
    help="Let a reviewed run expunge more than retention.max_expunge_per_run records.",
)
@click.option(
    "--ping-url",
    metavar="URL",
    envvar=health.PING_URL_ENV,
    show_envvar=True,
    help="Dead man's switch (healthchecks.io style): URL/start, then URL/<exit code>.",
)
@click.option(
    "--webhook-url",
    metavar="URL",
    envvar=health.WEBHOOK_URL_ENV,
    show_envvar=True,
    help="Slack-compatible webhook: one line of counts per run, never personal data.",
)
@log_options
def run(
    config_path: Path | None,
    dry_run: bool,
    as_of: dt.date | None,
    fmt: str,
    allow_mass_expunge: bool,
    ping_url: str | None,
    webhook_url: str | None,
) -> None:
    """Plan every record's retention, then apply it (the cron entry point).

    \b
    Exit codes:
      0 success
      1 error (the report still prints when cells were written)
      2 the command line is wrong
      3 success, but some records need attention
      4 refused by a safety guard (mass expunge, or the access change)
    """
    from sheetbot import run as run_mod

    signals = health.Signals(ping_url=ping_url, webhook_url=webhook_url)
    signals.start()
    try:
        config = load_config(config_path)
        report = run_mod.execute(
            config,
            as_of=as_of or run_mod.today(config),
            dry_run=dry_run,
            allow_mass_expunge=allow_mass_expunge,
        )
        emit(report, fmt)
        code = exit_code(report)
    except SheetbotError as exc:
        signals.finish(None, EXIT_ERROR)
        fail(str(exc))
    except Exception as exc:  # the last line of defence against leaking a cell's value
        signals.finish(None, EXIT_ERROR)
        internal_error(exc)
    signals.finish(report, code)
    sys.exit(code)


@main.command()
@as_of_option("the demo sheet's time zone, Europe/London")
@format_option
@log_options
def demo(as_of: dt.date | None, fmt: str) -> None:
    """Dry-run the real code on a built-in example sheet served by the fake Google API.

    No Google account is needed: the fake listens on 127.0.0.1 only while this runs.
    """
    from sheetbot import demo as demo_mod

    try:
        report, intro = demo_mod.run_demo(as_of=as_of)
        click.echo(intro, err=True)
        emit(report, fmt)
        click.echo(
            f"(`sheetbot run` would exit with {exit_code(report)} here: the demo sheet has rows "
            "that need attention on purpose. The demo itself exits 0.)",
            err=True,
        )
    except SheetbotError as exc:
        fail(str(exc))
    except Exception as exc:  # as for `run`: the type and place, never the message
        internal_error(exc)


@main.command()
@config_option
@as_of_option("spreadsheet.timezone")
@format_option
@log_options
def check(config_path: Path | None, as_of: dt.date | None, fmt: str) -> None:
    """Check the setup, writing nothing: configuration, credentials, the spreadsheet, the
    bot's rights, headers, dates and, with [access], the roster and link sharing.

    Exits 1 when a check fails (`sheetbot run` would fail or be refused), else 0.
    """
    from sheetbot import check as check_mod

    render = check_mod.render_json if fmt == "json" else check_mod.render_text
    try:
        report = check_mod.run_checks(config_path, as_of=as_of)
        click.echo(render(report), nl=False)
    except SheetbotError as exc:
        fail(str(exc))
    except Exception as exc:  # the last line of defence against leaking a cell's value
        internal_error(exc)
    sys.exit(report.exit_code)
