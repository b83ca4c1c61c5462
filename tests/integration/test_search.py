"""Finding cases: requester, sagsnummer, subject and document titles; filters, sort, and CPR numbers that are
never searchable (docs/search.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from aktflow import clock
from aktflow.errors import ValidationError
from aktflow.queries.search import SearchQuery, search_cases
from aktflow.service import fire

CPR = "120385-1237"  # made up, valid date


def _find(db, **kw):
    with db.session() as s:
        return search_cases(s, clock.today(), SearchQuery(**kw)).rows


def _ids(db, **kw):
    return [r["id"] for r in _find(db, **kw)]


def _doc(db, case_id, title):
    fire(db, case_id, "add_document", actor="cw", data={"title": title})


@pytest.fixture
def three(db, new_case):
    a = new_case(requester="Mette Hansen", subject="Aktindsigt i byggesag på Strandvej")
    b = new_case(requester="Ole Sørensen", subject="Referater fra skoleudvalget", basis="fvl")
    c = new_case(requester="Journalist 50% Jensen", subject="Vejprojekt_2024")
    return a, b, c


def test_finds_by_requester_subject_and_any_case(db, three):
    a, b, c = three
    assert _ids(db, q="hansen") == [a.id]
    assert _ids(db, q="METTE") == [a.id]  # case does not matter
    assert _ids(db, q="skoleudvalget") == [b.id]
    assert _ids(db, q="mette strandvej") == [a.id]  # every word, anywhere
    assert _ids(db, q="mette skoleudvalget") == []


def test_like_wildcards_are_taken_literally(db, three):
    a, b, c = three
    assert _ids(db, q="50%") == [c.id]
    assert _ids(db, q="%") == [c.id]
    assert _ids(db, q="_2024") == [c.id]
    assert _ids(db, q="j_nsen") == []


def test_finds_by_sagsnummer(db, three):
    a, b, c = three
    fire(db, b.id, "register", actor="cw")  # the local archive gives the case its number
    with db.session() as s:
        from aktflow.models import Case

        nr = s.get(Case, b.id).sagsnummer
    assert nr
    assert _ids(db, q=nr) == [b.id]
    assert _ids(db, q=nr.lower()) == [b.id]


def test_finds_by_document_title_and_names_the_document(db, three):
    a, b, c = three
    fire(db, a.id, "register", actor="cw")
    fire(db, a.id, "start_collecting", actor="cw")
    _doc(db, a.id, "Tegninger af carport")
    _doc(db, a.id, "Mail fra naboen")
    rows = _find(db, q="carport")
    assert [r["id"] for r in rows] == [a.id]
    assert rows[0]["matched_titles"] == ["Tegninger af carport"]


def test_a_cpr_number_in_the_query_is_refused(db, three):
    for q in (CPR, "1203851237", "sag 120385 1237"):
        with pytest.raises(ValidationError) as e:
            _find(db, q=q)
        assert e.value.field == "q" and "CPR" in e.value.detail


def test_a_cpr_number_in_a_title_or_name_is_never_found(db, new_case):
    c = new_case(requester=f"Anna {CPR} Berg", subject=f"Notat om {CPR}")
    fire(db, c.id, "register", actor="cw")
    fire(db, c.id, "start_collecting", actor="cw")
    _doc(db, c.id, f"Journal {CPR}")
    # Part of the number finds nothing; the words around it do, masked.
    assert _ids(db, q="120385") == []
    assert _ids(db, q="1237") == []
    rows = _find(db, q="journal")
    assert [r["id"] for r in rows] == [c.id]
    assert CPR not in str(rows) and "XXXXXX-XXXX" in rows[0]["matched_titles"][0]
    assert _ids(db, q="anna") == [c.id]


def test_filters_state_basis_assignee_flagged_overdue(db, new_case):
    old = new_case(received=(clock.today() - dt.timedelta(days=60)).isoformat(), subject="Gammel")
    fresh = new_case(subject="Ny", basis="fvl", assign="manager")
    fire(db, old.id, "flag_for_legal", actor="cw", note="Tjek")
    assert _ids(db, basis="fvl") == [fresh.id]
    assert _ids(db, assignee="manager") == [fresh.id]
    assert _ids(db, assignee="cw") == [old.id]
    assert _ids(db, flagged=True) == [old.id]
    assert _ids(db, overdue=True) == [old.id]  # received 60 days ago: the decision deadline has passed
    assert _ids(db, state="received") == sorted([old.id, fresh.id], key=[old.id, fresh.id].index)
    assert _ids(db, state="closed") == []


def test_sorted_by_a_column_both_ways(db, three):
    a, b, c = three
    assert _ids(db, sort="requester") == [c.id, a.id, b.id]  # Journalist, Mette, Ole
    assert _ids(db, sort="requester", descending=True) == [b.id, a.id, c.id]
    assert _ids(db, sort="id", descending=True) == [c.id, b.id, a.id]


def test_unknown_filters_are_refused(db):
    for kw, field in (({"state": "nope"}, "state"), ({"basis": "x"}, "basis"), ({"sort": "cpr"}, "sort")):
        with pytest.raises(ValidationError) as e:
            _find(db, **kw)
        assert e.value.field == field


def test_limit_says_when_there_are_more(db, three):
    with db.session() as s:
        r = search_cases(s, clock.today(), SearchQuery(q="e"), limit=1)
    assert len(r.rows) == 1 and r.truncated
