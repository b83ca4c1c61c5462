"""Redactions (docs/redaction.md): what a released document withholds, and proof that it is gone.

- :mod:`aktflow.redaction.burn`: :func:`burn_in` — the released PDF with every redaction removed (text,
  pixels, line art), a black box with the ground printed on it, and the file stripped of metadata,
  annotations, form fields, attachments, hidden layers and earlier revisions.
- :mod:`aktflow.redaction.leak`: :func:`leak_check` — reads the output as screening reads a document and
  proves no redacted term and no CPR number remains.
- :mod:`aktflow.redaction.proposals`: :func:`propose` — what screening offers to redact (CPR numbers,
  sensitive words, names, addresses, phone numbers, e-mail addresses).
- :mod:`aktflow.redaction.actions`: the workflow's effects (``redact``, ``remove_redaction``,
  ``accept_redaction``, ``reject_redaction``), run inside ``fire()``.

:func:`marks` and :func:`terms` turn a document's stored redactions into what burn-in and the leak check
take; :func:`release` does both for one PDF.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .burn import Mark, burn_in
from .leak import LeakReport, leak_check

__all__ = ["Mark", "LeakReport", "burn_in", "leak_check", "marks", "terms", "release", "parse_box"]


def parse_box(raw: str) -> tuple[float, float, float, float]:
    """``"x0,y0,x1,y1"`` (PDF points; spaces allowed) as four floats with x0 < x1 and y0 < y1 after
    ordering. Raises ``ValidationError`` on the field ``box`` (Danish) for anything else."""
    from ..errors import ValidationError

    parts = [p.strip() for p in str(raw or "").split(",")]
    try:
        x0, y0, x1, y1 = (float(p) for p in parts)
    except ValueError:
        raise ValidationError(
            "box", "skal være fire tal adskilt af komma: x0,y0,x1,y1 (PDF-punkter)"
        ) from None
    values = (x0, y0, x1, y1)
    if any(v != v or abs(v) > 100_000 for v in values):  # NaN or absurd
        raise ValidationError("box", "koordinaterne skal være tal mellem -100000 og 100000")
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise ValidationError("box", "feltet skal være mindst 1 × 1 punkt")
    return (x0, y0, x1, y1)


def _paragraph(code: str | None) -> str:
    from .. import grounds

    if code is None:
        return ""
    try:
        return grounds.get(code).paragraph
    except KeyError:
        return code


def marks(redactions: Iterable[Any]) -> list[Mark]:
    """The accepted redactions of one document (ORM rows or anything with ``kind, state, term, page, box,
    ground``) as :class:`Mark` values for :func:`burn_in`; the label is the ground's paragraph."""
    out = []
    for r in redactions:
        if r.state != "accepted":
            continue
        label = _paragraph(r.ground)
        if r.kind == "region":
            out.append(Mark("region", label, page=r.page, box=tuple(r.box)))
        else:
            out.append(Mark("text", label, term=r.term))
    return out


def terms(redactions: Iterable[Any]) -> list[str]:
    """The words and phrases of a document's accepted text redactions (and accepted proposals), for
    :func:`leak_check`."""
    return [r.term for r in redactions if r.state == "accepted" and r.kind != "region" and r.term]


def release(
    pdf: bytes, redactions: Iterable[Any], limits: Any = None, *, bounded: bool = False
) -> tuple[bytes, LeakReport]:
    """Burn in a document's redactions and check the output: ``(released PDF, leak report)``. The caller
    refuses the release when ``report.ok`` is False (``report.reason()`` says why) and stores
    ``report.to_json()`` with the file. ``bounded``: burn in a child process with ``limits``' memory and
    time limits (:func:`aktflow.redaction.bounded.burn_bounded`), as a worker should for files it did not
    make itself. Raises ``Refused`` (Danish, naming the limit) for a file over the limits."""
    rows = list(redactions)
    if bounded:
        from .bounded import burn_bounded

        out = burn_bounded(pdf, marks(rows), limits).pdf
    else:
        out = burn_in(pdf, marks(rows), limits)
    return out, leak_check(out, terms(rows), limits)
