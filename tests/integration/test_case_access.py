"""Need-to-know access (aktflow/case_access.py, aktflow/case_members.py, docs/access.md): which cases are
sensitive, who sees them, who acts on them, and the members and marks with their administrative log."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from aktflow import case_access, case_members, states
from aktflow.admin_log import KINDS
from aktflow.errors import PermissionDenied, ValidationError
from aktflow.models import AdminLogEntry, Case, Flag, User, utcnow
from aktflow.queries.case_members import case_access_view
from aktflow.service import action_hints, fire

ROLE_OF = {"cw": "caseworker", "cw2": "caseworker", "legal": "legal", "manager": "manager", "admin": "admin"}


def user(db, name: str) -> User:
    with db.session() as s:
        u = s.scalar(select(User).where(User.username == name))
        s.expunge(u)
        return u


def sees(db, name: str, cid: int) -> bool:
    with db.session() as s:
        return case_access.can_view(s, user(db, name), cid)


def sensitive(db, cid: int) -> bool:
    with db.session() as s:
        return case_access.is_sensitive(s, cid)


def add_flag(db, cid: int, reason: str, source: str = "screening", cleared: bool = False) -> None:
    with db.session() as s:
        s.add(
            Flag(
                case_id=cid,
                reason=reason,
                source=source,
                created_at=utcnow(),
                cleared_at=utcnow() if cleared else None,
            )
        )
        s.commit()


# --- which cases are sensitive ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reason, source, expected",
    [
        ("Dokument 'Lægeerklæring': helbredsoplysninger (GDPR art. 9) — Brødtekst", "screening", True),
        ("Anmodningen: strafbare forhold (GDPR art. 10)", "screening", True),
        ("Dokument 'Notat': CPR-nummer — Brødtekst", "screening", True),
        # The requester's own CPR number in the request is not a finding in the case's material.
        ("Anmodningen: CPR-nummer", "screening", False),
        ("Markeret af cw: spørgsmål om § 30", "manual", False),
    ],
)
def test_a_case_is_sensitive_by_its_findings(db, new_case, reason, source, expected):
    cid = new_case().id
    assert not sensitive(db, cid)
    add_flag(db, cid, reason, source, cleared=True)  # a cleared flag counts too: the data is still there
    assert sensitive(db, cid) is expected
    with db.session() as s:  # the SQL condition the lists use agrees with the predicate
        found = s.scalar(select(Case.id).where(Case.id == cid, case_access.sensitive_clause()))
    assert (found == cid) is expected


def test_personnel_cases_and_marked_cases_are_sensitive(db, new_case):
    kle81 = new_case(emne="81.02.00").id
    marked = new_case().id
    plain = new_case().id
    fire(db, marked, "mark_personnel", actor="cw", data={"reason": "En ansats forhold"})
    assert sensitive(db, kle81) and sensitive(db, marked) and not sensitive(db, plain)
    case_members.mark_sensitive(db, plain, actor="cw", reason="Borgerens helbred omtales")
    assert sensitive(db, plain)
    with db.session() as s:
        assert case_access.reasons(s, plain) == ["markeret fortrolig af cw: Borgerens helbred omtales"]


# --- who sees a sensitive case ---------------------------------------------------------------------------------


def test_who_sees_a_sensitive_case(db, new_case):
    cid = new_case(emne="81.02.00").id  # cw's personnel case
    expected = {"cw": True, "cw2": False, "legal": True, "manager": True, "admin": True}
    assert {n: sees(db, n, cid) for n in ROLE_OF} == expected
    case_members.add_member(db, cid, "cw2", actor="cw", reason="Overtager ved ferie")
    assert sees(db, "cw2", cid)
    case_members.remove_member(db, cid, "cw2", actor="manager")
    assert not sees(db, "cw2", cid)
    # A case that is not sensitive is everyone's to read.
    plain = new_case().id
    assert all(sees(db, n, plain) for n in ROLE_OF)


def test_lists_mask_what_the_user_may_not_see(db, new_case):
    secret = new_case(emne="81.02.00", subject="Advarsel til Jens", requester="Journalist A").id
    plain = new_case(subject="Vejsag").id
    rows = [
        {"id": secret, "subject": "Advarsel til Jens", "requester": "Journalist A", "state": "received"},
        {"id": plain, "subject": "Vejsag", "requester": "B", "state": "received"},
    ]
    with db.session() as s:
        for_cw2 = case_access.mask_rows(s, user(db, "cw2"), rows)
        for_cw = case_access.mask_rows(s, user(db, "cw"), rows)
    assert for_cw2[0] == {
        "id": secret,
        "subject": case_access.MASKED,
        "requester": case_access.MASKED,
        "state": "received",
        "masked": True,
    }
    assert for_cw2[1]["subject"] == "Vejsag" and not for_cw2[1]["masked"]
    assert [r["subject"] for r in for_cw] == ["Advarsel til Jens", "Vejsag"]


# --- who acts --------------------------------------------------------------------------------------------------


def test_only_the_caseworker_a_member_or_a_manager_acts_on_a_case(db, new_case):
    cid = new_case().id  # cw's case, not sensitive
    with pytest.raises(PermissionDenied, match="kun sagens sagsbehandler"):
        fire(db, cid, "withdraw", actor="cw2", note="Trukket tilbage")
    with pytest.raises(PermissionDenied):
        fire(db, cid, "register", actor="cw2")
    assert fire(db, cid, "register", actor="manager").state == "registered"
    case_members.add_member(db, cid, "cw2", actor="cw", reason="Hjælper med sagen")
    assert fire(db, cid, "start_collecting", actor="cw2").state == "collecting"
    # The case page's hints say the same before anyone clicks.
    hints = action_hints(db, cid, "legal", ["add_document", "flag_for_legal"])
    assert hints["add_document"] and "sagsbehandler" in hints["add_document"]
    assert hints["flag_for_legal"] is None  # a trigger the legal contact's role has


def test_an_unassigned_case_is_the_teams_unless_it_is_sensitive(db, new_case):
    plain = new_case(assign=None).id
    assert fire(db, plain, "assign", actor="cw2", data={"assignee": "cw2"}).assignee_id == user(db, "cw2").id
    with pytest.raises(PermissionDenied):  # now it is cw2's
        fire(db, plain, "register", actor="cw")
    secret = new_case(assign=None, emne="81.02.00").id
    with pytest.raises(PermissionDenied, match="fortrolig"):
        fire(db, secret, "assign", actor="cw", data={"assignee": "cw"})
    fire(db, secret, "assign", actor="manager", data={"assignee": "cw"})
    assert fire(db, secret, "register", actor="cw").state == "registered"


def test_can_act_agrees_with_fire_for_every_trigger_role(db, new_case):
    cid = new_case().id
    with db.session() as s:
        case = s.get(Case, cid)
        for trigger, spec in states.TRIGGERS.items():
            for name, role in ROLE_OF.items():
                u = user(db, name)
                expected = (
                    not spec.system
                    and role in spec.roles
                    and (
                        role in ("manager", "admin")
                        or (role == "legal" and "legal" in spec.roles)
                        or name == "cw"
                    )
                )
                assert case_access.can_act(s, u, case, trigger) is expected, (trigger, name)


# --- members and marks -----------------------------------------------------------------------------------------


def test_members_and_marks_are_written_to_the_admin_log(db, new_case):
    cid = new_case().id
    case_members.mark_sensitive(db, cid, actor="cw", reason="Helbred")
    case_members.add_member(db, cid, "cw2", actor="cw", reason="Ferie")
    case_members.remove_member(db, cid, "cw2", actor="cw", reason="Tilbage")
    case_members.unmark_sensitive(db, cid, actor="legal", reason="Ikke længere fortrolig")
    with db.session() as s:
        rows = s.execute(
            select(AdminLogEntry.kind, AdminLogEntry.actor, AdminLogEntry.target, AdminLogEntry.new)
        ).all()
    mine = [(k, a, t, n) for k, a, t, n in rows if k.startswith("case.")]
    assert [(k, a, t) for k, a, t, _ in mine] == [
        ("case.mark_sensitive", "cw", f"sag {cid}"),
        ("case.member_add", "cw", f"sag {cid}"),
        ("case.member_remove", "cw", f"sag {cid}"),
        ("case.unmark_sensitive", "legal", f"sag {cid}"),
    ]
    assert mine[1][3] == {"user": "cw2", "reason": "Ferie"}
    assert all(k in KINDS for k, *_ in mine)
    assert not sensitive(db, cid)


def test_who_may_change_access(db, new_case):
    cid = new_case().id
    case_members.add_member(db, cid, "cw2", actor="cw", reason="Ferie")
    # A member may act but not widen the circle, nor may a caseworker of another case.
    with pytest.raises(PermissionDenied):
        case_members.mark_sensitive(db, cid, actor="cw2", reason="x")
    case_members.mark_sensitive(db, cid, actor="cw", reason="Helbred")
    # Lifting the mark is a manager's or the legal contact's decision, not the caseworker's.
    with pytest.raises(PermissionDenied, match="leder eller den juridiske kontakt"):
        case_members.unmark_sensitive(db, cid, actor="cw", reason="x")
    other = new_case(emne="81.02.00").id
    with pytest.raises(PermissionDenied, match="fortrolig"):  # cw2 may not even see it
        case_members.add_member(db, other, "cw2", actor="cw2", reason="Jeg vil se den")


@pytest.mark.parametrize(
    "username, reason, message",
    [
        ("nobody", "Ferie", "ukendt eller inaktiv"),
        ("manager", "Ferie", "ser allerede sagen"),
        ("cw", "Ferie", "ser allerede sagen"),
        ("cw2", "   ", "begrundelse"),
        ("cw2", "x" * 1001, "højst være 1000"),
    ],
)
def test_bad_additions_are_refused_in_danish(db, new_case, username, reason, message):
    cid = new_case().id
    with pytest.raises(ValidationError, match=message):
        case_members.add_member(db, cid, username, actor="cw", reason=reason)


def test_a_reason_never_keeps_a_cpr_number(db, new_case):
    cid = new_case().id
    case_members.add_member(db, cid, "cw2", actor="cw", reason="Sagen om 120385-1237")
    with db.session() as s:
        view = case_access_view(s, cid, user(db, "cw"))
        logged = s.scalars(select(AdminLogEntry.new).where(AdminLogEntry.kind == "case.member_add")).all()
    assert "120385-1237" not in view["members"][0]["reason"]
    assert "120385-1237" not in json.dumps(logged)
