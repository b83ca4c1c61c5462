"""The API's need-to-know endpoints (docs/access.md): see, add, remove, mark, unmark; answers valid against
the OpenAPI document; a sensitive case refused (403) to who may not see it, and masked in the list."""

from __future__ import annotations

import pytest

from tests.api.test_openapi import check
from web.api.openapi import openapi_document


@pytest.fixture
def client(app):
    return app.test_client()


def test_access_through_the_api(client, auth, case_in):
    doc = openapi_document()
    cid = case_in("collecting")
    base = f"/api/v1/cases/{cid}/access"
    r = client.get(base, headers=auth("cw"))
    assert r.status_code == 200
    check(doc, "/cases/{case_id}/access", "get", r)
    assert r.get_json()["sensitive"] is False and r.get_json()["may_manage"] is True
    r = client.put(f"{base}/sensitive", json={"reason": "Helbredsoplysninger"}, headers=auth("cw"))
    assert r.status_code == 200, r.get_json()
    check(doc, "/cases/{case_id}/access/sensitive", "put", r)
    assert r.get_json()["mark"]["reason"] == "Helbredsoplysninger"
    # Now cw2 gets 403 on the case and everything under it, and sees it masked in the list.
    for path in (f"/api/v1/cases/{cid}", f"/api/v1/cases/{cid}/redactions", base):
        r = client.get(path, headers=auth("cw2"))
        assert r.status_code == 403 and "fortrolig" in r.get_json()["error"], path
    row = {x["id"]: x for x in client.get("/api/v1/cases", headers=auth("cw2")).get_json()}[cid]
    assert row["masked"] and row["subject"] == "Fortrolig sag"
    check(doc, "/cases", "get", client.get("/api/v1/cases", headers=auth("cw2")))
    r = client.post(f"{base}/members", json={"username": "cw2", "reason": "Ferie"}, headers=auth("cw"))
    assert r.status_code == 201, r.get_json()
    check(doc, "/cases/{case_id}/access/members", "post", r)
    assert [m["username"] for m in r.get_json()["members"]] == ["cw2"]
    assert client.get(f"/api/v1/cases/{cid}", headers=auth("cw2")).status_code == 200
    # A member may act, but not widen the circle.
    r = client.post(f"{base}/members", json={"username": "legal", "reason": "x"}, headers=auth("cw2"))
    assert r.status_code == 403
    r = client.delete(f"{base}/members/cw2", headers=auth("cw"))
    assert r.status_code == 200 and r.get_json()["members"] == []
    check(doc, "/cases/{case_id}/access/members/{username}", "delete", r)
    r = client.delete(f"{base}/sensitive", json={"reason": "Fejl"}, headers=auth("cw"))
    assert r.status_code == 403
    r = client.delete(f"{base}/sensitive", json={"reason": "Fejl"}, headers=auth("manager"))
    assert r.status_code == 200 and r.get_json()["sensitive"] is False
    check(doc, "/cases/{case_id}/access/sensitive", "delete", r)


@pytest.mark.parametrize(
    "body, field",
    [({"username": "cw2"}, "reason"), ({"username": "cw2", "reason": "x", "extra": 1}, "extra"), ([], None)],
)
def test_bad_bodies_are_400_in_danish(client, auth, case_in, body, field):
    cid = case_in()
    r = client.post(f"/api/v1/cases/{cid}/access/members", json=body, headers=auth("cw"))
    assert r.status_code == 400 and r.get_json()["error"]
    if field:
        assert r.get_json().get("field") == field


def test_acting_on_a_colleagues_case_is_403(client, auth, case_in):
    cid = case_in("collecting")
    r = client.post(
        f"/api/v1/cases/{cid}/events/withdraw",
        json={"note": "Trukket tilbage"},
        headers=auth("cw2", **{"If-Match": '"3"'}),
    )
    assert r.status_code == 403 and "sagsbehandler" in r.get_json()["error"]
