"""The transport: credentials, the API root, bounded retries, and Google's errors in one place.

Everything the bot sends to Google goes through ``GoogleClient.request``. It:

- rewrites Google's hosts to the configured API root (``SHEETBOT_GOOGLE_API_ROOT`` or
  ``[google] api_root``), so Sheets calls go to ``ROOT/v4/spreadsheets/...`` and Drive calls to
  ``ROOT/drive/v3/...``; with a root and no credentials configured, requests carry no token;
- retries 429 and 5xx answers and dropped connections with urllib3's ``Retry``: exponential
  backoff, ``Retry-After`` honoured but capped, a bounded number of attempts, a per-request
  timeout; so a run that cannot get through fails within a known time (gspread 6.2.1's own
  ``BackOffHTTPClient`` retries without end, so it is not used); and Drive's rate limits,
  which it answers with a 403 (``rate_limited``), the same way and within the same attempts
  (``_GoogleAdapter``);
- never re-sends a request that is not idempotent (``values.append``, permission creation,
  structural ``spreadsheets.batchUpdate``) after an answer that may mean it was applied,
  nor the write of checked rows (``_checked_write``), which its caller checks again first;
- turns every HTTP failure into one ``GoogleError`` subclass with a one-line cause.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import google.auth
import google.auth.credentials
import gspread
import requests
from google.auth.exceptions import DefaultCredentialsError, RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession
from google.auth.transport.requests import Request as AuthRequest
from google.oauth2 import service_account
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader, MaxRetryError
from urllib3.util.retry import Retry

from sheetbot.errors import (
    AccessDenied,
    ConfigError,
    GoogleError,
    NotFound,
    Rejected,
    Unavailable,
)

API_ROOT_ENV = "SHEETBOT_GOOGLE_API_ROOT"
SHEETS_HOST = "https://sheets.googleapis.com"
DRIVE_HOST = "https://www.googleapis.com"

SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Worst case for one request, Google silent: attempts × timeout +
    (attempts-1) × max_wait (``timeout`` bounds each silence, not an answer that keeps coming)."""

    attempts: int = 5
    backoff: float = 1.0  # seconds; doubles each retry
    max_wait: float = 32.0  # cap on one wait, Retry-After included
    timeout: float = 30.0  # seconds of silence per attempt: to connect, and between reads


DEFAULT_RETRY = RetryPolicy()


def _checked_write(method: str, path: str) -> bool:
    """The write of the rows a run checked right before (``values:batchUpdateByDataFilter``).

    Never re-sent by the transport, not even after a 429 or a dropped connection: a re-send
    after a wait would write rows checked before the wait, and a committee member may have
    changed them since. ``SheetWriter`` checks the rows again, then sends it again."""
    return method.upper() == "POST" and path.endswith("/values:batchUpdateByDataFilter")


def _idempotent(method: str, path: str) -> bool:
    """Whether sending this request twice has the same effect as sending it once."""
    if method.upper() != "POST":
        return True
    if path.endswith(":append") or "/permissions" in path:
        return False
    # spreadsheets/ID:batchUpdate adds sheets and developer metadata: not idempotent.
    # spreadsheets/ID/values:batchUpdate writes fixed values to fixed cells: idempotent.
    return not (path.endswith(":batchUpdate") and "/values:" not in path)


class _GoogleRetry(Retry):
    """urllib3's Retry, refusing to re-send a non-idempotent request whose fate is unknown, and
    the checked write at all (``_checked_write``)."""

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        verb, path = method or "", urlsplit(url or "").path
        if _checked_write(verb, path) or not self._safe_to_resend(verb, path, response, error):
            if error is not None:
                raise error
            raise MaxRetryError(_pool, url or "", None)
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def _safe_to_resend(
        self, method: str, path: str, response: Any, error: Exception | None
    ) -> bool:
        """Idempotent, or surely not applied: never sent, or refused unread (a 429, or a 403,
        which reaches a retry only as a rate limit: ``_GoogleAdapter``)."""
        if _idempotent(method, path):
            return True
        never_sent = error is not None and self._is_connection_error(error)
        return never_sent or (response is not None and response.status in (403, 429))

    def get_retry_after(self, response: Any) -> float | None:
        try:
            seconds = super().get_retry_after(response)
        except InvalidHeader:  # neither whole seconds nor an HTTP date ("1.5"): back off
            return None
        if seconds is None:
            return None
        return min(seconds, float(self.backoff_max))


def backoff_wait(policy: RetryPolicy, attempt: int, failure: GoogleError | None) -> float:
    """Seconds before try ``attempt`` (1 = the first retry): exponential backoff, or what
    Google asked for (``Retry-After``) if longer, capped by ``policy.max_wait``."""
    asked = failure.retry_after if isinstance(failure, Unavailable) else None
    return min(max(policy.backoff * 2.0 ** (attempt - 1), asked or 0.0), policy.max_wait)


def _retry(policy: RetryPolicy) -> Retry:
    retries = max(0, policy.attempts - 1)
    return _GoogleRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=0,
        backoff_factor=policy.backoff / 2,  # urllib3 waits factor × 2^(n-1)
        backoff_max=policy.max_wait,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=None,  # every method; _GoogleRetry guards the non-idempotent ones
        respect_retry_after_header=True,
        raise_on_status=False,
    )


class _GoogleAdapter(HTTPAdapter):
    """requests' adapter, whose retries (urllib3's ``Retry``, ``_retry``) also cover Drive's
    rate limit: a 403 that ``Retry`` cannot tell from a refusal, as its reason is in the body
    (``rate_limited``). Such an answer is read here and retried with the ``Retry`` as urllib3
    left it, so that one budget of attempts covers every retry of one request (a rate limit
    after 503s, say), the same waits, and the same refusal to re-send what may have been
    applied or the checked write (``_GoogleRetry``). One run sends one request at a time:
    ``max_retries`` stands for the request being sent while it is retried."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        initial = self.max_retries
        try:
            while True:
                response = super().send(request, *args, **kwargs)
                if not rate_limited(response):
                    return response
                raw = response.raw
                try:
                    retries = (raw.retries or initial).increment(
                        request.method, request.url, response=raw
                    )
                except MaxRetryError:
                    return response  # attempts spent, or not safe to send again: Unavailable
                retries.sleep(raw)
                self.max_retries = retries
        finally:
            self.max_retries = initial


def api_root_from(configured: str) -> str:
    """The emulator root: the environment wins over the config file; "" = Google itself."""
    env = os.environ.get(API_ROOT_ENV, "").strip()
    root, source = (env, API_ROOT_ENV) if env else (configured.strip(), "google.api_root")
    if root and not root.startswith(("http://", "https://")):
        raise ConfigError(f"{source}: expected http://HOST:PORT, got {root!r}")
    return root.rstrip("/")


class _RootGuard(AuthRequest):
    """The request used for token refreshes: in emulator mode, it refuses to leave the root.

    google-auth 2.50+ starts a background request to iamcredentials.googleapis.com after a
    service-account token refresh ("regional access boundary"); with an API root set, no
    request may go anywhere but the root.
    """

    def __init__(self, root: str, session: requests.Session) -> None:
        super().__init__(session)
        self.root = root

    def __call__(self, url: Any, method: Any = "GET", *args: Any, **kwargs: Any) -> Any:
        if not url.startswith(self.root + "/"):
            raise TransportError(f"refusing to contact {urlsplit(url).netloc} in emulator mode")
        return super().__call__(url, method, *args, **kwargs)


def load_credentials(
    path: str, scopes: list[str], api_root: str
) -> google.auth.credentials.Credentials | None:
    """From a key file, GOOGLE_APPLICATION_CREDENTIALS, or Application Default Credentials.

    With an API root and nothing configured, None: requests go without a token.
    """
    explicit = path.strip()
    if explicit:
        try:
            creds = service_account.Credentials.from_service_account_file(explicit, scopes=scopes)
        except FileNotFoundError:
            raise ConfigError(f"google.credentials: key file not found: {explicit}") from None
        except (ValueError, KeyError) as exc:
            raise ConfigError(
                f"google.credentials: {explicit} is not a service-account key file ({exc})"
            ) from None
        except OSError as exc:  # a directory, no permission: the reason, never the contents
            raise ConfigError(
                f"google.credentials: cannot read the key file {explicit}: {exc.strerror}"
            ) from None
        return _without_boundary_lookup(creds, api_root)
    if api_root and not os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"):
        return None
    try:
        creds, _project = google.auth.default(scopes=scopes)
    except DefaultCredentialsError:
        env = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS", "")
        if env:  # set, so "set it" would send the operator after the wrong fault
            reason = "key file not found" if not os.path.exists(env) else "not a credentials file"
            raise ConfigError(f"GOOGLE_APPLICATION_CREDENTIALS: {reason}: {env}") from None
        raise ConfigError(
            "no Google credentials: set google.credentials to a service-account key file, "
            "or GOOGLE_APPLICATION_CREDENTIALS, or run where Application Default Credentials exist"
        ) from None
    return _without_boundary_lookup(creds, api_root)


def _without_boundary_lookup(
    creds: google.auth.credentials.Credentials, api_root: str
) -> google.auth.credentials.Credentials:
    if api_root and hasattr(creds, "_is_regional_access_boundary_lookup_required"):
        # google-auth's private hook; _RootGuard refuses the request even if this one moves.
        creds._is_regional_access_boundary_lookup_required = lambda: False
    return creds


class _HTTPClient(gspread.HTTPClient):
    """gspread's HTTP client, with our session, the API root and our error translation."""

    def __init__(self, session: requests.Session, root: str, timeout: float) -> None:
        super().__init__(auth=None, session=session)  # type: ignore[arg-type]
        self.root = root
        self.timeout = timeout

    def rewrite(self, url: str) -> str:
        if not self.root:
            return url
        for host in (SHEETS_HOST, DRIVE_HOST):
            if url.startswith(host + "/"):
                return self.root + url[len(host) :]
        raise GoogleError(
            f"refusing to send a request outside the API root: {urlsplit(url).netloc}"
        )

    def request(
        self,
        method: str,
        endpoint: str,
        params: Any = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: MutableMapping[str, str] | None = None,
    ) -> requests.Response:
        try:
            return super().request(
                method, self.rewrite(endpoint), params, data, json, files, headers
            )
        except gspread.exceptions.APIError as exc:
            raise translate(exc.response, method, endpoint) from None
        except (RefreshError, TransportError) as exc:
            raise GoogleError(
                f"could not get an access token from Google: {_first_line(exc)}"
            ) from None
        except (
            requests.ConnectionError,
            requests.Timeout,
            # the connection dropped after the status line, in the middle of the answer:
            # the request reached Google and may have been applied
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            raise Unavailable(
                f"{_what(method, endpoint)} failed: no answer from Google "
                f"({type(exc).__name__}), after retries"
            ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _what(method: str, url: str) -> str:
    path = urlsplit(url).path
    api = "Drive" if "/drive/" in path else "Sheets"
    return f"{api} {method.upper()} request"


def google_message(response: requests.Response) -> str:
    """Google's own error message, one line, without echoing request data."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or f"HTTP {response.status_code}"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(
            error.get("message") or error.get("status") or response.status_code
        ).splitlines()[0]
    return response.reason or f"HTTP {response.status_code}"


def _retry_after(response: requests.Response) -> float | None:
    """The seconds of a ``Retry-After`` header (a number or an HTTP date), or None."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return float(Retry().parse_retry_after(value))
    except InvalidHeader:
        return None


# The reasons of a 403 that is a rate limit, not a refusal: Drive's "403: User rate limit
# exceeded", which Google asks to retry with exponential backoff, as a 429 (Drive API guides,
# "Usage limits" and "Resolve errors"); and the ErrorInfo reason of the newer error shape.
RATE_LIMIT_REASONS = frozenset(
    {"userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
)


def rate_limited(response: requests.Response) -> bool:
    """A 403 whose body gives a rate limit as its reason (``RATE_LIMIT_REASONS``)."""
    if response.status_code != 403:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return False
    items = [*_listed(error.get("errors")), *_listed(error.get("details"))]
    return any(item.get("reason") in RATE_LIMIT_REASONS for item in items)


def _listed(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def translate(response: requests.Response, method: str, url: str) -> GoogleError:
    """HTTP status → domain error. The one place that knows what Google's statuses mean."""
    status = response.status_code
    message = google_message(response)
    what = _what(method, url)
    if status == 429 or status >= 500 or rate_limited(response):
        return Unavailable(
            f"{what} failed after retries ({status}): {message}", _retry_after(response), status
        )
    if status in (401, 403):
        return AccessDenied(f"{what} was refused ({status}): {message}")
    if status == 404:
        return NotFound(f"{what} found nothing ({status}): {message}")
    return Rejected(f"{what} was rejected ({status}): {message}")


class GoogleClient:
    """One authenticated connection to Google (or an emulator), shared by Sheets and Drive."""

    def __init__(
        self,
        *,
        credentials: google.auth.credentials.Credentials | None,
        api_root: str = "",
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self.api_root = api_root
        self.retry = retry  # also paces the retries ``SheetWriter`` makes itself
        # The bot's own address when the credentials know it (a service-account key does),
        # for "share it with ..." hints; Drive's about.get is the authority when allowed.
        self.account: str = str(getattr(credentials, "service_account_email", "") or "")
        session: requests.Session
        if credentials is None:
            session = requests.Session()
        else:
            auth_session = requests.Session()
            auth_session.mount("http://", HTTPAdapter(max_retries=_retry(retry)))
            auth_session.mount("https://", HTTPAdapter(max_retries=_retry(retry)))
            guard = _RootGuard(api_root, auth_session) if api_root else AuthRequest(auth_session)
            session = AuthorizedSession(credentials, auth_request=guard)
        adapter = _GoogleAdapter(max_retries=_retry(retry))
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        self.http = _HTTPClient(session, api_root, retry.timeout)
        self.gspread = gspread.Client(auth=None, session=session)  # type: ignore[arg-type]
        self.gspread.http_client = self.http

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send one request (Google's URL; the root is applied) and return its JSON body."""
        response = self.http.request(method, url, **kwargs)
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:  # a web page, a proxy's answer: the API root is not Google's API
            raise GoogleError(
                f"{_what(method, url)} got an answer that is not JSON "
                f"({response.headers.get('Content-Type') or 'no content type'}) "
                f"from {urlsplit(response.url).netloc}: is the API root right?"
            ) from None

    def sheets_url(self, path: str) -> str:
        return f"{SHEETS_HOST}/v4/spreadsheets/{path}"

    def drive_url(self, path: str) -> str:
        return f"{DRIVE_HOST}/drive/v3/{path}"


def connect(
    credentials_path: str,
    configured_root: str,
    *,
    manage_access: bool,
    retry: RetryPolicy | None = None,
) -> GoogleClient:
    """Build the client from configuration: least-privilege scopes, the API root, credentials.

    Retention needs only the Sheets scope; the Drive scope is asked for only when the
    configuration manages sharing (``[access]``).
    """
    root = api_root_from(configured_root)
    scopes = [SHEETS_SCOPE, DRIVE_SCOPE] if manage_access else [SHEETS_SCOPE]
    creds = load_credentials(credentials_path, scopes, root)
    return GoogleClient(credentials=creds, api_root=root, retry=retry or DEFAULT_RETRY)
