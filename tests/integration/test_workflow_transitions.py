"""Every trigger from every allowed source state, and every kind of refusal, through fire()."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from aktflow import clock, states
from aktflow.errors import ConflictError, PermissionDenied, ValidationError, WorkflowError
from aktflow.models import Case, Event, state_door
from aktflow.service import case_view, fire

FUTURE = (clock.today() + dt.timedelta(days=20)).isoformat()
RECEIVED = (clock.today() - dt.timedelta(days=10)).isoformat()

# Valid input for each trigger: (actor, note, data)
VALID: dict[str, tuple[str, str | None, dict]] = {
    "register": ("cw", None, {}),
    "forward": ("cw", None, {"authority": "Færdselsstyrelsen"}),
    "request_clarification": ("cw", "Hvilke år ønskes?", {}),
    "clarification_received": ("cw", "Forstået som 2025-2026", {}),
    "start_collecting": ("cw", None, {}),
    "start_screening": ("cw", None, {}),
    "reopen_collection": ("cw", "Et bilag manglede", {}),
    "request_hearing": (
        "cw",
        None,
        {"party": "Byg A/S", "question": "Forretningshemmeligheder?", "reply_by": FUTURE},
    ),
    "hearing_completed": ("cw", None, {"reply": "received"}),
    "submit_for_legal_review": ("cw", "Må navnene udleveres?", {}),
    "approve_legal": ("legal", "OK", {}),
    "return_to_screening": ("legal", "Se på § 30, nr. 1", {}),
    "draft_decision": ("cw", None, {}),
    "send_decision": ("cw", None, {}),
    "close": ("cw", None, {}),
    "receive_complaint": ("cw", "Klager over afslaget", {}),
    "revise_decision": ("cw", None, {}),
    "uphold_and_forward": ("cw", None, {}),
    "close_complaint": ("cw", "Klageren er vejledt om at klage til Datatilsynet", {}),
    "appeal_decided": ("cw", None, {}),
    "appeal_overturned": ("cw", None, {}),
    "withdraw": ("cw", None, {}),
    "send_deadline_notice": ("cw", None, {"reason": "Mange dokumenter", "expected": FUTURE}),
    "send_partial_decision": ("cw", "Dok. 1 udleveres nu", {}),
    "extend_deadline": ("cw", None, {"reason": "Omfattende materiale"}),
    "assign": ("manager", None, {"assignee": "cw2"}),
    "flag_for_legal": ("cw", "Usikker på § 30", {}),
    "add_document": ("cw", None, {"title": "Notat om tilsyn", "date": "2026-10-01", "sender": "Tilsynet"}),
    "assess_document": ("cw", None, {"document_id": "$doc", "outcome": "grant"}),
    "edit_document": ("cw", None, {"document_id": "$doc", "title": "Notat om tilsyn (rettet)"}),
    "remove_document": ("cw", "Dublet", {"document_id": "$doc"}),
    "notify_employee": ("cw", None, {"employee": "Ole Madsen", "stage": "request"}),
    "mark_personnel": ("cw", None, {"reason": "Anmodningen angår en ansats tjenesteforhold"}),
    "record_narrowing_attempt": (
        "cw",
        None,
        {"date": clock.today().isoformat(), "how": "phone", "answer": "Fastholder anmodningen"},
    ),
    "refuse_request": ("cw", None, {"ground": "ofl-9-2-2", "reason": "Samme anmodning for 12. gang i år"}),
    "cancel_request_refusal": ("cw", "Dokumenterne vurderes enkeltvis", {}),
    "receive_delay_complaint": ("cw", "Klager over sagsbehandlingstiden", {}),
    "forward_delay_complaint": ("cw", None, {"reason": "Sagen omfatter mange dokumenter"}),
    # Workflow 2026.6: the actions beside the case's course that need nothing before them.
    "receive_mail": ("cw", None, {"title": "E-mail: Svar"}),
    "assign_legal_contact": ("cw", None, {"legal_contact": "legal"}),
    "grant_case_access": ("cw", None, {"user": "cw2", "reason": "Ferieafløser"}),
    "mark_case_sensitive": ("cw", None, {"reason": "Helbredsoplysninger"}),
    "comment_review": ("legal", None, {"document_id": "$doc", "text": "Overstreg navnet"}),
    "redact": ("cw", None, {"document_id": "$doc", "term": "Mette Hansen", "ground": "ofl-30-1"}),
    "remove_redaction": ("cw", None, {"document_id": "$doc", "redaction_id": 1}),
    "accept_redaction": ("cw", None, {"document_id": "$doc", "proposal": "name:0", "ground": "ofl-30-1"}),
    "reject_redaction": ("cw", None, {"document_id": "$doc", "proposal": "name:0"}),
}
# A complaint about the time taken (OFL § 39) needs 14 working days since receipt, and forwarding one a
# complaint received first.
DELAY_COMPLAINT = ("receive_delay_complaint", "forward_delay_complaint")
RECEIVED_LONG_AGO = (clock.today() - dt.timedelta(days=30)).isoformat()
NEEDS_DOC = ("assess_document", "edit_document", "remove_document", "send_partial_decision")


def emne_for(trigger: str) -> str:
    return "81.00.00" if trigger == "notify_employee" else "02.34.02"


PATHS: dict[str, list[str]] = {
    "received": [],
    "registered": ["register"],
    "forwarded": ["register", "forward"],
    "withdrawn": ["withdraw"],
    "awaiting_clarification": ["register", "request_clarification"],
    "collecting": ["register", "start_collecting"],
    "screening": ["register", "start_collecting", "start_screening"],
    "third_party_hearing": ["register", "start_collecting", "start_screening", "request_hearing"],
    "legal_review": ["register", "start_collecting", "start_screening", "submit_for_legal_review"],
    "drafting_decision": ["register", "start_collecting", "start_screening", "draft_decision"],
    "decided": ["register", "start_collecting", "start_screening", "draft_decision", "send_decision"],
    "closed": ["register", "start_collecting", "start_screening", "draft_decision", "send_decision", "close"],
    "complaint_received": [
        "register",
        "start_collecting",
        "start_screening",
        "draft_decision",
        "send_decision",
        "receive_complaint",
    ],
    "appeal_pending": [
        "register",
        "start_collecting",
        "start_screening",
        "draft_decision",
        "send_decision",
        "receive_complaint",
        "uphold_and_forward",
    ],
}


def test_paths_cover_every_state():
    assert set(PATHS) == set(states.STATES)


def _fire(db, case_id, trigger, doc_id=None, **over):
    actor, note, data = VALID[trigger]
    data = {k: (doc_id if v == "$doc" else v) for k, v in data.items()}
    return fire(
        db,
        case_id,
        trigger,
        actor=over.get("actor", actor),
        note=over.get("note", note),
        data=over.get("data", data),
        expect_version=over.get("expect_version"),
    )


def drive(db, case_id: int, state: str, *, with_document: bool = False) -> int | None:
    """Take a case from 'received' to ``state``; optionally with one assessed document. Returns its id."""
    doc_id = None
    if case_view(db, case_id)["emne"].startswith("81.") and state not in ("forwarded", "withdrawn"):
        _fire(db, case_id, "notify_employee")
    personnel = case_view(db, case_id)["emne"].startswith("81.")
    for trig in PATHS[state]:
        if personnel and trig == "draft_decision":  # personnel cases are flagged: legal approves the draft
            _fire(db, case_id, "submit_for_legal_review")
            _fire(db, case_id, "approve_legal")
            continue
        if personnel and trig == "close":  # OFL § 41: the employee is told what was released first
            _fire(db, case_id, "notify_employee", data={"employee": "Ole Madsen", "stage": "release"})
        _fire(db, case_id, trig, doc_id)
        if with_document and trig == "start_collecting":
            doc_id = _fire(db, case_id, "add_document").documents[-1].id
        if with_document and trig == "start_screening":
            _fire(db, case_id, "assess_document", doc_id)
    return doc_id


# The redaction actions need a document with a stored, screened file: tests/redaction/test_actions.py
# fires each of them from each allowed source.
REDACTION = {t.name for t in states.redaction.TRIGGERS}
# The actions on a letter's dispatch, on a member or a mark already there, and the legal contact's comment
# need those first: tests/integration/test_case_actions.py fires them.
NEEDS_BEFORE = {
    "choose_dispatch_channel",
    "retry_dispatch",
    "mark_dispatched_by_post",
    "revoke_case_access",
    "unmark_case_sensitive",
    "comment_review",
}
PAIRS = [
    (t.name, s)
    for t in states.TRIGGERS.values()
    if not t.system and t.name not in REDACTION and t.name not in NEEDS_BEFORE
    for s in t.sources
]


@pytest.mark.parametrize(("trigger", "source"), PAIRS, ids=[f"{t}-from-{s}" for t, s in PAIRS])
def test_each_trigger_from_each_allowed_source(sqlite_db, trigger, source):
    db = sqlite_db
    from aktflow.service import create_case

    # close_complaint: only a complaint that may not be forwarded (a GDPR case's goes to Datatilsynet).
    basis = {"extend_deadline": "mol", "close_complaint": "gdpr"}.get(trigger, "ofl")
    case = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=RECEIVED_LONG_AGO if trigger in DELAY_COMPLAINT else RECEIVED,
        basis=basis,
        subject="Byggesag",
        emne=emne_for(trigger),
        assign="cw",  # the caseworker acts on their own case (a personnel case is nobody else's)
    )
    doc_id = drive(db, case.id, source, with_document=trigger in NEEDS_DOC)
    if trigger == "cancel_request_refusal":  # applies only to a case with a refusal of the whole request
        _fire(db, case.id, "refuse_request")
    if trigger == "forward_delay_complaint":
        _fire(db, case.id, "receive_delay_complaint", doc_id)
    before = case_view(db, case.id)
    after = _fire(db, case.id, trigger, doc_id)
    spec = states.TRIGGERS[trigger]
    assert after.state == (spec.dest or source)
    view = case_view(db, case.id)
    assert view["version"] == before["version"] + 1
    last = view["events"][-1]
    assert (last["trigger"], last["from"], last["to"], last["actor"]) == (
        trigger,
        source,
        spec.dest or source,
        VALID[trigger][0],
    )
    assert len(view["events"]) == view["version"]


def test_full_journey_on_each_backend(db, new_case):
    case = new_case()
    doc = drive(db, case.id, "screening", with_document=True)
    _fire(db, case.id, "flag_for_legal")
    with pytest.raises(WorkflowError, match="juridisk"):
        _fire(db, case.id, "draft_decision")
    _fire(db, case.id, "submit_for_legal_review")
    _fire(db, case.id, "return_to_screening")
    _fire(db, case.id, "submit_for_legal_review")
    _fire(db, case.id, "approve_legal")
    for t in (
        "send_decision",
        "close",
        "receive_complaint",
        "uphold_and_forward",
        "appeal_overturned",
        "send_decision",
        "close",
    ):
        _fire(db, case.id, t)
    view = case_view(db, case.id)
    assert view["state"] == "closed"
    assert view["sagsnummer"] == f"02.34.02-A53-1-{clock.today().year % 100:02d}"
    assert view["documents"][0]["id"] == doc and view["outcome"] == "full"
    assert [e["trigger"] for e in view["events"]][:3] == ["create", "register", "start_collecting"]


def _other_state(trigger: str) -> str:
    return next(
        s
        for s in PATHS
        if s not in states.TRIGGERS[trigger].sources
        and s in ("received", "registered", "collecting", "screening", "decided", "closed", "withdrawn")
    )


# Every trigger but the system's and those allowed in every state (a letter's dispatch, who may see a case).
@pytest.mark.parametrize(
    "trigger",
    [t for t, spec in states.TRIGGERS.items() if not spec.system and set(spec.sources) != set(states.STATES)],
)
def test_each_trigger_refused_in_a_wrong_state_changes_nothing(sqlite_db, trigger):
    from aktflow.service import create_case

    db = sqlite_db
    case = create_case(
        db,
        actor="cw",
        requester="A",
        received=RECEIVED,
        basis="mol",
        subject="s",
        emne=emne_for(trigger),
        assign="cw",
    )
    wrong = _other_state(trigger)
    drive(db, case.id, wrong)
    before = case_view(db, case.id)
    with pytest.raises(WorkflowError) as e:
        _fire(db, case.id, trigger, 1)
    assert trigger in e.value.message and wrong in e.value.message
    assert case_view(db, case.id) == before


@pytest.mark.parametrize("trigger", ["approve_legal", "return_to_screening"])
@pytest.mark.parametrize("actor", ["cw", "manager"])
def test_legal_only_triggers_refused_for_others(db, new_case, trigger, actor):
    case = new_case()
    drive(db, case.id, "legal_review")
    with pytest.raises(PermissionDenied):
        _fire(db, case.id, trigger, actor=actor)
    assert case_view(db, case.id)["state"] == "legal_review"
    _fire(db, case.id, trigger, actor="admin")  # administrators may


@pytest.mark.parametrize("trigger", ["register", "withdraw", "assign"])
def test_legal_may_not_do_casework(db, new_case, trigger):
    case = new_case()
    with pytest.raises(PermissionDenied):
        _fire(db, case.id, trigger, actor="legal")


def test_stale_version_is_a_conflict_and_changes_nothing(db, new_case):
    case = new_case()
    _fire(db, case.id, "register", expect_version=1)
    before = case_view(db, case.id)
    with pytest.raises(ConflictError):
        _fire(db, case.id, "start_collecting", expect_version=1)
    assert case_view(db, case.id) == before


def test_state_is_assigned_only_through_fire(db, new_case):
    """The one door holds by construction: assigning Case.state outside fire() raises, and nothing moves."""
    case = new_case()
    with db.session() as s:
        c = s.get(Case, case.id)
        with pytest.raises(AttributeError, match="fire"):
            c.state = "decided"
        assert c.state == "received"
    with pytest.raises(AttributeError):
        Case(state="decided")
    assert _fire(db, case.id, "register").state == "registered"


def test_two_sessions_same_version_one_wins(db, new_case):
    """Two users load the same version; the second write is refused at commit, not overwritten."""
    case = new_case()
    s1, s2 = db.session(), db.session()
    c1, c2 = s1.get(Case, case.id), s2.get(Case, case.id)
    with state_door():  # the ORM-level lock itself, below fire()
        c1.state, c2.state = "registered", "forwarded"
    c1.version = c2.version = 2
    s1.commit()
    from sqlalchemy.orm.exc import StaleDataError

    with pytest.raises(StaleDataError):
        s2.commit()
    s1.close()
    s2.close()
    assert case_view(db, case.id)["state"] == "registered"


def test_required_fields_are_named(db, new_case):
    case = new_case()
    drive(db, case.id, "legal_review")
    with pytest.raises(ValidationError) as e:
        _fire(db, case.id, "return_to_screening", note="")
    assert e.value.field == "note"
    drive_to = case_view(db, case.id)
    assert drive_to["state"] == "legal_review"


def test_deadline_notice_refuses_past_date_and_missing_reason(db, new_case):
    case = new_case()
    with pytest.raises(ValidationError) as e:
        _fire(db, case.id, "send_deadline_notice", data={"reason": "x", "expected": "2020-01-01"})
    assert e.value.field == "expected"
    with pytest.raises(ValidationError) as e:
        _fire(db, case.id, "send_deadline_notice", data={"expected": FUTURE})
    assert e.value.field == "reason"


def test_draft_decision_refused_while_documents_unassessed(db, new_case):
    case = new_case()
    drive(db, case.id, "collecting")
    _fire(db, case.id, "add_document")
    _fire(db, case.id, "add_document")
    _fire(db, case.id, "start_screening")
    with pytest.raises(WorkflowError, match="2 dokumenter er ikke vurderet"):
        _fire(db, case.id, "draft_decision")


def test_assignment_rules(db, new_case):
    case = new_case(assign=None)
    with pytest.raises(WorkflowError, match="kun tage en ufordelt sag til sig selv"):
        _fire(db, case.id, "assign", actor="cw", data={"assignee": "cw2"})
    _fire(db, case.id, "assign", actor="cw", data={"assignee": "cw"})
    # Someone else's case is not a colleague's to take (need to know: docs/access.md).
    with pytest.raises(PermissionDenied, match="kun sagens sagsbehandler"):
        _fire(db, case.id, "assign", actor="cw2", data={"assignee": "cw2"})
    _fire(db, case.id, "assign", actor="manager", data={"assignee": "cw2"})
    assert case_view(db, case.id)["assignee"] == "cw2"
    with pytest.raises(ValidationError, match="kan ikke have sager"):
        _fire(db, case.id, "assign", actor="manager", data={"assignee": "legal"})


def test_approval_lifts_exactly_the_flags_present(db, new_case):
    case = new_case()
    drive(db, case.id, "screening")
    _fire(db, case.id, "flag_for_legal", note="Første tvivl")
    _fire(db, case.id, "submit_for_legal_review")
    _fire(db, case.id, "approve_legal")
    view = case_view(db, case.id)
    assert not view["flagged"] and view["state"] == "drafting_decision"
    _fire(db, case.id, "flag_for_legal", note="Ny tvivl")
    with pytest.raises(WorkflowError, match="Ny tvivl"):
        _fire(db, case.id, "send_decision")


def test_event_count_equals_version(db, new_case):
    case = new_case()
    drive(db, case.id, "decided")
    with db.session() as s:
        n = s.scalar(select(func.count()).select_from(Event).where(Event.case_id == case.id))
        assert n == s.get(Case, case.id).version == len(PATHS["decided"]) + 1
