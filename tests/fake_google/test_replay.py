"""Replay gspread's recorded exchanges with Google (``/work/shared/google-api/recorded``)
against the fake and compare status codes and JSON answers.

Derived state and skipped interactions (none of them is part of the fake's surface):
- ``POST drive/v3/files`` (files.create): the spreadsheet is pre-created in the fake with
  the recorded id and name and Google's defaults (one ``Sheet1`` of 1000x26, en_US,
  Etc/GMT); the interaction itself is not replayed.
- ``DELETE drive/v3/files/ID`` (files.delete): the spreadsheet is removed from the fake;
  not replayed.
- An id that Google answered 403 for is pre-created without access for the caller.
Google's random sheet ids are mapped to the fake's when a recorded request names them;
``createdTime``/``modifiedTime`` and ``sheetId`` values are compared by type only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from sheetbot.fake_google import FakeGoogle

RECORDED = Path(os.environ.get("SHEETBOT_GOOGLE_API_DIR", "/work/shared/google-api")) / "recorded"
CASSETTES = sorted(RECORDED.glob("*Test.*.json"))
HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
VOLATILE = {"createdTime", "modifiedTime", "sheetId"}


def _relative(uri: str) -> str:
    for host in HOSTS:
        if uri.startswith(host):
            return uri[len(host) :]
    raise AssertionError(uri)


def _shape_diff(expected: Any, actual: Any, where: str = "$") -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected object, got {actual!r}"]
        problems = []
        if set(expected) != set(actual):
            problems.append(f"{where}: keys {sorted(expected)} != {sorted(actual)}")
        for key in set(expected) & set(actual):
            if key in VOLATILE:
                if type(expected[key]) is not type(actual[key]):
                    problems.append(f"{where}.{key}: type differs")
                continue
            problems += _shape_diff(expected[key], actual[key], f"{where}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return [f"{where}: expected {expected!r}, got {actual!r}"]
        return [
            p
            for e, a in zip(expected, actual, strict=True)
            for p in _shape_diff(e, a, f"{where}[]")
        ]
    if type(expected) is not type(actual) or expected != actual:
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    return []


def _remap_sheet_ids(value: Any, mapping: dict[int, int]) -> Any:
    if isinstance(value, dict):
        return {
            k: (
                mapping.get(v, v)
                if k == "sheetId" and isinstance(v, int)
                else _remap_sheet_ids(v, mapping)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_remap_sheet_ids(v, mapping) for v in value]
    return value


def _learn_sheet_ids(expected: Any, actual: Any, mapping: dict[int, int]) -> None:
    for exp, act in zip(expected.get("replies", []), actual.get("replies", []), strict=False):
        if "addSheet" in exp and "addSheet" in act:
            mapping[exp["addSheet"]["properties"]["sheetId"]] = act["addSheet"]["properties"][
                "sheetId"
            ]


def replay(path: Path) -> tuple[int, list[str]]:
    interactions = json.loads(path.read_text())["interactions"]
    fake = FakeGoogle()
    created = {
        json.loads(i["response"]["body"]["string"])["id"]
        for i in interactions
        if i["request"]["method"] == "POST"
        and _relative(i["request"]["uri"]).startswith("/drive/v3/files?")
    }
    for i in interactions:
        rel = _relative(i["request"]["uri"])
        if i["response"]["status"]["code"] == 403 and rel.startswith("/v4/spreadsheets/"):
            sid = rel.split("/")[3].split("?")[0]
            if sid not in created:
                fake.add_spreadsheet(
                    sid, title="Private", owner="someone@example.org", bot_role=None
                )
    mapping: dict[int, int] = {}
    replayed = 0
    problems: list[str] = []
    for n, inter in enumerate(interactions):
        req, resp = inter["request"], inter["response"]
        rel = _relative(req["uri"])
        if req["method"] == "POST" and rel.startswith("/drive/v3/files?"):
            made = json.loads(resp["body"]["string"])
            fake.add_spreadsheet(
                made["id"], title=json.loads(req["body"])["name"], owner=fake.user_email
            )
            continue
        if req["method"] == "DELETE" and rel.startswith("/drive/v3/files/"):
            fake.remove_spreadsheet(rel.split("/")[4].split("?")[0])
            continue
        body = req["body"]
        data = b""
        if body:
            data = json.dumps(_remap_sheet_ids(json.loads(body), mapping)).encode()
        status, _, raw = fake.handle(req["method"], rel, {}, data)
        replayed += 1
        where = f"{path.name}#{n} {req['method']} {rel}"
        if status != resp["status"]["code"]:
            problems.append(f"{where}: status {status} != {resp['status']['code']}: {raw[:200]!r}")
            continue
        expected_text = resp["body"]["string"]
        if not expected_text:
            if raw:
                problems.append(f"{where}: expected an empty body")
            continue
        expected = json.loads(expected_text)
        actual = json.loads(raw)
        problems += [f"{where}: {p}" for p in _shape_diff(expected, actual)]
        if isinstance(expected, dict):
            _learn_sheet_ids(expected, actual, mapping)
    return replayed, problems


def test_cassettes_are_present() -> None:
    assert len(CASSETTES) >= 14


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda p: p.stem)
def test_replay_matches_google(cassette: Path) -> None:
    replayed, problems = replay(cassette)
    assert replayed > 0
    assert problems == []
