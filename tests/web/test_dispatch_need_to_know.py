"""Letters out keep to need-to-know (docs/access.md, docs/dispatch.md): the list of letters that did not go
masks a sensitive case's recipient and detail for a colleague who may not see the case."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from aktflow import bootstrap
from aktflow.dispatch.channel import DeliveryResult
from aktflow.models import Flag, utcnow
from aktflow.outbox import run_once
from aktflow.release import convert
from aktflow.service import fire

PASSWORD = "test-pass"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DETAIL = "postkassen for Birthe Skovgaard findes ikke"


@pytest.fixture(autouse=True)
def _soffice():
    if not convert.soffice():
        pytest.skip("LibreOffice (soffice) is not installed")


def login(client, username: str) -> None:
    client._cookies.clear()
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": CSRF_RE.search(page).group(1)},
    )


class Refusing:
    name = "email"

    def send(self, letter):
        return DeliveryResult("rejected", dt.datetime.now(dt.UTC), detail=DETAIL)


def make_sensitive(db, case_id: int) -> None:
    with db.session() as s:
        s.add(
            Flag(
                case_id=case_id,
                reason="Dokument 'Journal': helbredsoplysninger (GDPR art. 9) — Brødtekst",
                source="screening",
                created_at=utcnow(),
            )
        )
        s.commit()


def test_letters_not_sent_mask_a_sensitive_case_for_a_colleague(client, db, new_case, monkeypatch):
    from tests.integration.test_dispatch import use_channels

    use_channels(monkeypatch, email=Refusing())
    case = new_case(requester="Karsten Ørnebjerg", email="karsten@example.dk", channel="e-mail")
    fire(db, case.id, "register", actor="cw")
    run_once(db, bootstrap.current().deliver, kinds=("dispatch",), ignore_backoff=True)
    make_sensitive(db, case.id)

    for who in ("cw", "manager"):  # the caseworker and a manager see the row in full
        login(client, who)
        listing = unescape(client.get("/dispatches/not-sent").get_data(as_text=True))
        assert f"/cases/{case.id}#forsendelser" in listing and DETAIL in listing, who
        assert "Karsten Ørnebjerg" in listing, who

    login(client, "cw2")  # a colleague learns only that a letter on the case did not go
    listing = unescape(client.get("/dispatches/not-sent").get_data(as_text=True))
    # the case's number as plain text, no link to a page that would answer 403 (_case_link.html)
    assert f"/cases/{case.id}#forsendelser" not in listing and "Fortrolig sag" in listing
    assert DETAIL not in listing and "Karsten Ørnebjerg" not in listing and "Skovgaard" not in listing


def access_rows(db, case_id: int) -> list[tuple[str, str, str]]:
    from sqlalchemy import select

    from aktflow.models import AccessEntry

    with db.session() as s:
        rows = s.scalars(select(AccessEntry).where(AccessEntry.case_id == case_id).order_by(AccessEntry.id))
        return [(r.actor, r.what, r.via) for r in rows]


def test_a_sensitive_cases_print_file_is_in_the_access_log_everywhere(client, db, new_case, runner, tmp_path):
    from aktflow import tokens
    from aktflow.cli import cli
    from tests.reliability.test_access_matrix import printed_dispatch

    case = new_case(address="Vestergade 3;8000 Aarhus C")
    fire(db, case.id, "register", actor="cw")
    d = printed_dispatch(db, case.id)
    make_sensitive(db, case.id)

    login(client, "cw")
    assert client.get(f"/cases/{case.id}/dispatches/{d}/print.pdf").status_code == 200
    auth = {"Authorization": f"Bearer {tokens.issue_token(db, 'manager', 'test', actor='admin')}"}
    assert client.get(f"/api/v1/cases/{case.id}/dispatches/{d}/print", headers=auth).status_code == 200

    out = tmp_path / "print.pdf"
    base = ["dispatch", "print", str(case.id), str(d), "--out", str(out)]
    assert runner.invoke(cli, base).exit_code == 2  # --as is required
    refused = runner.invoke(cli, [*base, "--as", "cw2"])
    assert refused.exit_code == 4 and not out.exists(), refused.output
    done = runner.invoke(cli, [*base, "--as", "legal"])
    assert done.exit_code == 0 and out.read_bytes().startswith(b"%PDF"), done.output
    listed = runner.invoke(cli, ["dispatch", "list", str(case.id), "--as", "cw2"])
    assert listed.exit_code == 4, listed.output
    assert runner.invoke(cli, ["dispatch", "list", str(case.id), "--as", "cw"]).exit_code == 0

    assert access_rows(db, case.id) == [
        ("cw", "print", "web"),
        ("manager", "print", "api"),
        ("legal", "print", "cli"),
    ]
