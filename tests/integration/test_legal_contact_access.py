"""The case's own legal contact and need to know (aktflow/case_access.py, docs/access.md "Who sees what"):
a sensitive case that names its legal contact is the named one's in full; the other legal contacts see
only that it exists, as every other user who is not a member does. While it names none, every legal
contact sees it. Every place that lets the legal role in agrees: the view check, acting, the SQL filter of
the lists and the search (NULL-safe), the legal queue, the review page and the API."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from aktflow import case_access, case_members, clock
from aktflow.errors import PermissionDenied, ValidationError
from aktflow.models import Case, User
from aktflow.queries.legal import legal_queue
from aktflow.queries.search import SearchQuery, search_cases
from aktflow.service import fire
from aktflow.users import add_user

PASSWORD = "test-pass"
#: Every user of the tests and their role: two legal contacts, so that one can be named and the other not.
ROLE_OF = {
    "cw": "caseworker",
    "cw2": "caseworker",
    "legal": "legal",
    "legal2": "legal",
    "manager": "manager",
    "admin": "admin",
}


@pytest.fixture
def legal2(db):
    add_user(
        db, "legal2", actor="admin", role="legal", password=PASSWORD, name="Jens Jurist", demo_password=True
    )
    return "legal2"


def user(db, name: str) -> User:
    with db.session() as s:
        u = s.scalar(select(User).where(User.username == name))
        s.expunge(u)
        return u


def sees(db, name: str, cid: int) -> bool:
    with db.session() as s:
        return case_access.can_view(s, user(db, name), cid)


def in_review(db, new_case, **kw) -> int:
    cid = new_case(**kw).id
    for t in ("register", "start_collecting", "start_screening"):
        fire(db, cid, t, actor="cw")
    fire(db, cid, "submit_for_legal_review", actor="cw", note="Må navnet udleveres?")
    return cid


def name_contact(db, cid: int, who: str, actor: str = "cw") -> None:
    case_members.assign_legal_contact(db, cid, who, actor=actor)


# --- who sees ---------------------------------------------------------------------------------------------------


def test_the_named_legal_contact_alone_of_the_legal_contacts_sees_a_sensitive_case(db, new_case, legal2):
    cid = new_case(emne="81.02.00").id  # cw's personnel case: sensitive
    # No legal contact named: every legal contact sees it, as before.
    assert {n: sees(db, n, cid) for n in ROLE_OF} == {
        "cw": True,
        "cw2": False,
        "legal": True,
        "legal2": True,
        "manager": True,
        "admin": True,
    }
    name_contact(db, cid, "legal2")
    assert {n: sees(db, n, cid) for n in ROLE_OF} == {
        "cw": True,
        "cw2": False,
        "legal": False,  # another legal contact: like every other user who is not a member
        "legal2": True,
        "manager": True,
        "admin": True,  # an administrator counts as a manager
    }
    # Added to the case, the other legal contact sees it, as any member does; removed, no longer.
    case_members.add_member(db, cid, "legal", actor="cw", reason="Afløser for Jens Jurist")
    assert sees(db, "legal", cid)
    case_members.remove_member(db, cid, "legal", actor="legal2")
    assert not sees(db, "legal", cid)
    # Naming another legal contact moves the case to them.
    name_contact(db, cid, "legal", actor="legal2")
    assert sees(db, "legal", cid) and not sees(db, "legal2", cid)


def test_a_case_that_is_not_sensitive_is_every_legal_contacts_whoever_is_named(db, new_case, legal2):
    cid = new_case().id
    name_contact(db, cid, "legal2")
    assert all(sees(db, n, cid) for n in ROLE_OF)
    # Once it becomes sensitive, the name decides.
    case_members.mark_sensitive(db, cid, actor="cw", reason="Helbredsoplysninger")
    assert sees(db, "legal2", cid) and not sees(db, "legal", cid)


def test_the_named_legal_contact_cannot_be_added_but_another_can(db, new_case, legal2):
    cid = new_case(emne="81.02.00").id
    name_contact(db, cid, "legal2")
    with pytest.raises(ValidationError, match="ser allerede sagen"):
        case_members.add_member(db, cid, "legal2", actor="cw", reason="x")
    case_members.add_member(db, cid, "legal", actor="cw", reason="Second opinion")
    assert sees(db, "legal", cid)


# --- the SQL filter of the lists and the search agrees with can_view, NULL-safely ----------------------------


def test_the_list_filter_and_its_negation_agree_with_can_view_for_every_kind_of_case(db, new_case, legal2):
    """Every user × (sensitive or not) × (assigned or nobody's) × (legal contact: none, legal, legal2): the
    filter shows exactly what can_view allows, and its negation (what the lists mask) exactly the rest — a
    NULL (no assignee, no named legal contact) inside the negated OR would hide nothing."""
    cases: dict[int, tuple] = {}
    for sensitive, assigned, named in itertools.product(
        (False, True), (True, False), (None, "legal", "legal2")
    ):
        cid = new_case(assign="cw" if assigned else None).id
        if named:
            name_contact(db, cid, named, actor="manager")
        if sensitive:
            case_members.mark_sensitive(db, cid, actor="manager", reason="Helbred")
        cases[cid] = (sensitive, assigned, named)
    ids = list(cases)
    failures = []
    with db.session() as s:
        for name in ROLE_OF:
            u = s.scalar(select(User).where(User.username == name))
            shown = set(
                s.scalars(select(Case.id).where(Case.id.in_(ids), case_access.visible_case_filter(u)))
            )
            hidden = case_access.hidden_case_ids(s, u, ids)
            for cid, how in cases.items():
                expected = case_access.can_view(s, u, cid)
                if (cid in shown) != expected or (cid in hidden) == expected:
                    failures.append(
                        f"{name} {how}: can_view {expected}, shown {cid in shown}, hidden {cid in hidden}"
                    )
    assert not failures, "\n".join(failures)
    # Spot checks written from docs/access.md, not from the product.
    by_how = {how: cid for cid, how in cases.items()}
    assert not sees(
        db, "cw2", by_how[(True, False, None)]
    )  # nobody's sensitive case is masked for caseworkers
    assert not sees(db, "legal", by_how[(True, True, "legal2")])
    assert sees(db, "legal", by_how[(True, False, None)]) and sees(
        db, "legal2", by_how[(True, True, "legal2")]
    )


def test_the_search_does_not_find_a_sensitive_case_of_another_legal_contact(db, new_case, legal2):
    cid = new_case(subject="Advarsel til pædagogen", emne="81.02.00").id
    name_contact(db, cid, "legal2")

    def found(name: str) -> list[int]:
        with db.session() as s:
            viewer = s.scalar(select(User).where(User.username == name))
            return [
                r["id"]
                for r in search_cases(s, clock.today(), SearchQuery(q="pædagogen"), viewer=viewer).rows
            ]

    assert found("legal2") == [cid] and found("manager") == [cid]
    assert found("legal") == []  # the subject cannot be probed through the search
    with db.session() as s:
        rows = case_access.mask_rows(s, user(db, "legal"), [{"id": cid, "subject": "Advarsel til pædagogen"}])
    assert rows == [{"id": cid, "subject": case_access.MASKED, "masked": True}]


# --- acting -----------------------------------------------------------------------------------------------------


def test_only_the_named_legal_contact_reviews_a_sensitive_case(db, new_case, legal2):
    cid = in_review(db, new_case, emne="81.02.00")
    name_contact(db, cid, "legal2")
    for trigger, data in (
        ("return_to_screening", None),
        ("assign_legal_contact", {"legal_contact": "legal"}),
        ("mark_case_sensitive", {"reason": "x"}),
    ):
        with pytest.raises(PermissionDenied, match="fortrolig"):
            fire(db, cid, trigger, actor="legal", note="Se § 30", data=data)
        with db.session() as s:
            assert not case_access.can_act(s, user(db, "legal"), cid, trigger)
    assert fire(db, cid, "return_to_screening", actor="legal2", note="Se § 30").state == "screening"


def test_any_legal_contact_reviews_a_sensitive_case_that_names_none_or_a_plain_one(db, new_case, legal2):
    secret = in_review(db, new_case, emne="81.02.00")
    assert fire(db, secret, "return_to_screening", actor="legal", note="Se § 30").state == "screening"
    plain = in_review(db, new_case)
    name_contact(db, plain, "legal2")
    assert fire(db, plain, "return_to_screening", actor="legal", note="Se § 30").state == "screening"


def test_naming_the_legal_contact_is_refused_in_danish(db, new_case, legal2):
    cid = new_case().id
    for who, message in (
        ("", "vælg en juridisk kontakt"),
        ("cw2", "rollen juridisk kontakt"),
        ("nobody", "juridisk"),
    ):
        with pytest.raises(ValidationError, match=message):
            name_contact(db, cid, who)
    name_contact(db, cid, "legal2")
    with pytest.raises(ValidationError, match="allerede sagens juridiske kontakt"):
        name_contact(db, cid, "legal2")
    with pytest.raises(PermissionDenied):  # a colleague does not act on cw's case
        name_contact(db, cid, "legal", actor="cw2")
    assert case_members.assign_legal_contact(db, cid, "legal", actor="manager") == {
        "username": "legal",
        "name": "Lise Legal",
    }


# --- the legal queue ------------------------------------------------------------------------------------------


def test_the_queue_masks_a_sensitive_case_of_another_legal_contact(db, new_case, legal2):
    secret = in_review(db, new_case, emne="81.02.00", subject="Advarsel til pædagogen")
    plain = in_review(db, new_case, subject="Vejsag")
    name_contact(db, secret, "legal2")
    name_contact(db, plain, "legal2")

    def row(me: str, cid: int) -> dict:
        return next(r for r in legal_queue(db, me=me) if r["id"] == cid)

    mine = row("legal2", secret)
    assert mine["mine"] and not mine["masked"] and mine["subject"] == "Advarsel til pædagogen"
    assert mine["question"] == "Må navnet udleveres?" and mine["legal_contact_name"] == "Jens Jurist"
    other = row("legal", secret)
    assert other["masked"] and not other["mine"]
    assert other["subject"] == other["requester"] == case_access.MASKED
    assert other["question"] is None and other["flag_reasons"] == []
    assert other["legal_contact_name"] == "Jens Jurist"  # who reviews it: the case exists, and whose it is
    assert not row("legal", plain)["masked"]  # a case that is not sensitive stays readable
    assert not row("admin", secret)["masked"]
    assert not any(r["masked"] for r in legal_queue(db))  # the server's own shell


# --- the API ----------------------------------------------------------------------------------------------------


def test_the_api_names_the_legal_contact_and_refuses_another(db, new_case, legal2):
    from aktflow.tokens import issue_token
    from aktflow.vocabulary import SYSTEM_ACTOR
    from web import create_app

    cid = new_case(emne="81.02.00").id
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": db.url})
    api = app.test_client()
    auth = {u: {"Authorization": f"Bearer {issue_token(db, u, actor=SYSTEM_ACTOR)}"} for u in ("cw", "legal")}
    version = api.get(f"/api/v1/cases/{cid}", headers=auth["cw"]).get_json()["version"]
    r = api.post(
        f"/api/v1/cases/{cid}/events/assign_legal_contact",
        json={"data": {"legal_contact": "legal2"}},
        headers={**auth["cw"], "If-Match": f'"{version}"'},
    )
    assert r.status_code == 200, r.get_json()
    access = api.get(f"/api/v1/cases/{cid}/access", headers=auth["cw"]).get_json()
    assert access["legal_contact"] == {"username": "legal2", "name": "Jens Jurist"}
    assert access["may_choose_legal_contact"] is True
    assert [c["username"] for c in access["legal_contact_choices"]] == ["legal2", "legal"]  # by name
    for url in (f"/api/v1/cases/{cid}", f"/api/v1/cases/{cid}/access"):
        r = api.get(url, headers=auth["legal"])
        assert r.status_code == 403 and "fortrolig" in r.get_json()["error"]
    listed = {c["id"]: c for c in api.get("/api/v1/cases", headers=auth["legal"]).get_json()}
    assert listed[cid]["masked"] and listed[cid]["subject"] == case_access.MASKED
    app.extensions["aktflow_db"].dispose()
