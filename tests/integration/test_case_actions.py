"""The actions beside the case's course are events in its log (workflow 2026.6): a letter's dispatch
changed, the legal contact's comment, who may see a sensitive case. Each goes through fire(), keeps what it
changed before and after, no CPR number and no comment text, and verifies with the rest of the chain."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from aktflow import audit, case_members, dispatch_actions, states
from aktflow.errors import PermissionDenied, ValidationError, WorkflowError
from aktflow.models import Case, Dispatch, Document, Event
from aktflow.service import fire
from aktflow.states import versions

ACTIONS = (
    "choose_dispatch_channel",
    "retry_dispatch",
    "mark_dispatched_by_post",
    "comment_review",
    "grant_case_access",
    "revoke_case_access",
    "mark_case_sensitive",
    "unmark_case_sensitive",
)


def events(db, cid: int) -> list[Event]:
    with db.session() as s:
        return list(s.scalars(select(Event).where(Event.case_id == cid).order_by(Event.seq)))


def version(db, cid: int) -> int:
    with db.session() as s:
        return s.scalar(select(Case.version).where(Case.id == cid))


def test_the_actions_are_in_the_new_version_only_and_change_no_state():
    assert states.validate() == []
    for name in ACTIONS:
        spec = states.TRIGGERS[name]
        assert spec.dest is None, name
        assert name in versions.TABLES[versions.CURRENT], name
        assert name not in versions.TABLES["2026.5"], name  # an old event of it would not replay
        assert versions.target(versions.CURRENT, name, spec.sources[0]) == spec.sources[0]
    # The dispatches and the access of a closed case can still be changed; comments only in legal review.
    assert "closed" in states.TRIGGERS["mark_dispatched_by_post"].sources
    assert "closed" in states.TRIGGERS["grant_case_access"].sources
    assert states.TRIGGERS["comment_review"].sources == ("legal_review",)


def test_access_changes_are_events_with_before_and_after(db, new_case):
    cid = new_case().id
    v = version(db, cid)
    case_members.add_member(db, cid, "cw2", actor="cw", reason="Ferieafløser for 120385-1237")
    case_members.mark_sensitive(db, cid, actor="cw", reason="Helbredsoplysninger")
    case_members.unmark_sensitive(db, cid, actor="manager", reason="Ikke længere fortrolig")
    case_members.remove_member(db, cid, "cw2", actor="cw")
    assert version(db, cid) == v + 4
    grant, mark, unmark, revoke = events(db, cid)[-4:]
    assert [e.trigger for e in (grant, mark, unmark, revoke)] == [
        "grant_case_access",
        "mark_case_sensitive",
        "unmark_case_sensitive",
        "revoke_case_access",
    ]
    assert grant.from_state == grant.to_state == "received"
    assert grant.data["before"] is None and grant.data["after"]["user"] == "cw2"
    assert mark.data["after"] == {"reason": "Helbredsoplysninger", "marked_by": "cw"}
    assert unmark.actor == "manager" and unmark.data["before"]["reason"] == "Helbredsoplysninger"
    assert unmark.data["after"] is None
    assert revoke.data["before"]["user"] == "cw2" and revoke.data["after"] is None
    assert "120385-1237" not in str(grant.data) and "XXXXXX-XXXX" in grant.data["after"]["reason"]
    with db.session() as s:
        assert audit.verify(s) == (s.scalar(select(func.count()).select_from(Case)), [])


def test_a_refused_access_change_writes_nothing(db, new_case):
    cid = new_case().id
    case_members.add_member(db, cid, "cw2", actor="cw", reason="Ferie")
    v, n = version(db, cid), len(events(db, cid))
    with pytest.raises(PermissionDenied):  # a member may act, but not widen the circle
        case_members.mark_sensitive(db, cid, actor="cw2", reason="x")
    with pytest.raises(PermissionDenied):  # nor through fire() directly
        fire(db, cid, "grant_case_access", actor="cw2", data={"user": "cw3", "reason": "x"})
    with pytest.raises(PermissionDenied):  # lifting a mark is the trigger's roles: not a caseworker's
        fire(db, cid, "unmark_case_sensitive", actor="cw", data={"reason": "x"})
    with pytest.raises(ValidationError, match="ikke markeret"):
        fire(db, cid, "unmark_case_sensitive", actor="manager", data={"reason": "x"})
    assert (version(db, cid), len(events(db, cid))) == (v, n)


def test_access_is_changed_on_a_closed_case_too(db, new_case):
    cid = new_case().id
    fire(db, cid, "withdraw", actor="cw")
    case_members.mark_sensitive(db, cid, actor="cw", reason="Helbred")
    last = events(db, cid)[-1]
    assert last.trigger == "mark_case_sensitive" and last.to_state == "withdrawn"


def _with_receipt(db, new_case) -> int:
    """A registered case whose receipt has its dispatch (the requester's e-mail and address known)."""
    cid = new_case(channel="e-mail", email="mette@example.dk", address="Vestergade 3\n8000 Aarhus C").id
    fire(db, cid, "register", actor="cw")
    return cid


def _printed(db, cid: int) -> int:
    with db.session() as s:
        d = s.scalar(select(Dispatch).where(Dispatch.case_id == cid).order_by(Dispatch.id))
        d.status, d.print_pdf = "printed", b"%PDF-1.7 print"
        s.commit()
        return d.id


def test_sendt_med_post_is_an_event_with_the_dispatch_before_and_after(db, new_case):
    cid = _with_receipt(db, new_case)
    did = _printed(db, cid)
    with pytest.raises(PermissionDenied):  # another caseworker's case
        dispatch_actions.confirm_posted(db, cid, did, actor="cw2")
    with pytest.raises(PermissionDenied):  # the legal contact does not post letters
        dispatch_actions.confirm_posted(db, cid, did, actor="legal")
    row = dispatch_actions.confirm_posted(db, cid, did, actor="cw")
    assert row["status"] == "sent" and row["sent_at"]
    last = events(db, cid)[-1]
    assert last.trigger == "mark_dispatched_by_post" and last.actor == "cw"
    assert last.data["dispatch_id"] == did
    assert last.data["before"]["status"] == "printed" and last.data["before"]["sent_at"] is None
    assert last.data["after"]["status"] == "sent" and last.data["after"]["sent_at"] == row["sent_at"]
    with pytest.raises(WorkflowError, match="udskrevet"):  # once
        dispatch_actions.confirm_posted(db, cid, did, actor="cw")
    assert events(db, cid)[-1].seq == last.seq


def test_a_dispatch_of_another_case_is_not_found_and_nothing_is_written(db, new_case):
    from aktflow.errors import NotFound

    own, other = _with_receipt(db, new_case), _with_receipt(db, new_case)
    did = _printed(db, other)
    n = len(events(db, own))
    with pytest.raises(NotFound):
        dispatch_actions.retry(db, own, did, actor="cw")
    assert len(events(db, own)) == n


def test_a_retry_and_a_channel_are_events(db, new_case):
    cid = _with_receipt(db, new_case)
    with db.session() as s:
        did = s.scalar(select(Dispatch.id).where(Dispatch.case_id == cid))
        s.execute(update(Dispatch).where(Dispatch.id == did).values(status="failed", attempts=3))
        s.commit()
    row = dispatch_actions.retry(db, cid, did, actor="cw")
    assert row["status"] == "queued" and row["attempts"] == 0
    row = dispatch_actions.choose(db, cid, did, "print", actor="manager")
    assert row["channel"] == "print"
    retry, choose = events(db, cid)[-2:]
    assert (retry.trigger, retry.data["before"]["status"], retry.data["after"]["status"]) == (
        "retry_dispatch",
        "failed",
        "queued",
    )
    assert choose.trigger == "choose_dispatch_channel" and choose.actor == "manager"
    assert choose.data["after"]["channel"] == "print"


def test_each_action_is_on_the_case_page_timeline_but_never_a_next_step(db, new_case):
    from aktflow.queries.case_page import next_steps
    from aktflow.service import case_view

    cid = new_case().id
    case_members.mark_sensitive(db, cid, actor="cw", reason="Helbred")
    view = case_view(db, cid, role="caseworker")
    assert view["events"][-1]["trigger"] == "mark_case_sensitive"
    assert "grant_case_access" in view["allowed_triggers"]
    steps = next_steps(view, {})
    assert not set(ACTIONS) & set(steps["main"] + steps["side"])


def test_the_comment_text_stays_out_of_the_log(db, new_case):
    from aktflow import review_comments
    from aktflow.queries.legal import case_review_comments

    case = new_case()
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    fire(db, case.id, "add_document", actor="cw", data={"title": "Notat"})
    with db.session() as s:
        doc_id = s.scalar(select(Document.id).where(Document.case_id == case.id))
    fire(db, case.id, "start_screening", actor="cw")
    fire(
        db,
        case.id,
        "assess_document",
        actor="cw",
        data={"document_id": doc_id, "outcome": "grant", "grounds": []},
    )
    fire(db, case.id, "submit_for_legal_review", actor="cw", note="Spørgsmål")
    with pytest.raises(PermissionDenied):
        review_comments.add_comment(db, actor="cw", case_id=case.id, document_id=doc_id, text="x")
    cid = review_comments.add_comment(
        db, actor="legal", case_id=case.id, document_id=doc_id, text="Overstreg navnet på side 2"
    )
    last = events(db, case.id)[-1]
    assert last.trigger == "comment_review" and last.data["comment_id"] == cid
    assert last.data["length"] == len("Overstreg navnet på side 2")
    assert "text" not in last.data and "navnet" not in str(last.data) and "navnet" not in (last.note or "")
    assert [c["text"] for c in case_review_comments(db, case.id)] == ["Overstreg navnet på side 2"]


def test_a_case_names_its_legal_contact_and_the_queue_shows_mine_first(db, new_case):
    from aktflow import case_access
    from aktflow.queries.legal import legal_queue
    from aktflow.users import add_user

    add_user(db, "legal2", actor="admin", role="legal", password="x", name="Juridisk To", demo_password=True)

    def in_review() -> int:
        cid = new_case().id
        for t in ("register", "start_collecting", "start_screening"):
            fire(db, cid, t, actor="cw")
        fire(db, cid, "submit_for_legal_review", actor="cw", note="Spørgsmål")
        return cid

    first, second = in_review(), in_review()
    with pytest.raises(ValidationError, match="juridisk kontakt"):  # a caseworker is not a legal contact
        fire(db, second, "assign_legal_contact", actor="cw", data={"legal_contact": "cw2"})
    fire(db, second, "assign_legal_contact", actor="cw", data={"legal_contact": "legal2"})
    last = events(db, second)[-1]
    assert last.data["before"] is None and last.data["after"] == {"legal_contact": "legal2"}
    fire(db, second, "assign_legal_contact", actor="legal", data={"legal_contact": "legal"})
    assert events(db, second)[-1].data["before"] == {"legal_contact": "legal2"}
    with db.session() as s:
        assert case_access.legal_contact(s, second) == "legal"
        assert case_access.legal_contact(s, first) is None
    plain = [r["id"] for r in legal_queue(db)]
    assert plain.index(first) < plain.index(second)  # the deadline order
    mine = legal_queue(db, me="legal")
    assert [r["id"] for r in mine][0] == second and mine[0]["mine"] is True
    assert [r["id"] for r in legal_queue(db, me="legal2")] == plain  # no longer legal2's
