"""Shared fixtures: the fake Google API served on loopback, and a config file pointing at it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

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


def service_account_key(path: Path, token_uri: str, email: str) -> str:
    """Write a real service-account key file (a fresh RSA key) whose token endpoint is
    ``token_uri`` (the fake's ``ROOT/token``); returns the private key's PEM text."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "demo-project",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": email,
        "client_id": "1",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(info), encoding="utf-8")
    return pem


def demo_pii() -> set[str]:
    return demo_sheet.personal_data(AS_OF)


def assert_no_pii(text: str, pii: set[str]) -> None:
    leaked = sorted(value for value in pii if value.casefold() in text.casefold())
    assert leaked == [], f"personal data in output: {leaked}"
