"""``GET /api/v1/cases`` as a search: q, filters, sort; a CPR number in q is a 400."""

from __future__ import annotations

from aktflow.service import fire

API = "/api/v1"


def test_search_by_requester_and_document_title(client, auth, case_in, db):
    a = case_in("collecting", requester="Mette Hansen")
    b = case_in(requester="Ole Sørensen", subject="Skoleudvalget")
    fire(db, a, "add_document", actor="cw", data={"title": "Tegninger af carport"})
    r = client.get(f"{API}/cases?q=s%C3%B8rensen", headers=auth())
    assert r.status_code == 200
    assert [c["id"] for c in r.get_json()] == [b]
    row = client.get(f"{API}/cases?q=carport", headers=auth()).get_json()
    assert [c["id"] for c in row] == [a]
    assert set(row[0]) == {
        "id", "state", "state_label", "version", "sagsnummer", "basis", "received", "requester", "subject",
        "emne", "assignee",
    }  # fmt: skip


def test_search_sorts_and_filters(client, auth, case_in):
    a = case_in(requester="Bent")
    b = case_in(requester="Anne", basis="fvl")
    got = client.get(f"{API}/cases?sort=requester", headers=auth()).get_json()
    assert [c["id"] for c in got] == [b, a]
    got = client.get(f"{API}/cases?sort=requester&dir=desc", headers=auth()).get_json()
    assert [c["id"] for c in got] == [a, b]
    got = client.get(f"{API}/cases?basis=fvl", headers=auth()).get_json()
    assert [c["id"] for c in got] == [b]
    got = client.get(f"{API}/cases?flagged=true", headers=auth()).get_json()
    assert got == []


def test_search_refuses_a_cpr_number_and_bad_parameters(client, auth, case_in):
    case_in(requester="Anna 120385-1237")
    r = client.get(f"{API}/cases?q=120385-1237", headers=auth())
    assert r.status_code == 400
    body = r.get_json()
    assert body["field"] == "q" and "CPR" in str(body) and "120385" not in str(body)
    assert client.get(f"{API}/cases?q=120385", headers=auth()).get_json() == []
    for bad, field in (
        ("sort=cpr", "sort"),
        ("dir=up", "dir"),
        ("flagged=ja", "flagged"),
        ("basis=x", "basis"),
    ):
        r = client.get(f"{API}/cases?{bad}", headers=auth())
        assert r.status_code == 400 and r.get_json()["field"] == field, bad


def test_openapi_names_the_search_parameters(client):
    doc = client.get(f"{API}/openapi.json").get_json()
    names = {p["name"] for p in doc["paths"]["/cases"]["get"]["parameters"]}
    assert {"q", "flagged", "overdue", "basis", "sort", "dir"} <= names
