"""Large pages are sent gzipped to a browser that accepts it; small ones, the API and other clients are not."""

from __future__ import annotations

import gzip

from tests.web.test_web_pages import login, to_state


def _case_with_documents(db, new_case, n: int) -> int:
    from aktflow.service import fire

    case = new_case()
    to_state(db, case.id, "register", "start_collecting")
    for i in range(n):
        fire(db, case.id, "add_document", actor="cw", data={"title": f"Notat nr. {i} om byggesagen"})
    return case.id


def test_case_page_is_gzipped_for_a_browser_that_accepts_it(client, db, new_case):
    case_id = _case_with_documents(db, new_case, 12)
    login(client, "cw")
    plain = client.get(f"/cases/{case_id}")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    zipped = client.get(f"/cases/{case_id}", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.status_code == 200
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    body = gzip.decompress(zipped.get_data())
    assert "Notat nr. 11 om byggesagen" in body.decode()
    assert len(zipped.get_data()) < len(body) / 3
    assert int(zipped.headers["Content-Length"]) == len(zipped.get_data())


def test_refused_gzip_small_pages_and_the_api_are_sent_as_they_are(client, db, new_case):
    case_id = _case_with_documents(db, new_case, 1)
    login(client, "cw")
    refused = client.get(f"/cases/{case_id}", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and b"<html" in refused.get_data()
    small = client.get("/static/does-not-exist.css", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers  # a short error page
    api = client.get(f"/api/v1/cases/{case_id}", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in api.headers
