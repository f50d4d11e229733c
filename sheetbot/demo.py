"""``sheetbot demo``: the real ``run --dry-run`` path against the built-in example sheet.

The fake Google API serves the invented sheet of ``demo_sheet`` on 127.0.0.1 for the length
of the run; the bot reaches it through gspread over real HTTP, exactly as it reaches Google.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
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
