"""``reopen_collection``: back from the confidentiality review to collecting documents while nothing is
assessed (workflow 2026.5)."""

from __future__ import annotations

import pytest

from aktflow import states
from aktflow.errors import WorkflowError
from aktflow.service import case_view, fire
from aktflow.states import versions


def _screening(db, new_case, docs=1):
    case = new_case()
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    ids = [fire(db, case.id, "add_document", actor="cw", data={"title": f"Notat {i}"}).documents[-1].id
           for i in range(docs)]  # fmt: skip
    fire(db, case.id, "start_screening", actor="cw")
    return case, ids


def test_back_to_collecting_while_nothing_is_assessed(db, new_case):
    case, _ = _screening(db, new_case)
    c = fire(db, case.id, "reopen_collection", actor="cw", note="Et bilag manglede")
    assert c.state == "collecting"
    fire(db, case.id, "add_document", actor="cw", data={"title": "Det glemte bilag"})
    view = case_view(db, case.id)
    assert [d["title"] for d in view["documents"]] == ["Notat 0", "Det glemte bilag"]
    assert view["events"][-2]["trigger"] == "reopen_collection"


def test_refused_once_a_document_is_assessed(db, new_case):
    case, ids = _screening(db, new_case)
    fire(db, case.id, "assess_document", actor="cw", data={"document_id": ids[0], "outcome": "grant"})
    with pytest.raises(WorkflowError) as e:
        fire(db, case.id, "reopen_collection", actor="cw")
    assert "allerede vurderet" in str(e.value)
    assert case_view(db, case.id)["state"] == "screening"


def test_only_from_screening_and_in_the_new_version(db, new_case):
    case = new_case()
    with pytest.raises(WorkflowError):
        fire(db, case.id, "reopen_collection", actor="cw")
    assert versions.target(versions.CURRENT, "reopen_collection", "screening") == "collecting"
    assert versions.target("2026.5", "reopen_collection", "screening") == "collecting"
    assert versions.target("2026.4", "reopen_collection", "screening") is None
    assert states.TRIGGERS["reopen_collection"].roles
