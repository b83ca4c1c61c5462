"""Letters to other recipients than the requester: the party heard (høring) and the appeal body the
complaint is forwarded to (klage_oversendelse). Their addresses come from the hearing's "Partens adresse"
and the appeal-body table; the rule sends by Digital Post (CVR), e-mail or post, and a recipient with no
address at all is "not sent" with what to fill in (docs/dispatch.md)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from aktflow import appeal_bodies, clock
from aktflow.models import Dispatch, Letter
from aktflow.queries.dispatches import case_dispatches
from aktflow.service import fire


def configure(monkeypatch, names=frozenset({"digital_post", "email", "print"})):
    import aktflow.case_actions
    import aktflow.dispatch.channels

    monkeypatch.setattr(aktflow.dispatch.channels, "configured_names", lambda settings: set(names))
    monkeypatch.setattr(aktflow.case_actions, "configured_names", lambda settings: set(names))


def forwarded(db, new_case, **kw):
    case = new_case(**kw)
    for t in ("register", "start_collecting", "start_screening", "draft_decision", "send_decision"):
        fire(db, case.id, t, actor="cw")
    fire(db, case.id, "receive_complaint", actor="cw")
    fire(db, case.id, "uphold_and_forward", actor="cw", note="Vi fastholder.")
    return case


def of_kind(db, case_id: int, kind: str) -> list[dict]:
    return [d for d in case_dispatches(db, case_id) if d["letter_kind"] == kind]


def set_body(db, **kw):
    values = dict(
        kle_prefix="02.34",
        basis="ofl",
        kind="klageinstans",
        name="Særligt Nævn",
        address="Nævnvej 1, 9999 By",
    )
    values.update(kw)
    return appeal_bodies.set_row(db, actor="admin", **values)


def test_the_appeal_body_with_a_cvr_number_gets_the_forwarding_by_digital_post(db, new_case, monkeypatch):
    configure(monkeypatch)
    row = set_body(db, cvr="12 34 56 78", email="post@naevn.dk")
    assert (row["cvr"], row["email"]) == ("12345678", "post@naevn.dk")
    case = forwarded(db, new_case)
    to_body, to_requester = of_kind(db, case.id, "klage_oversendelse")
    assert (to_body["recipient_role"], to_body["recipient"], to_body["channel"]) == (
        "appeal_body",
        "Særligt Nævn",
        "digital_post",
    )
    assert to_requester["recipient_role"] == "requester"


def test_the_appeal_body_with_only_an_email_gets_it_by_email(db, new_case, monkeypatch):
    configure(monkeypatch)
    set_body(db, email="post@naevn.dk")
    case = forwarded(db, new_case)
    [to_body] = [
        d for d in of_kind(db, case.id, "klage_oversendelse") if d["recipient_role"] == "appeal_body"
    ]
    assert to_body["channel"] == "email" and to_body["status"] == "queued"
    with db.session() as s:
        assert s.get(Dispatch, to_body["id"]).recipient_email == "post@naevn.dk"


def test_an_appeal_body_without_any_address_is_not_sent_and_says_what_to_fill_in(db, new_case, monkeypatch):
    configure(monkeypatch)
    with db.session() as s:  # an older row without an address (the form requires one today)
        from aktflow.models import AppealBody

        s.add(
            AppealBody(kle_prefix="02.34", basis="ofl", kind="klageinstans", name="Særligt Nævn", address="")
        )
        s.commit()
    case = forwarded(db, new_case)
    [to_body] = [
        d for d in of_kind(db, case.id, "klage_oversendelse") if d["recipient_role"] == "appeal_body"
    ]
    assert to_body["status"] == "rejected" and to_body["not_sent"]
    assert "Ingen kanal" in to_body["detail"] and "Administration → Klageinstanser" in to_body["detail"]
    # Filled in afterwards: the letter is read again with the new address when it is sent.
    set_body(db, address="Nævnvej 1, 9999 By", cvr="12345678")
    import aktflow.dispatch.delivery as delivery
    from aktflow.dispatch.delivery import _outgoing

    monkeypatch.setattr(delivery, "_letter_pdf", lambda db, letter_id: b"%PDF-1.7")
    with db.session() as s:
        s.get(Dispatch, to_body["id"]).status = "queued"
        s.commit()
    out = _outgoing(db, to_body["id"])
    assert out.recipient.cvr == "12345678" and out.recipient.postal_address == ("Nævnvej 1, 9999 By",)


def test_the_party_heard_gets_the_hearing_at_the_address_given_with_it(db, new_case, monkeypatch):
    from aktflow.documents import Attachment

    configure(monkeypatch, {"email", "print"})
    case = new_case()
    fire(db, case.id, "register", actor="cw")
    fire(db, case.id, "start_collecting", actor="cw")
    fire(
        db,
        case.id,
        "add_document",
        actor="cw",
        data={"title": "Tilbud"},
        attachment=Attachment("t.txt", b"Tilbud"),
    )
    fire(db, case.id, "start_screening", actor="cw")
    reply_by = (clock.today() + dt.timedelta(days=14)).isoformat()
    fire(
        db,
        case.id,
        "request_hearing",
        actor="cw",
        data={
            "party": "Byggefirma A/S",
            "party_address": "Vestergade 3, 8000 Aarhus C\nE-mail: post@byg.dk",
            "reply_by": reply_by,
        },
    )
    [hearing] = of_kind(db, case.id, "hoering")
    assert (hearing["recipient_role"], hearing["recipient"], hearing["channel"]) == (
        "party",
        "Byggefirma A/S",
        "email",
    )
    with db.session() as s:
        d = s.get(Dispatch, hearing["id"])
        assert d.recipient_email == "post@byg.dk"
        assert s.scalar(select(Letter.kind).where(Letter.id == d.letter_id)) == "hoering"


def test_the_admin_page_takes_the_appeal_bodys_cvr_and_email_and_names_a_bad_one(app, db):
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert client.post("/login", data={"username": "admin", "password": "test-pass"}).status_code in (
        302,
        303,
    )
    form = {"kle_prefix": "02.34", "basis": "ofl", "kind": "klageinstans", "name": "Særligt Nævn"}
    form |= {"address": "Nævnvej 1, 9999 By", "cvr": "12345678", "email": "post@naevn.dk"}
    assert client.post("/admin/appeal-bodies", data=form).status_code in (302, 303)
    page = client.get("/admin").get_data(as_text=True)
    assert "CVR 12345678" in page and "post@naevn.dk" in page and 'name="cvr"' in page
    client.post("/admin/appeal-bodies", data=form | {"cvr": "1234"})
    assert "CVR-nummer CVR-nummeret skal være 8 cifre" in client.get("/admin").get_data(as_text=True)


def test_a_dispatch_that_found_no_channel_is_queued_for_real_when_one_is_chosen(db, new_case, monkeypatch):
    from sqlalchemy import select

    from aktflow import dispatch_actions
    from aktflow.models import AppealBody, OutboxItem

    configure(monkeypatch)
    with db.session() as s:
        s.add(
            AppealBody(kle_prefix="02.34", basis="ofl", kind="klageinstans", name="Særligt Nævn", address="")
        )
        s.commit()
    case = forwarded(db, new_case)
    [to_body] = [
        d for d in of_kind(db, case.id, "klage_oversendelse") if d["recipient_role"] == "appeal_body"
    ]
    key = f"dispatch-{to_body['id']}"
    with db.session() as s:  # no channel when it was made: not in the outbox
        assert s.scalar(select(OutboxItem.id).where(OutboxItem.idempotency_key == key)) is None
    set_body(db, address="Nævnvej 1, 9999 By")
    dispatch_actions.retry(db, case.id, to_body["id"], actor="cw")
    with db.session() as s:  # now it is, so the worker sends it
        item = s.scalar(select(OutboxItem).where(OutboxItem.idempotency_key == key))
        assert item is not None and item.status == "pending"
