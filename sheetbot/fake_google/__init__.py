"""A faithful in-memory fake of the Google Sheets v4 and Drive v3 APIs (the subset
sheetbot uses), served over real HTTP on loopback or mounted into ``responses``.

Build a fake and its spreadsheets::

    import datetime as dt
    from sheetbot.fake_google import FakeGoogle, serve, mount, gspread_client

    fake = FakeGoogle(user_email="sheetbot@proj.iam.gserviceaccount.com")
    fake.add_spreadsheet(
        "sheet-1", title="CoC incidents", locale="en_GB", time_zone="Europe/London",
        tabs={"Records": [["Date of 1st report", "Outcome"], [dt.date(2024, 3, 1), "Resolved"]]},
        owner="owner@example.org",
        permissions=[{"type": "user", "role": "writer", "emailAddress": "alice@mail.test"}],
    )

Talk to it over HTTP (``with serve(fake) as root:`` yields ``http://127.0.0.1:PORT``;
Sheets under ``ROOT/v4/spreadsheets``, Drive under ``ROOT/drive/v3``, OAuth tokens at
``ROOT/token``) or without sockets through ``responses``::

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        root = mount(fake, rsps)              # default root http://127.0.0.1:9
        gc = gspread_client(root)             # the real gspread client, rerouted
        gc.open_by_key("sheet-1").worksheet("Records").get_all_values()

``python -m sheetbot.fake_google --port 8765`` serves an empty fake until Ctrl-C.

Test hooks:

- ``fake.requests`` / ``fake.reads()`` / ``fake.writes()`` / ``fake.clear_log()``: every
  request as a frozen :class:`RequestRecord` (method, path, query, json, api);
  ``fake.exchanges`` pairs them with the answers.
- ``fake.fail_next(method=None, path_contains=None, status=503, times=1, headers=None,
  reset=False, apply=False)``: inject errors in Google's shape (429 with Retry-After, 5xx),
  dropped connections, or "applied, then the answer was lost".
- ``fake.before_request(cb)`` / ``fake.after_request(cb)``: callbacks receiving the
  record; together with ``insert_rows``, ``delete_rows``, ``sort_rows``, ``set_cell`` they
  simulate a committee member editing during a run. ``get_values`` returns every stored
  cell as Python values. Row developer metadata moves with its rows.
- ``fake.require_auth = True`` demands a token from ``ROOT/token``; ``fake.expire_tokens()``
  revokes them all (401, then google-auth refreshes).
- ``fake.permissions_page_size`` caps ``permissions.list`` pages;
  ``fake.permission_creates`` / ``fake.notified`` record sharing notifications.
- :func:`sheetbot.fake_google.discovery.check_exchange` checks any exchange against
  Google's discovery documents.

Known simplifications: formulas other than plain arithmetic keep their text as value;
percent/currency input stays text; ``values.append`` finds its table with a heuristic
that reproduces the recorded answers; ``updateSheetProperties`` is served (title, grid
size, index) because gspread's own calls need it.
"""

from .clients import gspread_client
from .core import Exchange, FakeConnectionReset, FakeGoogle, RequestRecord
from .drive_api import PermissionCreate
from .model import Permission, Spreadsheet
from .transports import mount, serve

__all__ = [
    "Exchange",
    "FakeConnectionReset",
    "FakeGoogle",
    "Permission",
    "PermissionCreate",
    "RequestRecord",
    "Spreadsheet",
    "gspread_client",
    "mount",
    "serve",
]
