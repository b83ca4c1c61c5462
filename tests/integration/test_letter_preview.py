"""Letters seen before they are sent (aktflow.letter_preview): the preview is the letter that is sent, a
changed case changes the fingerprint and the send is refused, and the legal approval covers the letter."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from aktflow import clock, letter_preview
from aktflow.errors import NotFound, ValidationError, WorkflowError
from aktflow.models import Event, Letter
from aktflow.service import create_case, fire
from tests.assessing import texts_for
from tests.exits_scenario import docx_text

RECEIVED = (clock.today() - dt.timedelta(days=3)).isoformat()
FUTURE = (clock.today() + dt.timedelta(days=14)).isoformat()


def new(db, **kw):
    args = dict(
        actor="cw",
        requester="Mette Hansen",
        received=RECEIVED,
        basis="ofl",
        subject="Aktindsigt i tilsynssagen",
        emne="02.34.02",
        assign="cw",
    )
    args.update(kw)
    return create_case(db, **args)


def drafting(db, *titles, outcomes=None, ground="ofl-23", draft=True):
    """A case in drafting_decision (``draft`` False: screening), one assessed document per title, refused
    or redacted under ``ground``; returns (case, [document ids])."""
    case = new(db)
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    ids = [fire(db, case.id, "add_document", actor="cw", data={"title": t}).documents[-1].id for t in titles]
    fire(db, case.id, "start_screening", actor="cw")
    for doc, outcome in zip(ids, outcomes or ["grant"] * len(ids), strict=True):
        grounds = [ground] if outcome != "grant" else []
        fire(
            db,
            case.id,
            "assess_document",
            actor="cw",
            data={"document_id": doc, "outcome": outcome, "grounds": grounds, **texts_for(outcome, grounds)},
        )
    if draft:
        fire(db, case.id, "draft_decision", actor="cw")
    return case, ids


def letters_of(db, case_id):
    with db.session() as s:
        rows = s.scalars(select(Letter).where(Letter.case_id == case_id).order_by(Letter.id))
        return [(r.kind, r.sha256, r.content) for r in rows]


def counts(db):
    with db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Event)),
            s.scalar(select(func.count()).select_from(Letter)),
        )


def test_the_preview_is_the_letter_that_is_sent(db):
    case, _ = drafting(db, "Tilsynsrapport", "Klage fra nabo")
    before = counts(db)
    seen = letter_preview.preview(db, case.id, "send_decision", actor="cw", note="Som alle tilsyn i 2025")
    assert counts(db) == before  # nothing written
    again = letter_preview.preview(db, case.id, "send_decision", actor="cw", note="Som alle tilsyn i 2025")
    assert again.content == seen.content and again.sha256 == seen.sha256 == seen.sha256.lower()
    assert seen.kind == "afgoerelse" and seen.filename.endswith(".docx") and seen.date == clock.today()
    assert "Tilsynsrapport" in docx_text(seen.content) and "Som alle tilsyn i 2025" in docx_text(seen.content)
    fire(
        db,
        case.id,
        "send_decision",
        actor="cw",
        note="Som alle tilsyn i 2025",
        data={"letter_sha256": seen.sha256},
    )
    (letter,) = [x for x in letters_of(db, case.id) if x[0] == "afgoerelse"]
    assert letter[1] == seen.sha256 and letter[2] == seen.content


def test_a_changed_case_gives_another_fingerprint_and_the_send_is_refused(db):
    case, (d1, _) = drafting(db, "Tilsynsrapport", "Klage fra nabo")
    seen = letter_preview.preview(db, case.id, "send_decision", actor="cw")
    fire(
        db,
        case.id,
        "assess_document",
        actor="cw",
        data={
            "document_id": d1,
            "outcome": "refuse",
            "grounds": ["ofl-23"],
            **texts_for("refuse", ["ofl-23"]),
        },
    )
    now = letter_preview.preview(db, case.id, "send_decision", actor="cw")
    assert now.sha256 != seen.sha256
    before = counts(db)
    with pytest.raises(WorkflowError, match="ikke det brev, der blev vist"):
        fire(db, case.id, "send_decision", actor="cw", data={"letter_sha256": seen.sha256})
    assert counts(db) == before  # refused whole: no event, no letter
    # A different note is a different letter too.
    with pytest.raises(WorkflowError, match="forhåndsvisningen igen"):
        fire(
            db,
            case.id,
            "send_decision",
            actor="cw",
            note="Anden forståelse",
            data={"letter_sha256": now.sha256},
        )
    fire(db, case.id, "send_decision", actor="cw", data={"letter_sha256": now.sha256})


def test_unseen_sends_without_comparing_and_the_event_says_so(db):
    case, _ = drafting(db, "Tilsynsrapport")
    fire(db, case.id, "send_decision", actor="cw", data={"letter_sha256": "unseen"})
    with db.session() as s:
        ev = s.scalars(select(Event).where(Event.case_id == case.id, Event.trigger == "send_decision")).one()
    assert ev.data["letter_sha256"] == "unseen"


def test_a_partial_decision_preview_shows_what_it_releases_and_is_what_is_sent(db):
    case, (d1, d2) = drafting(db, "Byggetilladelse", "Intern mail", outcomes=["grant", "refuse"])
    seen = letter_preview.preview(db, case.id, "send_partial_decision", actor="cw", note="Tilladelsen nu")
    assert seen.kind == "delafgoerelse" and "Byggetilladelse" in docx_text(seen.content)
    fire(
        db,
        case.id,
        "send_partial_decision",
        actor="cw",
        note="Tilladelsen nu",
        data={"letter_sha256": seen.sha256},
    )
    (letter,) = [x for x in letters_of(db, case.id) if x[0] == "delafgoerelse"]
    assert letter[1] == seen.sha256


def test_the_extension_letter_preview_carries_the_new_date_as_sent(db):
    case = new(db, basis="mol")
    fire(db, case.id, "register", actor="cw")
    seen = letter_preview.preview(db, case.id, "extend_deadline", actor="cw", data={"reason": "Mange sider"})
    fire(db, case.id, "extend_deadline", actor="cw", data={"reason": "Mange sider"})
    (letter,) = [x for x in letters_of(db, case.id) if x[0] == "fristbrev"]
    assert letter[1] == seen.sha256  # the extended deadline entered the preview as it entered the letter


def test_preview_refusals_are_clear(db):
    case, _ = drafting(db, "Tilsynsrapport")
    with pytest.raises(ValidationError, match="danner intet brev"):
        letter_preview.preview(db, case.id, "assign", actor="cw", data={"assignee": "cw"})
    with pytest.raises(ValidationError, match="ukendt handling"):
        letter_preview.preview(db, case.id, "nonsense", actor="cw")
    with pytest.raises(NotFound):
        letter_preview.preview(db, 99999, "send_decision", actor="cw")
    with pytest.raises(ValidationError) as e:
        letter_preview.preview(db, case.id, "send_deadline_notice", actor="cw", data={"reason": "x"})
    assert e.value.field == "expected"


def test_entrypoints_require_the_fingerprint_or_unseen():
    # Every letter to a person made by an action is sent only as seen (or knowingly 'unseen').
    assert set(letter_preview.confirmed_triggers()) == set(letter_preview.seen_triggers())
    for trigger in ("send_decision", "send_deadline_notice", "request_hearing", "forward"):
        with pytest.raises(ValidationError) as e:
            letter_preview.require_seen(trigger, {})
        assert e.value.field == "letter_sha256" and "unseen" in e.value.detail
        with pytest.raises(ValidationError):
            letter_preview.require_seen(trigger, None)
        letter_preview.require_seen(trigger, {"letter_sha256": "unseen"})
        letter_preview.require_seen(trigger, {"letter_sha256": "a" * 64})
    letter_preview.require_seen("register", None)  # the kvittering is made at registration, unseen
    letter_preview.require_seen("start_collecting", None)  # no letter


def test_a_bad_fingerprint_is_a_clear_validation_error(db):
    case, _ = drafting(db, "Tilsynsrapport")
    with pytest.raises(ValidationError) as e:
        fire(db, case.id, "send_decision", actor="cw", data={"letter_sha256": "abc"})
    assert e.value.field == "letter_sha256" and "64 hextegn" in e.value.detail


# --- the legal approval covers the letter ---------------------------------------------------------------


def flagged(db):
    case, (d1, d2) = drafting(
        db, "Lægeerklæring", "Byggetilladelse", outcomes=["refuse", "grant"], ground="ofl-30-1", draft=False
    )
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    return case, d1, d2


def test_the_approval_records_the_letter_the_legal_contact_saw_and_the_same_letter_is_sent(db):
    case, _, _ = flagged(db)
    seen = letter_preview.preview(db, case.id, "send_decision", actor="legal")
    fire(db, case.id, "approve_legal", actor="legal", data={"letter_sha256": seen.sha256})
    with db.session() as s:
        ev = s.scalars(select(Event).where(Event.case_id == case.id, Event.trigger == "approve_legal")).one()
    assert ev.data["approved"]["letter"] == {
        "sha256": seen.sha256,
        "date": clock.today().isoformat(),
        "trigger": "send_decision",
    }
    mine = letter_preview.preview(db, case.id, "send_decision", actor="cw")
    assert mine.sha256 == seen.sha256  # the assignee signs either way
    fire(db, case.id, "send_decision", actor="cw", data={"letter_sha256": mine.sha256})


def test_a_letter_that_differs_from_the_approved_one_lapses_the_approval(db):
    case, _, _ = flagged(db)
    seen = letter_preview.preview(db, case.id, "send_decision", actor="legal")
    fire(db, case.id, "approve_legal", actor="legal", data={"letter_sha256": seen.sha256})
    # The caseworker adds how the request is understood: the letter is no longer the approved one.
    mine = letter_preview.preview(db, case.id, "send_decision", actor="cw", note="Forstået som alt i 2025")
    with pytest.raises(WorkflowError, match="afgørelsesbrevet er ændret siden godkendelsen"):
        fire(
            db,
            case.id,
            "send_decision",
            actor="cw",
            note="Forstået som alt i 2025",
            data={"letter_sha256": mine.sha256},
        )
    with pytest.raises(WorkflowError, match="afgørelsesbrevet er ændret"):
        fire(
            db,
            case.id,
            "send_decision",
            actor="cw",
            note="Forstået som alt i 2025",
            data={"letter_sha256": "unseen"},
        )
    fire(db, case.id, "send_decision", actor="cw", data={"letter_sha256": seen.sha256})


def test_the_approval_date_alone_does_not_lapse_the_approval(db):
    case, _, _ = flagged(db)
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    seen = letter_preview.preview(db, case.id, "send_decision", actor="legal", now=yesterday)
    fire(db, case.id, "approve_legal", actor="legal", data={"letter_sha256": seen.sha256}, now=yesterday)
    today = letter_preview.preview(db, case.id, "send_decision", actor="cw")
    assert today.sha256 != seen.sha256  # the date is in the letter
    fire(db, case.id, "send_decision", actor="cw", data={"letter_sha256": today.sha256})


def test_an_approval_without_a_letter_keeps_the_case_level_check_only(db):
    case, _, _ = flagged(db)
    fire(db, case.id, "approve_legal", actor="legal")
    fire(db, case.id, "send_decision", actor="cw", note="Forstået som alt i 2025")


def partly_flagged(db):
    """A flagged case in legal review with one document to release now and one refused."""
    case, (d1, d2) = drafting(
        db, "Byggetilladelse", "Lægeerklæring", outcomes=["grant", "refuse"], ground="ofl-30-1", draft=False
    )
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    return case


def approve_partial(db, case, note):
    seen = letter_preview.preview(db, case.id, "send_partial_decision", actor="legal", note=note)
    fire(
        db,
        case.id,
        "approve_legal",
        actor="legal",
        data={"letter_sha256": seen.sha256, "letter_trigger": "send_partial_decision"},
    )
    return seen


def test_the_approval_covers_the_partial_decisions_letter_as_seen(db):
    case = partly_flagged(db)
    seen = approve_partial(db, case, "Tilladelsen nu")
    with db.session() as s:
        ev = s.scalars(select(Event).where(Event.case_id == case.id, Event.trigger == "approve_legal")).one()
    assert ev.data["approved"]["letter"]["trigger"] == "send_partial_decision"
    fire(
        db,
        case.id,
        "send_partial_decision",
        actor="cw",
        note="Tilladelsen nu",
        data={"letter_sha256": seen.sha256},
    )
    (letter,) = [x for x in letters_of(db, case.id) if x[0] == "delafgoerelse"]
    assert letter[1] == seen.sha256


def test_a_partial_decision_letter_that_differs_from_the_approved_one_lapses_the_approval(db):
    case = partly_flagged(db)
    approve_partial(db, case, "Tilladelsen nu")
    mine = letter_preview.preview(db, case.id, "send_partial_decision", actor="cw", note="Tilladelsen i dag")
    for sha in (mine.sha256, "unseen"):
        with pytest.raises(WorkflowError, match="afgørelsesbrevet er ændret siden godkendelsen"):
            fire(
                db,
                case.id,
                "send_partial_decision",
                actor="cw",
                note="Tilladelsen i dag",
                data={"letter_sha256": sha},
            )
    assert not [x for x in letters_of(db, case.id) if x[0] == "delafgoerelse"]


def test_an_approved_partial_letter_does_not_stand_for_the_final_decisions_letter(db):
    case = partly_flagged(db)
    approve_partial(db, case, "Tilladelsen nu")
    # The approval saw the partial decision's letter only: the final decision is compared case-wise.
    fire(db, case.id, "send_decision", actor="cw", note="Forstået som alt i 2025")


def test_approve_legal_refuses_an_unknown_letter_trigger(db):
    case = partly_flagged(db)
    with pytest.raises(ValidationError) as e:
        fire(db, case.id, "approve_legal", actor="legal", data={"letter_trigger": "extend_deadline"})
    assert e.value.field == "letter_trigger"


def test_the_letters_to_a_person_take_the_fingerprint():
    assert set(letter_preview.seen_triggers()) == {
        "send_decision",
        "send_partial_decision",
        "send_deadline_notice",
        "extend_deadline",
        "request_clarification",
        "forward",
        "request_hearing",
        "notify_employee",
        "forward_delay_complaint",
        "uphold_and_forward",
    }
    assert "register" not in letter_preview.seen_triggers()  # the kvittering: made at registration


def test_a_fristbrev_is_sent_as_seen_or_refused(db):
    case = new(db)
    fire(db, case.id, "register", actor="cw")
    data = {"reason": "Mange dokumenter", "expected": FUTURE}
    seen = letter_preview.preview(db, case.id, "send_deadline_notice", actor="cw", data=data)
    with pytest.raises(WorkflowError, match="ikke det brev, der blev vist"):
        fire(
            db,
            case.id,
            "send_deadline_notice",
            actor="cw",
            data={**data, "reason": "Høring af tredjemand", "letter_sha256": seen.sha256},
        )
    assert not [x for x in letters_of(db, case.id) if x[0] == "fristbrev"]
    fire(db, case.id, "send_deadline_notice", actor="cw", data={**data, "letter_sha256": seen.sha256})
    (letter,) = [x for x in letters_of(db, case.id) if x[0] == "fristbrev"]
    assert letter[1] == seen.sha256


def test_a_clarification_letter_as_seen_is_the_letter_sent(db):
    case = new(db)
    fire(db, case.id, "register", actor="cw")
    seen = letter_preview.preview(db, case.id, "request_clarification", actor="cw", note="Hvilket år?")
    with pytest.raises(WorkflowError, match="ikke det brev"):
        fire(
            db,
            case.id,
            "request_clarification",
            actor="cw",
            note="Hvilken afdeling?",
            data={"letter_sha256": seen.sha256},
        )
    fire(
        db,
        case.id,
        "request_clarification",
        actor="cw",
        note="Hvilket år?",
        data={"letter_sha256": seen.sha256},
    )
    (letter,) = [x for x in letters_of(db, case.id) if x[0] == "praecisering"]
    assert letter[1] == seen.sha256
