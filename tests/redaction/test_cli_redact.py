"""``aktflow case redact`` and ``aktflow case redactions``: exit codes, JSON, no CPR number printed."""

from __future__ import annotations

import json

from aktflow.cli import cli
from aktflow.queries.redactions import document_redactions
from tests.redaction.test_actions import CPR, screening


def test_redact_a_term_and_a_region_and_list_them(sqlite_db, runner):
    case_id, doc_id = screening(sqlite_db)
    base = ["case", "redact", str(case_id), str(doc_id), "--ground", "ofl-30-1", "--as", "cw"]
    r = runner.invoke(cli, [*base, "--term", "Jens Hansen"])
    assert r.exit_code == 0, r.output
    assert "'Jens Hansen' overstreget (OFL § 30, nr. 1)" in r.output
    r = runner.invoke(cli, [*base, "--page", "1", "--box", "60,700,300,760", "--json"])
    assert r.exit_code == 0, r.output
    view = json.loads(r.output)
    assert [x["kind"] for x in view["redactions"]] == ["text", "region"]
    r = runner.invoke(cli, ["case", "redactions", str(case_id), "--json"])
    assert r.exit_code == 0, r.output
    listed = json.loads(r.output)["documents"][0]
    assert listed["redactions"] == view["redactions"]
    assert any(p["kind"] == "cpr" for p in listed["proposals"])
    assert CPR not in r.output and "1237" not in r.output  # the proposal is shown masked


def test_bad_input_exits_2_naming_the_field_and_a_wrong_role_4(sqlite_db, runner):
    case_id, doc_id = screening(sqlite_db)
    base = ["case", "redact", str(case_id), str(doc_id), "--ground", "ofl-30-1"]
    r = runner.invoke(cli, [*base, "--page", "1", "--box", "1,2", "--as", "cw"])
    assert r.exit_code == 2 and "box" in r.output
    r = runner.invoke(cli, [*base, "--term", "Jens", "--as", "legal"])
    assert r.exit_code == 4, r.output
    assert document_redactions(sqlite_db, case_id, doc_id)["redactions"] == []
