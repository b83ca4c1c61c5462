"""case-page-300: GET of a case page with 300 documents and 600 events vs a case with none.

Three lines: the time ratio (the page of the full case over the page of an empty one, alternating, as a
caseworker through Flask's test client with ``Accept-Encoding: gzip``), the page's HTML size (what the
browser parses, KB; the gzipped bytes sent are in the note) and the number of SQL statements the full
page sends.
"""

from __future__ import annotations

import datetime as dt
import gzip

from sqlalchemy import event

from aktflow.db import Database
from aktflow.service import create_case, fire
from aktflow.users import add_user
from aktflow.vocabulary import SYSTEM_ACTOR

from .common import Result, alternating, progress, ratio

# The texts a withheld document needs for the requester (FVL §§ 22-24): a reason and, for the § 30
# weighing, its main considerations.
WITHHELD = {
    "reason": "Oplysninger om private forhold er undtaget.",
    "weighing_note": "Hensynet til de berørte vejer tungest.",
}


def seed(db: Database, n_docs: int) -> tuple[int, int]:
    """A case with ``n_docs`` documents, each added and assessed (2 × n_docs events), and an empty case."""
    add_user(db, "pagecw", role="caseworker", password="vinter-maaling-blaa-kop", actor=SYSTEM_ACTOR)
    received = (dt.date.today() - dt.timedelta(days=3)).isoformat()

    def new(name: str) -> int:
        c = create_case(
            db,
            actor="pagecw",
            requester=name,
            received=received,
            basis="ofl",
            subject=f"Aktindsigt i byggesag ({name})",
            emne="02.34.02",
            assign="pagecw",
        )
        for t in ("register", "start_collecting"):
            fire(db, c.id, t, actor="pagecw")
        return c.id

    empty, full = new("Tom"), new("Fuld")
    for i in range(n_docs):
        fire(
            db,
            full,
            "add_document",
            actor="pagecw",
            data={"title": f"Dokument {i + 1}: notat om byggetilladelsen", "sender": "Byggeafdelingen"},
        )
        progress("case-page documents", i + 1, 2 * n_docs)
    fire(db, full, "start_screening", actor="pagecw")
    fire(db, empty, "start_screening", actor="pagecw")
    from sqlalchemy import text

    with db.engine.connect() as conn:
        docs = list(
            conn.execute(
                text("SELECT id FROM documents WHERE case_id = :c ORDER BY id"), {"c": full}
            ).scalars()
        )
    outcomes = ("grant", "partial", "refuse")
    for i, doc in enumerate(docs):
        data: dict = {"document_id": doc, "outcome": outcomes[i % 3]}
        if i % 3:
            data.update(grounds=["ofl-30-1"], **WITHHELD)
        fire(db, full, "assess_document", actor="pagecw", data=data)
        progress("case-page documents", n_docs + i + 1, 2 * n_docs)
    return full, empty


def run(db: Database, *, n_docs: int = 300, rounds: int = 15) -> list[Result]:
    from web import create_app

    full, empty = seed(db, n_docs)
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": db.url, "WTF_CSRF_ENABLED": False}
    )
    client = app.test_client()
    r = client.post("/login", data={"username": "pagecw", "password": "vinter-maaling-blaa-kop"})
    assert r.status_code in (302, 303), r.status_code
    engine = app.extensions["aktflow_db"].engine
    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(statement)

    sizes: dict[int, tuple[int, int]] = {}

    def get(case_id: int):
        def once() -> None:
            resp = client.get(f"/cases/{case_id}", headers={"Accept-Encoding": "gzip"})
            assert resp.status_code == 200, resp.status_code
            body = resp.get_data()
            html = gzip.decompress(body) if resp.headers.get("Content-Encoding") == "gzip" else body
            sizes[case_id] = (len(html), len(body))

        return once

    page_full, page_empty = get(full), get(empty)
    page_full()
    page_empty()
    statements.clear()
    page_full()
    n_sql = len(statements)
    t_full, t_empty = alternating((page_full, page_empty), rounds)
    app.extensions["aktflow_db"].dispose()
    html, sent = sizes[full]
    where = f"{n_docs} documents, {2 * n_docs} events; {db.dialect}"
    return [
        Result(
            "case-page-300",
            t_full * 1000,
            "ms/page",
            t_empty * 1000,
            ratio(t_full, t_empty),
            5.0,
            max(rounds, 3),
            note=f"{where}; empty case's page {sizes[empty][0] / 1024:.0f} KB",
        ),
        Result(
            "case-page-300-html",
            html / 1024,
            "KB",
            None,
            None,
            300,
            1,
            note=f"{sent / 1024:.0f} KB sent gzipped; {where}",
        ),
        Result("case-page-300-sql", float(n_sql), "statements", None, None, 17, 1, note=where),
    ]
