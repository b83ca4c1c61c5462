"""The case page reads each table once, whatever the number of documents and events (docs/benchmarks.md,
case-page-300), shows the latest part of a long timeline and leaves a document's redactions to its page."""

from __future__ import annotations

import re

from sqlalchemy import event, text

from aktflow.service import fire
from tests.assessing import texts_for
from tests.web.test_web_pages import login, to_state

#: The goal of case-page-300: the SQL statements of one GET of the case page (sign-in included).
MAX_STATEMENTS = 17


def _case(db, new_case, n_docs: int) -> int:
    """A case in screening with ``n_docs`` documents, every other one refused with a flag raised."""
    case = new_case()
    to_state(db, case.id, "register", "start_collecting")
    for i in range(n_docs):
        fire(db, case.id, "add_document", actor="cw", data={"title": f"Notat {i} om byggesagen"})
    to_state(db, case.id, "start_screening")
    with db.engine.connect() as conn:
        ids = conn.execute(
            text("SELECT id FROM documents WHERE case_id = :c ORDER BY id"), {"c": case.id}
        ).scalars()
        docs = list(ids)
    for i, doc in enumerate(docs):
        outcome = "refuse" if i % 2 else "grant"
        codes = ["ofl-30-1"] if outcome == "refuse" else []
        data = {"document_id": doc, "outcome": outcome, "grounds": codes, **texts_for(outcome, codes)}
        fire(db, case.id, "assess_document", actor="cw", data=data)
    return case.id


def _statements(client, case_id: int, query: str = "") -> tuple[int, str]:
    engine = client.application.extensions["aktflow_db"].engine
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        resp = client.get(f"/cases/{case_id}{query}")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert resp.status_code == 200
    return len(seen), resp.get_data(as_text=True)


def test_the_case_page_sends_as_many_statements_for_many_documents_as_for_few(client, db, new_case):
    few = _case(db, new_case, 2)
    many = _case(db, new_case, 24)
    login(client, "cw")
    client.get(f"/cases/{few}")  # the first request of a process reads what it keeps (the calendar, …)
    n_few, _ = _statements(client, few)
    n_many, html = _statements(client, many)
    assert "Notat 23 om byggesagen" in html
    assert n_many == n_few, (n_few, n_many)
    assert n_many <= MAX_STATEMENTS


def test_a_long_timeline_shows_the_latest_events_and_links_to_the_whole(client, db, new_case):
    case = new_case()
    to_state(db, case.id, "register", "start_collecting")
    for i in range(55):
        fire(db, case.id, "add_document", actor="cw", data={"title": f"Bilag {i}"})
    login(client, "cw")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    timeline = page[page.index('class="timeline"') :]
    shown = re.findall(r"<li><time", timeline)
    assert len(shown) == 50
    assert "data-timeline-more" in page and "forloeb=alle" in page
    whole = client.get(f"/cases/{case.id}?forloeb=alle").get_data(as_text=True)
    assert len(re.findall(r"<li><time", whole[whole.index('class="timeline"') :])) == 58
    assert "data-timeline-more" not in whole


def test_redactions_are_drawn_on_the_documents_page_not_the_case_page(client, db, new_case):
    from aktflow.queries.case_page import REDACTION_TRIGGERS, next_steps

    case_id = _case(db, new_case, 3)
    login(client, "cw")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "/actions/redact" not in page and "/actions/accept_redaction" not in page
    assert 'data-step="submit_for_legal_review"' in page  # the case's own next step is still offered
    steps = next_steps({"allowed_triggers": [*REDACTION_TRIGGERS, "submit_for_legal_review"]}, {})
    assert steps["main"] == ["submit_for_legal_review"] and not steps["side"]
