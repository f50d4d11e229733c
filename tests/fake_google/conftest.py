"""Fixtures for the fake Google API tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import gspread
import pytest
import responses

from sheetbot.fake_google import FakeGoogle, gspread_client, mount

BOT = "sheetbot@proj.iam.gserviceaccount.com"


class Api:
    """Calls ``fake.handle`` directly and decodes the JSON answer."""

    def __init__(self, fake: FakeGoogle) -> None:
        self.fake = fake

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        url = path + ("?" + urlencode(query, doseq=True) if query else "")
        data = json.dumps(body).encode() if body is not None else b""
        status, _, raw = self.fake.handle(method, url, headers or {}, data)
        return status, json.loads(raw) if raw else None


@pytest.fixture
def fake() -> FakeGoogle:
    return FakeGoogle(user_email=BOT)


@pytest.fixture
def api(fake: FakeGoogle) -> Api:
    return Api(fake)


@pytest.fixture
def root(fake: FakeGoogle) -> Iterator[str]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield mount(fake, rsps)


@pytest.fixture
def gc(root: str) -> gspread.Client:
    return gspread_client(root)
