"""Drive permissions + committee roster → an access plan (SPEC section 3). Pure code, no I/O.

The Drive adapter turns ``permissions.list`` into ``Permission`` values and executes
``AccessPlan.to_execute`` one change at a time, in the order given. Nothing here talks to Google.

Rules, in the order they are applied to each permission:

1. the owner (any permission with role ``owner``, or an address in ``owner_emails``), the bot's
   own account and every address in ``[access] keep`` are never changed or removed;
2. ``anyone`` (link) and ``domain`` permissions are removed when ``remove_link_sharing`` is on,
   otherwise left alone;
3. a user or group permission whose address is on the effective roster gets the member's role
   (updated up or down when it differs); any other user or group permission is removed;
4. a permission inherited from a shared drive cannot be changed at file level: when rule 2 or 3
   would remove or change it, it is *reported* in ``AccessPlan.inherited`` instead, and it does
   not count toward ``max_removals``;
5. a roster member with no file-level permission is added with their role (and Google's
   notification e-mail when ``[access] notify``), unless an inherited permission already gives
   them the same or a higher role.

Changes are ordered adds, then updates, then removals, so that a run interrupted midway never
leaves the committee with less access than before it started.

The whole change is refused (``AccessPlan.refused`` says why and ``to_execute`` is empty) when
the roster has problems, when the effective roster is empty, or when more user or group
permissions would be removed than ``max_removals`` allows.

Personal data: the addresses of the committee's own configuration (roster, ``keep``, the owner
and the bot) are printed in full; any other address (a stranger about to lose access) never
enters the plan at all, only its masked form (``ma…@example.org``) and the permission id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sheetbot.config import ROLES, AccessConfig, Member, Role, normalise_header, valid_email
from sheetbot.table import FIRST_DAY, Cell, Table, serial_to_date

PermissionType = Literal["user", "group", "domain", "anyone"]
DriveRole = Literal["owner", "organizer", "fileOrganizer", "writer", "commenter", "reader"]
ChangeKind = Literal["add", "remove", "update"]

# Higher number = more access. Drive's roles form a strict ladder.
_RANK: dict[str, int] = {
    "reader": 1,
    "commenter": 2,
    "writer": 3,
    "fileOrganizer": 4,
    "organizer": 5,
    "owner": 6,
}
_TYPE_ORDER: dict[str, int] = {"user": 0, "group": 1, "domain": 2, "anyone": 3}

ROSTER_HEADERS = ("Email", "Role", "From", "Until")


# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class Permission:
    """One Drive permission of the spreadsheet, as the adapter read it from ``permissions.list``.

    ``email`` is Drive's ``emailAddress`` (user and group permissions), ``domain`` its ``domain``
    (domain permissions); ``inherited`` is true when ``permissionDetails`` says every detail is
    inherited (a shared drive's member), i.e. it cannot be removed or changed on the file.
    """

    id: str
    type: PermissionType
    role: DriveRole
    email: str | None = None
    domain: str | None = None
    inherited: bool = False


@dataclass(frozen=True)
class RosterEntry:
    """A member of the effective roster: in office on the run's date, with a resolved role."""

    email: str
    role: Role


@dataclass(frozen=True)
class AccessChange:
    """One Drive call: ``add`` → permissions.create, ``update`` → permissions.update,
    ``remove`` → permissions.delete.

    ``who`` is the display label (full address for the committee's own people, masked for anyone
    else). ``email`` is the address to share with (adds) or the member's address (updates); it
    is always None for removals, so a stranger's address never enters the plan.
    """

    kind: ChangeKind
    who: str
    type: PermissionType
    role: DriveRole  # the new role (add, update) or the current role (remove)
    old_role: DriveRole | None = None  # update only
    permission_id: str | None = None  # None for add
    email: str | None = None
    notify: bool = False  # add only: send Google's notification e-mail


@dataclass(frozen=True)
class AccessEntry:
    """A permission the plan leaves alone (``untouched``) or cannot change (``inherited``)."""

    who: str
    type: PermissionType
    role: DriveRole
    permission_id: str
    reason: str


@dataclass(frozen=True)
class AccessPlan:
    as_of: dt.date
    changes: tuple[AccessChange, ...]  # adds, then updates, then removals
    untouched: tuple[AccessEntry, ...]
    inherited: tuple[AccessEntry, ...]  # would be removed or changed, but come from a shared drive
    problems: tuple[str, ...]  # roster problems (by row or key, never a cell's value)
    refused: str | None  # why the whole access change is refused; None = go ahead
    max_removals: int

    @property
    def adds(self) -> tuple[AccessChange, ...]:
        return tuple(c for c in self.changes if c.kind == "add")

    @property
    def updates(self) -> tuple[AccessChange, ...]:
        return tuple(c for c in self.changes if c.kind == "update")

    @property
    def removals(self) -> tuple[AccessChange, ...]:
        return tuple(c for c in self.changes if c.kind == "remove")

    @property
    def to_execute(self) -> tuple[AccessChange, ...]:
        """The changes to send, in order; empty when the plan is refused."""
        return () if self.refused else self.changes


# --------------------------------------------------------------------------- roster


def _norm(email: str) -> str:
    return email.strip().casefold()


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _tab_date(value: Cell) -> dt.date | None:
    """A Sheets serial number or ISO ``YYYY-MM-DD`` text, from ``FIRST_DAY`` (2000-01-01) on:
    a year typed as a number (2027 is 1905) would start a member's term long ago. Raises
    ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a date")
    if isinstance(value, int | float):
        try:
            day = serial_to_date(value)
        except (OverflowError, ValueError):
            raise ValueError("serial number out of range") from None
    elif isinstance(value, str):
        day = dt.date.fromisoformat(value.strip())
    else:
        raise ValueError("not a date")
    if day < FIRST_DAY:
        raise ValueError("a date before 2000")
    return day


def roster_from_tab(table: Table) -> tuple[tuple[Member, ...], tuple[str, ...]]:
    """Members listed in the roster tab, and the problems found, named by sheet row and column.

    Columns ``Email`` (required), ``Role``, ``From``, ``Until`` are found by header text (trimmed,
    case-insensitive, in any order; other columns are ignored). A row whose four roster cells are
    all empty is skipped. ``Role`` empty = the ``[access]`` default role. Dates are Sheets serial
    numbers or ISO text (``2025-01-31``); both ends of a term are inclusive.

    Problems never quote a cell's value. A row with a problem is left out of the members; since
    any problem refuses the access change (``plan_access``), it never silently shrinks the roster.
    """
    index: dict[str, int] = {}
    problems: list[str] = []
    wanted = {normalise_header(h): h for h in ROSTER_HEADERS}
    for column, header in enumerate(table.headers):
        if not isinstance(header, str):
            continue
        name = wanted.get(normalise_header(header))
        if name is None:
            continue
        if name in index:
            problems.append(f'roster tab: the header "{name}" appears more than once')
        else:
            index[name] = column
    if "Email" not in index:
        problems.append(
            'roster tab: no "Email" column in row '
            f"{table.header_row} (headers: Email, Role, From, Until)"
        )
    if problems:
        return (), tuple(problems)

    members: list[Member] = []
    first_row: dict[str, int] = {}
    for i in range(len(table.rows)):
        row = table.sheet_row(i)
        cells = {name: table.cell(i, column) for name, column in index.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        row_problems: list[str] = []
        where = f"roster tab row {row}"

        raw_email = cells["Email"]
        email = raw_email.strip() if isinstance(raw_email, str) else ""
        if _blank(raw_email):
            row_problems.append(f'{where}: "Email" is empty')
        elif not valid_email(email):
            row_problems.append(f'{where}: "Email" is not an e-mail address')
        elif _norm(email) in first_row:
            row_problems.append(
                f'{where}: "Email" is the same address as row {first_row[_norm(email)]}'
            )

        role: Role | None = None
        raw_role = cells.get("Role")
        if not _blank(raw_role):
            keyword = raw_role.strip().casefold() if isinstance(raw_role, str) else ""
            for candidate in ROLES:
                if keyword == candidate:
                    role = candidate
            if role is None:
                row_problems.append(f'{where}: "Role" is not reader, commenter or writer')

        dates: dict[str, dt.date | None] = {"From": None, "Until": None}
        for name in dates:
            raw = cells.get(name)
            if _blank(raw):
                continue
            try:
                dates[name] = _tab_date(raw)
            except ValueError:
                row_problems.append(f'{where}: "{name}" is not a date (use 2025-01-31)')
        start, until = dates["From"], dates["Until"]
        if start is not None and until is not None and until < start:
            row_problems.append(f'{where}: "Until" is before "From"')

        if row_problems:
            problems.extend(row_problems)
            continue
        first_row[_norm(email)] = row
        members.append(Member(email=email, role=role, start=start, until=until))
    return tuple(members), tuple(problems)


def effective_roster(
    config_members: Iterable[Member],
    tab_members: Iterable[Member],
    as_of: dt.date,
    default_role: Role,
) -> tuple[RosterEntry, ...]:
    """The members in office on ``as_of``, each with a resolved role, sorted by address.

    Merge rule: the roster is the union of ``[access] members`` and the roster tab; an address
    listed in both (compared case-insensitively) is taken from the roster tab as a whole (role
    and dates), because the tab is where the committee keeps its roster up to date. Terms of
    office are applied after merging: a member whose ``from`` is after ``as_of`` or whose
    ``until`` is before it is absent. A member without a role gets ``default_role``.
    """
    merged: dict[str, Member] = {}
    for member in config_members:
        merged.setdefault(_norm(member.email), member)
    tab: dict[str, Member] = {}
    for member in tab_members:
        tab.setdefault(_norm(member.email), member)
    merged.update(tab)
    entries = [
        RosterEntry(email=m.email.strip(), role=m.role or default_role)
        for m in merged.values()
        if m.active_on(as_of)
    ]
    return tuple(sorted(entries, key=lambda e: (_norm(e.email), e.email)))


# --------------------------------------------------------------------------- labels


def mask_email(email: str) -> str:
    """A stranger's address for display: ``mallory@example.org`` → ``ma…@example.org``.

    At most two characters of the local part, and never more than half of it, are shown.
    """
    local, at, domain = email.strip().rpartition("@")
    if not at:
        local, domain = email.strip(), ""
    shown = local[: min(2, len(local) // 2)]
    return f"{shown}…@{domain}" if at else f"{shown}…"


def _who(permission: Permission, known: bool) -> str:
    if permission.type == "anyone":
        return "anyone with the link"
    if permission.type == "domain":
        return f"domain {permission.domain or '(unknown)'}"
    if not permission.email:
        return "(no e-mail address)"
    return permission.email if known else mask_email(permission.email)


# --------------------------------------------------------------------------- planning


def plan_access(
    permissions: Sequence[Permission],
    roster: Sequence[RosterEntry],
    *,
    owner_emails: Iterable[str],
    bot_email: str,
    config: AccessConfig,
    as_of: dt.date,
    roster_problems: Sequence[str] = (),
) -> AccessPlan:
    """The changes that make ``permissions`` match ``roster`` (see the module docstring).

    ``roster`` is the effective roster (``effective_roster``); ``roster_problems`` those of
    ``roster_from_tab``. A refused plan still lists every change it would have made, for the
    report; ``AccessPlan.to_execute`` is then empty.
    """
    members: dict[str, RosterEntry] = {}
    for roster_entry in roster:
        members.setdefault(_norm(roster_entry.email), roster_entry)
    owners = {_norm(e) for e in owner_emails if e.strip()}
    bot = _norm(bot_email)
    keep = {_norm(e) for e in config.keep}
    known = set(members) | owners | keep | ({bot} if bot else set())

    adds: list[AccessChange] = []
    updates: list[AccessChange] = []
    removals: list[AccessChange] = []
    untouched: list[AccessEntry] = []
    inherited: list[AccessEntry] = []
    covered: set[str] = set()  # members who need no add

    def entry(p: Permission, reason: str) -> AccessEntry:
        address = _norm(p.email) if p.email else ""
        return AccessEntry(_who(p, address in known), p.type, p.role, p.id, reason)

    def remove(p: Permission, inherited_reason: str) -> None:
        """Plan the removal, or report it when a shared drive grants it (not removable here)."""
        if p.inherited:
            inherited.append(entry(p, inherited_reason))
        else:
            removals.append(
                AccessChange("remove", _who(p, False), p.type, p.role, permission_id=p.id)
            )

    for p in permissions:
        address = _norm(p.email) if p.email and p.type in ("user", "group") else ""
        if p.role == "owner" or (address and address in owners):
            untouched.append(entry(p, "owner"))
            covered.add(address)
            continue
        if address and address == bot:
            untouched.append(entry(p, "the bot's own account"))
            covered.add(address)
            continue
        if address and address in keep:
            untouched.append(entry(p, "in [access] keep"))
            covered.add(address)
            continue

        if p.type in ("anyone", "domain"):
            if not config.remove_link_sharing:
                untouched.append(entry(p, "link sharing kept (remove_link_sharing = false)"))
            else:
                remove(p, "link sharing inherited from the shared drive: turn it off there")
            continue

        member = members.get(address) if address else None
        if member is None:
            remove(p, "not on the roster; inherited from the shared drive: remove it there")
            continue

        if p.role == member.role:
            untouched.append(entry(p, "member" + (" (inherited)" if p.inherited else "")))
            covered.add(address)
        elif p.inherited:
            if _RANK.get(p.role, 0) > _RANK[member.role]:
                inherited.append(
                    entry(
                        p,
                        f"the roster says {member.role}; inherited from the shared drive: "
                        "change it there",
                    )
                )
                covered.add(address)
            else:
                # Lower inherited access: a file-level permission with the member's role is
                # added (Drive allows raising access on the file); the inherited one stays.
                untouched.append(entry(p, "member (inherited, lower than the roster's role)"))
        else:
            updates.append(
                AccessChange(
                    "update",
                    member.email,
                    p.type,
                    member.role,
                    old_role=p.role,
                    permission_id=p.id,
                    email=member.email,
                )
            )
            covered.add(address)

    for key, member in members.items():
        if key in covered or key in owners or key == bot:
            continue
        adds.append(
            AccessChange(
                "add", member.email, "user", member.role, email=member.email, notify=config.notify
            )
        )

    def change_key(c: AccessChange) -> tuple[int, str, str]:
        return (_TYPE_ORDER[c.type], c.who.casefold(), c.permission_id or "")

    def entry_key(e: AccessEntry) -> tuple[int, str, str]:
        return (_TYPE_ORDER[e.type], e.who.casefold(), e.permission_id)

    changes = (
        tuple(sorted(adds, key=lambda c: _norm(c.email or "")))
        + tuple(sorted(updates, key=change_key))
        + tuple(sorted(removals, key=change_key))
    )

    refused: str | None = None
    people_removed = sum(1 for c in removals if c.type in ("user", "group"))
    if roster_problems:
        count = len(roster_problems)
        refused = (
            f"access change refused: the roster has {count} problem{'s' if count != 1 else ''}; "
            "no sharing is changed until it is fixed"
        )
    elif not members:
        refused = (
            "access change refused: the roster is empty (every member is outside their "
            "from/until dates or none is configured)"
        )
    elif people_removed > config.max_removals:
        refused = (
            f"access change refused: {people_removed} user or group removals planned, more than "
            f"max_removals = {config.max_removals} (raise it in [access] if this is intended)"
        )

    return AccessPlan(
        as_of=as_of,
        changes=changes,
        untouched=tuple(sorted(untouched, key=entry_key)),
        inherited=tuple(sorted(inherited, key=entry_key)),
        problems=tuple(roster_problems),
        refused=refused,
        max_removals=config.max_removals,
    )


# --------------------------------------------------------------------------- reporting


def _typed(kind: PermissionType, who: str) -> str:
    return f"{kind} {who}" if kind in ("user", "group") else who


def render_access_text(plan: AccessPlan) -> list[str]:
    """Terraform-style lines: ``+`` add, ``~`` update, ``-`` remove, ``!`` reported, then a
    summary or the refusal. Stranger addresses appear only masked."""
    lines = [f"! {problem}" for problem in plan.problems]
    for c in plan.changes:
        if c.kind == "add":
            group = "group " if c.type == "group" else ""
            quiet = "" if c.notify else " (no notification e-mail)"
            lines.append(f"+ {group}{c.who} {c.role}{quiet}")
        elif c.kind == "update":
            group = "group " if c.type == "group" else ""
            lines.append(f"~ {group}{c.who} {c.old_role} → {c.role}")
        else:
            lines.append(f"- {_typed(c.type, c.who)} {c.role} (permission id {c.permission_id})")
    for e in plan.inherited:
        lines.append(
            f"! {_typed(e.type, e.who)} {e.role} (permission id {e.permission_id}): {e.reason}"
        )
    summary = (
        f"{len(plan.adds)} to add, {len(plan.updates)} to update, "
        f"{len(plan.removals)} to remove, {len(plan.untouched)} untouched"
    )
    if plan.inherited:
        summary += f", {len(plan.inherited)} inherited (reported, not changed)"
    if plan.refused:
        lines.append(plan.refused)
        lines.append(f"access (not applied): {summary}")
    else:
        lines.append(f"access: {summary}")
    return lines


def _change_json(c: AccessChange) -> dict[str, Any]:
    data: dict[str, Any] = {"who": c.who, "type": c.type, "role": c.role}
    if c.kind == "add":
        data["notify"] = c.notify
    if c.kind == "update":
        data["old_role"] = c.old_role
    if c.permission_id is not None:
        data["permission_id"] = c.permission_id
    return data


def _entry_json(e: AccessEntry) -> dict[str, Any]:
    return {
        "who": e.who,
        "type": e.type,
        "role": e.role,
        "permission_id": e.permission_id,
        "reason": e.reason,
    }


def access_to_json(plan: AccessPlan) -> dict[str, Any]:
    """The report's ``access`` section (SPEC section 5). When ``refused`` is not null the
    ``add``/``update``/``remove`` lists are what *would* have been done; nothing was."""
    return {
        "add": [_change_json(c) for c in plan.adds],
        "update": [_change_json(c) for c in plan.updates],
        "remove": [_change_json(c) for c in plan.removals],
        "untouched": [_entry_json(e) for e in plan.untouched],
        "inherited": [_entry_json(e) for e in plan.inherited],
        "problems": list(plan.problems),
        "refused": plan.refused,
        "max_removals": plan.max_removals,
    }
