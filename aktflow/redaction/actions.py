"""The redaction actions' effects, run by ``fire()`` inside its transaction (aktflow/effects.py's table).

``redact`` adds a text or region redaction, ``remove_redaction`` removes one (or takes back a rejected
proposal, which is then offered again), ``accept_redaction``/``reject_redaction`` decide a screening
proposal (:mod:`aktflow.redaction.proposals`), named by its key so no CPR number travels in a form, a URL
or the event log. Errors are ``ValidationError`` naming the field, in Danish.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..errors import ValidationError
from ..exits import mask


def proposal_key(kind: str, term: str) -> str:
    """The key of a proposal: ``kind:`` and 16 hex digits of the SHA-256 of its lower-cased term."""
    digest = hashlib.sha256(" ".join(term.split()).lower().encode()).hexdigest()[:16]
    return f"{kind}:{digest}"


def _document(case: Any, doc_id: int) -> Any:
    return next(d for d in case.documents if d.id == doc_id)


def check_ground(case: Any, code: str) -> str:
    """The ground code, checked against the catalogue for the case's legal basis; a ground that refuses
    the whole request (OFL § 9, stk. 2) is not a redaction's ground."""
    from .. import grounds as catalogue

    code = (code or "").strip()
    problems = catalogue.validate([code], case.basis)
    if problems:
        raise ValidationError("ground", "; ".join(problems))
    if code in catalogue.REQUEST_GROUNDS:
        raise ValidationError(
            "ground", "grunden gælder hele anmodningen og kan ikke bruges på en overstregning"
        )
    return code


def _has_file(doc: Any) -> None:
    if doc.sha256 is None:
        raise ValidationError("document_id", "dokumentet har ingen fil at overstrege i")


def _add(case: Any, ctx: Any, doc: Any, **values: Any) -> Any:
    from ..models import Redaction

    r = Redaction(case_id=case.id, created_by=ctx.actor.username, created_at=ctx.now, **values)
    doc.redactions.append(r)
    ctx.session.add(r)
    ctx.session.flush()
    ctx.recorded["redaction_id"] = r.id
    return r


def redact(e: Any, case: Any, ctx: Any) -> None:
    """``redact``: a term (every occurrence) or a page and a box (PDF points), with a ground."""
    from . import parse_box

    d = ctx.data
    doc = _document(case, d["document_id"])
    _has_file(doc)
    ground = check_ground(case, d["ground"])
    term = " ".join((d.get("term") or "").split())
    page, box = d.get("page"), d.get("box")
    if term and (page is not None or box):
        raise ValidationError("term", "angiv enten en tekst eller en side og et felt, ikke begge")
    if term:
        if len(term) < 2:
            raise ValidationError("term", "teksten skal være mindst 2 tegn")
        if any(r.state == "accepted" and (r.term or "").lower() == term.lower() for r in doc.redactions):
            raise ValidationError("term", "teksten er allerede overstreget i dokumentet")
        _add(case, ctx, doc, kind="text", state="accepted", term=term, ground=ground)
        return
    if page is None or not box:
        raise ValidationError("term", "angiv en tekst, eller en side og et felt (x0,y0,x1,y1 i PDF-punkter)")
    parsed = parse_box(box)
    _check_page(doc, page, parsed)
    _add(case, ctx, doc, kind="region", state="accepted", page=page, box=list(parsed), ground=ground)


def _check_page(doc: Any, page: int, box: tuple[float, float, float, float]) -> None:
    """For a PDF: the page exists and the box lies (at least partly) on it."""
    from .pages import page_sizes

    sizes = page_sizes(doc)
    if sizes is None:
        return  # an office file: its pages are those of the PDF LibreOffice makes, checked when burnt in
    if not 1 <= page <= len(sizes):
        raise ValidationError("page", f"dokumentet har {len(sizes)} side{'r' if len(sizes) != 1 else ''}")
    x0, y0, x1, y1 = sizes[page - 1]
    if box[0] >= x1 or box[2] <= x0 or box[1] >= y1 or box[3] <= y0:
        raise ValidationError("box", f"feltet ligger uden for side {page} ({x0:g},{y0:g},{x1:g},{y1:g})")


def remove_redaction(e: Any, case: Any, ctx: Any) -> None:
    """``remove_redaction``: the redaction (or rejected proposal) ``redaction_id`` on the document."""
    d = ctx.data
    doc = _document(case, d["document_id"])
    r = next((r for r in doc.redactions if r.id == d["redaction_id"]), None)
    if r is None:
        raise ValidationError("redaction_id", f"overstregning {d['redaction_id']} findes ikke på dokumentet")
    ctx.recorded["removed"] = {"kind": r.kind, "state": r.state, "ground": r.ground, "term": mask(r.term)}
    doc.redactions.remove(r)
    ctx.session.delete(r)


def decide_proposal(e: Any, case: Any, ctx: Any) -> None:
    """``accept_redaction`` (``e.accept``) or ``reject_redaction``: the proposal named by its key."""
    from .proposals import propose

    d = ctx.data
    doc = _document(case, d["document_id"])
    _has_file(doc)
    key = (d.get("proposal") or "").strip()
    wanted = next((p for p in propose(doc.text or "") if proposal_key(p.kind, p.term) == key), None)
    if wanted is None:
        raise ValidationError("proposal", "forslaget findes ikke (længere) for dokumentet")
    if any(r.proposal == key for r in doc.redactions):
        raise ValidationError("proposal", "forslaget er allerede besluttet; fjern beslutningen først")
    ctx.recorded["proposal"] = {"kind": wanted.kind, "term": mask(wanted.term)}
    if e.accept:
        ground = check_ground(case, d.get("ground") or "")
        _add(case, ctx, doc, kind="proposed", state="accepted", term=wanted.term, ground=ground, proposal=key)
    else:
        if d.get("ground"):
            raise ValidationError("ground", "et afvist forslag har ingen undtagelsesgrund")
        _add(case, ctx, doc, kind="proposed", state="rejected", term=wanted.term, proposal=key)
