"""Drive: who the bot is, who has access to the spreadsheet, and changing that one at a time.

Google does not support concurrent permission changes on one file, so changes are sent one
after another, in the plan's order (adds, then updates, then removals). A change Google
rejects for itself alone (a 400, say an address with no Google account; a 404) does not stop
the others: one member who cannot be added must not keep a removed member's access. Any
other failure (a refusal of the bot: 401, 403, which includes Drive's rate limit; no access
token; Google out of reach) stops them: the rest would fail alike.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sheetbot.access import AccessChange, DriveRole, Permission, PermissionType
from sheetbot.errors import GoogleError, NotFound, Rejected
from sheetbot.google.client import GoogleClient

PERMISSION_FIELDS = (
    "nextPageToken,permissions(id,type,role,emailAddress,domain,deleted,permissionDetails)"
)
PAGE_SIZE = 100  # Drive's maximum for permissions.list


@dataclass(frozen=True)
class AccessApplied:
    done: tuple[AccessChange, ...]
    failed: tuple[str, ...] = ()  # per change that failed: which, and the cause
    stopped: bool = False  # the last failure stopped the changes after it (not sent)


def permission_from_json(item: dict[str, Any]) -> Permission:
    details = item.get("permissionDetails") or []
    inherited = bool(details) and all(d.get("inherited") for d in details)
    return Permission(
        id=str(item["id"]),
        type=cast(PermissionType, item.get("type", "user")),
        role=cast(DriveRole, item.get("role", "reader")),
        email=item.get("emailAddress"),
        domain=item.get("domain"),
        inherited=inherited,
    )


class DriveAdapter:
    def __init__(self, client: GoogleClient, file_id: str) -> None:
        self.client = client
        self.file_id = file_id

    def bot_email(self) -> str:
        """The bot's own account, whatever the credentials (key file, ADC, workload identity)."""
        body = self.client.request(
            "get", self.client.drive_url("about"), params={"fields": "user(emailAddress)"}
        )
        return str(body.get("user", {}).get("emailAddress", ""))

    def permissions(self) -> list[Permission]:
        """Every permission of the file, every page, shared drives included."""
        url = self.client.drive_url(f"files/{self.file_id}/permissions")
        params: dict[str, Any] = {
            "fields": PERMISSION_FIELDS,
            "supportsAllDrives": "true",
            "pageSize": PAGE_SIZE,
        }
        found: list[Permission] = []
        seen_tokens: set[str] = set()
        while True:
            body = self.client.request("get", url, params=params)
            found += [
                permission_from_json(p) for p in body.get("permissions", []) if not p.get("deleted")
            ]
            token = body.get("nextPageToken")
            if not token or token in seen_tokens:
                return found
            seen_tokens.add(token)
            params["pageToken"] = token

    def apply(self, changes: Sequence[AccessChange], message: str = "") -> AccessApplied:
        done: list[AccessChange] = []
        failed: list[str] = []
        for change in changes:
            try:
                self._one(change, message)
            except GoogleError as exc:
                failed.append(f"{change.kind} of {change.who} failed: {exc}")
                if not isinstance(exc, Rejected | NotFound):  # not this change's alone
                    return AccessApplied(tuple(done), tuple(failed), stopped=True)
                continue
            done.append(change)
        return AccessApplied(tuple(done), tuple(failed))

    def _one(self, change: AccessChange, message: str) -> None:
        base = self.client.drive_url(f"files/{self.file_id}/permissions")
        if change.kind == "add":
            params: dict[str, Any] = {
                "supportsAllDrives": "true",
                "sendNotificationEmail": "true" if change.notify else "false",
                "fields": "id",
            }
            if change.notify and message:
                params["emailMessage"] = message
            body = {"type": change.type, "role": change.role, "emailAddress": change.email}
            self.client.request("post", base, params=params, json=body)
        elif change.kind == "update":
            self.client.request(
                "patch",
                f"{base}/{change.permission_id}",
                params={"supportsAllDrives": "true", "fields": "id,role"},
                json={"role": change.role},
            )
        else:
            # NotFound: already gone (a lost answer to a retried delete): the goal holds.
            with contextlib.suppress(NotFound):
                self.client.request(
                    "delete", f"{base}/{change.permission_id}", params={"supportsAllDrives": "true"}
                )
