"""The access planner (SPEC section 3): what the committee would notice about its sharing."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Sequence

import pytest

from sheetbot.access import (
    AccessChange,
    AccessPlan,
    DriveRole,
    Permission,
    PermissionType,
    RosterEntry,
    access_to_json,
    effective_roster,
    mask_email,
    plan_access,
    render_access_text,
    roster_from_tab,
)
from sheetbot.config import AccessConfig, Member, Role
from sheetbot.table import Cell, Table, date_to_serial

AS_OF = dt.date(2025, 6, 1)
OWNER = "owner@example.org"
BOT = "sheetbot@mail.test"


def perm(
    pid: str,
    email: str | None = None,
    role: DriveRole = "writer",
    type: PermissionType = "user",
    *,
    domain: str | None = None,
    inherited: bool = False,
) -> Permission:
    return Permission(pid, type, role, email=email, domain=domain, inherited=inherited)


BASE: tuple[Permission, ...] = (perm("p-owner", OWNER, "owner"), perm("p-bot", BOT, "writer"))


def make_plan(
    permissions: Sequence[Permission],
    members: Sequence[Member | str],
    *,
    tab_members: Sequence[Member] = (),
    roster_problems: Sequence[str] = (),
    as_of: dt.date = AS_OF,
    **config: object,
) -> AccessPlan:
    access = AccessConfig(
        members=tuple(Member(m) if isinstance(m, str) else m for m in members),
        **config,  # type: ignore[arg-type]
    )
    roster = effective_roster(access.members, tab_members, as_of, access.role)
    return plan_access(
        (*BASE, *permissions),
        roster,
        owner_emails=[OWNER],
        bot_email=BOT,
        config=access,
        as_of=as_of,
        roster_problems=roster_problems,
    )


def summary(plan: AccessPlan) -> list[tuple[str, str, str, str | None]]:
    """(kind, who, role, old_role) of every change, in plan order."""
    return [(c.kind, c.who, c.role, c.old_role) for c in plan.changes]


def everything_printed(plan: AccessPlan) -> str:
    return "\n".join(render_access_text(plan)) + json.dumps(access_to_json(plan)) + repr(plan)


# --------------------------------------------------------------------------- adding


@pytest.mark.parametrize("notify", [True, False])
def test_new_member_is_added_with_their_role_and_the_notify_setting(notify: bool) -> None:
    plan = make_plan([], [Member("bob@example.org", role="commenter")], notify=notify)
    assert plan.refused is None
    assert plan.to_execute == (
        AccessChange(
            "add", "bob@example.org", "user", "commenter", email="bob@example.org", notify=notify
        ),
    )
    text = render_access_text(plan)
    expected = "+ bob@example.org commenter" + ("" if notify else " (no notification e-mail)")
    assert text[0] == expected
    assert access_to_json(plan)["add"] == [
        {"who": "bob@example.org", "type": "user", "role": "commenter", "notify": notify}
    ]


def test_member_without_a_role_gets_the_default_role() -> None:
    plan = make_plan([], ["bob@example.org"], role="reader")
    assert summary(plan) == [("add", "bob@example.org", "reader", None)]


def test_member_with_the_right_role_is_untouched() -> None:
    plan = make_plan([perm("p1", "alice@example.org", "writer")], ["alice@example.org"])
    assert plan.changes == ()
    assert [(e.who, e.reason) for e in plan.untouched if e.permission_id == "p1"] == [
        ("alice@example.org", "member")
    ]
    assert render_access_text(plan)[-1] == (
        "access: 0 to add, 0 to update, 0 to remove, 3 untouched"
    )


# --------------------------------------------------------------------------- removing


def test_former_member_is_removed() -> None:
    plan = make_plan(
        [perm("p1", "alice@example.org"), perm("p2", "mallory@example.org", "commenter")],
        ["alice@example.org"],
    )
    assert plan.refused is None
    assert [(c.kind, c.permission_id, c.role) for c in plan.to_execute] == [
        ("remove", "p2", "commenter")
    ]
    assert plan.to_execute[0].email is None
    assert "- user ma…@example.org commenter (permission id p2)" in render_access_text(plan)


def test_member_whose_term_ended_is_removed_and_until_is_inclusive() -> None:
    ended = Member("carol@example.org", until=AS_OF - dt.timedelta(days=1))
    last_day = Member("dave@example.org", until=AS_OF)
    plan = make_plan(
        [perm("p1", "carol@example.org"), perm("p2", "dave@example.org")],
        [ended, last_day],
    )
    assert [(c.kind, c.permission_id) for c in plan.changes] == [("remove", "p1")]
    assert "p2" in {e.permission_id for e in plan.untouched}


def test_member_whose_term_has_not_begun_is_not_added_and_from_is_inclusive() -> None:
    later = Member("erin@example.org", start=AS_OF + dt.timedelta(days=1))
    today = Member("frank@example.org", start=AS_OF)
    plan = make_plan([perm("p1", "erin@example.org")], [later, today])
    assert summary(plan) == [
        ("add", "frank@example.org", "writer", None),
        ("remove", "er…@example.org", "writer", None),
    ]


def test_group_permission_not_on_the_roster_is_removed() -> None:
    plan = make_plan(
        [perm("g1", "old-committee@example.org", "writer", "group")], ["alice@example.org"]
    )
    assert [(c.kind, c.type, c.permission_id) for c in plan.removals] == [("remove", "group", "g1")]
    assert "- group ol…@example.org writer (permission id g1)" in render_access_text(plan)


def test_user_permission_without_an_address_is_removed() -> None:
    plan = make_plan([perm("p9", None, "reader")], ["alice@example.org"])
    assert [(c.kind, c.permission_id) for c in plan.changes] == [
        ("add", None),
        ("remove", "p9"),
    ]
    assert "- user (no e-mail address) reader (permission id p9)" in render_access_text(plan)


# --------------------------------------------------------------------------- roles


def test_higher_role_than_configured_is_updated_down() -> None:
    plan = make_plan(
        [perm("p1", "dave@example.org", "writer")], [Member("dave@example.org", role="commenter")]
    )
    assert plan.to_execute == (
        AccessChange(
            "update",
            "dave@example.org",
            "user",
            "commenter",
            old_role="writer",
            permission_id="p1",
            email="dave@example.org",
        ),
    )
    assert render_access_text(plan)[0] == "~ dave@example.org writer → commenter"


def test_lower_role_than_configured_is_updated_up() -> None:
    plan = make_plan([perm("p1", "dave@example.org", "reader")], ["dave@example.org"])
    assert summary(plan) == [("update", "dave@example.org", "writer", "reader")]
    assert access_to_json(plan)["update"] == [
        {
            "who": "dave@example.org",
            "type": "user",
            "role": "writer",
            "old_role": "reader",
            "permission_id": "p1",
        }
    ]


def test_group_on_the_roster_is_treated_like_a_member() -> None:
    plan = make_plan(
        [
            perm("g1", "coc@example.org", "writer", "group"),
            perm("g2", "coc-observers@example.org", "writer", "group"),
        ],
        ["coc@example.org", Member("coc-observers@example.org", role="reader")],
    )
    assert [(c.kind, c.permission_id, c.role) for c in plan.changes] == [("update", "g2", "reader")]
    assert render_access_text(plan)[0] == "~ group coc-observers@example.org writer → reader"
    assert "g1" in {e.permission_id for e in plan.untouched}


# --------------------------------------------------------------------------- link sharing


def test_link_and_domain_sharing_are_removed() -> None:
    plan = make_plan(
        [
            perm("anyoneWithLink", role="reader", type="anyone"),
            perm("d1", role="commenter", type="domain", domain="example.org"),
        ],
        ["alice@example.org"],
    )
    assert [(c.kind, c.type, c.permission_id) for c in plan.changes] == [
        ("add", "user", None),
        ("remove", "domain", "d1"),
        ("remove", "anyone", "anyoneWithLink"),
    ]
    text = render_access_text(plan)
    assert "- domain example.org commenter (permission id d1)" in text
    assert "- anyone with the link reader (permission id anyoneWithLink)" in text


def test_link_and_domain_sharing_kept_when_remove_link_sharing_is_false() -> None:
    plan = make_plan(
        [
            perm("anyoneWithLink", role="reader", type="anyone"),
            perm("d1", role="reader", type="domain", domain="example.org"),
            perm("p1", "alice@example.org"),
        ],
        ["alice@example.org"],
        remove_link_sharing=False,
    )
    assert plan.changes == ()
    kept = {e.permission_id: e.who for e in plan.untouched}
    assert kept["anyoneWithLink"] == "anyone with the link"
    assert kept["d1"] == "domain example.org"


# --------------------------------------------------------------------------- never touched


def test_owner_is_never_touched_even_when_not_on_the_roster() -> None:
    plan = make_plan([perm("p2", "co-owner@example.org", "owner")], ["alice@example.org"])
    assert [c.kind for c in plan.changes] == ["add"]
    reasons = {e.permission_id: e.reason for e in plan.untouched}
    assert reasons["p-owner"] == "owner"
    assert reasons["p2"] == "owner"


def test_owner_on_the_roster_with_a_lower_role_is_not_downgraded() -> None:
    plan = make_plan([], [Member(OWNER, role="reader"), "alice@example.org"])
    assert summary(plan) == [("add", "alice@example.org", "writer", None)]


def test_bot_is_never_touched() -> None:
    plan = make_plan([], ["alice@example.org", Member(BOT.upper(), role="reader")])
    assert summary(plan) == [("add", "alice@example.org", "writer", None)]
    assert {e.permission_id: e.reason for e in plan.untouched}["p-bot"] == "the bot's own account"


def test_keep_is_never_touched() -> None:
    plan = make_plan(
        [perm("p1", "legal@example.org", "writer"), perm("p2", "alice@example.org")],
        ["alice@example.org"],
        keep=("Legal@Example.org",),
    )
    assert plan.changes == ()
    untouched = {e.permission_id: (e.who, e.reason) for e in plan.untouched}
    assert untouched["p1"] == ("legal@example.org", "in [access] keep")


# --------------------------------------------------------------------------- inherited


def test_inherited_permission_of_a_non_member_is_reported_not_removed() -> None:
    plan = make_plan(
        [perm("p1", "mallory@example.org", "organizer", inherited=True)],
        ["alice@example.org"],
        max_removals=0,
    )
    assert plan.refused is None  # not a removal, so max_removals = 0 is not exceeded
    assert summary(plan) == [("add", "alice@example.org", "writer", None)]
    assert [(e.permission_id, e.who) for e in plan.inherited] == [("p1", "ma…@example.org")]
    text = render_access_text(plan)
    assert text[1] == (
        "! user ma…@example.org organizer (permission id p1): "
        "not on the roster; inherited from the shared drive: remove it there"
    )
    assert text[-1].endswith("1 inherited (reported, not changed)")
    assert access_to_json(plan)["inherited"][0]["permission_id"] == "p1"


def test_inherited_link_sharing_is_reported_not_removed() -> None:
    plan = make_plan(
        [
            perm("p2", "alice@example.org"),
            perm("d1", None, "reader", "domain", domain="mail.test"),
            perm("anyoneWithLink", None, "reader", "anyone", inherited=True),
        ],
        ["alice@example.org"],
    )
    assert [c.permission_id for c in plan.changes] == ["d1"]
    assert [e.permission_id for e in plan.inherited] == ["anyoneWithLink"]


def test_inherited_role_higher_than_the_roster_is_reported_and_no_duplicate_added() -> None:
    plan = make_plan(
        [perm("p1", "dave@example.org", "organizer", inherited=True)],
        [Member("dave@example.org", role="commenter")],
    )
    assert plan.changes == ()
    assert [e.reason for e in plan.inherited] == [
        "the roster says commenter; inherited from the shared drive: change it there"
    ]


def test_inherited_role_equal_to_the_roster_is_untouched() -> None:
    plan = make_plan(
        [perm("p1", "dave@example.org", "writer", inherited=True)], ["dave@example.org"]
    )
    assert plan.changes == ()
    assert plan.inherited == ()
    assert {e.permission_id: e.reason for e in plan.untouched}["p1"] == "member (inherited)"


def test_inherited_role_lower_than_the_roster_gets_a_file_level_add() -> None:
    plan = make_plan(
        [perm("p1", "dave@example.org", "reader", inherited=True)], ["dave@example.org"]
    )
    assert summary(plan) == [("add", "dave@example.org", "writer", None)]
    assert "p1" in {e.permission_id for e in plan.untouched}


# --------------------------------------------------------------------------- refusals


def strangers(count: int) -> list[Permission]:
    return [perm(f"s{i}", f"stranger{i}@mail.test", "reader") for i in range(count)]


def test_more_removals_than_max_removals_refuses_everything() -> None:
    plan = make_plan(strangers(4), ["alice@example.org"], max_removals=3)
    assert plan.refused == (
        "access change refused: 4 user or group removals planned, more than "
        "max_removals = 3 (raise it in [access] if this is intended)"
    )
    assert plan.to_execute == ()
    assert len(plan.changes) == 5  # the refused plan is still shown
    text = render_access_text(plan)
    assert text[-2] == plan.refused
    assert text[-1] == "access (not applied): 1 to add, 0 to update, 4 to remove, 2 untouched"
    assert access_to_json(plan)["refused"] == plan.refused


def test_removals_up_to_max_removals_go_ahead() -> None:
    plan = make_plan(strangers(3), ["alice@example.org"], max_removals=3)
    assert plan.refused is None
    assert len(plan.to_execute) == 4


def test_link_sharing_removal_does_not_count_toward_max_removals() -> None:
    plan = make_plan(
        [*strangers(1), perm("anyoneWithLink", None, "reader", "anyone")],
        ["alice@example.org"],
        max_removals=1,
    )
    assert plan.refused is None
    assert len(plan.removals) == 2


def test_empty_roster_refuses() -> None:
    plan = make_plan([perm("p1", "alice@example.org")], [])
    assert plan.refused == (
        "access change refused: the roster is empty (every member is outside their "
        "from/until dates or none is configured)"
    )
    assert plan.to_execute == ()


def test_roster_whose_every_term_has_ended_refuses() -> None:
    plan = make_plan(
        [perm("p1", "alice@example.org")],
        [Member("alice@example.org", until=dt.date(2024, 12, 31))],
        max_removals=10,
    )
    assert plan.refused is not None
    assert "the roster is empty" in plan.refused
    assert plan.to_execute == ()


def test_roster_problems_refuse_and_are_reported() -> None:
    problem = 'roster tab row 3: "Email" is not an e-mail address'
    plan = make_plan([], ["alice@example.org"], roster_problems=[problem])
    assert plan.refused == (
        "access change refused: the roster has 1 problem; no sharing is changed until it is fixed"
    )
    assert plan.to_execute == ()
    assert render_access_text(plan)[0] == f"! {problem}"
    assert access_to_json(plan)["problems"] == [problem]


# --------------------------------------------------------------------------- addresses


def test_emails_compare_case_insensitively() -> None:
    plan = make_plan(
        [perm("p1", "alice@example.org", "writer"), perm("p2", "BOB@EXAMPLE.ORG", "reader")],
        ["Alice@Example.ORG", Member("bob@example.org", role="reader")],
    )
    assert plan.changes == ()


def test_stranger_addresses_are_masked_everywhere() -> None:
    stranger = "mallory.jones@example.org"
    inherited_stranger = "trent@mail.test"
    plan = make_plan(
        [
            perm("p1", stranger, "writer"),
            perm("p2", inherited_stranger, "organizer", inherited=True),
        ],
        ["alice@example.org"],
    )
    out = everything_printed(plan)
    assert stranger not in out
    assert stranger.split("@")[0] not in out
    assert inherited_stranger not in out
    assert "ma…@example.org" in out
    assert "tr…@mail.test" in out
    assert access_to_json(plan)["remove"] == [
        {"who": "ma…@example.org", "type": "user", "role": "writer", "permission_id": "p1"}
    ]


def test_stranger_addresses_are_masked_in_a_refused_plan_too() -> None:
    plan = make_plan(strangers(5), ["alice@example.org"])
    out = everything_printed(plan)
    assert plan.refused is not None
    for i in range(5):
        assert f"stranger{i}@mail.test" not in out


def test_committee_addresses_print_in_full() -> None:
    plan = make_plan(
        [perm("p1", "legal@example.org")], ["alice@example.org"], keep=("legal@example.org",)
    )
    out = everything_printed(plan)
    for address in ("alice@example.org", "legal@example.org", OWNER, BOT):
        assert address in out


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("mallory@example.org", "ma…@example.org"),
        ("abc@example.org", "a…@example.org"),
        ("ab@example.org", "a…@example.org"),
        ("x@example.org", "…@example.org"),
        ("not-an-address", "no…"),
    ],
)
def test_mask_email_never_shows_more_than_half_the_local_part(email: str, masked: str) -> None:
    assert mask_email(email) == masked


# --------------------------------------------------------------------------- order


def test_order_is_adds_then_updates_then_removals_whatever_the_input_order() -> None:
    permissions = [
        perm("anyoneWithLink", None, "reader", "anyone"),
        perm("s2", "zed@mail.test", "reader"),
        perm("s1", "amy@mail.test", "reader"),
        perm("g1", "gone@example.org", "reader", "group"),
        perm("u2", "yves@example.org", "reader"),
        perm("u1", "dave@example.org", "writer"),
    ]
    members: list[Member | str] = [
        "zoe@example.org",
        "bob@example.org",
        "yves@example.org",
        Member("dave@example.org", role="commenter"),
    ]
    expected = [
        ("add", "bob@example.org"),
        ("add", "zoe@example.org"),
        ("update", "dave@example.org"),
        ("update", "yves@example.org"),
        ("remove", "a…@mail.test"),
        ("remove", "z…@mail.test"),
        ("remove", "go…@example.org"),
        ("remove", "anyone with the link"),
    ]
    rng = random.Random(4)
    first = make_plan(permissions, members, max_removals=5)
    assert [(c.kind, c.who) for c in first.changes] == expected
    for _ in range(10):
        rng.shuffle(permissions)
        rng.shuffle(members)
        again = make_plan(permissions, members, max_removals=5)
        assert again == first
        assert render_access_text(again) == render_access_text(first)


# --------------------------------------------------------------------------- roster tab


def tab(headers: Sequence[Cell], *rows: Sequence[Cell], header_row: int = 1) -> Table:
    return Table(header_row, tuple(headers), tuple(tuple(r) for r in rows))


def test_roster_tab_reads_good_rows_with_headers_in_any_order() -> None:
    table = tab(
        ["Notes", " until ", "ROLE", "From", "E-mail?", "email"],
        [
            "chair",
            date_to_serial(dt.date(2026, 12, 31)),
            "Writer",
            "2025-01-01",
            None,
            " ann@example.org ",
        ],
        [None, None, "", None, None, "bob@example.org"],
        [None, "2026-06-30", " commenter ", 45658.75, None, "Carol@Example.org"],
    )
    members, problems = roster_from_tab(table)
    assert problems == ()
    assert members == (
        Member("ann@example.org", "writer", dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
        Member("bob@example.org", None, None, None),
        Member("Carol@Example.org", "commenter", dt.date(2025, 1, 1), dt.date(2026, 6, 30)),
    )


def test_roster_tab_skips_empty_rows_and_rows_with_only_other_columns() -> None:
    table = tab(
        ["Email", "Role", "Notes"],
        [],
        ["", "  ", None],
        [None, None, "rotates off in May"],
        ["alice@example.org"],
    )
    members, problems = roster_from_tab(table)
    assert problems == ()
    assert [m.email for m in members] == ["alice@example.org"]


def test_roster_tab_reports_bad_rows_by_row_without_their_values() -> None:
    values = ["jane doe", "owner", "next tuesday", "2025-13-01", "bob@example", "wrong@example.org"]
    table = tab(
        ["Email", "Role", "From", "Until"],
        ["good@example.org", "reader"],
        [values[0], "writer"],
        ["c@example.org", values[1]],
        ["d@example.org", None, values[2], values[3]],
        [values[4]],
        [None, "reader"],
        [values[5], None, "2025-06-01", "2025-01-01"],
        ["e@example.org", None, True, 1e308],
        ["GOOD@example.org"],
        ["f@example.org", None, 2027, "1999-12-31"],  # a year typed as a number is 1905
        header_row=2,
    )
    members, problems = roster_from_tab(table)
    assert [m.email for m in members] == ["good@example.org"]
    assert problems == (
        'roster tab row 4: "Email" is not an e-mail address',
        'roster tab row 5: "Role" is not reader, commenter or writer',
        'roster tab row 6: "From" is not a date (use 2025-01-31)',
        'roster tab row 6: "Until" is not a date (use 2025-01-31)',
        'roster tab row 7: "Email" is not an e-mail address',
        'roster tab row 8: "Email" is empty',
        'roster tab row 9: "Until" is before "From"',
        'roster tab row 10: "From" is not a date (use 2025-01-31)',
        'roster tab row 10: "Until" is not a date (use 2025-01-31)',
        'roster tab row 11: "Email" is the same address as row 3',
        'roster tab row 12: "From" is not a date (use 2025-01-31)',
        'roster tab row 12: "Until" is not a date (use 2025-01-31)',
    )
    for value in values:
        assert all(value not in p for p in problems)


def test_roster_tab_without_an_email_column_is_a_problem() -> None:
    members, problems = roster_from_tab(tab(["Name", "Role"], ["x", "writer"]))
    assert members == ()
    assert problems == (
        'roster tab: no "Email" column in row 1 (headers: Email, Role, From, Until)',
    )


def test_roster_tab_with_a_header_twice_is_a_problem() -> None:
    members, problems = roster_from_tab(
        tab(["Email", "Role", " role"], ["alice@example.org", "writer", "reader"])
    )
    assert members == ()
    assert problems == ('roster tab: the header "Role" appears more than once',)


def test_roster_tab_problems_refuse_the_access_change() -> None:
    members, problems = roster_from_tab(tab(["Email"], ["alice@example.org"], ["not an email"]))
    plan = make_plan(
        [perm("p1", "bob@example.org")], [], tab_members=members, roster_problems=problems
    )
    assert plan.refused is not None
    assert plan.to_execute == ()


# --------------------------------------------------------------------------- merging


def test_roster_is_the_union_of_config_and_tab_and_the_tab_wins_for_a_shared_address() -> None:
    config = [
        Member("alice@example.org", role="reader"),
        Member("bob@example.org", until=dt.date(2020, 1, 1)),
    ]
    tab_members = [
        Member("BOB@example.org", role="commenter"),
        Member("carol@example.org"),
        Member("alice@example.org", start=dt.date(2030, 1, 1)),
    ]
    assert effective_roster(config, tab_members, AS_OF, "writer") == (
        RosterEntry("BOB@example.org", "commenter"),
        RosterEntry("carol@example.org", "writer"),
    )


@pytest.mark.parametrize("default", ["reader", "commenter", "writer"])
def test_effective_roster_applies_the_default_role(default: Role) -> None:
    roster = effective_roster([Member("a@example.org")], [], AS_OF, default)
    assert roster == (RosterEntry("a@example.org", default),)


def test_json_access_section_has_the_spec_keys() -> None:
    plan = make_plan([perm("p1", "mallory@example.org")], ["alice@example.org"])
    data = access_to_json(plan)
    assert {"add", "remove", "update", "untouched"} <= set(data)
    assert data["refused"] is None
    assert [e["permission_id"] for e in data["untouched"]] == ["p-owner", "p-bot"]
    json.dumps(data)  # serialisable as is
