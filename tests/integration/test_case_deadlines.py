"""Deadlines tracked on cases: stored at creation and by events, status derived at read time."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from aktflow import audit, case_deadlines, clock
from aktflow.administration import change_calendar
from aktflow.errors import PermissionDenied, ValidationError, WorkflowError
from aktflow.service import case_view, create_case, fire

UTC = dt.UTC


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def deadline(view: dict, rule: str) -> dict:
    found = [d for d in view["deadlines"] if d["rule"] == rule]
    assert len(found) == 1, (rule, view["deadlines"])
    return found[0]


def make(db, received: str, basis: str = "ofl", **kw):
    return create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=received,
        basis=basis,
        subject="Byggesag Havnevej 12",
        emne="02.34.02",
        now=at(received),
        **kw,
    )


def go(db, case, *triggers, day: str, **kw):
    for t in triggers:
        fire(db, case.id, t, actor="cw", now=at(day), **kw)


def test_new_case_gets_its_statutory_deadlines(db):
    case = make(db, "2026-12-18")
    view = case_view(db, case.id, today=dt.date(2026, 12, 18))
    assert {d["rule"]: d["due"] for d in view["deadlines"]} == {
        "ofl-decision": "2026-12-30",  # 25.12 skipped; 24.12 counts by default
        "ofl-notice": "2026-12-30",
        "ofl-delay-complaint": "2027-01-11",
        "ofl-outer": "2027-02-16",
    }
    assert "25.12 (Juledag)" in deadline(view, "ofl-decision")["explanation"]


def test_status_ok_then_due_soon_then_overdue_then_met(db):
    case = make(db, "2026-12-18")

    def status(day: str) -> str:
        return deadline(case_view(db, case.id, today=dt.date.fromisoformat(day)), "ofl-decision")["status"]

    assert status("2026-12-21") == "ok"
    assert status("2026-12-24") == "ok"  # 3 working days left: 28, 29, 30
    assert status("2026-12-28") == "due_soon"
    assert status("2026-12-30") == "due_soon"
    assert status("2026-12-31") == "overdue"
    go(
        db,
        case,
        "register",
        "start_collecting",
        "start_screening",
        "draft_decision",
        "send_decision",
        day="2026-12-29",
    )
    view = case_view(db, case.id, today=dt.date(2027, 3, 1))
    assert deadline(view, "ofl-decision")["status"] == "met"
    assert deadline(view, "ofl-notice")["status"] == "met"  # decided in time: no fristbrev needed


def test_decision_after_the_deadline_is_overdue_not_met(db):
    case = make(db, "2026-11-02")
    go(
        db,
        case,
        "register",
        "start_collecting",
        "start_screening",
        "draft_decision",
        "send_decision",
        day="2026-11-20",
    )
    view = case_view(db, case.id, today=dt.date(2026, 11, 20))
    assert deadline(view, "ofl-decision")["status"] == "overdue"
    assert deadline(view, "ofl-notice")["status"] == "overdue"  # no fristbrev was sent in time
    assert deadline(view, "ofl-delay-complaint")["status"] == "met"


def test_fristbrev_meets_the_notice_and_tracks_the_expected_date(db):
    case = make(db, "2026-11-02")
    go(db, case, "register", day="2026-11-03")
    fire(
        db,
        case.id,
        "send_deadline_notice",
        actor="cw",
        now=at("2026-11-09"),
        data={"reason": "Mange dokumenter skal gennemgås", "expected": "2026-11-20"},
    )
    view = case_view(db, case.id, today=dt.date(2026, 11, 16))
    assert deadline(view, "ofl-notice")["status"] == "met"
    assert deadline(view, "ofl-decision")["status"] == "overdue"  # the statutory date still shows
    exp = deadline(view, "expected-decision")
    assert exp["due"] == "2026-11-20" and "Mange dokumenter" in exp["explanation"]
    fire(
        db,
        case.id,
        "send_deadline_notice",
        actor="cw",
        now=at("2026-11-19"),
        data={"reason": "Høring af tredjemand", "expected": "2026-11-27"},
    )
    view = case_view(db, case.id, today=dt.date(2026, 11, 19))
    assert deadline(view, "expected-decision")["due"] == "2026-11-27"  # replaced, not added


def test_fristbrev_refused_without_reason_or_with_past_date(db):
    case = make(db, "2026-11-02")
    with pytest.raises(ValidationError) as e:
        fire(
            db,
            case.id,
            "send_deadline_notice",
            actor="cw",
            now=at("2026-11-05"),
            data={"reason": "x", "expected": "2026-11-04"},
        )
    assert e.value.field == "expected"
    with pytest.raises(ValidationError) as e:
        fire(
            db,
            case.id,
            "send_deadline_notice",
            actor="cw",
            now=at("2026-11-05"),
            data={"reason": "  ", "expected": "2026-11-20"},
        )
    assert e.value.field == "reason"


@pytest.mark.parametrize(("basis", "extended_due"), [("mol", "2026-03-31"), ("gdpr", "2026-04-30")])
def test_mol_and_gdpr_extension_within_the_first_month(db, basis, extended_due):
    case = make(db, "2026-01-31", basis=basis)
    rule = f"{basis}-decision"
    assert deadline(case_view(db, case.id, today=dt.date(2026, 2, 1)), rule)["due"] == "2026-02-28"
    fire(db, case.id, "extend_deadline", actor="cw", now=at("2026-02-20"), data={"reason": "Omfattende sag"})
    view = case_view(db, case.id, today=dt.date(2026, 2, 20))
    assert deadline(view, rule)["due"] == extended_due
    with pytest.raises(WorkflowError, match="allerede forlænget"):
        fire(db, case.id, "extend_deadline", actor="cw", now=at("2026-02-21"), data={"reason": "igen"})


def test_extension_refused_after_the_first_month_and_for_ofl(db):
    mol = make(db, "2026-01-15", basis="mol")
    with pytest.raises(WorkflowError, match="første måned"):
        fire(db, mol.id, "extend_deadline", actor="cw", now=at("2026-02-16"), data={"reason": "sent"})
    ofl = make(db, "2026-01-15")
    assert "extend_deadline" not in case_view(db, ofl.id)["allowed_triggers"]
    with pytest.raises(WorkflowError, match="gælder ikke"):
        fire(db, ofl.id, "extend_deadline", actor="cw", now=at("2026-01-20"), data={"reason": "x"})


def test_complaint_forward_and_appeal_body(db):
    case = make(db, "2026-11-02")
    go(
        db,
        case,
        "register",
        "start_collecting",
        "start_screening",
        "draft_decision",
        "send_decision",
        day="2026-11-05",
    )
    fire(db, case.id, "receive_complaint", actor="cw", now=at("2026-12-17"), data={"received": "2026-12-16"})
    view = case_view(db, case.id, today=dt.date(2026, 12, 17))
    cf = deadline(view, "complaint-forward")
    assert cf["due"] == "2026-12-28" and cf["status"] == "ok"  # 17,18,21,22,23,24,28 (25.12 skipped)
    with pytest.raises(ValidationError):
        fire(db, case.id, "uphold_and_forward", actor="cw", now=at("2026-12-18"), data={"received": "x"})
    fire(db, case.id, "uphold_and_forward", actor="cw", now=at("2026-12-18"))
    view = case_view(db, case.id, today=dt.date(2026, 12, 18))
    assert deadline(view, "complaint-forward")["status"] == "met"
    assert deadline(view, "appeal-body")["due"] == "2027-01-19"


def test_complaint_date_in_the_future_is_refused(db):
    case = make(db, "2026-11-02")
    go(
        db,
        case,
        "register",
        "start_collecting",
        "start_screening",
        "draft_decision",
        "send_decision",
        day="2026-11-05",
    )
    with pytest.raises(ValidationError) as e:
        fire(
            db,
            case.id,
            "receive_complaint",
            actor="cw",
            now=at("2026-11-06"),
            data={"received": "2026-11-09"},
        )
    assert e.value.field == "received"


def test_hearing_reply_deadline(db):
    case = make(db, "2026-11-02")
    go(db, case, "register", "start_collecting", "start_screening", day="2026-11-03")
    fire(
        db,
        case.id,
        "request_hearing",
        actor="cw",
        now=at("2026-11-04"),
        data={"party": "Byg A/S", "reply_by": "2026-11-11"},
    )
    view = case_view(db, case.id, today=dt.date(2026, 11, 12))
    assert deadline(view, "hearing-reply")["status"] == "overdue"
    fire(db, case.id, "hearing_completed", actor="cw", now=at("2026-11-12"), data={"reply": "none"})
    assert (
        deadline(case_view(db, case.id, today=dt.date(2026, 11, 12)), "hearing-reply")["status"] == "overdue"
    )
    with pytest.raises(ValidationError) as e:
        fire(
            db,
            case.id,
            "request_hearing",
            actor="cw",
            now=at("2026-11-12"),
            data={"party": "Byg A/S", "reply_by": "2026-11-12"},
        )
    assert e.value.field == "reply_by"


def test_withdrawn_case_deadlines_stop(db):
    case = make(db, "2026-11-02")
    go(db, case, "withdraw", day="2026-11-03")
    assert case_view(db, case.id, today=dt.date(2026, 12, 1))["deadlines"] == []


def test_calendar_change_never_moves_a_statutory_deadline(db):
    """Closing juleaften (an optional day) used to move ofl-decision from 30.12 to 31.12; the law counts only
    the statutory holidays, so the change stores the settings, moves nothing and writes no event."""
    open_case = make(db, "2026-12-18")
    out = change_calendar(db, actor="admin", set_flags={"juleaften_closed": True}, now=at("2026-12-21"))
    assert out["changed"] and out["cases_moved"] == 0
    view = case_view(db, open_case.id, today=dt.date(2026, 12, 21))
    assert deadline(view, "ofl-decision")["due"] == "2026-12-30"
    assert "24.12" not in deadline(view, "ofl-decision")["explanation"]
    assert [e["trigger"] for e in view["events"]] == ["create"]
    with db.session() as s:
        assert case_deadlines.calendar_settings(s).juleaften_closed is True
        assert audit.verify(s)[1] == []
    assert change_calendar(db, actor="admin", set_flags={"juleaften_closed": True})["changed"] is False


def test_closure_day_does_not_move_the_deadline_and_warns_when_it_falls_on_one(db):
    case = make(db, "2026-11-02")
    change_calendar(db, actor="admin", close=[dt.date(2026, 11, 6)], now=at("2026-11-03"))
    assert deadline(case_view(db, case.id), "ofl-decision")["due"] == "2026-11-11"
    assert deadline(case_view(db, case.id), "ofl-decision")["closure_warning"] is None
    change_calendar(db, actor="admin", close=[dt.date(2026, 11, 11)], now=at("2026-11-03"))
    view = case_view(db, case.id, today=dt.date(2026, 11, 3))
    assert deadline(view, "ofl-decision")["due"] == "2026-11-11"
    assert "falder på en lukkedag (Lukkedag)" in deadline(view, "ofl-decision")["closure_warning"]
    assert deadline(view, "ofl-delay-complaint")["closure_warning"] is None  # due 20.11
    with db.session() as s:
        found = case_deadlines.statutory_in_closure(s, dt.date(2026, 11, 3))
    assert {(w["case"], w["rule"], w["due"]) for w in found} == {
        (case.id, "ofl-decision", "2026-11-11"),
        (case.id, "ofl-notice", "2026-11-11"),
    }
    change_calendar(db, actor="admin", reopen=[dt.date(2026, 11, 11)], now=at("2026-11-03"))
    assert deadline(case_view(db, case.id), "ofl-decision")["closure_warning"] is None


def test_july_closure_keeps_the_seven_working_days(db):
    """A municipality closed 06.–24.07 does not get until 04.08 for a request received 03.07."""
    closed = [dt.date(2026, 7, 6) + dt.timedelta(days=i) for i in range(19)]
    change_calendar(db, actor="admin", close=closed, now=at("2026-06-01"))
    case = make(db, "2026-07-03")
    view = case_view(db, case.id, today=dt.date(2026, 7, 3))
    assert deadline(view, "ofl-decision")["due"] == "2026-07-14"
    assert "Lukkedag" not in deadline(view, "ofl-decision")["explanation"]
    assert deadline(view, "ofl-decision")["closure_warning"]


def test_only_admin_changes_the_calendar_and_users_cannot_fire_the_system_action(db):
    case = make(db, "2026-11-02")
    with pytest.raises(PermissionDenied):
        change_calendar(db, actor="manager", set_flags={"grundlovsdag_closed": True})
    with pytest.raises(PermissionDenied):
        fire(db, case.id, "recalculate_deadlines", actor="admin")


def test_recompute_many_cases_set_based(db):
    """A calendar change over many open cases moves none of their statutory deadlines and writes no event."""
    from aktflow.models import Case

    for _ in range(60):
        make(db, "2026-12-18")
    out = change_calendar(db, actor="admin", set_flags={"juleaften_closed": True}, now=at("2026-12-21"))
    assert out["cases_moved"] == 0 and out["deadlines_moved"] == 0
    with db.session() as s:
        assert audit.verify(s)[1] == []
        assert set(s.scalars(select(Case.version))) == {1}


# --- CLI ----------------------------------------------------------------------------------------------


def test_cli_deadlines_calculator(runner, db):
    from aktflow.cli import cli

    r = runner.invoke(cli, ["deadlines", "--received", "2023-05-01", "--basis", "ofl", "--json"])
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["basis"] == "ofl" and out["received"] == "2023-05-01"
    rules = {d["rule"]: d for d in out["deadlines"]}
    assert rules["ofl-decision"]["due"] == "2023-05-11"  # Store bededag 5.5.2023 skipped
    assert "Store bededag" in rules["ofl-decision"]["explanation"]
    assert {"ofl-decision", "ofl-delay-complaint", "ofl-outer"} <= set(rules)
    r = runner.invoke(cli, ["deadlines", "--received", "2031-02-03", "--basis", "fvl", "--json"])
    assert r.exit_code == 0  # any date, future too
    for args, field in (
        (["--received", "2026-02-30", "--basis", "ofl"], "received"),
        (["--received", "2026-02-03", "--basis", "foia"], "basis"),
    ):
        r = runner.invoke(cli, ["deadlines", *args, "--json"])
        assert r.exit_code == 2 and field in r.stderr and "Traceback" not in r.stderr


def test_cli_case_new_refuses_future_received(runner, db):
    from aktflow.cli import cli

    future = (clock.today() + dt.timedelta(days=1)).isoformat()
    r = runner.invoke(
        cli,
        [
            "case",
            "new",
            "--requester",
            "A",
            "--received",
            future,
            "--basis",
            "ofl",
            "--subject",
            "s",
            "--emne",
            "02.34.02",
            "--as",
            "cw",
            "--json",
        ],
    )
    assert r.exit_code == 2 and "received" in r.stderr


def test_cli_show_has_deadline_status(runner, db):
    from aktflow.cli import cli

    case = make(db, (clock.today() - dt.timedelta(days=1)).isoformat())
    r = runner.invoke(cli, ["case", "show", str(case.id), "--json"])
    d = json.loads(r.stdout)["deadlines"]
    assert {"rule", "due", "status", "explanation"} <= set(d[0]) and d[0]["status"] in ("ok", "due_soon")


def test_cli_sweep_reports_per_assignee_with_exit_code(runner, db):
    from aktflow.cli import cli

    late = make(db, "2026-11-02", assign="cw2")
    r = runner.invoke(cli, ["sweep", "--today", "2026-11-12", "--json"])
    assert r.exit_code == 10
    out = json.loads(r.stdout)
    rows = out["by_assignee"]["cw2"]
    assert {(x["case"], x["rule"], x["kind"]) for x in rows} >= {
        (late.id, "ofl-decision", "overdue"),
        (late.id, "ofl-notice", "missing_notice"),
    }
    r = runner.invoke(cli, ["sweep", "--today", "2026-11-03"])
    assert r.exit_code == 0 and "0 overskredet" in r.stdout
