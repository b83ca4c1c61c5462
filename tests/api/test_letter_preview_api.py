"""The letter before it is sent, in the JSON API and the CLI: the preview's fingerprint is what a decision
must carry (or ``unseen``), and a letter that changed since is refused."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from aktflow import clock
from aktflow.service import case_view, create_case, fire

API = "/api/v1"


@pytest.fixture
def client(app):
    return app.test_client()


def drafting(db) -> int:
    case = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=clock.today() - dt.timedelta(days=3),
        basis="ofl",
        subject="Aktindsigt i byggesag",
        emne="02.34.02",
        assign="cw",
    )
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    doc = fire(db, case.id, "add_document", actor="cw", data={"title": "Tilsynsrapport"}).documents[-1].id
    fire(db, case.id, "start_screening", actor="cw")
    fire(db, case.id, "assess_document", actor="cw", data={"document_id": doc, "outcome": "grant"})
    fire(db, case.id, "draft_decision", actor="cw")
    return case.id


def send(client, auth, db, case_id, data, note=None):
    version = case_view(db, case_id)["version"]
    return client.post(
        f"{API}/cases/{case_id}/events/send_decision",
        json={"note": note, "data": data},
        headers=auth(**{"If-Match": f'"{version}"'}),
    )


def test_the_api_previews_and_sends_the_letter_seen(client, auth, db):
    case_id = drafting(db)
    r = client.post(
        f"{API}/cases/{case_id}/letters/preview/send_decision",
        json={"note": "Forstået som 2025"},
        headers=auth(),
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["kind"] == "afgoerelse" and body["date"] == clock.today().isoformat()
    assert r.headers["X-Letter-SHA256"] == body["sha256"]
    docx = base64.b64decode(body["docx_base64"])
    got = client.post(
        f"{API}/cases/{case_id}/letters/preview/send_decision?format=docx",
        json={"note": "Forstået som 2025"},
        headers=auth(),
    )
    assert got.data == docx and got.headers["X-Letter-SHA256"] == body["sha256"]
    # Without the fingerprint (or "unseen") the decision is not sent: 400 naming the field.
    r = send(client, auth, db, case_id, {}, note="Forstået som 2025")
    assert r.status_code == 400 and r.get_json()["field"] == "letter_sha256"
    # Another note is another letter: 422, nothing sent.
    r = send(client, auth, db, case_id, {"letter_sha256": body["sha256"]}, note="Noget andet")
    assert r.status_code == 422 and "forhåndsvisningen igen" in r.get_json()["error"]
    r = send(client, auth, db, case_id, {"letter_sha256": body["sha256"]}, note="Forstået som 2025")
    assert r.status_code == 200, r.get_json()
    letters = case_view(db, case_id)["letters"]
    assert [x["sha256"] for x in letters if x["kind"] == "afgoerelse"] == [body["sha256"]]


def test_the_api_sends_unseen_when_asked_explicitly(client, auth, db):
    case_id = drafting(db)
    assert send(client, auth, db, case_id, {"letter_sha256": "unseen"}).status_code == 200


def test_the_api_preview_refuses_clearly(client, auth, db, monkeypatch):
    case_id = drafting(db)
    r = client.post(f"{API}/cases/{case_id}/letters/preview/assign", json={}, headers=auth())
    assert r.status_code == 404
    r = client.post(
        f"{API}/cases/{case_id}/letters/preview/send_decision?format=xml", json={}, headers=auth()
    )
    assert r.status_code == 400 and r.get_json()["field"] == "format"
    r = client.post(f"{API}/cases/{case_id + 999}/letters/preview/send_decision", json={}, headers=auth())
    assert r.status_code == 404
    monkeypatch.setattr("letters._soffice", lambda: None)
    r = client.post(
        f"{API}/cases/{case_id}/letters/preview/send_decision?format=pdf", json={}, headers=auth()
    )
    assert r.status_code == 503 and "LibreOffice" in r.get_json()["error"]


def test_the_cli_previews_prints_the_fingerprint_and_sends_only_with_it(sqlite_db, runner, tmp_path):
    from aktflow.cli import cli

    case_id = drafting(sqlite_db)
    out = tmp_path / "brev.docx"
    r = runner.invoke(
        cli, ["case", "preview", str(case_id), "send_decision", "--out", str(out), "--as", "cw"]
    )
    assert r.exit_code == 0, r.output
    sha = r.stdout.strip()
    import hashlib

    assert sha == hashlib.sha256(out.read_bytes()).hexdigest()
    r = runner.invoke(cli, ["case", "advance", str(case_id), "send_decision", "--as", "cw"])
    assert r.exit_code == 2 and "--unseen-letter" in r.stderr and "aktflow case preview" in r.stderr
    r = runner.invoke(
        cli, ["case", "advance", str(case_id), "send_decision", "--as", "cw", "--letter-sha256", "0" * 64]
    )
    assert r.exit_code == 3 and "forhåndsvisningen igen" in r.stderr
    r = runner.invoke(
        cli, ["case", "advance", str(case_id), "send_decision", "--as", "cw", "--letter-sha256", sha]
    )
    assert r.exit_code == 0, r.output
    assert [x["sha256"] for x in case_view(sqlite_db, case_id)["letters"] if x["kind"] == "afgoerelse"] == [
        sha
    ]


def test_the_cli_sends_unseen_with_the_explicit_flag(sqlite_db, runner):
    from aktflow.cli import cli

    case_id = drafting(sqlite_db)
    r = runner.invoke(
        cli,
        [
            "case",
            "advance",
            str(case_id),
            "send_decision",
            "--as",
            "cw",
            "--unseen-letter",
            "--letter-sha256",
            "ab",
        ],
    )
    assert r.exit_code == 2
    r = runner.invoke(
        cli, ["case", "advance", str(case_id), "send_decision", "--as", "cw", "--unseen-letter"]
    )
    assert r.exit_code == 0, r.output


def test_the_api_asks_for_the_fingerprint_of_every_letter_to_a_person(client, auth, db):
    """A fristbrev is a letter to the requester: sent as seen (or knowingly 'unseen'), as a decision."""
    case = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=clock.today() - dt.timedelta(days=3),
        basis="ofl",
        subject="Aktindsigt i byggesag",
        emne="02.34.02",
        assign="cw",
    )
    fire(db, case.id, "register", actor="cw")
    data = {
        "reason": "Sagen omfatter mange dokumenter",
        "expected": (clock.today() + dt.timedelta(days=20)).isoformat(),
    }

    def post(body):
        version = case_view(db, case.id)["version"]
        return client.post(
            f"{API}/cases/{case.id}/events/send_deadline_notice",
            json=body,
            headers=auth(**{"If-Match": f'"{version}"'}),
        )

    r = post({"data": data})
    assert r.status_code == 400 and r.get_json()["field"] == "letter_sha256"
    assert not [x for x in case_view(db, case.id)["letters"] if x["kind"] == "fristbrev"]
    seen = client.post(
        f"{API}/cases/{case.id}/letters/preview/send_deadline_notice", json={"data": data}, headers=auth()
    ).get_json()["sha256"]
    r = post({"data": {**data, "letter_sha256": seen}})
    assert r.status_code == 200, r.get_json()
    assert [x["sha256"] for x in case_view(db, case.id)["letters"] if x["kind"] == "fristbrev"] == [seen]
