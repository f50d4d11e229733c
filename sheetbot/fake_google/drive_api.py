"""Drive API v3 endpoints of the fake (``ROOT/drive/v3/...``): about.get, files.get and
permissions.list|create|update|delete, with Drive's quirks (``fields`` defaults, paging,
owner and inherited permissions that cannot be removed)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .errors import ApiError
from .fields import apply_mask, parse_mask
from .model import ROLE_RANK, Permission, Spreadsheet

if TYPE_CHECKING:
    from .core import FakeGoogle

Query = dict[str, list[str]]
Result = tuple[int, Any]

ROLES = ("owner", "organizer", "fileOrganizer", "writer", "commenter", "reader")
TYPES = ("user", "group", "domain", "anyone")
PERMISSION_DEFAULT_FIELDS = "kind,id,type,role"
FILE_DEFAULT_FIELDS = "kind,id,name,mimeType"


@dataclass(frozen=True)
class PermissionCreate:
    """One permissions.create call as the fake received it (to assert who was notified)."""

    file_id: str
    type: str
    role: str
    email_address: str | None
    domain: str | None
    send_notification_email: bool
    email_message: str | None
    transfer_ownership: bool


def _param(query: Query, name: str) -> str | None:
    vals = query.get(name)
    return vals[-1] if vals else None


def _flag(query: Query, name: str) -> bool:
    return (_param(query, name) or "false").lower() == "true"


def permission_id_for(kind: str, email_or_domain: str | None, discoverable: bool = False) -> str:
    """Stable ids in Google's style (numeric for users and groups)."""
    if kind == "anyone":
        return "anyone" if discoverable else "anyoneWithLink"
    digest = hashlib.sha256((email_or_domain or "").lower().encode()).hexdigest()
    digits = str(int(digest[:16], 16)).rjust(20, "0")[:20]
    return digits + ("k" if kind == "domain" else "")


def user_json(fake: FakeGoogle, email: str) -> dict[str, Any]:
    name = email.split("@")[0].replace(".", " ").title()
    return {
        "kind": "drive#user",
        "displayName": name,
        "me": email.lower() == fake.user_email.lower(),
        "permissionId": permission_id_for("user", email),
        "emailAddress": email,
    }


def _fields(query: Query, default: str) -> str:
    return _param(query, "fields") or default


def _masked(doc: Any, fields: str) -> Any:
    try:
        return apply_mask(doc, parse_mask(fields))
    except ValueError as exc:
        raise ApiError.drive(
            400, f"Invalid field selection {fields}", "invalidParameter", location="fields"
        ) from exc


def _file(fake: FakeGoogle, file_id: str, query: Query) -> Spreadsheet:
    ss = fake.spreadsheets.get(file_id)
    if (
        ss is None
        or fake.role_for(ss) is None
        or (
            ss.drive_id
            and not _flag(query, "supportsAllDrives")
            and not _flag(query, "supportsTeamDrives")
        )
    ):
        raise ApiError.drive(404, f"File not found: {file_id}.", "notFound", location="fileId")
    return ss


def _can_share(fake: FakeGoogle, ss: Spreadsheet) -> bool:
    """Owners and organizers may share; writers only while the owner lets editors share."""
    role = fake.role_for(ss)
    if role is None or ROLE_RANK[role] < ROLE_RANK["writer"]:
        return False
    return role != "writer" or ss.writers_can_share


def _require_share(fake: FakeGoogle, ss: Spreadsheet) -> None:
    if not _can_share(fake, ss):
        raise ApiError.drive(
            403,
            "The user does not have sufficient permissions for this file.",
            "insufficientFilePermissions",
        )


def about_get(fake: FakeGoogle, query: Query) -> Result:
    fields = _param(query, "fields")
    if not fields:
        raise ApiError.drive(
            400,
            "The 'fields' parameter is required for this method.",
            "required",
            location="fields",
        )
    doc = {"kind": "drive#about", "user": user_json(fake, fake.user_email)}
    return 200, _masked(doc, fields)


def file_json(fake: FakeGoogle, ss: Spreadsheet) -> dict[str, Any]:
    role = fake.role_for(ss) or "reader"
    shared_drive = ss.drive_id is not None
    doc: dict[str, Any] = {
        "kind": "drive#file",
        "id": ss.spreadsheet_id,
        "name": ss.title,
        "mimeType": "application/vnd.google-apps.spreadsheet",
        "starred": False,
        "trashed": False,
        "createdTime": ss.created_time,
        "modifiedTime": ss.modified_time,
        "webViewLink": f"https://docs.google.com/spreadsheets/d/{ss.spreadsheet_id}/edit",
        "shared": len(ss.permissions) > 1,
        "writersCanShare": ss.writers_can_share,
        "capabilities": {
            "canEdit": ROLE_RANK[role] >= ROLE_RANK["writer"],
            "canComment": ROLE_RANK[role] >= ROLE_RANK["commenter"],
            "canShare": _can_share(fake, ss),
            "canCopy": True,
            "canDownload": True,
            "canReadRevisions": ROLE_RANK[role] >= ROLE_RANK["writer"],
            "canDelete": role in ("owner", "organizer"),
            "canRename": ROLE_RANK[role] >= ROLE_RANK["writer"],
        },
    }
    if shared_drive:
        doc["driveId"] = ss.drive_id
    elif ss.owner:
        doc["owners"] = [user_json(fake, ss.owner)]
        doc["ownedByMe"] = ss.owner.lower() == fake.user_email.lower()
    if _can_share(fake, ss):
        doc["permissionIds"] = [p.id for p in ss.permissions]
        doc["permissions"] = [p.to_json(shared_drive) for p in ss.permissions]
    return doc


def files_get(fake: FakeGoogle, file_id: str, query: Query) -> Result:
    ss = _file(fake, file_id, query)
    return 200, _masked(file_json(fake, ss), _fields(query, FILE_DEFAULT_FIELDS))


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"fake-page:{offset}".encode()).decode().rstrip("=")


def _decode_token(token: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, _, num = raw.partition(":")
        if prefix != "fake-page":
            raise ValueError(raw)
        return int(num)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError.drive(400, "Invalid Value", "invalid", location="pageToken") from exc


def permissions_list(fake: FakeGoogle, file_id: str, query: Query) -> Result:
    ss = _file(fake, file_id, query)
    shared_drive = ss.drive_id is not None
    page_size_raw = _param(query, "pageSize")
    if page_size_raw is not None:
        try:
            page_size = int(page_size_raw)
        except ValueError as exc:
            raise ApiError.drive(
                400, f"Invalid value '{page_size_raw}'.", "invalid", location="pageSize"
            ) from exc
        if not 1 <= page_size <= 100:
            raise ApiError.drive(
                400,
                f"Invalid value '{page_size}'. Values must be within the range: [1, 100]",
                "invalid",
                location="pageSize",
            )
    else:
        page_size = 100 if shared_drive else max(len(ss.permissions), 1)
    if fake.permissions_page_size is not None:
        page_size = min(page_size, fake.permissions_page_size)
    token = _param(query, "pageToken")
    offset = _decode_token(token) if token else 0
    items = ss.permissions[offset : offset + page_size]
    doc: dict[str, Any] = {"kind": "drive#permissionList"}
    if offset + page_size < len(ss.permissions):
        doc["nextPageToken"] = _encode_token(offset + page_size)
    doc["permissions"] = [p.to_json(shared_drive) for p in items]
    fields = _param(query, "fields") or "kind,nextPageToken,permissions(kind,id,type,role)"
    return 200, _masked(doc, fields)


def _find_permission(ss: Spreadsheet, permission_id: str) -> Permission:
    for p in ss.permissions:
        if p.id == permission_id:
            return p
    raise ApiError.drive(
        404, f"Permission not found: {permission_id}.", "notFound", location="permissionId"
    )


def permissions_create(fake: FakeGoogle, file_id: str, query: Query, body: Any) -> Result:
    ss = _file(fake, file_id, query)
    _require_share(fake, ss)
    body = body if isinstance(body, dict) else {}
    kind = body.get("type")
    role = body.get("role")
    if not kind:
        raise ApiError.drive(
            400, "The permission type field is required.", "required", location="permission.type"
        )
    if kind not in TYPES:
        raise ApiError.drive(
            400, f"The permission type '{kind}' is invalid.", "invalid", location="permission.type"
        )
    if not role:
        raise ApiError.drive(
            400, "The permission role field is required.", "required", location="permission.role"
        )
    if role not in ROLES:
        raise ApiError.drive(
            400, f"The permission role '{role}' is invalid.", "invalid", location="permission.role"
        )
    email = body.get("emailAddress")
    domain = body.get("domain")
    if kind in ("user", "group") and not email:
        raise ApiError.drive(
            400,
            "The permission emailAddress field is required.",
            "required",
            location="permission.emailAddress",
        )
    if kind == "domain" and not domain:
        raise ApiError.drive(
            400,
            "The permission domain field is required.",
            "required",
            location="permission.domain",
        )
    transfer = _flag(query, "transferOwnership")
    if role == "owner" and (ss.drive_id or not transfer):
        raise ApiError.drive(
            403,
            "The transferOwnership parameter must be enabled when the permission role is 'owner'.",
            "forbidden",
        )
    notify_param = _param(query, "sendNotificationEmail")
    notify = kind in ("user", "group") and (notify_param or "true").lower() == "true"
    message = _param(query, "emailMessage")
    fake.permission_creates.append(
        PermissionCreate(file_id, kind, role, email, domain, notify, message, transfer)
    )
    existing = next(
        (
            p
            for p in ss.permissions
            if not p.inherited
            and p.type == kind
            and (
                (email and (p.email_address or "").lower() == email.lower())
                or (kind == "domain" and p.domain == domain)
                or kind == "anyone"
            )
        ),
        None,
    )
    if existing is not None:
        if existing.role == "owner" and role != "owner":
            raise _cannot_remove_owner()
        existing.role = role
        perm = existing
    else:
        discover = bool(body.get("allowFileDiscovery", False))
        perm = Permission(
            id=permission_id_for(kind, email or domain, discover),
            type=kind,
            role=role,
            email_address=email,
            domain=domain,
            allow_file_discovery=discover if kind in ("domain", "anyone") else None,
            display_name=user_json(fake, email)["displayName"] if email else None,
        )
        ss.permissions.append(perm)
    if role == "owner":
        for p in ss.permissions:
            if p.role == "owner" and p is not perm:
                p.role = "writer"
        ss.owner = email
    ss.touch()
    return 200, _masked(
        perm.to_json(ss.drive_id is not None), _fields(query, PERMISSION_DEFAULT_FIELDS)
    )


def _cannot_remove_owner() -> ApiError:
    return ApiError.drive(403, "The owner of a file cannot be removed.", "cannotRemoveOwner")


def _cannot_touch_inherited(verb: str) -> ApiError:
    return ApiError.drive(
        403,
        f"The authenticated user does not have the required access to {verb} the permission.",
        "cannotDeletePermission" if verb == "delete" else "cannotModifyInheritedPermission",
    )


def permissions_update(
    fake: FakeGoogle, file_id: str, permission_id: str, query: Query, body: Any
) -> Result:
    ss = _file(fake, file_id, query)
    _require_share(fake, ss)
    perm = _find_permission(ss, permission_id)
    body = body if isinstance(body, dict) else {}
    for key in ("type", "emailAddress", "domain", "id"):
        if key in body and body[key] != getattr(
            perm,
            {"type": "type", "emailAddress": "email_address", "domain": "domain", "id": "id"}[key],
        ):
            raise ApiError.drive(
                403,
                f"The resource body includes fields which are not directly writable: {key}",
                "fieldNotWritable",
            )
    role = body.get("role")
    if role is not None:
        if role not in ROLES:
            raise ApiError.drive(
                400,
                f"The permission role '{role}' is invalid.",
                "invalid",
                location="permission.role",
            )
        if perm.inherited:
            raise _cannot_touch_inherited("update")
        if perm.role == "owner" and role != "owner":
            raise _cannot_remove_owner()
        if role == "owner" and perm.role != "owner":
            if ss.drive_id or not _flag(query, "transferOwnership"):
                raise ApiError.drive(
                    403,
                    "The transferOwnership parameter must be enabled when the permission "
                    "role is 'owner'.",
                    "forbidden",
                )
            for p in ss.permissions:
                if p.role == "owner":
                    p.role = "writer"
            ss.owner = perm.email_address
        perm.role = role
    ss.touch()
    return 200, _masked(
        perm.to_json(ss.drive_id is not None), _fields(query, PERMISSION_DEFAULT_FIELDS)
    )


def permissions_delete(fake: FakeGoogle, file_id: str, permission_id: str, query: Query) -> Result:
    ss = _file(fake, file_id, query)
    _require_share(fake, ss)
    perm = _find_permission(ss, permission_id)
    if perm.role == "owner":
        raise _cannot_remove_owner()
    if perm.inherited:
        raise _cannot_touch_inherited("delete")
    ss.permissions.remove(perm)
    ss.touch()
    return 204, None


def route(fake: FakeGoogle, method: str, segs: list[str], query: Query, body: Any) -> Result:
    """``segs``: the still-encoded path segments after ``drive/v3``."""
    parts = [unquote(s) for s in segs]
    if parts == ["about"] and method == "GET":
        return about_get(fake, query)
    if len(parts) >= 2 and parts[0] == "files":
        file_id = parts[1]
        if len(parts) == 2 and method == "GET":
            return files_get(fake, file_id, query)
        if len(parts) == 3 and parts[2] == "permissions":
            if method == "GET":
                return permissions_list(fake, file_id, query)
            if method == "POST":
                return permissions_create(fake, file_id, query, body)
        if len(parts) == 4 and parts[2] == "permissions":
            if method == "PATCH":
                return permissions_update(fake, file_id, parts[3], query, body)
            if method == "DELETE":
                return permissions_delete(fake, file_id, parts[3], query)
    raise ApiError.drive(
        404,
        f"The fake Google API does not serve {method} /drive/v3/{'/'.join(parts)}",
        "notFound",
    )
