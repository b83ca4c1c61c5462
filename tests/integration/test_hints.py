"""The case page's hints ("Kan ikke endnu: …") say what fire() decides, asked of the same machine."""

from __future__ import annotations

import datetime as dt

import pytest

from aktflow import states
from aktflow.errors import WorkflowError
from aktflow.models import Case
from aktflow.service import action_hints, case_view, create_case, fire


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=dt.UTC)


@pytest.fixture
def collecting(db):
    case = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received="2026-11-02",
        basis="ofl",
        subject="Byggesag Havnevej 12",
        emne="02.34.02",
        now=at("2026-11-02"),
    )
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw", now=at("2026-11-03"))
    return case


@pytest.mark.parametrize("day", ["2026-11-10", "2026-11-19", "2026-11-20"])
def test_each_hint_is_what_fire_decides(db, collecting, day):
    """For every trigger offered without input, the hint is None exactly when fire() succeeds, else its message."""
    with db.session() as s:
        case = s.get(Case, collecting.id)
        offered = [
            t
            for t in states.offered(case, "caseworker")
            if not any(f.required for f in states.TRIGGERS[t].fields)
        ]
    # the delay complaint (a guard: from OFL § 36's 14th working day) is judged before anything moves the case
    offered.sort(key=lambda t: t != "receive_delay_complaint")
    assert offered[0] == "receive_delay_complaint" and len(offered) > 1
    hints = action_hints(db, collecting.id, "cw", offered, now=at(day))
    for t in offered:
        version = case_view(db, collecting.id)["version"]
        try:
            fire(db, collecting.id, t, actor="cw", now=at(day), expect_version=version)
        except WorkflowError as e:
            assert hints[t] is not None and hints[t] in e.message, (t, hints[t], e.message)
        else:
            assert hints[t] is None, (t, hints[t])
            break  # the case has moved on; the other hints were for the state before


def test_unmet_changes_nothing_and_names_a_trigger_not_allowed_here(db, collecting):
    hints = action_hints(
        db, collecting.id, "cw", ["receive_delay_complaint", "send_decision"], now=at("2026-11-19")
    )
    assert "14. arbejdsdag" in hints["receive_delay_complaint"]
    assert hints["send_decision"] == "en betingelse er ikke opfyldt"  # not from this state
    view = case_view(db, collecting.id)
    assert (view["state"], view["version"]) == ("collecting", 3)
