"""``aktflow case redact`` and ``aktflow case redactions``: a document's redactions (docs/redaction.md).

``redact`` fires the ``redact`` action (a term, or a page and a box in PDF points, with a ground code);
``redactions`` lists each document's redactions and screening's pending proposals. A proposal is accepted
or rejected with ``aktflow case advance CASE accept_redaction --data '{"document_id": …, "proposal":
"<key>", "ground": "ofl-30-1"}'`` (the key from ``redactions --json``).
"""

from __future__ import annotations

import click

from .base import emit, open_db
from .cases import case
from .options import as_option, expect_version_option, json_option, viewer_option


@case.command("redact")
@click.argument("case_id", type=int)
@click.argument("doc_id", type=int)
@click.option("--term", default=None, help="A word or phrase: every occurrence is redacted")
@click.option("--page", type=int, default=None, help="The page of a region redaction (1-based)")
@click.option("--box", default=None, help="The region: X0,Y0,X1,Y1 in PDF points, origin bottom-left")
@click.option("--ground", required=True, help="Ground code (see 'aktflow grounds'), printed on the box")
@as_option()
@expect_version_option()
@json_option
def case_redact(case_id, doc_id, term, page, box, ground, actor, expect_version, as_json) -> None:
    """Redact a word or phrase, or a region of a page, in one document (while screening)."""
    from aktflow.queries.redactions import document_redactions
    from aktflow.service import fire

    data: dict = {"document_id": doc_id, "ground": ground}
    if term is not None:
        data["term"] = term
    if page is not None:
        data["page"] = page
    if box is not None:
        data["box"] = box
    db_ = open_db()
    fire(db_, case_id, "redact", actor=actor, data=data, expect_version=expect_version)
    view = document_redactions(db_, case_id, doc_id)
    last = view["redactions"][-1]
    what = f"'{last['term']}'" if last["kind"] != "region" else f"side {last['page']}, felt {last['box']}"
    emit(view, as_json, f"dokument {doc_id}: {what} overstreget ({last['paragraph']}); id {last['id']}")


@case.command("redactions")
@click.argument("case_id", type=int)
@json_option
@viewer_option
def case_redactions_cmd(case_id, as_json, actor) -> None:
    """List each document's redactions and the proposals screening made (with --as: if that user may see
    the case, docs/access.md)."""
    from aktflow.queries.case_members import viewer
    from aktflow.queries.redactions import case_redactions

    if actor is not None:
        viewer(open_db(), actor, case_id)
    view = case_redactions(open_db(), case_id)
    lines = []
    for d in view["documents"]:
        lines.append(f"Dokument {d['document_id']}  {d['title']}")
        for r in d["redactions"]:
            what = r["term"] if r["kind"] != "region" else f"side {r['page']}, felt {r['box']}"
            lines.append(f"  {r['id']:>4} {r['kind']:<9} {what}  ({r['paragraph']}, {r['created_by']})")
        for p in d["proposals"]:
            lines.append(f"  forslag {p['key']}  {p['label']}: {p['term']} ({p['count']}×)")
        if not d["redactions"] and not d["proposals"]:
            lines.append("  ingen overstregninger")
    emit(view, as_json, "\n".join(lines) or "ingen dokumenter")
