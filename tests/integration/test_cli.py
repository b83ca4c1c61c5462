"""The `aktflow` command through click's CliRunner, on both backends: JSON output, exit codes, one-line errors."""

from __future__ import annotations

import datetime as dt
import json
import os
import re

import pytest

from aktflow import clock, states
from aktflow.cli import cli

TODAY = clock.today()
FUTURE = (TODAY + dt.timedelta(days=20)).isoformat()
YY = f"{TODAY.year % 100:02d}"

# --- the contract of docs/domain.md §4, written out by hand (not read from the code) ---------------------------

CONTRACT_STATES = {
    "received": "Modtaget",
    "registered": "Sag oprettet",
    "awaiting_clarification": "Afventer præcisering",
    "collecting": "Dokumentindsamling",
    "screening": "Fortrolighedsgennemgang",
    "third_party_hearing": "Høring af tredjemand",
    "legal_review": "Juridisk vurdering",
    "drafting_decision": "Afgørelse under udarbejdelse",
    "decided": "Afgørelse sendt",
    "complaint_received": "Klage modtaget",
    "appeal_pending": "Oversendt til klageinstans",
    "closed": "Afsluttet",
    "forwarded": "Videresendt til rette myndighed",
    "withdrawn": "Trukket tilbage",
}
CONTRACT_FINAL = {"forwarded", "withdrawn", "closed"}
CONTRACT_NON_FINAL = set(CONTRACT_STATES) - CONTRACT_FINAL

# trigger: (sources, destination)
CONTRACT_TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "register": ({"received"}, "registered"),
    "forward": ({"registered"}, "forwarded"),
    "request_clarification": ({"registered", "collecting"}, "awaiting_clarification"),
    "clarification_received": ({"awaiting_clarification"}, "collecting"),
    "start_collecting": ({"registered"}, "collecting"),
    "start_screening": ({"collecting"}, "screening"),
    "request_hearing": ({"screening"}, "third_party_hearing"),
    "hearing_completed": ({"third_party_hearing"}, "screening"),
    "submit_for_legal_review": ({"screening"}, "legal_review"),
    "approve_legal": ({"legal_review"}, "drafting_decision"),
    "return_to_screening": ({"legal_review"}, "screening"),
    "draft_decision": ({"screening"}, "drafting_decision"),
    "send_decision": ({"drafting_decision"}, "decided"),
    "close": ({"decided"}, "closed"),
    "receive_complaint": ({"decided", "closed"}, "complaint_received"),
    "revise_decision": ({"complaint_received"}, "drafting_decision"),
    "uphold_and_forward": ({"complaint_received"}, "appeal_pending"),
    # workflow 2026.4: a complaint that may not be forwarded (GDPR, FVL without an appeal body) is closed.
    "close_complaint": ({"complaint_received"}, "decided"),
    # workflow 2026.5: back to collecting documents while nothing is assessed.
    "reopen_collection": ({"screening"}, "collecting"),
    "appeal_decided": ({"appeal_pending"}, "closed"),
    "appeal_overturned": ({"appeal_pending"}, "drafting_decision"),
    "withdraw": (CONTRACT_NON_FINAL, "withdrawn"),
}
CONTRACT_ACTIONS = {
    "send_deadline_notice",
    "send_partial_decision",
    "assign",
    "flag_for_legal",
    "add_document",
    "assess_document",
}
LEGAL_ONLY = {"approve_legal", "return_to_screening"}

BASE_NEW = [
    "case",
    "new",
    "--requester",
    "Mette Hansen",
    "--email",
    "mette@example.dk",
    "--received",
    "2026-11-02",
    "--basis",
    "ofl",
    "--subject",
    "Aktindsigt i byggesag",
    "--emne",
    "02.34.02",
    "--assign",
    "cw",
    "--as",
    "cw",
    "--json",
]


IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def run(runner, args):
    return runner.invoke(cli, args, catch_exceptions=False)


def ok_json(runner, args):
    r = run(runner, args)
    assert r.exit_code == 0, (args, r.exit_code, r.stderr)
    return json.loads(r.stdout)


def assert_one_line_error(result, code: int, *needles: str) -> str:
    """Exit ``code``; stderr is exactly one non-empty line, no traceback, and names every needle."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    err = result.stderr
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].strip(), f"stderr is not exactly one line: {err!r}"
    assert "Traceback" not in err
    for n in needles:
        assert n in err, f"{n!r} not named in {err!r}"
    return lines[0]


def new_case(runner) -> dict:
    return ok_json(runner, BASE_NEW)


def show(runner, case_id: int) -> dict:
    return ok_json(runner, ["case", "show", str(case_id), "--json"])


def advance(runner, case_id: int, trigger: str, *opts: str):
    return run(runner, ["case", "advance", str(case_id), trigger, *opts, "--json"])


def advance_ok(runner, case_id: int, trigger: str, *opts: str, actor: str = "cw") -> dict:
    r = advance(runner, case_id, trigger, "--as", actor, *opts)
    assert r.exit_code == 0, (trigger, r.exit_code, r.stderr)
    return json.loads(r.stdout)


def with_option(args: list[str], option: str, value: str | None) -> list[str]:
    """``args`` with ``option`` set to ``value`` (or removed, when value is None)."""
    out = list(args)
    i = out.index(option)
    if value is None:
        del out[i : i + 2]
    else:
        out[i + 1] = value
    return out


# --- case new / show / advance -------------------------------------------------------------------------


def test_case_new_prints_the_case_and_show_has_the_documented_fields(db, runner):
    created = new_case(runner)
    assert isinstance(created["id"], int)
    view = show(runner, created["id"])
    for key in (
        "id",
        "state",
        "version",
        "basis",
        "received",
        "emne",
        "sagsnummer",
        "assignee",
        "flagged",
        "flag_reasons",
        "allowed_triggers",
        "deadlines",
        "events",
    ):
        assert key in view, key
    assert view["id"] == created["id"]
    assert view["state"] == "received" and view["version"] == 1
    assert (view["basis"], view["received"], view["emne"]) == ("ofl", "2026-11-02", "02.34.02")
    assert view["assignee"] == "cw"
    assert view["sagsnummer"] is None  # the archive case is made by 'register'
    assert view["flagged"] is False and view["flag_reasons"] == []
    # exactly the contract's triggers from 'received' (the project may add actions of its own beside them)
    contract_here = {t for t, (src, _) in CONTRACT_TRANSITIONS.items() if "received" in src}
    contract_here |= {"send_deadline_notice", "assign", "flag_for_legal"}
    allowed = set(view["allowed_triggers"])
    assert allowed & (set(CONTRACT_TRANSITIONS) | CONTRACT_ACTIONS) == contract_here
    assert isinstance(view["deadlines"], list)
    assert len(view["events"]) == 1
    ev = view["events"][0]
    assert (ev["from"], ev["to"], ev["actor"]) == (None, "received", "cw")
    assert ev["trigger"] and ev["at"]


def test_advance_through_a_journey_records_events_oldest_first(db, runner):
    cid = new_case(runner)["id"]
    v = advance_ok(runner, cid, "register", "--expect-version", "1")
    assert v["state"] == "registered" and v["version"] == 2
    assert re.fullmatch(rf"02\.34\.02-A53-\d+-{YY}", v["sagsnummer"]), v["sagsnummer"]
    advance_ok(runner, cid, "start_collecting", "--note", "Indsamling begynder")
    advance_ok(runner, cid, "add_document", "--data", json.dumps({"title": "Notat", "date": "2026-10-01"}))
    advance_ok(runner, cid, "start_screening")
    advance_ok(runner, cid, "flag_for_legal", "--note", "Oplysninger om helbred")
    flagged = show(runner, cid)
    assert flagged["flagged"] is True
    assert any("helbred" in r for r in flagged["flag_reasons"])
    advance_ok(runner, cid, "submit_for_legal_review")
    advance_ok(runner, cid, "approve_legal", "--note", "OK at udlevere", actor="legal")
    view = show(runner, cid)
    assert view["state"] == "drafting_decision" and view["version"] == 8
    assert view["flagged"] is False
    triggers = [e["trigger"] for e in view["events"]]
    assert triggers[1:] == [
        "register",
        "start_collecting",
        "add_document",
        "start_screening",
        "flag_for_legal",
        "submit_for_legal_review",
        "approve_legal",
    ]
    assert [e["to"] for e in view["events"]] == [
        "received",
        "registered",
        "collecting",
        "collecting",
        "screening",
        "screening",
        "legal_review",
        "drafting_decision",
    ]
    for prev, cur in zip(view["events"], view["events"][1:], strict=False):
        assert cur["from"] == prev["to"]
        assert cur["at"] >= prev["at"]
    assert view["events"][-1]["actor"] == "legal"
    assert view["events"][2]["note"] == "Indsamling begynder"


def test_advance_data_is_recorded(db, runner):
    cid = new_case(runner)["id"]
    advance_ok(runner, cid, "register")
    v = advance_ok(
        runner,
        cid,
        "forward",
        "--data",
        json.dumps({"authority": "Færdselsstyrelsen"}),
        "--note",
        "Ikke vores sag",
        "--unseen-letter",
    )
    assert v["state"] == "forwarded"
    last = v["events"][-1]
    assert last["trigger"] == "forward" and last["data"]["authority"] == "Færdselsstyrelsen"
    assert last["note"] == "Ikke vores sag"
    # A forwarded case is final: only the actions on its letters and its access remain (workflow 2026.6).
    assert v["allowed_triggers"] and all(states.TRIGGERS[t].closed_too for t in v["allowed_triggers"])


# --- exit 2: bad input, the field named ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--basis", "xyz", "basis"),
        ("--received", "2026-02-30", "received"),
        ("--received", "igår", "received"),
        ("--received", FUTURE, "received"),
        ("--emne", "2.34.2", "emne"),
        ("--emne", "02.34.02.1", "emne"),
        ("--email", "not-an-email", "email"),
        ("--as", "nobody", "--as"),
        ("--assign", "nobody", "assignee"),
        ("--subject", "", "subject"),
    ],
    ids=lambda x: x if isinstance(x, str) and x.startswith("--") else None,
)
def test_case_new_bad_input_exits_2_naming_the_field(db, runner, option, value, field):
    r = run(runner, with_option(BASE_NEW, option, value))
    assert_one_line_error(r, 2, field)
    assert r.stdout == ""
    assert ok_json(runner, ["case", "list", "--json"]) == []  # nothing was created


def test_case_new_without_a_name_under_fvl_exits_2_naming_the_requester(db, runner):
    # Partsaktindsigt needs the party's name; an OFL request may be anonymous (tests/integration/test_intake_rules.py).
    r = run(runner, with_option(with_option(BASE_NEW, "--requester", "   "), "--basis", "fvl"))
    assert_one_line_error(r, 2, "requester")
    assert ok_json(runner, ["case", "list", "--json"]) == []


@pytest.mark.parametrize("option", ["--received", "--basis", "--as"])
def test_case_new_missing_required_option_exits_2_with_one_line(db, runner, option):
    r = run(runner, with_option(BASE_NEW, option, None))
    assert_one_line_error(r, 2, option)
    assert ok_json(runner, ["case", "list", "--json"]) == []


@pytest.mark.parametrize(
    ("trigger", "opts", "field"),
    [
        ("forward", ["--data", "{bad json"], "--data"),
        ("forward", ["--data", "[1, 2]"], "--data"),
        ("forward", ["--data", json.dumps({"authority": "X", "colour": "blue"})], "colour"),
        ("forward", [], "authority"),
        (
            "send_deadline_notice",
            ["--data", json.dumps({"reason": "Mange dokumenter", "expected": "2026-02-30"})],
            "expected",
        ),
        (
            "send_deadline_notice",
            ["--data", json.dumps({"reason": "Mange", "expected": "2020-01-01"})],
            "expected",
        ),
        ("no_such_trigger", [], "trigger"),
    ],
)
def test_advance_bad_input_exits_2_and_changes_nothing(db, runner, trigger, opts, field):
    cid = new_case(runner)["id"]
    advance_ok(runner, cid, "register")
    before = show(runner, cid)
    # A letter's trigger is given --unseen-letter, so that the input itself is what is refused.
    seen = ["--unseen-letter"] if trigger in ("forward", "send_deadline_notice") else []
    r = advance(runner, cid, trigger, "--as", "cw", *opts, *seen)
    assert_one_line_error(r, 2, field)
    assert show(runner, cid) == before


def test_advance_option_of_wrong_type_exits_2_with_one_line(db, runner):
    cid = new_case(runner)["id"]
    before = show(runner, cid)
    r = advance(runner, cid, "register", "--as", "cw", "--expect-version", "eins")
    assert_one_line_error(r, 2, "--expect-version")
    assert show(runner, cid) == before


def test_advance_unknown_user_exits_2(db, runner):
    cid = new_case(runner)["id"]
    before = show(runner, cid)
    assert_one_line_error(advance(runner, cid, "register", "--as", "nobody"), 2, "--as")
    assert show(runner, cid) == before


def test_unknown_case_exits_2(db, runner):
    assert_one_line_error(run(runner, ["case", "show", "999999", "--json"]), 2, "999999")
    assert_one_line_error(advance(runner, 999999, "register", "--as", "cw"), 2, "999999")


# --- exit 3, 4, 5 ----------------------------------------------------------------------------------------


def test_trigger_not_allowed_in_state_exits_3_naming_trigger_and_state(db, runner):
    cid = new_case(runner)["id"]
    before = show(runner, cid)
    r = advance(runner, cid, "start_screening", "--as", "cw")
    assert_one_line_error(r, 3, "start_screening", "received")
    assert show(runner, cid) == before


def test_advance_takes_a_file_only_for_a_trigger_with_a_file_field(db, runner, tmp_path):
    cid = new_case(runner)["id"]
    notat = tmp_path / "notat.txt"
    notat.write_text("Borgeren 120385-1237 har oplyst sit helbred.", encoding="utf-8")
    r = advance(runner, cid, "register", "--as", "cw", "--file", str(notat))
    assert_one_line_error(r, 2, "register", "tager ingen fil")
    assert show(runner, cid)["state"] == "received"
    advance_ok(runner, cid, "register")
    advance_ok(runner, cid, "start_collecting")
    view = advance_ok(
        runner, cid, "add_document", "--data", json.dumps({"title": "Notat"}), "--file", str(notat)
    )
    [doc] = view["documents"]
    assert doc["title"] == "Notat" and view["flagged"] is True  # the file was read and screened
    assert "120385" not in json.dumps(view)


def test_unmet_guard_exits_3_naming_the_guard(db, runner):
    cid = new_case(runner)["id"]
    for t in ("register", "start_collecting"):
        advance_ok(runner, cid, t)
    advance_ok(runner, cid, "add_document", "--data", json.dumps({"title": "Notat"}))
    advance_ok(runner, cid, "start_screening")
    before = show(runner, cid)
    r = advance(runner, cid, "draft_decision", "--as", "cw")
    assert_one_line_error(r, 3, "draft_decision", "ikke vurderet")
    assert show(runner, cid) == before
    advance_ok(runner, cid, "flag_for_legal", "--note", "Tvivl om § 30")
    doc_id = show(runner, cid)["documents"][0]["id"]
    advance_ok(
        runner, cid, "assess_document", "--data", json.dumps({"document_id": doc_id, "outcome": "grant"})
    )
    before = show(runner, cid)
    r = advance(runner, cid, "draft_decision", "--as", "cw")
    assert_one_line_error(r, 3, "draft_decision", "juridisk")
    assert show(runner, cid) == before


@pytest.mark.parametrize("trigger", ["approve_legal", "return_to_screening"])
def test_legal_only_trigger_as_caseworker_exits_4(db, runner, trigger):
    cid = new_case(runner)["id"]
    for t in ("register", "start_collecting", "start_screening", "submit_for_legal_review"):
        advance_ok(runner, cid, t)
    before = show(runner, cid)
    r = advance(runner, cid, trigger, "--as", "cw", "--note", "Godkendt")
    assert_one_line_error(r, 4, trigger)
    assert show(runner, cid) == before
    assert before["state"] == "legal_review"
    advance_ok(runner, cid, trigger, "--note", "Kommentar", actor="legal")


def test_legal_may_not_create_a_case_exits_4(db, runner):
    r = run(runner, with_option(BASE_NEW, "--as", "legal"))
    assert_one_line_error(r, 4, "legal")


def test_stale_expect_version_exits_5_and_changes_nothing(db, runner):
    cid = new_case(runner)["id"]
    advance_ok(runner, cid, "register", "--expect-version", "1")
    before = show(runner, cid)
    r = advance(runner, cid, "start_collecting", "--as", "cw", "--expect-version", "1")
    assert_one_line_error(r, 5)
    assert show(runner, cid) == before
    advance_ok(runner, cid, "start_collecting", "--expect-version", str(before["version"]))


# --- workflow --------------------------------------------------------------------------------------------


def test_workflow_json_matches_the_domain_contract(db, runner):
    r = run(runner, ["workflow", "--format", "json"])
    assert r.exit_code == 0, r.stderr
    wf = json.loads(r.stdout)
    states = {s["name"]: s for s in wf["states"]}
    assert set(states) == set(CONTRACT_STATES)
    assert {n: s["label"] for n, s in states.items()} == CONTRACT_STATES
    assert {n for n, s in states.items() if s["final"]} == CONTRACT_FINAL
    assert wf["initial"] == "received"
    triggers = {t["name"]: t for t in wf["triggers"]}
    assert set(CONTRACT_TRANSITIONS) | CONTRACT_ACTIONS <= set(triggers)
    # Anything beyond the contract (docs/domain.md lets the project add what it is silent on) must be an action:
    # no extra state changes.
    for name in set(triggers) - set(CONTRACT_TRANSITIONS) - CONTRACT_ACTIONS:
        assert triggers[name]["dest"] is None, name
    for name, (sources, dest) in CONTRACT_TRANSITIONS.items():
        # every from-state of the contract is there (the project may open a transition from a further state
        # where docs/domain.md is silent, but never to another destination)
        assert sources <= set(triggers[name]["sources"]), name
        assert set(triggers[name]["sources"]) <= set(CONTRACT_STATES), name
        assert triggers[name]["dest"] == dest, name
        roles = set(triggers[name]["roles"])
        if name in LEGAL_ONLY:
            assert roles == {"legal", "admin"}, name
        else:
            assert {"caseworker", "manager", "admin"} <= roles and "legal" not in roles, name
    for name in CONTRACT_ACTIONS:
        assert triggers[name]["dest"] is None, name
        assert not set(triggers[name]["sources"]) & CONTRACT_FINAL, name


def test_workflow_mermaid_has_every_transition(db, runner):
    r = run(runner, ["workflow", "--format", "mermaid"])
    assert r.exit_code == 0, r.stderr
    text = r.stdout
    assert text.lstrip().startswith("stateDiagram")
    edges = set(re.findall(r"^\s*(\w+)\s*-->\s*(\w+)\s*:\s*(\w+)\s*$", text, re.MULTILINE))
    expected = {(src, dest, t) for t, (sources, dest) in CONTRACT_TRANSITIONS.items() for src in sources}
    assert expected <= edges, expected - edges
    # nothing else: only the contract's triggers, each to its contract destination, and exactly the
    # transitions the JSON definition has
    for src, dest, t in edges:
        assert t in CONTRACT_TRANSITIONS and CONTRACT_TRANSITIONS[t][1] == dest, (src, dest, t)
    wf = json.loads(run(runner, ["workflow", "--format", "json"]).stdout)
    from_json = {(src, t["dest"], t["name"]) for t in wf["triggers"] if t["dest"] for src in t["sources"]}
    assert edges == from_json
    assert re.search(r"\[\*\]\s*-->\s*received", text)
    for s in CONTRACT_STATES:
        assert re.search(rf"\b{s}\b", text), s
    # the default format is mermaid
    assert run(runner, ["workflow"]).stdout == text


def test_workflow_dot_is_the_drawn_diagram_and_svg_needs_graphviz(runner, monkeypatch):
    from aktflow.states import diagram

    r = run(runner, ["workflow", "--format", "dot"])
    assert r.exit_code == 0, r.stderr
    assert r.stdout == diagram.dot_source() and "Opret sag i arkivet" in r.stdout
    monkeypatch.setattr(diagram.shutil, "which", lambda _name: None)  # a machine without Graphviz
    assert_one_line_error(run(runner, ["workflow", "--format", "svg"]), 1, "Graphviz mangler", "--format dot")
    assert_one_line_error(run(runner, ["workflow", "--write-static"]), 1, "Graphviz mangler")


def test_workflow_write_static_writes_the_files_the_ui_serves(runner, monkeypatch, tmp_path):
    import importlib.resources
    import shutil

    from aktflow.states import diagram

    if shutil.which("dot") is None:
        (pytest.fail if IN_CI else pytest.skip)("Graphviz's 'dot' program is not installed")
    monkeypatch.setattr(importlib.resources, "files", lambda pkg: tmp_path if pkg == "web" else None)
    (tmp_path / "static").mkdir()
    r = run(runner, ["workflow", "--write-static"])
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "static" / "workflow.dot").read_text(encoding="utf-8") == diagram.dot_source()
    svg = (tmp_path / "static" / "workflow.svg").read_text(encoding="utf-8")
    assert svg == run(runner, ["workflow", "--format", "svg"]).stdout
    assert svg.startswith('<svg class="workflow"') and 'id="state_received"' in svg


# --- users -----------------------------------------------------------------------------------------------


def test_users_add_good_duplicate_and_bad_role(db, runner):
    r = run(
        runner,
        [
            "users",
            "add",
            "nina",
            "--role",
            "caseworker",
            "--password",
            "hemmelig-blomst-1",
            "--name",
            "Nina Nielsen",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["username"] == "nina"
    listed = {u["username"]: u for u in ok_json(runner, ["users", "list", "--json"])}
    assert listed["nina"]["role"] == "caseworker" and listed["nina"]["name"] == "Nina Nielsen"
    # the new user can work
    created = ok_json(runner, with_option(BASE_NEW, "--as", "nina"))
    assert created["events"][0]["actor"] == "nina"

    dup = run(runner, ["users", "add", "nina", "--role", "legal", "--password", "andet-kodeord"])
    assert_one_line_error(dup, 2, "username")
    short = run(runner, ["users", "add", "pia", "--role", "legal", "--password", "kort"])
    assert_one_line_error(short, 2, "password", "12")  # the same policy as a password reset
    common = run(runner, ["users", "add", "pia", "--role", "legal", "--password", "Velkommen2026!"])
    assert_one_line_error(common, 2, "password", "almindelige")
    bad = run(runner, ["users", "add", "olga", "--role", "superuser", "--password", "hemmelig"])
    assert_one_line_error(bad, 2, "role")
    after = {u["username"]: u for u in ok_json(runner, ["users", "list", "--json"])}
    assert after["nina"]["role"] == "caseworker"
    assert "olga" not in after and "pia" not in after
    assert set(after) == set(listed)


# --- a fresh database: upgrade, demo, verify -------------------------------------------------------------


def test_db_upgrade_demo_and_audit_verify_on_a_fresh_sqlite_file(tmp_path, monkeypatch, runner):
    path = tmp_path / "fresh" / "aktflow.db"
    monkeypatch.setenv("AKTFLOW_DATABASE_URL", f"sqlite:///{path}")
    r = run(runner, ["db", "upgrade"])
    assert r.exit_code == 0, r.stderr
    assert path.exists()
    assert ok_json(runner, ["case", "list", "--json"]) == []
    r = run(runner, ["demo"])
    assert r.exit_code == 0, r.stderr
    cases = ok_json(runner, ["case", "list", "--json"])
    assert len(cases) >= 3
    assert len({c["state"] for c in cases}) >= 3  # demo cases in several states
    r = run(runner, ["audit", "verify"])
    assert r.exit_code == 0, r.stderr
    r = run(runner, ["audit", "verify", "--json"])
    assert r.exit_code == 0
    report = json.loads(r.stdout)
    assert report["ok"] is True and report["cases"] == len(cases) and report["problems"] == []


def test_commands_before_db_upgrade_fail_with_one_line(tmp_path, monkeypatch, runner):
    monkeypatch.setenv("AKTFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    r = run(runner, ["case", "list", "--json"])
    assert r.exit_code != 0
    assert_one_line_error(r, r.exit_code, "db upgrade")


def test_serve_names_the_optional_parts_this_machine_lacks(monkeypatch):
    import shutil

    from aktflow.cli import dev

    real_which = shutil.which
    monkeypatch.setattr(
        shutil,
        "which",
        lambda name, *a, **kw: (
            None if name in ("tesseract", "soffice", "libreoffice", "dot") else real_which(name, *a, **kw)
        ),
    )
    lines = dev.missing_parts()
    assert any(line.startswith("Tesseract mangler") for line in lines)
    assert any(line.startswith("LibreOffice mangler") for line in lines)
    assert any(line.startswith("Graphviz mangler") for line in lines)
    monkeypatch.setattr(shutil, "which", real_which)
    present = dev.missing_parts()
    assert not any(line.startswith("Tesseract") for line in present) or not real_which("tesseract")
