"""Real credentials against the fake: a service-account key file whose token endpoint is the
fake, so that the whole OAuth flow runs on loopback. Nothing may leave loopback."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from click.testing import CliRunner

from sheetbot import demo
from sheetbot.cli import EXIT_ATTENTION, EXIT_ERROR, main
from sheetbot.fake_google.core import FakeGoogle, RequestRecord
from tests.conftest import AS_OF, service_account_key, write_config

BOT = "sheetbot@demo-project.iam.gserviceaccount.com"


def key_file(tmp_path: Path, token_uri: str) -> Path:
    path = tmp_path / "key.json"
    service_account_key(path, token_uri, BOT)
    return path


def config_with_key(tmp_path: Path, root: str, key: Path) -> Path:
    """A config for the demo sheet on the fake at ``root``, authenticating with ``key``."""
    config = write_config(tmp_path, root)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[google]\n", f'[google]\ncredentials = "{key}"\n'), "utf-8")
    return config


@pytest.fixture
def contacted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every URL any part of the process (google-auth's threads included) tries to reach."""
    urls: list[str] = []
    real_send = requests.adapters.HTTPAdapter.send

    def send(self: requests.adapters.HTTPAdapter, request: Any, **kwargs: Any) -> Any:
        urls.append(str(request.url))
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return urls


def settle() -> None:
    """Give any background thread google-auth started the time to send what it would send."""
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and threading.active_count() > 2:
        time.sleep(0.05)
    time.sleep(0.2)


def run_cli(config: Path, *args: str) -> tuple[int, str, str]:
    argv = ["run", "--config", str(config), "--as-of", AS_OF.isoformat(), *args]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_service_account_key_file_runs_on_loopback_only(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path, contacted: list[str]
) -> None:
    fake, root = demo_fake
    fake.require_auth = True
    key = key_file(tmp_path, root + "/token")
    config = config_with_key(tmp_path, root, key)
    code, _out, err = run_cli(config, "--dry-run")
    assert code == EXIT_ATTENTION, err
    settle()
    assert [r for r in fake.requests if r.api == "token"] != []
    hosts = {urlsplit(url).hostname for url in contacted}
    assert hosts == {"127.0.0.1"}


def test_token_expiry_mid_run_is_survived(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = demo_fake
    fake.require_auth = True
    key = key_file(tmp_path, root + "/token")
    config = config_with_key(tmp_path, root, key)
    fired: list[bool] = []

    def expire_before_first_write(record: RequestRecord) -> None:
        if record.is_write and not fired:
            fired.append(True)
            fake.expire_tokens()

    fake.before_request(expire_before_first_write)
    code, out, err = run_cli(config, "--format", "json")
    assert code == EXIT_ATTENTION, err
    assert json.loads(out)["written"] != []
    assert len([r for r in fake.requests if r.api == "token"]) == 2
    assert fake.metadata(demo.DEMO_ID) == []  # the run finished: its row tags are gone


def test_key_file_pointing_outside_loopback_is_refused_in_emulator_mode(
    demo_fake: tuple[FakeGoogle, str], tmp_path: Path, contacted: list[str]
) -> None:
    _fake, root = demo_fake
    key = key_file(tmp_path, "https://oauth2.googleapis.com/token")
    config = config_with_key(tmp_path, root, key)
    code, out, err = run_cli(config, "--dry-run")
    assert code == EXIT_ERROR
    assert out == ""
    assert err.startswith("sheetbot: error: could not get an access token from Google")
    assert "oauth2.googleapis.com" in err
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in contacted)


def test_missing_key_file_is_a_config_error(tmp_path: Path) -> None:
    config = config_with_key(tmp_path, "http://127.0.0.1:9", Path("/nowhere/key.json"))
    code, out, err = run_cli(config, "--dry-run")
    assert code == EXIT_ERROR
    assert out == ""
    assert err == "sheetbot: error: google.credentials: key file not found: /nowhere/key.json\n"


@pytest.mark.parametrize("kind", ["missing", "not a key"])
def test_bad_key_file_named_by_the_environment_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """GOOGLE_APPLICATION_CREDENTIALS is set, to a file that is missing or is no key: the
    message names the variable and the file, not "set GOOGLE_APPLICATION_CREDENTIALS"."""
    path = tmp_path / "key.json"
    if kind == "not a key":
        path.write_text("{}", encoding="utf-8")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    config = write_config(tmp_path, "http://127.0.0.1:9")
    code, out, err = run_cli(config, "--dry-run")
    reason = "key file not found" if kind == "missing" else "not a credentials file"
    assert (code, out) == (EXIT_ERROR, "")
    assert err == f"sheetbot: error: GOOGLE_APPLICATION_CREDENTIALS: {reason}: {path}\n"


@pytest.mark.parametrize("where", ["environment", "config"])
def test_bad_api_root_names_where_it_was_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """The environment wins over the config file: the message names the one that was read."""
    if where == "environment":
        monkeypatch.setenv("SHEETBOT_GOOGLE_API_ROOT", "127.0.0.1:8765")
        config = write_config(tmp_path, "http://127.0.0.1:9")
        source = "SHEETBOT_GOOGLE_API_ROOT"
    else:
        monkeypatch.delenv("SHEETBOT_GOOGLE_API_ROOT", raising=False)
        config = write_config(tmp_path, "127.0.0.1:8765")
        source = "google.api_root"
    code, out, err = run_cli(config, "--dry-run")
    assert (code, out) == (EXIT_ERROR, "")
    assert err == (f"sheetbot: error: {source}: expected http://HOST:PORT, got '127.0.0.1:8765'\n")


def test_key_file_path_naming_a_directory_names_the_key(tmp_path: Path) -> None:
    config = config_with_key(tmp_path, "http://127.0.0.1:9", tmp_path)
    code, out, err = run_cli(config, "--dry-run")
    assert code == EXIT_ERROR
    assert out == ""
    assert err == (
        f"sheetbot: error: google.credentials: cannot read the key file {tmp_path}: "
        "Is a directory\n"
    )


def test_not_shared_names_the_service_account_to_share_with(
    served: tuple[FakeGoogle, str], tmp_path: Path
) -> None:
    fake, root = served
    fake.add_spreadsheet(demo.DEMO_ID, bot_role=None, tabs={"Records": [["x"]]})
    config = config_with_key(tmp_path, root, key_file(tmp_path, root + "/token"))
    code, out, err = run_cli(config, "--dry-run")
    assert code == EXIT_ERROR
    assert out == ""
    assert err == (
        f"sheetbot: error: the bot's account cannot open spreadsheet {demo.DEMO_ID}: "
        f"share it with {BOT} (Editor)\n"
    )
