"""The transport (``sheetbot.google.client``): every failure Google or the network can produce
ends as one ``GoogleError`` with a one-line cause, never as an unexpected exception."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from sheetbot.errors import AccessDenied, GoogleError, Unavailable
from sheetbot.fake_google import FakeGoogle, serve
from sheetbot.google.client import GoogleClient, RetryPolicy

FAST = RetryPolicy(attempts=3, backoff=0.01, max_wait=0.05, timeout=5)


@contextlib.contextmanager
def _answering(reply: bytes) -> Iterator[str]:
    """A loopback server that answers every request with ``reply`` and closes the socket."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def loop() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(reply)

    threading.Thread(target=loop, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


# Headers promise 100 bytes; the connection drops after 6 (a connection lost mid-answer).
CUT_SHORT = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"spre'
)
# A server that is not Google (an API root pointing at a web page, a captive proxy).
WEB_PAGE = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>"


def test_connection_broken_mid_answer_is_unavailable_and_may_have_landed() -> None:
    with _answering(CUT_SHORT) as root:
        client = GoogleClient(credentials=None, api_root=root, retry=FAST)
        with pytest.raises(Unavailable) as read:
            client.request("get", client.sheets_url("s/values:batchGet"))
        with pytest.raises(Unavailable) as write:
            client.request("post", client.sheets_url("s/values:batchUpdateByDataFilter"), json={})
    assert "no answer from Google" in str(read.value)
    assert write.value.maybe_applied  # SheetWriter checks the rows before writing again
    assert "\n" not in str(write.value)


def test_retry_after_that_is_neither_seconds_nor_a_date_falls_back_to_backoff() -> None:
    fake = FakeGoogle()
    fake.add_spreadsheet("s", tabs={"Records": [["a"]]})
    fake.fail_next(path_contains="/values/", status=429, headers={"Retry-After": "1.5"})
    with serve(fake) as root:
        client = GoogleClient(credentials=None, api_root=root, retry=FAST)
        body = client.request("get", client.sheets_url("s/values/A1"))
    assert body["values"] == [["a"]]
    assert len(fake.requests) == 2


def test_an_answer_that_is_not_json_is_a_google_error() -> None:
    with _answering(WEB_PAGE) as root:
        client = GoogleClient(credentials=None, api_root=root, retry=FAST)
        with pytest.raises(GoogleError) as caught:
            client.request("get", client.sheets_url("s"))
    assert "not JSON" in str(caught.value)


@pytest.mark.parametrize(("asked", "waited"), [("2", 2.0), ("3600", 32.0)])
def test_retry_after_is_honoured_and_capped(
    monkeypatch: pytest.MonkeyPatch, asked: str, waited: float
) -> None:
    """SPEC 5: a 429 is retried after the seconds Google asks for, never longer than the
    policy's cap (``max_wait``, 32 s by default): a run fails within a known time."""
    sleeps: list[float] = []
    monkeypatch.setattr("urllib3.util.retry.time.sleep", sleeps.append)
    fake = FakeGoogle()
    fake.add_spreadsheet("s", tabs={"Records": [["a"]]})
    fake.fail_next(path_contains="/values/", status=429, headers={"Retry-After": asked})
    with serve(fake) as root:
        client = GoogleClient(credentials=None, api_root=root)  # the default policy
        body = client.request("get", client.sheets_url("s/values/A1"))
    assert body["values"] == [["a"]]
    assert sleeps == [waited]


def test_emulator_mode_sends_no_token() -> None:
    """SPEC 5: with an API root and no credentials configured, requests carry no token."""
    fake = FakeGoogle()
    fake.add_spreadsheet("s", tabs={"Records": [["a"]]})
    with serve(fake) as root:
        client = GoogleClient(credentials=None, api_root=root)
        client.request("get", client.sheets_url("s"))
    [request] = fake.requests
    names = {name.lower() for name in request.headers}
    assert "user-agent" in names  # the fake records the headers sent
    assert "authorization" not in names


def _sheet_failing(**fault: Any) -> FakeGoogle:
    """A fake holding one small sheet, whose next matching request fails (``fail_next``)."""
    fake = FakeGoogle()
    fake.add_spreadsheet("s", tabs={"Records": [["a"]]})
    fake.fail_next(**fault)
    return fake


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between retries (urllib3's ``Retry.sleep``), recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr("urllib3.util.retry.time.sleep", waits.append)
    return waits


def _client(root: str) -> GoogleClient:
    return GoogleClient(credentials=None, api_root=root, retry=FAST)


ABOUT = "/drive/v3/about"


def test_drive_rate_limit_403_is_retried_with_backoff_like_a_429(sleeps: list[float]) -> None:
    """Drive answers its rate limits with "403: User rate limit exceeded" and asks for
    exponential backoff: the request is sent again after each wait, and goes through."""
    fake = _sheet_failing(path_contains=ABOUT, status=403, reason="userRateLimitExceeded", times=2)
    with serve(fake) as root:
        client = _client(root)
        body = client.request("get", client.drive_url("about?fields=user"))
    assert "user" in body
    assert [r.path for r in fake.requests] == [ABOUT] * 3
    assert sleeps == [0.01]  # urllib3's backoff: none before the first retry, then doubling


def test_a_rate_limit_403_honours_retry_after(sleeps: list[float]) -> None:
    limited = {"status": 403, "reason": "rateLimitExceeded", "headers": {"Retry-After": "2"}}
    fake = _sheet_failing(path_contains=ABOUT, **limited)
    with serve(fake) as root:
        client = _client(root)
        client.request("get", client.drive_url("about?fields=user"))
    assert len(fake.requests) == 2
    assert sleeps == [FAST.max_wait]  # asked 2 s, capped by the policy


def test_a_rate_limit_that_lasts_fails_as_unavailable_after_the_attempts(
    sleeps: list[float],
) -> None:
    fake = _sheet_failing(path_contains=ABOUT, status=403, reason="rateLimitExceeded", times=10)
    with serve(fake) as root:
        client = _client(root)
        with pytest.raises(Unavailable) as caught:
            client.request("get", client.drive_url("about?fields=user"))
    assert str(caught.value) == (
        "Drive GET request failed after retries (403): Rate Limit Exceeded"
    )
    assert not caught.value.maybe_applied  # refused unread, as a 429
    assert len(fake.requests) == FAST.attempts


def test_rate_limits_and_server_errors_share_one_budget_of_attempts(sleeps: list[float]) -> None:
    """A 503, a rate limit, then 503s again: one request is sent at most ``attempts`` times
    in all (README, Faults), not ``attempts`` times per kind of failure."""
    fake = _sheet_failing(path_contains=ABOUT, status=503)
    fake.fail_next(path_contains=ABOUT, status=403, reason="userRateLimitExceeded")
    fake.fail_next(path_contains=ABOUT, status=503, times=20)
    with serve(fake) as root:
        client = _client(root)
        with pytest.raises(Unavailable) as caught:
            client.request("get", client.drive_url("about?fields=user"))
    assert len(fake.requests) == FAST.attempts
    assert "(503)" in str(caught.value)


def test_a_sheets_rate_limit_403_in_the_errorinfo_shape_is_retried(sleeps: list[float]) -> None:
    fake = _sheet_failing(path_contains="/values/", status=403, reason="RATE_LIMIT_EXCEEDED")
    with serve(fake) as root:
        client = _client(root)
        body = client.request("get", client.sheets_url("s/values/A1"))
    assert body["values"] == [["a"]]
    assert len(fake.requests) == 2


def test_a_403_that_is_no_rate_limit_is_a_refusal_not_retried(sleeps: list[float]) -> None:
    fake = _sheet_failing(path_contains=ABOUT, status=403)  # reason "forbidden"
    with serve(fake) as root:
        client = _client(root)
        with pytest.raises(AccessDenied):
            client.request("get", client.drive_url("about?fields=user"))
    assert len(fake.requests) == 1
    assert sleeps == []


def test_the_checked_write_is_not_resent_after_a_rate_limit(sleeps: list[float]) -> None:
    """As after a 429: ``SheetWriter`` checks the rows again before sending it again."""
    path = "/values:batchUpdateByDataFilter"
    fake = _sheet_failing(path_contains=path, status=403, reason="RATE_LIMIT_EXCEEDED")
    with serve(fake) as root:
        client = _client(root)
        with pytest.raises(Unavailable) as caught:
            client.request("post", client.sheets_url("s" + path), json={"data": []})
    assert not caught.value.maybe_applied
    assert len(fake.requests) == 1
    assert sleeps == []
