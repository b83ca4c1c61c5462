"""``aktflow case access`` and ``--as`` on the CLI's reads (docs/access.md): a sensitive case is refused
with exit code 4 to who may not see it; every change lands in the administrative log."""

from __future__ import annotations

import json

from sqlalchemy import select

from aktflow.cli import cli
from aktflow.models import AdminLogEntry


def test_case_access_shows_adds_removes_marks_and_unmarks(db, runner, new_case):
    cid = new_case().id
    r = runner.invoke(cli, ["case", "access", str(cid), "--as", "cw", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["sensitive"] is False
    r = runner.invoke(
        cli, ["case", "access", str(cid), "--mark-sensitive", "Helbred", "--as", "cw", "--json"]
    )
    assert r.exit_code == 0, r.output
    shown = json.loads(r.stdout)
    assert shown["sensitive"] and shown["mark"]["marked_by"] == "cw"
    # cw2 may no longer read it, neither the case nor its letters.
    for args in (["case", "show", str(cid)], ["case", "letters", str(cid)], ["case", "redactions", str(cid)]):
        r = runner.invoke(cli, [*args, "--as", "cw2"])
        assert r.exit_code == 4, (args, r.output)
        assert "fortrolig" in r.stderr
    r = runner.invoke(cli, ["case", "access", str(cid), "--add", "cw2", "--reason", "Ferie", "--as", "cw"])
    assert r.exit_code == 0, r.output
    assert "tilføjet: cw2" in r.stdout
    assert runner.invoke(cli, ["case", "show", str(cid), "--as", "cw2"]).exit_code == 0
    r = runner.invoke(cli, ["case", "access", str(cid), "--remove", "cw2", "--as", "cw"])
    assert r.exit_code == 0, r.output
    # Lifting the mark is not the caseworker's decision (exit code 4), but the legal contact's.
    r = runner.invoke(cli, ["case", "access", str(cid), "--unmark", "Fejl", "--as", "cw"])
    assert r.exit_code == 4 and "leder eller den juridiske kontakt" in r.stderr
    r = runner.invoke(cli, ["case", "access", str(cid), "--unmark", "Fejl", "--as", "legal", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["sensitive"] is False
    with db.session() as s:
        kinds = s.scalars(
            select(AdminLogEntry.kind).where(AdminLogEntry.target == f"sag {cid}").order_by(AdminLogEntry.seq)
        ).all()
    assert kinds == ["case.mark_sensitive", "case.member_add", "case.member_remove", "case.unmark_sensitive"]


def test_the_cli_refuses_bad_access_changes_in_danish(db, runner, new_case):
    cid = new_case().id
    r = runner.invoke(cli, ["case", "access", str(cid), "--add", "cw2", "--as", "cw"])
    assert r.exit_code == 2 and "begrundelse" in r.stderr
    r = runner.invoke(cli, ["case", "access", str(cid), "--add", "cw2", "--remove", "cw2", "--as", "cw"])
    assert r.exit_code == 2 and "én ændring ad gangen" in r.stderr
    r = runner.invoke(cli, ["case", "access", str(cid), "--mark-sensitive", "x", "--as", "cw2"])
    assert r.exit_code == 4  # cw2 is not the case's caseworker
    r = runner.invoke(cli, ["case", "access", "999999", "--as", "cw"])
    assert r.exit_code == 2 and "findes ikke" in r.stderr


def test_case_list_masks_sensitive_cases_for_who_may_not_see_them(db, runner, new_case):
    secret = new_case(emne="81.02.00", subject="Advarsel til en ansat").id
    r = runner.invoke(cli, ["case", "list", "--json", "--as", "cw2"])
    assert r.exit_code == 0, r.output
    row = {x["id"]: x for x in json.loads(r.stdout)}[secret]
    assert row["subject"] == "Fortrolig sag" and row["requester"] == "Fortrolig sag" and row["masked"]
    assert row["state"] == "received"  # the overview keeps number and state
    r = runner.invoke(cli, ["case", "list", "--json", "--as", "cw"])
    assert {x["id"]: x for x in json.loads(r.stdout)}[secret]["subject"] == "Advarsel til en ansat"
