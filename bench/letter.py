"""letter-200: the decision letter with a 200-document aktliste vs a bare docxtpl render of the same table."""

from __future__ import annotations

import datetime as dt
import io

from .common import Result, interleaved, ratio


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

    def minimum() -> None:
        tpl = DocxTemplate(io.BytesIO(bare))
        tpl.render({"title": "Afgørelse", "docs": rows}, Environment(autoescape=True), autoescape=True)
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
