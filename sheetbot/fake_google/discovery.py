"""Check an HTTP exchange against Google's discovery documents (``sheets.v4.json``,
``drive.v3.json``): the (method, path) must be a declared method, query parameters must
be declared (required ones present), and every key of the request and response JSON must
be a property of the declared schema, recursively, with the declared JSON type."""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path(os.environ.get("SHEETBOT_GOOGLE_API_DIR", "/work/shared/google-api"))

# Accepted by Google although not declared for the method (gspread sends it to files.get
# and Google answered 200 in the recorded cassettes).
TOLERATED_PARAMS = {"includeItemsFromAllDrives"}

ERROR_KEYS = {"code", "message", "status", "errors", "details"}
ERROR_ITEM_KEYS = {"domain", "reason", "message", "location", "locationType"}


@dataclass(frozen=True)
class Method:
    api: str  # "sheets" | "drive"
    id: str
    http_method: str
    regex: re.Pattern[str]
    literal_len: int
    parameters: dict[str, Any]
    request: str | None
    response: str | None


@dataclass(frozen=True)
class Api:
    name: str
    prefix: str
    schemas: dict[str, Any]
    global_params: dict[str, Any]
    methods: tuple[Method, ...]


def _template_regex(prefix: str, template: str) -> tuple[re.Pattern[str], int]:
    out = ""
    literal = 0
    for piece in re.split(r"(\{[^}]+\})", template):
        if piece.startswith("{"):
            out += r"[^/]+"
        else:
            out += re.escape(piece)
            literal += len(piece)
    return re.compile("^/" + re.escape(prefix) + out + "$"), literal


def _walk(api: str, prefix: str, resources: dict[str, Any]) -> list[Method]:
    out = []
    for res in resources.values():
        for m in res.get("methods", {}).values():
            rx, lit = _template_regex(prefix, m.get("flatPath") or m["path"])
            out.append(
                Method(
                    api,
                    m["id"],
                    m["httpMethod"],
                    rx,
                    lit,
                    m.get("parameters", {}),
                    (m.get("request") or {}).get("$ref"),
                    (m.get("response") or {}).get("$ref"),
                )
            )
        out.extend(_walk(api, prefix, res.get("resources", {})))
    return out


@functools.cache
def load_apis(directory: str = str(DEFAULT_DIR)) -> tuple[Api, ...]:
    apis = []
    for name, file in (("sheets", "sheets.v4.json"), ("drive", "drive.v3.json")):
        doc = json.loads((Path(directory) / file).read_text())
        prefix = doc["servicePath"]
        methods = _walk(name, prefix, doc["resources"])
        apis.append(Api(name, prefix, doc["schemas"], doc.get("parameters", {}), tuple(methods)))
    return tuple(apis)


def find_method(method: str, path: str, directory: str = str(DEFAULT_DIR)) -> Method | None:
    """The discovery method for ``path`` (percent-encoded, relative to the root)."""
    best: Method | None = None
    for api in load_apis(directory):
        for m in api.methods:
            if (
                m.http_method == method.upper()
                and m.regex.match(path)
                and (best is None or m.literal_len > best.literal_len)
            ):
                best = m
    return best


def _api(name: str, directory: str) -> Api:
    return next(a for a in load_apis(directory) if a.name == name)


def check_value(
    value: Any,
    schema: dict[str, Any],
    schemas: dict[str, Any],
    where: str,
    *,
    allow_null: bool = False,
) -> list[str]:
    """Problems of ``value`` against a discovery schema (unknown keys, wrong types).
    ``allow_null``: a JSON null stands for the field's default (proto3 JSON, accepted in
    requests; Google never answers nulls)."""
    if value is None and allow_null:
        return []
    if "$ref" in schema:
        return check_value(value, schemas[schema["$ref"]], schemas, where, allow_null=allow_null)
    kind = schema.get("type")
    problems: list[str] = []
    if kind == "any" or (kind is None and "properties" not in schema):
        return problems
    if kind == "object" or "properties" in schema:
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {type(value).__name__}"]
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, sub in value.items():
            if key in props:
                problems += check_value(
                    sub, props[key], schemas, f"{where}.{key}", allow_null=allow_null
                )
            elif extra is not None:
                problems += check_value(
                    sub, extra, schemas, f"{where}.{key}", allow_null=allow_null
                )
            else:
                problems.append(f"{where}: unknown key {key!r}")
        return problems
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: expected an array, got {type(value).__name__}"]
        for i, item in enumerate(value):
            problems += check_value(
                item, schema.get("items", {}), schemas, f"{where}[{i}]", allow_null=allow_null
            )
        return problems
    ok = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
    }.get(str(kind), lambda v: True)(value)
    if not ok:
        # int64 fields travel as JSON strings
        if (
            kind == "string"
            and schema.get("format") in ("int64", "uint64")
            and isinstance(value, int)
        ):
            return problems
        if (
            kind == "integer"
            and schema.get("format") in ("int64", "uint64")
            and isinstance(value, str)
        ):
            return problems
        return [f"{where}: expected {kind}, got {type(value).__name__} {value!r}"]
    enum = schema.get("enum")
    if enum and isinstance(value, str) and value not in enum:
        problems.append(f"{where}: {value!r} is not one of {enum}")
    return problems


def check_error(body: Any, where: str = "error") -> list[str]:
    """Google's error envelope: {"error": {code, message, status?, errors?}}."""
    if not isinstance(body, dict) or set(body) != {"error"} or not isinstance(body["error"], dict):
        return [f"{where}: not a Google error body: {body!r}"]
    err = body["error"]
    problems = [f"{where}: unknown key {k!r}" for k in err if k not in ERROR_KEYS]
    if not isinstance(err.get("code"), int) or not isinstance(err.get("message"), str):
        problems.append(f"{where}: code/message missing")
    for item in err.get("errors", []):
        problems += [f"{where}.errors: unknown key {k!r}" for k in item if k not in ERROR_ITEM_KEYS]
    return problems


def check_exchange(
    method: str,
    path: str,
    query: dict[str, list[str]],
    request_json: Any,
    response_json: Any,
    status: int = 200,
    directory: str = str(DEFAULT_DIR),
) -> list[str]:
    """Everything in one exchange that does not fit the discovery documents. ``path`` is
    relative to the root and still percent-encoded (``/v4/spreadsheets/ID/values/...``);
    the token endpoint (``/token``) is not part of either API and is skipped."""
    if path.rstrip("/") == "/token":
        return []
    m = find_method(method, path, directory)
    if m is None:
        return [f"{method} {path}: no such method in the discovery documents"]
    api = _api(m.api, directory)
    problems: list[str] = []
    declared = {**api.global_params, **m.parameters}
    for name in query:
        if name not in declared and name not in TOLERATED_PARAMS:
            problems.append(f"{m.id}: undeclared query parameter {name!r}")
        elif name in declared and declared[name].get("location") == "path":
            problems.append(f"{m.id}: path parameter {name!r} sent in the query")
        elif name in declared:
            enum = declared[name].get("enum")
            for v in query[name]:
                if enum and v not in enum:
                    problems.append(f"{m.id}: {name}={v!r} is not one of {enum}")
    for name, spec in m.parameters.items():
        if spec.get("required") and spec.get("location") == "query" and name not in query:
            problems.append(f"{m.id}: required query parameter {name!r} missing")
    if request_json is not None:
        if m.request is None:
            problems.append(f"{m.id}: the method takes no request body")
        else:
            problems += check_value(
                request_json,
                {"$ref": m.request},
                api.schemas,
                f"{m.id} request",
                allow_null=True,
            )
    if status >= 400:
        problems += check_error(response_json, f"{m.id} error")
    elif response_json is not None:
        if m.response is None:
            problems.append(f"{m.id}: the method has no response body")
        else:
            problems += check_value(
                response_json, {"$ref": m.response}, api.schemas, f"{m.id} response"
            )
    return problems
