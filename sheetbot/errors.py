"""The exception tree. Every message is one line, names no personal data, and says what to do.

The CLI maps each class to an exit code (see ``sheetbot.cli``).
"""

from __future__ import annotations


class SheetbotError(Exception):
    """Base class: anything that stops a run with a clear one-line cause."""


class ConfigError(SheetbotError):
    """The configuration file is missing, unreadable or invalid (names the dotted key)."""


class SheetError(SheetbotError):
    """The spreadsheet does not have the shape the configuration describes (a missing header)."""


class GoogleError(SheetbotError):
    """Google refused or failed a request, after bounded retries."""


class Unavailable(GoogleError):
    """Google was busy or unreachable (429, 5xx, a rate limit's 403, no answer): trying again
    later may work.

    ``retry_after``: the seconds Google asked to wait (``Retry-After``), when it said;
    ``status``: the HTTP status, None when no answer came.
    """

    def __init__(
        self, message: str, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status

    @property
    def maybe_applied(self) -> bool:
        """Whether the request may have taken effect: a 429, or a 403 for a rate limit (the
        only 403 that is ``Unavailable``), means Google refused it unread."""
        return self.status not in (403, 429)


class Rejected(GoogleError):
    """Google refused this one request as it was sent (a 400, 409, ...): another may succeed."""


class AccessDenied(GoogleError):
    """The bot's account may not open or change the spreadsheet."""


class NotFound(GoogleError):
    """The spreadsheet (or tab) does not exist, or the bot cannot see it."""
