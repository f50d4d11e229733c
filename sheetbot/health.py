"""Health signals for an unattended run: a dead man's switch ping and a counts-only summary.

- ``--ping-url`` / ``SHEETBOT_PING_URL``: a healthchecks.io-style check. ``URL/start`` when the
  run begins, ``URL/<exit code>`` when it ends (healthchecks.io takes ``/0`` .. ``/255``: 0 is
  success, anything else a failure). If the pings stop, the service alerts: this is what
  notices a cron job that silently stopped running.
- ``--webhook-url`` / ``SHEETBOT_WEBHOOK_URL``: a Slack-compatible incoming webhook
  (``{"text": ...}``, also understood by Mattermost, Rocket.Chat, Discord's ``/slack``
  endpoint, ...) receiving one line of counts per run.

Both are best effort: a signal that cannot be delivered never changes the run's outcome or
exit code; it logs one warning naming the host only, because such URLs carry their secret
token in the path. Each request is bounded by a short timeout.

Nothing sent here holds personal data: ``summary_text`` is built from counts only (records
expunged, held, needing attention, access changes, records due in the next 30 days), never
from a cell, a row's contents or an e-mail address.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from sheetbot.policy import Action
from sheetbot.report import RunReport

log = logging.getLogger(__name__)

PING_URL_ENV = "SHEETBOT_PING_URL"
WEBHOOK_URL_ENV = "SHEETBOT_WEBHOOK_URL"
TIMEOUT = 10.0  # seconds, for connecting and for each wait on the answer
DUE_SOON_DAYS = 30
USER_AGENT = "sheetbot-health"
_NO_HOST = "an invalid URL"

# Exit codes, as in sheetbot.cli (repeated here so that this module does not import click).
_STATUS = {
    0: "OK",
    1: "ERROR",
    2: "USAGE ERROR",
    3: "NEEDS ATTENTION",
    4: "REFUSED",
}


# --------------------------------------------------------------------------- pure functions


@dataclass(frozen=True)
class Counts:
    """What a run did (or, in a dry run, would do), as numbers only."""

    dry_run: bool
    as_of: dt.date
    records: int
    expunged: int  # records expunged (dry run: to expunge)
    held: int
    needs_attention: int  # records that cannot be read
    access_changes: int | None  # permission changes made (dry run: planned); None: not managed
    due_soon: int  # records whose date falls within (as_of, as_of + DUE_SOON_DAYS]
    skipped: int  # planned rows not written because they changed during the run
    refused: str | None  # the guard that refused ("mass-expunge", "access"), or None


def due_soon(report: RunReport, days: int = DUE_SOON_DAYS) -> int:
    """Records whose effective expunge date is after ``as_of`` and at most ``days`` later."""
    as_of = report.plan.as_of
    until = as_of + dt.timedelta(days=days)
    return sum(
        1
        for expunge_on in report.plan.decisions.expunge_on
        if isinstance(expunge_on, dt.date) and as_of < expunge_on <= until
    )


def counts(report: RunReport) -> Counts:
    plan = report.plan
    if report.dry_run:
        expunged = plan.expunge_count
    else:
        written = set(report.written)
        expunged = sum(1 for c in plan.changes if c.expunges and c.row in written)
    access = report.access
    refused: str | None = plan.refusal.guard if plan.refusal is not None else None
    access_changes: int | None = None
    if access is not None:
        access_changes = 0
        if access.refused is not None:
            refused = refused or "access"
        else:  # a dry run: the changes planned; an apply: those done, not those planned
            access_changes = len(access.changes) if report.dry_run else report.access_done
    return Counts(
        dry_run=report.dry_run,
        as_of=plan.as_of,
        records=len(plan.decisions),
        expunged=expunged,
        held=plan.count(Action.HOLD),
        needs_attention=plan.count(Action.NEEDS_ATTENTION),
        access_changes=access_changes,
        due_soon=due_soon(report),
        skipped=len(report.skipped),
        refused=refused,
    )


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def status_word(exit_code: int) -> str:
    return _STATUS.get(exit_code, "ERROR")


def summary_text(report: RunReport | None, exit_code: int) -> str:
    """One line of counts for a chat channel; ``report`` is None when the run failed early.

    Example: ``sheetbot run as of 2025-06-01: OK (exit 0). 2 records expunged, 1 held,
    0 need attention, 1 access change, 3 due in the next 30 days (40 records).``
    """
    status = f"{status_word(exit_code)} (exit {exit_code})"
    if report is None:
        return f"sheetbot run: {status}. No report: see the job's log for the cause."
    c = counts(report)
    mode = "dry run" if c.dry_run else "run"
    verb = "to expunge" if c.dry_run else "expunged"
    access_verb = "to make" if c.dry_run else "made"
    parts = [
        f"{_n(c.expunged, 'record')} {verb}",
        f"{c.held} held",
        f"{c.needs_attention} {'needs' if c.needs_attention == 1 else 'need'} attention",
    ]
    if c.access_changes is not None:
        parts.append(f"{_n(c.access_changes, 'access change')} {access_verb}")
    parts.append(f"{c.due_soon} due in the next {DUE_SOON_DAYS} days")
    if c.skipped:
        parts.append(f"{c.skipped} skipped (changed during the run; retried next run)")
    text = f"sheetbot {mode} as of {c.as_of.isoformat()}: {status}. "
    if c.refused is not None:
        text += f"Refused by the {c.refused} guard. "
    return text + ", ".join(parts) + f" ({_n(c.records, 'record')})."


def host_of(url: str) -> str:
    """The host of a URL, for messages: never its path, query or user info (the secret)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    return host or _NO_HOST


def ping_url(url: str, suffix: str) -> str:
    """``https://hc-ping.com/UUID`` + ``start`` → ``https://hc-ping.com/UUID/start``."""
    return f"{url.rstrip('/')}/{suffix}"


def exit_suffix(exit_code: int) -> str:
    """The healthchecks.io path for an exit code: ``0`` .. ``255`` (others clamp to 255)."""
    return str(exit_code if 0 <= exit_code <= 255 else 255)


# --------------------------------------------------------------------------- senders


def _send(
    what: str,
    method: str,
    url: str,
    session: requests.Session | None,
    timeout: float,
    **kwargs: object,
) -> bool:
    """One request; True on a 2xx answer. Never raises; a failure logs the host only."""
    host = host_of(url)
    if not url.lower().startswith(("http://", "https://")) or host == _NO_HOST:
        log.warning("%s not sent: the URL is not http(s)://HOST/...", what)
        return False
    try:
        sender = session if session is not None else requests
        response = sender.request(
            method,
            url,
            timeout=(timeout, timeout),
            allow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            **kwargs,  # type: ignore[arg-type]
        )
        response.close()
    except Exception as exc:  # requests' messages quote the URL, and with it the secret
        log.warning("%s to %s failed: %s", what, host, type(exc).__name__, extra={"host": host})
        return False
    if not 200 <= response.status_code < 300:
        log.warning(
            "%s to %s answered HTTP %d",
            what,
            host,
            response.status_code,
            extra={"host": host, "status": response.status_code},
        )
        return False
    return True


def ping(
    url: str,
    suffix: str,
    session: requests.Session | None = None,
    *,
    body: str | None = None,
    timeout: float = TIMEOUT,
) -> bool:
    """Ping ``URL/suffix`` (``start``, or an exit code); with ``body``, POST it as the log.

    healthchecks.io shows a POSTed body in the check's event log (up to 100 kB).
    Returns whether the ping was accepted; never raises.
    """
    target = ping_url(url, suffix)
    if body is None:
        return _send("health ping", "GET", target, session, timeout)
    return _send(
        "health ping",
        "POST",
        target,
        session,
        timeout,
        data=body.encode("utf-8"),
    )


def post_webhook(
    url: str, text: str, session: requests.Session | None = None, *, timeout: float = TIMEOUT
) -> bool:
    """POST ``{"text": text}`` to a Slack-compatible webhook; never raises."""
    return _send("webhook", "POST", url, session, timeout, json={"text": text})


@dataclass
class Signals:
    """What the CLI calls: ``start()`` before the run, ``finish(report, code)`` after it.

    Either URL may be empty (that signal is off). Nothing here raises.
    """

    ping_url: str | None = None
    webhook_url: str | None = None
    session: requests.Session | None = None
    timeout: float = TIMEOUT

    def start(self) -> None:
        if self.ping_url:
            ping(self.ping_url, "start", self.session, timeout=self.timeout)

    def finish(self, report: RunReport | None, exit_code: int) -> None:
        if not (self.ping_url or self.webhook_url):
            return
        try:
            text = summary_text(report, exit_code)
        except Exception as exc:  # a bug here must not change the run's outcome
            log.warning("health summary failed: %s", type(exc).__name__)
            text = summary_text(None, exit_code)
        if self.ping_url:
            ping(
                self.ping_url,
                exit_suffix(exit_code),
                self.session,
                body=text,
                timeout=self.timeout,
            )
        if self.webhook_url:
            post_webhook(self.webhook_url, text, self.session, timeout=self.timeout)
