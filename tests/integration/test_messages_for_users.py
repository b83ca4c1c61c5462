"""Messages say things in the users' words: no internal channel names or field names in a flash, a
moment in Danish time on the command line, and a mail's unreadable date told apart from a missing one."""

from __future__ import annotations

import re

from aktflow.cli import cli
from aktflow.mail_in.parse import parse_mail
from aktflow.queries.dispatches import case_dispatches
from aktflow.service import fire
from tests import mailbuild

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_case_access_names_the_time_in_danish(db, runner, new_case):
    cid = new_case().id
    r = runner.invoke(cli, ["case", "access", str(cid), "--add", "cw2", "--reason", "Ferie", "--as", "cw"])
    assert r.exit_code == 0, r.output
    assert re.search(r"tilføjet: cw2 \(af cw \d\d\.\d\d\.\d{4} kl\. \d\d:\d\d\): Ferie", r.stdout), r.stdout
    assert "+00:00" not in r.stdout


def test_an_unknown_channel_is_refused_in_the_pages_words(client, db, new_case):
    case = new_case(address="Vestergade 3;8000 Aarhus C")
    fire(db, case.id, "register", actor="cw")
    [d] = case_dispatches(db, case.id)
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"username": "cw", "password": "test-pass", "csrf_token": CSRF_RE.search(page).group(1)},
    )
    token = CSRF_RE.search(client.get(f"/cases/{case.id}").get_data(as_text=True)).group(1)
    r = client.post(
        f"/cases/{case.id}/dispatches/{d['id']}/channel", data={"csrf_token": token, "channel": "bogus"}
    )
    assert r.status_code == 303
    with client.session_transaction() as s:
        flashes = list(s.pop("_flashes", []))
    assert flashes == [("error", "ukendt kanal: vælg Digital Post, E-mail eller Post (print)")]


def test_a_date_that_cannot_be_read_is_not_called_missing():
    unreadable = parse_mail("a.eml", mailbuild.eml(date="Tue, 45 Foo 2026 99:00"))
    assert unreadable.received is None and unreadable.date_problem == "e-mailens dato (Date) kan ikke læses"
    missing = parse_mail("b.eml", mailbuild.eml(date=None))
    assert missing.received is None and missing.date_problem == "e-mailen har ingen dato (Date)"
