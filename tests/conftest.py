"""Shared fixtures: the fake Google API served on loopback, and a config file pointing at it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from sheetbot import demo, demo_sheet
from sheetbot.fake_google.core import FakeGoogle
from sheetbot.fake_google.transports import serve

AS_OF = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _no_ambient_google(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's own credentials or API root."""
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "SHEETBOT_GOOGLE_API_ROOT", "SHEETBOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def demo_fake() -> Iterator[tuple[FakeGoogle, str]]:
    """The demo sheet (as of AS_OF) in a fake served on 127.0.0.1: (fake, root)."""
    with demo.demo_server(AS_OF) as served:
        yield served


@pytest.fixture
def served() -> Iterator[tuple[FakeGoogle, str]]:
    """An empty fake served on 127.0.0.1: (fake, root). Add spreadsheets to it."""
    fake = FakeGoogle(user_email=demo.DEMO_BOT)
    with serve(fake) as root:
        yield fake, root


def write_config(tmp_path: Path, root: str, extra: str = "", sheet_id: str = demo.DEMO_ID) -> Path:
    """A config file for ``sheet_id`` on the fake at ``root``; ``extra`` is appended TOML."""
    path = tmp_path / "sheetbot.toml"
    path.write_text(
        f'[spreadsheet]\nid = "{sheet_id}"\ntimezone = "Europe/London"\n'
        f'[google]\napi_root = "{root}"\n{extra}',
        encoding="utf-8",
    )
    return path


def demo_pii() -> set[str]:
    return demo_sheet.personal_data(AS_OF)


def assert_no_pii(text: str, pii: set[str]) -> None:
    leaked = sorted(value for value in pii if value.casefold() in text.casefold())
    assert leaked == [], f"personal data in output: {leaked}"
