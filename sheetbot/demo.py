"""``sheetbot demo``: the real ``run --dry-run`` path against the built-in example sheet.

The fake Google API serves the invented sheet of ``demo_sheet`` on 127.0.0.1 for the length
of the run; the bot reaches it through gspread over real HTTP, exactly as it reaches Google.

``python -m sheetbot.demo [--as-of DATE] [--port N] [--config PATH]`` serves the same sheet
until Ctrl-C and writes the demo's configuration (with ``[google] api_root``) as a TOML
file, so that ``sheetbot check`` and a real, writing ``sheetbot run`` can be tried by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sheetbot import demo_sheet
from sheetbot.config import Config, from_mapping
from sheetbot.fake_google.core import FakeGoogle
from sheetbot.fake_google.transports import serve
from sheetbot.google.client import GoogleClient
from sheetbot.report import RunReport
from sheetbot.run import execute, today

DEMO_ID = "1DemoCoCIncidentRecords-sheetbot"
DEMO_BOT = "sheetbot-demo@demo-project.iam.gserviceaccount.com"
DEMO_LOCALE = "en_GB"


def demo_settings() -> dict[str, Any]:
    """The demo's configuration, as it would stand in a TOML file."""
    return {
        "spreadsheet": {"id": DEMO_ID, "timezone": "Europe/London"},
        "retention": {"max_expunge_per_run": 25},
        "access": {
            "members": [
                "chair@example.org",
                "alice@example.org",
                {"email": "bob@example.org", "role": "commenter"},
                {"email": "frankie@example.org", "until": dt.date(2026, 6, 30)},
            ],
        },
    }


def demo_config() -> Config:
    return from_mapping(demo_settings())


def build_fake(as_of: dt.date) -> FakeGoogle:
    fake = FakeGoogle(user_email=DEMO_BOT)
    fake.add_spreadsheet(
        DEMO_ID,
        title="CoC incident records (invented demo data)",
        locale=DEMO_LOCALE,
        time_zone="Europe/London",
        tabs={"Records": demo_sheet.rows(as_of)},
        owner="chair@example.org",
        permissions=[
            {"type": "user", "role": "writer", "emailAddress": "alice@example.org"},
            {"type": "user", "role": "writer", "emailAddress": "frankie@example.org"},
            {"type": "user", "role": "reader", "emailAddress": "visitor@mail.test"},
            {"type": "anyone", "role": "reader"},
        ],
    )
    return fake


@contextmanager
def demo_server(as_of: dt.date) -> Iterator[tuple[FakeGoogle, str]]:
    """The fake, holding the demo sheet, served on loopback: yields (fake, API root)."""
    fake = build_fake(as_of)
    with serve(fake) as root:
        yield fake, root


def run_demo(as_of: dt.date | None = None) -> tuple[RunReport, str]:
    """Dry-run the demo sheet; returns the report and a one-line introduction."""
    config = demo_config()
    day = as_of or today(config)  # "today" in the demo's spreadsheet.timezone, as `run` does
    with demo_server(day) as (_fake, root):
        client = GoogleClient(credentials=None, api_root=root)
        report = execute(config, as_of=day, dry_run=True, client=client)
    count = len(demo_sheet.records(day))
    intro = (
        f"Demo: the fake Google API on {root} served an invented spreadsheet "
        f"({count} records, locale {DEMO_LOCALE}); this is `sheetbot run --dry-run` on it."
    )
    return report, intro


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string, for the demo's plain ASCII values
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {type(value).__name__}")


def settings_toml(settings: dict[str, Any]) -> str:
    """A configuration mapping (tables of plain values) as the text of a TOML file."""
    return "\n".join(
        f"[{name}]\n" + "".join(f"{key} = {_toml_value(v)}\n" for key, v in table.items())
        for name, table in settings.items()
    )


def demo_toml(api_root: str) -> str:
    """The demo's configuration file, pointed at a fake Google API on ``api_root``."""
    return settings_toml({**demo_settings(), "google": {"api_root": api_root}})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sheetbot.demo",
        description="Serve the demo sheet on the fake Google API until Ctrl-C, and write a "
        "configuration that points sheetbot at it.",
    )
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, metavar="DATE")
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    parser.add_argument("--config", type=Path, default=None, metavar="PATH")
    args = parser.parse_args(argv)
    day = args.as_of or today(demo_config())
    path = args.config or Path(tempfile.mkdtemp(prefix="sheetbot-demo-")) / "demo.toml"
    with serve(build_fake(day), "127.0.0.1", args.port) as root:
        path.write_text(demo_toml(root), encoding="utf-8")
        print(
            f"fake Google API at {root}, serving the demo sheet as of {day} (Ctrl-C to stop)\n"
            f"config written to {path}; try, in another shell:\n"
            f"  sheetbot check --config {path} --as-of {day}\n"
            f"  sheetbot run --config {path} --as-of {day} --dry-run\n"
            f"  sheetbot run --config {path} --as-of {day}    (writes to the fake only)",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
