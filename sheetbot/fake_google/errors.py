"""Errors in the shapes Google's APIs answer them.

Sheets (as recorded): ``{"error": {"code": 404, "message": "...", "status": "NOT_FOUND"}}``.
Drive v3 adds the legacy ``errors`` list: ``{"error": {"code": 404, "message": "...",
"errors": [{"domain": "global", "reason": "notFound", "message": "..."}]}}``.
"""

from __future__ import annotations

from typing import Any

STATUS_NAMES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

DEFAULT_MESSAGES: dict[int, str] = {
    400: "Invalid request.",
    401: (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project."
    ),
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: (
        "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per user' "
        "of service 'sheets.googleapis.com' for consumer 'project_number:0'."
    ),
    500: "Internal error encountered.",
    502: "Bad Gateway",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}

DRIVE_REASONS: dict[int, str] = {
    400: "badRequest",
    401: "authError",
    403: "forbidden",
    404: "notFound",
    429: "rateLimitExceeded",
    500: "internalError",
    502: "badGateway",
    503: "backendError",
    504: "backendError",
}


class ApiError(Exception):
    """An error answer; ``body`` is the JSON Google would send."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(f"{status}: {body['error'].get('message', '')}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})

    @classmethod
    def sheets(cls, status: int, message: str | None = None) -> ApiError:
        return cls(status, sheets_error_body(status, message))

    @classmethod
    def drive(
        cls,
        status: int,
        message: str | None = None,
        reason: str | None = None,
        *,
        location: str | None = None,
        location_type: str | None = None,
    ) -> ApiError:
        return cls(
            status,
            drive_error_body(
                status, message, reason, location=location, location_type=location_type
            ),
        )


def sheets_error_body(status: int, message: str | None = None) -> dict[str, Any]:
    return {
        "error": {
            "code": status,
            "message": message or DEFAULT_MESSAGES.get(status, "Error"),
            "status": STATUS_NAMES.get(status, "UNKNOWN"),
        }
    }


def drive_error_body(
    status: int,
    message: str | None = None,
    reason: str | None = None,
    *,
    location: str | None = None,
    location_type: str | None = None,
) -> dict[str, Any]:
    msg = message or DEFAULT_MESSAGES.get(status, "Error")
    item: dict[str, Any] = {
        "message": msg,
        "domain": "global",
        "reason": reason or DRIVE_REASONS.get(status, "error"),
    }
    if location is not None:
        item["location"] = location
        item["locationType"] = location_type or "parameter"
    return {"error": {"code": status, "message": msg, "errors": [item]}}


# Drive's rate limits are 403s of the "usageLimits" domain ("403: User rate limit exceeded").
RATE_LIMIT_MESSAGES = {
    "userRateLimitExceeded": "User Rate Limit Exceeded",
    "rateLimitExceeded": "Rate Limit Exceeded",
}


def error_body(
    api: str, status: int, message: str | None = None, reason: str | None = None
) -> dict[str, Any]:
    """The generic error body for ``api`` ("sheets", "drive" or "token"); ``reason``: Drive's
    reason (a rate limit's among them), or for Sheets the ErrorInfo reason in ``details``."""
    message = message or RATE_LIMIT_MESSAGES.get(reason or "")
    if api == "drive":
        body = drive_error_body(status, message, reason)
        if reason in RATE_LIMIT_MESSAGES:
            body["error"]["errors"][0]["domain"] = "usageLimits"
        return body
    body = sheets_error_body(status, message)
    if reason:
        body["error"]["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
            }
        ]
    return body
