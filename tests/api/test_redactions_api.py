"""The redaction endpoints: list and redact, with ETag/If-Match, answers valid against the OpenAPI document."""

from __future__ import annotations

import pytest

from tests.api.test_openapi import check
from tests.redaction.test_actions import CPR, screening
from web.api.openapi import openapi_document


@pytest.fixture
def client(app):
    return app.test_client()


def test_list_and_redact_through_the_api(db, client, auth):
    doc = openapi_document()
    case_id, doc_id = screening(db)
    r = client.get(f"/api/v1/cases/{case_id}/redactions", headers=auth())
    assert r.status_code == 200
    check(doc, "/cases/{case_id}/redactions", "get", r)
    assert CPR not in r.get_data(as_text=True)
    etag = r.headers["ETag"]
    path = f"/api/v1/cases/{case_id}/documents/{doc_id}/redactions"
    r = client.post(path, json={"term": "Jens Hansen", "ground": "ofl-30-1"}, headers=auth())
    assert r.status_code == 428
    r = client.post(
        path, json={"term": "Jens Hansen", "ground": "ofl-30-1"}, headers=auth(**{"If-Match": etag})
    )
    assert r.status_code == 200, r.get_json()
    check(doc, "/cases/{case_id}/documents/{document_id}/redactions", "post", r)
    assert [x["term"] for x in r.get_json()["redactions"]] == ["Jens Hansen"]
    stale = client.post(
        path, json={"page": 1, "box": "0,0,50,50", "ground": "ofl-30-1"}, headers=auth(**{"If-Match": etag})
    )
    assert stale.status_code == 412
    r = client.post(
        path,
        json={"page": 1, "box": "0,0", "ground": "ofl-30-1"},
        headers=auth(**{"If-Match": r.headers["ETag"]}),
    )
    assert r.status_code == 400 and r.get_json()["field"] == "box"
    check(doc, "/cases/{case_id}/documents/{document_id}/redactions", "post", r)
    r = client.post(
        path, json={"term": "x", "ground": "ofl-30-1", "extra": 1}, headers=auth(**{"If-Match": etag})
    )
    assert r.status_code == 400


def test_only_casework_roles_may_redact(db, client, auth):
    case_id, doc_id = screening(db)
    etag = client.get(f"/api/v1/cases/{case_id}", headers=auth("legal")).headers["ETag"]
    path = f"/api/v1/cases/{case_id}/documents/{doc_id}/redactions"
    r = client.post(
        path, json={"term": "Jens Hansen", "ground": "ofl-30-1"}, headers=auth("legal", **{"If-Match": etag})
    )
    assert r.status_code == 403
    assert client.post(path, json={"term": "Jens Hansen", "ground": "ofl-30-1"}).status_code == 401
