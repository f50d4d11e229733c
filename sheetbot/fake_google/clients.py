"""Point the real gspread client at a fake root (for tests and demos)."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

import gspread
import requests
from google.auth.credentials import AnonymousCredentials, Credentials
from gspread.http_client import HTTPClient

GOOGLE_ROOTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")


def rewrite_url(url: str, root: str) -> str:
    """``https://sheets.googleapis.com/v4/...`` → ``ROOT/v4/...`` (same for Drive)."""
    for google in GOOGLE_ROOTS:
        if url.startswith(google):
            return root.rstrip("/") + url[len(google) :]
    return url


def rooted_http_client(root: str) -> type[HTTPClient]:
    """A gspread ``HTTPClient`` subclass sending every call to ``root``."""

    class RootedHTTPClient(HTTPClient):
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
            return super().request(
                method,
                rewrite_url(endpoint, root),
                params=params,
                data=data,
                json=json,
                files=files,
                headers=headers,
            )

    return RootedHTTPClient


def gspread_client(root: str, credentials: Credentials | None = None) -> gspread.Client:
    """A real ``gspread.Client`` talking to the fake at ``root`` (anonymous by default)."""
    creds: Credentials = credentials or AnonymousCredentials()  # type: ignore[no-untyped-call]
    return gspread.Client(creds, http_client=rooted_http_client(root))
