"""The built-in example sheet: forty-odd invented records that exercise every rule.

Every name is invented (``@mail.test``, ``example.org``). Dates are relative to the demo's
as-of date, so the demo tells the same story in any year. Each row's ``story`` says what
it demonstrates; the demo's tests assert that the plan tells exactly that story.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

HEADERS = (
    "Date of 1st report",
    "Reporter",
    "Named subjects",
    "Subject email address/URL",
    "Summary of report (for internal purposes)",
    "Action taken by us?",
    "Action taken by local rep?",
    "Summary of outcome to share if suitable",
    "Outcome",
    "Ban until",
    "Date to expunge this record",
    "Retention override",
    "Expunged on",
)

DemoCell = str | int | float | bool | dt.date | None


@dataclass(frozen=True)
class DemoRecord:
    story: str  # what this row demonstrates
    action: str  # the action the plan must take (JSON value)
    reported: DemoCell
    reporter: str
    subjects: str
    subject_contact: str
    outcome: str
    ban_until: DemoCell = ""
    override: DemoCell = ""
    expunge_on: DemoCell = ""

    def row(self) -> list[DemoCell]:
        return [
            self.reported,
            self.reporter,
            self.subjects,
            self.subject_contact,
            f"Demo: {self.story}",  # the summary: general information, never written
            "Contacted the subject" if self.outcome else "",
            "",
            "Shared with organisers" if self.outcome else "",
            self.outcome,
            self.ban_until,
            self.expunge_on,
            self.override,
            "",
        ]


def months(as_of: dt.date, n: int, days: int = 0) -> dt.date:
    """``n`` months (and ``days`` days) before ``as_of``; negative n is in the future."""
    result: dt.date = as_of - relativedelta(months=n, days=days)
    return result


def records(as_of: dt.date) -> list[DemoRecord]:
    def m(n: int, days: int = 0) -> dt.date:
        return months(as_of, n, days)

    r = DemoRecord
    return [
        # --- the five outcome types, each side of its term
        r("no violation: expunged at once", "expunge", m(2), "Robin Reporter",
          "Sam Subject", "sam.subject@mail.test", "No violation"),
        r("no violation, PII already gone: done", "done", m(9), "", "", "",
          "No violation", expunge_on=m(9)),
        r("unidentified actor, 7 months: reporter only", "expunge-reporter", m(7),
          "Riley Reporter", "unknown attendee", "", "Violation, actor not identified"),
        r("unidentified actor, 2 months: retained", "retain", m(2), "Rowan Reporter",
          "unknown person at the party", "", "Violation, actor not identified"),
        r("unidentified actor, reporter already gone: done", "done", m(20), "",
          "unknown speaker", "", "Violation, actor not identified", expunge_on=m(14)),
        r("resolved, 15 months: expunged", "expunge", m(15), "Quinn Reporter",
          "Casey Subject", "casey@mail.test", "Resolved"),
        r("resolved, 13 months: retained", "retain", m(13), "Jamie Reporter",
          "Drew Subject", "drew@mail.test", "Resolved"),
        r("resolved, due exactly today: expunged", "expunge", m(14), "Avery Reporter",
          "Emery Subject", "emery@mail.test", "Resolved"),
        r("flagged, 27 months: expunged", "expunge", m(27), "Parker Reporter",
          "Finley Subject", "https://social.example.org/@finley", "Flagged"),
        r("flagged, 20 months: retained", "retain", m(20), "Reese Reporter",
          "Harper Subject", "harper@mail.test", "Flagged"),
        r("banned until 30 months ago: expunged", "expunge", m(40), "Sage Reporter",
          "Kai Subject", "kai@mail.test", "Banned", ban_until=m(30)),
        r("banned until a year ago: retained for 26 months after", "retain", m(24),
          "Skyler Reporter", "Lane Subject", "lane@mail.test", "Banned", ban_until=m(12)),
        r("permanent ban: never", "retain", m(50), "Taylor Reporter", "Morgan Subject",
          "morgan@mail.test", "Banned", ban_until="permanent"),
        r("indefinite ban: never", "retain", m(45), "Jordan Reporter", "Noel Subject",
          "noel@mail.test", "banned", ban_until="Indefinite"),
        r("pending decision: never while pending", "retain", m(1), "Cameron Reporter",
          "Oakley Subject", "oakley@mail.test", ""),
        # --- repeat offence: a new violation restarts older, still-retained records
        r("repeat offence: restarted by a flagged report 10 months ago", "retain", m(20),
          "Dakota Reporter", "Pat Repeat", "pat.repeat@mail.test", "Resolved"),
        r("repeat offence: the new violation", "retain", m(10), "Elliot Reporter",
          "Pat R.", "PAT.REPEAT@mail.test", "Flagged"),
        r("repeat offence too late: already due before the new violation", "expunge",
          m(30), "Frankie Reporter", "Lou Late", "lou.late@mail.test", "Resolved"),
        r("repeat offence too late: the new violation", "retain", m(10), "Gray Reporter",
          "Lou Late", "mailto:lou.late@mail.test", "Resolved"),
        # --- a pending report holds the person's due records
        r("held: due, but the same person has a pending report", "hold", m(14, 15),
          "Hayden Reporter", "Max Held", "@max-held", "Resolved"),
        r("held: the pending report", "retain", m(1), "Indy Reporter",
          "Max Held; someone else", "@Max-Held", ""),
        # --- overrides
        r("override keep: never", "retain", m(36), "Jules Reporter", "Nico Keep",
          "nico.keep@mail.test", "Resolved", override="keep"),
        r("override earlier date: expunged early", "expunge", m(2), "Kendall Reporter",
          "Ola Early", "ola.early@mail.test", "Resolved", override=m(0, 7)),
        r("override later date: retained", "retain", m(30), "Logan Reporter",
          "Perry Later", "perry.later@mail.test", "Flagged", override=m(-6)),
        # --- the same person across spellings and multi-person cells
        r("two subjects in one cell, both due", "expunge", m(16), "Marley Reporter",
          "Remy Pair, Shay Pair", "remy@mail.test\nshay@mail.test", "Resolved"),
        r("URL spellings of one person: restarted", "retain", m(18), "Nova Reporter",
          "Toni Web", "https://www.example.org/people/toni/", "Resolved"),
        r("URL spellings of one person: the new violation", "retain", m(8),
          "Onyx Reporter", "Toni W.", "example.org/people/toni", "Resolved"),
        # --- dates typed as text (this sheet's locale is en_GB: day first)
        r("text date, day first: expunged", "expunge", (m(16)).strftime("%d/%m/%Y"),
          "Peyton Reporter", "Uma Text", "uma@mail.test", "Resolved"),
        r("text date, ISO: retained", "retain", m(3).isoformat(), "Quincy Reporter",
          "Val Text", "val@mail.test", "Resolved"),
        # --- needs attention: never blanked, and they hold the person's other records
        r("needs attention: the date is not a date", "needs-attention", "sometime in spring",
          "Rory Reporter", "Wren Unclear", "wren@mail.test", "Resolved"),
        r("needs attention: outcome label not configured", "needs-attention", m(20),
          "Sasha Reporter", "Xan Label", "xan@mail.test", "Warned"),
        r("held by a record that needs attention", "hold", m(20), "Tatum Reporter",
          "Xan Label", "xan@mail.test", "Resolved"),
        r("needs attention: banned with no ban end", "needs-attention", m(5),
          "Uri Reporter", "Yael Ban", "yael@mail.test", "Banned"),
    ] + [
        # --- the ordinary run of the sheet: recent records, retained
        r("recent resolved record: retained", "retain", m(k), f"Reporter {k:02d}",
          f"Subject {k:02d}", f"subject{k:02d}@mail.test", "Resolved")
        for k in range(1, 11)
    ]  # fmt: skip


def rows(as_of: dt.date) -> list[list[DemoCell]]:
    """The records tab: headers, then one row per record, with a blank row in the middle."""
    body = [rec.row() for rec in records(as_of)]
    return [list(HEADERS), *body[:20], [""] * len(HEADERS), *body[20:]]


def personal_data(as_of: dt.date) -> set[str]:
    """Every personal-data value of the demo sheet (for tests that scan output for leaks)."""
    values: set[str] = set()
    for rec in records(as_of):
        for cell in (rec.reporter, rec.subjects, rec.subject_contact):
            values.update(part.strip() for part in cell.replace(";", "\n").replace(",", "\n")
                          .splitlines() if len(part.strip()) > 3)  # fmt: skip
    return values
