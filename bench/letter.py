"""letter-200 / letter-e2e-200: the decision letter with a 200-document aktliste.

- **letter-200**: ``letters.render`` vs a bare docxtpl render of a template with the same table, through a
  plain Jinja environment that keeps what it compiled as the product's does (docxtpl hands the
  environment each part's XML as a string on every render).
- **letter-e2e-200**: the whole ``fire(send_decision)`` on a case with 200 assessed documents (guards,
  the letter's data from the case, the render, storing it, the deadlines, the event, the commit) vs
  ``letters.render`` of the same template with 200 documents (the same template cache), alternating; a
  fresh case per round, prepared outside the timing.
"""

from __future__ import annotations

import datetime as dt
import io

from .common import Result, interleaved, ratio

# The texts a withheld document needs for the requester (FVL §§ 22-24): a reason and, for the § 30
# weighing, its main considerations.
WITHHELD = {
    "reason": "Oplysninger om private forhold er undtaget.",
    "weighing_note": "Hensynet til de berørte vejer tungest.",
}


def _bare_template() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("{{ title }}")
    t = d.add_table(rows=3, cols=6)
    t.rows[0].cells[0].text = "Nr."
    for i, h in enumerate(("Dato", "Titel", "Afsender/modtager", "Afgørelse", "Grunde"), start=1):
        t.rows[0].cells[i].text = h
    t.rows[1].cells[0].text = "{%tr for d in docs %}"
    for i, k in enumerate(("no", "date", "title", "sender", "decision", "grounds")):
        t.rows[2].cells[i].text = "{{ d." + k + " }}"
    row = t.add_row()
    row.cells[0].text = "{%tr endfor %}"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _ctx(n: int) -> dict:
    import letters

    ctx = letters.sample_context("afgoerelse")
    outcomes = ("grant", "partial", "refuse")
    ctx["documents"] = [
        {
            "no": i,
            "id": i,
            "title": f"Dokument nr. {i} om sagen",
            "date": dt.date(2026, 1, 1) + dt.timedelta(days=i % 300),
            "sender": "Forvaltningen",
            "recipient": "Borger",
            "outcome": outcomes[i % 3],
            "grounds": [] if i % 3 == 0 else ["ofl-30-1"],
            "extracted": i % 7 == 0,
            "meroffentlighed_note": None if i % 3 == 0 else "Ikke muligt",
            "note": None,
        }
        for i in range(1, n + 1)
    ]
    ctx["outcome"] = "partial"
    return ctx


def run(n_docs: int = 200, rounds: int = 15, goal: float = 1.5) -> Result:
    from docxtpl import DocxTemplate
    from jinja2 import Environment

    import letters

    ctx = _ctx(n_docs)
    bare = _bare_template()
    rows = [
        {
            "no": d["no"],
            "date": d["date"].strftime("%d.%m.%Y"),
            "title": d["title"],
            "sender": d["sender"],
            "decision": d["outcome"],
            "grounds": ", ".join(d["grounds"]),
        }
        for d in ctx["documents"]
    ]

    def product() -> None:
        letters.render("afgoerelse", ctx)

    class CachedEnvironment(Environment):
        """Keeps what it compiled, keyed by the source, as the product's environment does."""

        compiled: dict = {}

        def from_string(self, source, globals=None, template_class=None):  # noqa: A002
            if isinstance(source, str) and globals is None and template_class is None:
                found = self.compiled.get(source)
                if found is None:
                    found = self.compiled[source] = super().from_string(source)
                return found
            return super().from_string(source, globals, template_class)

    env = CachedEnvironment(autoescape=True)

    def minimum() -> None:
        tpl = DocxTemplate(io.BytesIO(bare))
        tpl.render({"title": "Afgørelse", "docs": rows}, env, autoescape=True)
        tpl.save(io.BytesIO())

    product()
    minimum()
    t_prod, t_min = interleaved(product, minimum, rounds)
    return Result(
        "letter-200",
        t_prod * 1000,
        "ms/letter",
        t_min * 1000,
        ratio(t_prod, t_min),
        goal,
        rounds,
        note=f"{n_docs} documents in the aktliste",
    )


def _case_ready_for_decision(db, n_docs: int) -> int:
    """A case in drafting_decision with ``n_docs`` documents, each assessed, approved by the legal contact."""
    from sqlalchemy import text

    from aktflow.service import create_case, fire

    received = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    c = create_case(
        db,
        actor="lettercw",
        requester="Mette Hansen",
        received=received,
        basis="ofl",
        subject="Aktindsigt i byggesag",
        emne="02.34.02",
        assign="lettercw",
    )
    for t in ("register", "start_collecting"):
        fire(db, c.id, t, actor="lettercw")
    for i in range(n_docs):
        fire(
            db,
            c.id,
            "add_document",
            actor="lettercw",
            data={"title": f"Dokument nr. {i + 1} om sagen", "sender": "Forvaltningen"},
        )
    fire(db, c.id, "start_screening", actor="lettercw")
    with db.engine.connect() as conn:
        docs = list(
            conn.execute(
                text("SELECT id FROM documents WHERE case_id = :c ORDER BY id"), {"c": c.id}
            ).scalars()
        )
    outcomes = ("grant", "partial", "refuse")
    for i, doc in enumerate(docs):
        data: dict = {"document_id": doc, "outcome": outcomes[i % 3]}
        if i % 3:
            data.update(grounds=["ofl-30-1"], **WITHHELD)
        fire(db, c.id, "assess_document", actor="lettercw", data=data)
    fire(db, c.id, "submit_for_legal_review", actor="lettercw")
    fire(db, c.id, "approve_legal", actor="letterlegal", note="Godkendt")
    return c.id


def run_e2e(db, n_docs: int = 200, rounds: int = 5, goal: float = 1.5) -> Result:
    import statistics
    import time

    import letters
    from aktflow.service import fire
    from aktflow.users import add_user
    from aktflow.vocabulary import SYSTEM_ACTOR

    from .common import MIN_ROUNDS, progress

    add_user(db, "lettercw", role="caseworker", password="vinter-maaling-blaa-kop", actor=SYSTEM_ACTOR)
    add_user(db, "letterlegal", role="legal", password="vinter-maaling-blaa-kop", actor=SYSTEM_ACTOR)
    ctx = _ctx(n_docs)
    rounds = max(rounds, MIN_ROUNDS)
    cases = []
    for k in range(rounds + 1):
        cases.append(_case_ready_for_decision(db, n_docs))
        progress("letter-e2e cases", k + 1, rounds + 1)
    fire(db, cases[0], "send_decision", actor="lettercw")  # warm up: the template's compiled parts
    letters.render("afgoerelse", ctx)
    t_prod, t_min = [], []
    for cid in cases[1:]:
        t = time.perf_counter()
        fire(db, cid, "send_decision", actor="lettercw")
        t_prod.append(time.perf_counter() - t)
        t = time.perf_counter()
        letters.render("afgoerelse", ctx)
        t_min.append(time.perf_counter() - t)
    p, m = statistics.median(t_prod), statistics.median(t_min)
    return Result(
        "letter-e2e-200",
        p * 1000,
        "ms/decision",
        m * 1000,
        ratio(p, m),
        goal,
        rounds,
        note=f"{n_docs} assessed documents; {db.dialect}",
    )
