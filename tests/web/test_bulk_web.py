"""Work in bulk on the case page: several files at once, many documents assessed at once, documents in
pages with filters, files viewed in the browser, and the assessment form's choices."""

from __future__ import annotations

import io
import re

from sqlalchemy import event

from aktflow.service import case_view, fire
from tests.assessing import REASON
from tests.web.test_web_pages import add_doc, csrf_from, login, text_of, to_state


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docs(resp) -> str:
    """The documents section of a case page."""
    html = text_of(resp)
    return html.split('id="dokumenter"', 1)[1].split("</section>", 1)[0]


def _collecting(db, new_case):
    case = new_case()
    to_state(db, case.id, "register", "start_collecting")
    return case


def test_several_files_at_once_each_its_own_document(client, db, new_case):
    case = _collecting(db, new_case)
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    assert 'name="files" multiple' in page and "data-dropzone" in page and "højst" in page
    r = client.post(
        f"/cases/{case.id}/documents/upload",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf_from(page),
            "files": [
                (io.BytesIO("Referat af mødet".encode()), "Referat 3. maj.txt"),
                (io.BytesIO(b"MZ\x00\x00"), "program.exe"),  # refused: the others are kept
                (io.BytesIO(b"Svar til borgeren"), "svar.txt"),
            ],
        },
    )
    assert r.status_code == 303
    docs = case_view(db, case.id)["documents"]
    assert [(d["title"], d["filename"]) for d in docs] == [
        ("Referat 3. maj", "Referat 3. maj.txt"),
        ("svar", "svar.txt"),
    ]
    html = text_of(client.get(r.headers["Location"]))
    assert "2 filer tilføjet" in html and "program.exe" in html and ".exe understøttes ikke" in html


def test_one_file_per_request_answers_json(client, db, new_case):
    case = _collecting(db, new_case)
    login(client, "cw")
    tok = csrf_from(text_of(client.get(f"/cases/{case.id}")))
    r = client.post(
        f"/cases/{case.id}/documents/upload",
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
        data={"csrf_token": tok, "files": (io.BytesIO(b"tekst"), "notat 120385-1237.txt")},
    )
    assert r.status_code == 200 and r.get_json()["ok"] is True
    assert "120385" not in r.get_data(as_text=True)  # the title from the file name is masked
    r = client.post(
        f"/cases/{case.id}/documents/upload",
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
        data={"csrf_token": tok, "files": (io.BytesIO(b"MZ"), "x.exe")},
    )
    assert r.status_code == 400 and "understøttes ikke" in r.get_json()["error"]


def test_upload_is_for_caseworkers_in_collecting_only(client, db, new_case):
    case = new_case()
    login(client, "legal")
    tok = csrf_from(text_of(client.get("/workflow")))
    r = client.post(
        f"/cases/{case.id}/documents/upload",
        content_type="multipart/form-data",
        data={"csrf_token": tok, "files": (io.BytesIO(b"x"), "a.txt")},
    )
    assert r.status_code == 403
    assert case_view(db, case.id)["documents"] == []


def _screening_with(db, new_case, n):
    case = _collecting(db, new_case)
    ids = [add_doc(db, case.id, f"Dokument {i}") for i in range(1, n + 1)]
    fire(db, case.id, "start_screening", actor="cw")
    return case, ids


def test_bulk_assessment_assesses_each_document_through_the_use_case(client, db, new_case):
    case, ids = _screening_with(db, new_case, 3)
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Vælg alle på siden" in page and 'form="bulk-assess"' in page
    assert 'name="outcome" value="grant" required>' in page  # nothing chosen beforehand
    v = case_view(db, case.id)["version"]
    r = client.post(
        f"/cases/{case.id}/documents/assess",
        data={
            "csrf_token": csrf_from(page),
            "version": str(v),
            "document_ids": [str(ids[0]), str(ids[2])],
            "outcome": "refuse",
            "grounds": ["ofl-23"],
            "reason": REASON,
        },
    )
    assert r.status_code == 303
    view = case_view(db, case.id)
    assert [d["outcome"] for d in view["documents"]] == ["refuse", None, "refuse"]
    assert view["version"] == v + 2  # one event per document
    assert [e["trigger"] for e in view["events"][-2:]] == ["assess_document"] * 2
    assert "Vurdering gemt for 2 dokumenter" in text_of(client.get(r.headers["Location"]))


def test_bulk_assessment_checks_the_texts_per_document_and_reports(client, db, new_case):
    case, ids = _screening_with(db, new_case, 2)
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    v = case_view(db, case.id)["version"]
    r = client.post(
        f"/cases/{case.id}/documents/assess",
        data={
            "csrf_token": csrf_from(page),
            "version": str(v),
            "document_ids": [str(i) for i in ids],
            "outcome": "refuse",
            "grounds": ["ofl-23"],  # no reason for the requester: refused, as the single form is
        },
    )
    assert r.headers["Location"].endswith(f"valgt={ids[0]},{ids[1]}#vurder-valgte")
    html = text_of(client.get(r.headers["Location"]))
    assert "2 dokumenter blev ikke vurderet" in html
    assert "Dokument nr. 1: Begrundelse" in html and "Dokument nr. 2: Begrundelse" in html
    assert [d["outcome"] for d in case_view(db, case.id)["documents"]] == [None, None]
    # both stay checked and the form is open, to correct and send again
    for i in ids:
        assert re.search(rf'id="sel-{i}"[^>]*data-bulk-select checked>', html)
    assert '<details class="inline-action bulk-assess" id="vurder-valgte" open>' in html
    # A stale version is a conflict: nothing assessed.
    r = client.post(
        f"/cases/{case.id}/documents/assess",
        data={
            "csrf_token": csrf_from(page),
            "version": str(v - 1),
            "document_ids": [str(ids[0])],
            "outcome": "grant",
        },
    )
    assert "ændret af en anden" in text_of(client.get(r.headers["Location"]))
    assert case_view(db, case.id)["documents"][0]["outcome"] is None
    # No outcome chosen: a message, nothing assessed.
    r = client.post(
        f"/cases/{case.id}/documents/assess",
        data={"csrf_token": csrf_from(page), "version": str(v), "document_ids": [str(ids[0])]},
    )
    assert "vælg en vurdering" in text_of(client.get(r.headers["Location"]))


def test_bulk_assessment_goes_on_past_a_failing_document_and_names_it(client, db, new_case):
    case, ids = _screening_with(db, new_case, 3)
    other, other_ids = _screening_with(db, new_case, 1)  # a document of another case: refused here
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}?dok=all&side=1"))
    assert '<input type="hidden" name="side" value="1">' in page  # the list's page is kept
    v = case_view(db, case.id)["version"]
    chosen = [ids[0], other_ids[0], ids[2]]
    r = client.post(
        f"/cases/{case.id}/documents/assess",
        data={
            "csrf_token": csrf_from(page),
            "version": str(v),
            "document_ids": [str(i) for i in chosen],
            "outcome": "refuse",
            "grounds": ["ofl-23"],
            "reason": REASON,
            "dok": "all",
            "side": "1",
        },
    )
    assert r.status_code == 303
    # the documents before and after the failing one are assessed, one event each
    view = case_view(db, case.id)
    assert [d["outcome"] for d in view["documents"]] == ["refuse", None, "refuse"]
    assert view["version"] == v + 2
    assert case_view(db, other.id)["documents"][0]["outcome"] is None
    location = r.headers["Location"]
    assert f"valgt={other_ids[0]}#vurder-valgte" in location and "side=1" in location
    html = text_of(client.get(location))
    assert "Vurdering gemt for 2 dokumenter" in html
    assert "1 dokument blev ikke vurderet (de andre er gemt)" in html
    assert re.search(rf"Dokument id {other_ids[0]}: [^<]*dokument {other_ids[0]} findes ikke på sagen", html)
    assert "assess_document" not in html.split("<main", 1)[1]  # the action's Danish name, not its code
    assert "data-bulk-select checked" not in html  # only the failed one, which is not on this case


def test_documents_in_pages_with_filters_and_a_constant_number_of_queries(client, db, new_case, app):
    case, ids = _screening_with(db, new_case, 3)
    login(client, "cw")
    fire(db, case.id, "assess_document", actor="cw", data={"document_id": ids[1], "outcome": "grant"})
    html = _docs(client.get(f"/cases/{case.id}?dok=unassessed"))
    assert "Dokument 1" in html and "Dokument 3" in html and "Dokument 2<" not in html
    assert "Ikke vurderet (2)" in html and "Udleveres (1)" in html
    html = _docs(client.get(f"/cases/{case.id}?dok=grant"))
    assert "Dokument 2<" in html and "Dokument 1<" not in html

    def count_queries(path):
        engine = app.extensions["aktflow_db"].engine
        seen = []

        def on(*_a):
            seen.append(1)

        event.listen(engine, "before_cursor_execute", on)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", on)
        return len(seen)

    few = count_queries(f"/cases/{case.id}")
    case2, _ = _screening_with(db, new_case, 60)
    many = count_queries(f"/cases/{case2.id}")
    assert many <= few + 2, (few, many)
    html = _docs(client.get(f"/cases/{case2.id}"))
    assert "Side 1 af 2" in html and "Dokument 50<" in html and "Dokument 51<" not in html
    html = _docs(client.get(f"/cases/{case2.id}?side=2"))
    assert "Dokument 51<" in html and "Dokument 50<" not in html
    assert _docs(client.get(f"/cases/{case2.id}?side=99")).count("Side 2 af 2") == 2  # top and bottom


def test_pdf_and_images_are_shown_inline_html_never(client, db, new_case):
    case = _collecting(db, new_case)
    for name, content in (
        ("kort.png", _png()),
        ("brev.pdf", PDF),
        ("side.txt", b"<html><script>alert(1)</script>"),
    ):
        from aktflow.documents import Attachment

        fire(
            db,
            case.id,
            "add_document",
            actor="cw",
            data={"title": name},
            attachment=Attachment(name, content),
        )
    docs = case_view(db, case.id)["documents"]
    login(client, "cw")
    png = client.get(f"/cases/{case.id}/documents/{docs[0]['id']}/inline")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.headers["Content-Disposition"].startswith("inline")
    assert png.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in png.headers["Content-Security-Policy"]
    pdf = client.get(f"/cases/{case.id}/documents/{docs[1]['id']}/inline")
    if pdf.status_code == 200:  # a PDF screening accepted
        assert pdf.mimetype == "application/pdf" and pdf.headers["Content-Disposition"].startswith("inline")
        assert "frame-ancestors 'self'" in pdf.headers["Content-Security-Policy"]
    html = client.get(f"/cases/{case.id}/documents/{docs[2]['id']}/inline")
    assert html.status_code == 404
    page = text_of(client.get(f"/cases/{case.id}/documents/{docs[0]['id']}"))
    assert f'src="/cases/{case.id}/documents/{docs[0]["id"]}/inline"' in page


def test_grounds_are_checkboxes_the_most_used_first(client, db, new_case):
    case, ids = _screening_with(db, new_case, 2)
    fire(
        db,
        case.id,
        "assess_document",
        actor="cw",
        data={"document_id": ids[0], "outcome": "refuse", "grounds": ["ofl-30-1"], "reason": REASON,
              "weighing_note": "Hensyn"},
    )  # fmt: skip
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}/documents/{ids[1]}"))
    boxes = page.split(f'id="assess-{ids[1]}-grounds"', 1)[1]
    first = boxes.index('value="ofl-30-1"')
    assert 'type="checkbox" name="grounds"' in boxes and "brugt 1 gang" in boxes
    assert first < boxes.index('value="ofl-23"')  # used once: listed before the unused
    assert "data-grounds-filter" in page
    # The unassessed document's form has no outcome chosen.
    form = page.split('class="action assess"', 1)[1].split("</form>", 1)[0]
    assert "checked" not in form.split("radiogroup", 1)[1].split("</div>", 1)[0]


def test_a_failed_bulk_assessment_keeps_what_was_typed_once(client, db, new_case):
    case, ids = _screening_with(db, new_case, 2)
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    v = case_view(db, case.id)["version"]
    typed = "Min begrundelse som ikke må gå tabt"
    r = client.post(
        f"/cases/{case.id}/documents/assess",
        data={
            "csrf_token": csrf_from(page),
            "version": str(v),
            "document_ids": [str(i) for i in ids],
            "outcome": "refuse",  # no ground: every document fails
            "reason": typed,
        },
    )
    assert r.status_code == 303 and case_view(db, case.id)["version"] == v  # nothing assessed
    form = text_of(client.get(r.headers["Location"])).split('id="vurder-valgte"', 1)[1].split("</form>", 1)[0]
    assert typed in form  # the reason typed is back in the form
    assert re.search(r'value="refuse" required checked', form)
    assert all(f'value="{i}"' in page for i in ids)
    again = text_of(client.get(f"/cases/{case.id}")).split('id="vurder-valgte"', 1)[1].split("</form>", 1)[0]
    assert typed not in again and "checked" not in again.split("grounds", 1)[0]  # once, not for ever
