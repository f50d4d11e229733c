"""The fake itself: state, the single request handler, the request log, injected faults,
hooks, OAuth tokens, and the helpers tests use to edit a sheet "like a human"."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import drive_api, sheets_api
from .a1 import parse_cells
from .drive_api import PermissionCreate, permission_id_for
from .errors import ApiError, drive_error_body, error_body, sheets_error_body
from .model import ROLE_RANK, DeveloperMetadata, Permission, Sheet, Spreadsheet, sort_order
from .values import from_python, python_value

JSON_HEADERS = {"Content-Type": "application/json; charset=UTF-8"}


class FakeConnectionReset(Exception):
    """Raised by :meth:`FakeGoogle.handle` when a fault says "drop the connection"; the
    HTTP transport closes the socket, the ``responses`` transport raises
    ``requests.exceptions.ConnectionError``."""


@dataclass(frozen=True)
class RequestRecord:
    """One request as the fake received it. ``path`` is percent-decoded and relative to
    the root (``/v4/spreadsheets/ID/values/Sheet1!A1:B2``); ``query`` maps each
    parameter to its values; ``json`` is the decoded body (None if empty or not JSON)."""

    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    api: str  # "sheets" | "drive" | "token" | "other"
    headers: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    raw_path: str = field(default="", compare=False, repr=False)  # still percent-encoded

    @property
    def is_write(self) -> bool:
        return self.method != "GET" and self.api != "token"


@dataclass(frozen=True)
class Exchange:
    """A request and what the fake answered (``response`` is the JSON body or None)."""

    request: RequestRecord
    status: int
    response: Any


@dataclass
class Fault:
    method: str | None
    path_contains: str | None
    status: int
    times: int
    headers: dict[str, str]
    reset: bool
    apply: bool
    reason: str | None = None  # Google's reason in the error body (``error_body``)

    def matches(self, record: RequestRecord) -> bool:
        if self.method and self.method.upper() != record.method:
            return False
        return not (self.path_contains and self.path_contains not in record.path)


Hook = Callable[[RequestRecord], None]


def _api_of(path: str) -> str:
    if path.startswith("/v4/spreadsheets"):
        return "sheets"
    if path.startswith("/drive/v3"):
        return "drive"
    if path.rstrip("/") == "/token":
        return "token"
    return "other"


class FakeGoogle:
    """An in-memory Google Sheets v4 + Drive v3 (+ OAuth token endpoint).

    ``user_email`` is the account the fake believes is calling (what ``about.get``
    answers); spreadsheets grant it access through their permissions.
    """

    def __init__(
        self,
        user_email: str = "sheetbot@sheetbot-test.iam.gserviceaccount.com",
        *,
        seed: int = 0,
    ) -> None:
        self.user_email = user_email
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.require_auth = False
        self.permissions_page_size: int | None = None
        self.permission_creates: list[PermissionCreate] = []
        self.lock = threading.RLock()
        self._rng = random.Random(seed)
        self._log: list[RequestRecord] = []
        self._exchanges: list[Exchange] = []
        self._faults: list[Fault] = []
        self._before: list[Hook] = []
        self._after: list[Hook] = []
        self._tokens: set[str] = set()
        self._token_counter = 0

    # --- fixtures ----------------------------------------------------------------------
    def add_spreadsheet(
        self,
        spreadsheet_id: str,
        *,
        title: str = "Untitled spreadsheet",
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
        tabs: dict[str, Sequence[Sequence[Any]]] | None = None,
        owner: str | None = "owner@example.org",
        permissions: Iterable[Permission | dict[str, Any]] = (),
        drive_id: str | None = None,
        bot_role: str | None = "writer",
        row_count: int = 1000,
        col_count: int = 26,
        writers_can_share: bool = True,
    ) -> Spreadsheet:
        """Create a spreadsheet. ``tabs`` maps titles to rows of Python values (str, int,
        float, bool, date, datetime, None). The grid is at least ``row_count`` x
        ``col_count`` and grows to hold the data. ``owner`` gets an owner permission
        (not on a shared drive, where nobody owns files); ``bot_role`` gives the fake's
        own user a permission (None: the bot has no access; 403 like Google).
        ``writers_can_share=False`` is an owner who turned off "Editors can change
        permissions and share": a writer then cannot share (``capabilities.canShare``)."""
        with self.lock:
            ss = Spreadsheet(
                spreadsheet_id,
                title,
                locale,
                time_zone,
                owner=None if drive_id else owner,
                drive_id=drive_id,
                writers_can_share=writers_can_share,
            )
            for i, (tab, rows) in enumerate((tabs or {"Sheet1": []}).items()):
                sheet = Sheet(0 if i == 0 else self.new_sheet_id(ss), tab, i)
                sheet.row_count = max(row_count, len(rows))
                sheet.col_count = max(col_count, max((len(r) for r in rows), default=0))
                sheet.rows = [[from_python(v) for v in row] for row in rows]
                ss.sheets.append(sheet)
            if owner and not drive_id:
                ss.permissions.append(
                    _make_permission({"type": "user", "role": "owner", "emailAddress": owner})
                )
            for p in permissions:
                ss.permissions.append(p if isinstance(p, Permission) else _make_permission(p))
            if bot_role and not any(
                (p.email_address or "").lower() == self.user_email.lower() for p in ss.permissions
            ):
                ss.permissions.append(
                    _make_permission(
                        {
                            "type": "user",
                            "role": bot_role,
                            "emailAddress": self.user_email,
                        }
                    )
                )
            self.spreadsheets[spreadsheet_id] = ss
            return ss

    def add_permission(self, spreadsheet_id: str, **kwargs: Any) -> Permission:
        """Add a permission: type, role, email_address / emailAddress, domain, id,
        inherited, inherited_from, permission_type, allow_file_discovery, display_name."""
        with self.lock:
            perm = _make_permission(kwargs)
            self.spreadsheets[spreadsheet_id].permissions.append(perm)
            return perm

    def remove_spreadsheet(self, spreadsheet_id: str) -> None:
        with self.lock:
            self.spreadsheets.pop(spreadsheet_id, None)

    def role_for(self, ss: Spreadsheet, email: str | None = None) -> str | None:
        """The highest role ``email`` (default: the fake's user) has on ``ss``."""
        who = (email or self.user_email).lower()
        best: str | None = None
        for p in ss.permissions:
            applies = (
                (p.type == "user" and (p.email_address or "").lower() == who)
                or p.type == "anyone"
                or (p.type == "domain" and who.endswith("@" + (p.domain or "").lower()))
            )
            if applies and (best is None or ROLE_RANK[p.role] > ROLE_RANK[best]):
                best = p.role
        return best

    def new_sheet_id(self, ss: Spreadsheet) -> int:
        while True:
            candidate = self._rng.randint(1, 2**31 - 1)
            if ss.sheet_by_id(candidate) is None:
                return candidate

    def new_metadata_id(self, ss: Spreadsheet) -> int:
        while True:
            candidate = self._rng.randint(1, 2**31 - 1)
            if all(m.metadata_id != candidate for m in ss.metadata):
                return candidate

    # --- "human" edits -----------------------------------------------------------------
    def _sheet(self, spreadsheet_id: str, tab: str) -> tuple[Spreadsheet, Sheet]:
        ss = self.spreadsheets[spreadsheet_id]
        return ss, ss.sheet_by_title(tab)

    def insert_rows(
        self, spreadsheet_id: str, tab: str, row: int, rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert ``rows`` so the first becomes sheet row ``row`` (1-based), pushing the
        rows below down (their developer metadata moves with them)."""
        with self.lock:
            ss, sheet = self._sheet(spreadsheet_id, tab)
            ss.insert_dimension(sheet, "ROWS", row - 1, len(rows))
            for i, values in enumerate(rows):
                for j, v in enumerate(values):
                    sheet.put(row - 1 + i, j, from_python(v))
            sheet.col_count = max(sheet.col_count, max((len(r) for r in rows), default=0))
            ss.touch()

    def delete_rows(self, spreadsheet_id: str, tab: str, first: int, last: int) -> None:
        """Delete sheet rows ``first``..``last`` (1-based, inclusive); metadata on them
        is deleted, metadata below moves up."""
        with self.lock:
            ss, sheet = self._sheet(spreadsheet_id, tab)
            ss.delete_dimension(sheet, "ROWS", first - 1, last)
            ss.touch()

    def sort_rows(
        self,
        spreadsheet_id: str,
        tab: str,
        first: int,
        key: Callable[[list[Any]], Any],
        last: int | None = None,
    ) -> None:
        """Sort rows ``first``..``last`` (1-based, inclusive; default: the last row with
        data) by ``key(row_values)`` (Python values as :meth:`get_values`); rows move
        with their developer metadata."""
        with self.lock:
            ss, sheet = self._sheet(spreadsheet_id, tab)
            n_rows, n_cols = sheet.data_extent()
            end = last if last is not None else n_rows
            block = [
                [python_value(sheet.get(r, c)) for c in range(n_cols)]
                for r in range(first - 1, end)
            ]
            ss.permute_rows(sheet, first - 1, sort_order(block, key))
            ss.touch()

    def set_cell(self, spreadsheet_id: str, tab: str, a1: str, value: Any) -> None:
        """Set one cell (``"C5"``) to a Python value (None empties it)."""
        with self.lock:
            ss, sheet = self._sheet(spreadsheet_id, tab)
            parsed = parse_cells(a1)
            if parsed is None:
                raise ValueError(a1)
            r, _, c, _ = parsed
            assert r is not None
            assert c is not None
            sheet.put(r, c, from_python(value))
            ss.touch()

    def get_values(self, spreadsheet_id: str, tab: str) -> list[list[Any]]:
        """Every stored cell of the tab's data area as Python values (None: empty);
        rectangular, trimmed to the last non-empty row and column."""
        with self.lock:
            _, sheet = self._sheet(spreadsheet_id, tab)
            n_rows, n_cols = sheet.data_extent()
            return [[python_value(sheet.get(r, c)) for c in range(n_cols)] for r in range(n_rows)]

    def add_row_metadata(
        self,
        spreadsheet_id: str,
        tab: str,
        row: int,
        key: str,
        value: str | None = None,
        visibility: str = "DOCUMENT",
    ) -> int:
        """Attach developer metadata to sheet row ``row`` (1-based); returns its id."""
        with self.lock:
            ss, sheet = self._sheet(spreadsheet_id, tab)
            md_id = self.new_metadata_id(ss)
            ss.metadata.append(
                DeveloperMetadata(
                    md_id, key, value, visibility, "ROW", sheet.sheet_id, row - 1, row
                )
            )
            return md_id

    def metadata(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        """All developer metadata of a spreadsheet, in the API's JSON shape."""
        with self.lock:
            return [m.to_json() for m in self.spreadsheets[spreadsheet_id].metadata]

    # --- log ---------------------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        with self.lock:
            return list(self._log)

    @property
    def exchanges(self) -> list[Exchange]:
        with self.lock:
            return list(self._exchanges)

    def reads(self) -> list[RequestRecord]:
        return [r for r in self.requests if r.method == "GET"]

    def writes(self) -> list[RequestRecord]:
        return [r for r in self.requests if r.is_write]

    def clear_log(self) -> None:
        with self.lock:
            self._log.clear()
            self._exchanges.clear()
            self.permission_creates.clear()

    @property
    def notified(self) -> list[str]:
        """E-mail addresses Google would have sent a sharing notification to."""
        return [
            c.email_address
            for c in self.permission_creates
            if c.send_notification_email and c.email_address
        ]

    # --- faults and hooks ----------------------------------------------------------------
    def fail_next(
        self,
        method: str | None = None,
        path_contains: str | None = None,
        status: int = 503,
        times: int = 1,
        headers: dict[str, str] | None = None,
        reset: bool = False,
        apply: bool = False,
        reason: str | None = None,
    ) -> None:
        """Make the next ``times`` matching requests fail: with ``status`` (Google's
        error shape, plus ``headers`` such as ``{"Retry-After": "1"}``, and ``reason`` such
        as Drive's ``"userRateLimitExceeded"``, a 403 for a rate limit), or with a dropped
        connection (``reset``). ``apply=True`` first performs the request (the write
        takes effect) and then fails, as when a response is lost."""
        fault = Fault(method, path_contains, status, times, dict(headers or {}), reset, apply)
        fault.reason = reason
        with self.lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def before_request(self, callback: Hook) -> Hook:
        """Call ``callback(record)`` before each request is handled (usable as a
        decorator); it may edit the state, e.g. insert rows "while the bot runs"."""
        self._before.append(callback)
        return callback

    def after_request(self, callback: Hook) -> Hook:
        """Call ``callback(record)`` after each request was handled."""
        self._after.append(callback)
        return callback

    def remove_hook(self, callback: Hook) -> None:
        for hooks in (self._before, self._after):
            if callback in hooks:
                hooks.remove(callback)

    # --- tokens ------------------------------------------------------------------------
    def issue_token(self) -> str:
        with self.lock:
            self._token_counter += 1
            token = f"fake-token-{self._token_counter}"
            self._tokens.add(token)
            return token

    def expire_tokens(self) -> None:
        """Revoke every token issued so far (with ``require_auth``, the next call gets
        401 and google-auth refreshes)."""
        with self.lock:
            self._tokens.clear()

    # --- the handler ---------------------------------------------------------------------
    def handle(
        self,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request. ``url`` is a full URL or a path (+ query) relative to
        the root. Raises :class:`FakeConnectionReset` for an injected reset."""
        method = method.upper()
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        parts = urlsplit(url)
        raw_path = parts.path or "/"
        query = parse_qs(parts.query, keep_blank_values=True)
        path = unquote(raw_path)
        api = _api_of(raw_path)
        payload: Any = None
        bad_json = False
        if body:
            if api == "token":
                payload = None
            else:
                try:
                    payload = json.loads(body.decode("utf-8"))
                except (ValueError, UnicodeDecodeError):
                    bad_json = True
        record = RequestRecord(method, path, query, payload, api, headers, raw_path)
        with self.lock:
            self._log.append(record)
        for hook in list(self._before):
            hook(record)
        fault = self._take_fault(record)
        if fault is not None and not fault.apply:
            return self._fault_answer(record, fault)
        try:
            if bad_json:
                raise ApiError(400, error_body(api, 400, "Invalid JSON payload received."))
            status, answer, extra = self._dispatch(record, raw_path, body or b"")
        except ApiError as exc:
            status, answer, extra = exc.status, exc.body, exc.headers
        if fault is not None:
            return self._fault_answer(record, fault)
        with self.lock:
            self._exchanges.append(Exchange(record, status, answer))
        for hook in list(self._after):
            hook(record)
        out_headers = dict(JSON_HEADERS)
        out_headers.update(extra)
        if answer is None:
            return status, {}, b""
        data = json.dumps(answer, ensure_ascii=False, indent=2).encode("utf-8")
        return status, out_headers, data

    def _take_fault(self, record: RequestRecord) -> Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.matches(record):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _fault_answer(
        self, record: RequestRecord, fault: Fault
    ) -> tuple[int, dict[str, str], bytes]:
        if fault.reset:
            with self.lock:
                self._exchanges.append(Exchange(record, 0, None))
            raise FakeConnectionReset(record.path)
        body = error_body(record.api, fault.status, reason=fault.reason)
        with self.lock:
            self._exchanges.append(Exchange(record, fault.status, body))
        out = dict(JSON_HEADERS)
        out.update(fault.headers)
        return fault.status, out, json.dumps(body, indent=2).encode()

    def _dispatch(
        self, record: RequestRecord, raw_path: str, body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        if record.api == "token":
            return self._token(record, body)
        if record.api == "other":
            raise ApiError.sheets(404, f"The fake Google API does not serve {record.path}")
        if self.require_auth:
            auth = record.headers.get("authorization", "")
            token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
            with self.lock:
                valid = token in self._tokens
            if not valid:
                body_json = (
                    drive_error_body(
                        401, None, "authError", location="Authorization", location_type="header"
                    )
                    if record.api == "drive"
                    else sheets_error_body(401)
                )
                body_json["error"]["status"] = "UNAUTHENTICATED"
                raise ApiError(401, body_json, {"WWW-Authenticate": 'Bearer realm="fake"'})
        segs = raw_path.strip("/").split("/")
        with self.lock:
            if record.api == "sheets":
                status, answer = sheets_api.route(
                    self, record.method, segs[2:], record.query, record.json
                )
            else:
                status, answer = drive_api.route(
                    self, record.method, segs[2:], record.query, record.json
                )
        return status, answer, {}

    def _token(self, record: RequestRecord, body: bytes) -> tuple[int, Any, dict[str, str]]:
        form = parse_qs(body.decode("utf-8", "replace"))
        grant = (form.get("grant_type") or [""])[0]
        if record.method != "POST":
            raise ApiError.sheets(404, "The token endpoint only answers POST.")
        if grant not in ("urn:ietf:params:oauth:grant-type:jwt-bearer", "refresh_token"):
            return (
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Invalid grant_type: " + grant,
                },
                {},
            )
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer" and not form.get("assertion"):
            return 400, {"error": "invalid_request", "error_description": "Missing assertion"}, {}
        token = self.issue_token()
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}, {}


def _make_permission(spec: dict[str, Any]) -> Permission:
    kind = spec.get("type", "user")
    email = spec.get("email_address", spec.get("emailAddress"))
    domain = spec.get("domain")
    discover = spec.get("allow_file_discovery", spec.get("allowFileDiscovery"))
    if kind in ("domain", "anyone") and discover is None:
        discover = False
    pid = spec.get("id") or permission_id_for(kind, email or domain, bool(discover))
    return Permission(
        id=pid,
        type=kind,
        role=spec.get("role", "writer"),
        email_address=email,
        domain=domain,
        display_name=spec.get("display_name", spec.get("displayName")),
        allow_file_discovery=discover,
        inherited=bool(spec.get("inherited", False)),
        inherited_from=spec.get("inherited_from", spec.get("inheritedFrom")),
        permission_type=spec.get("permission_type", "member" if spec.get("inherited") else "file"),
    )


__all__ = [
    "Exchange",
    "FakeConnectionReset",
    "FakeGoogle",
    "RequestRecord",
]
