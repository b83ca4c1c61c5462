"""The case page's documents in pages, with filters (a case with 500 documents stays usable), and the
grounds the municipality uses most (the assessment form lists them first).

Pure functions over the case page's rows (:func:`aktflow.queries.case_page.case_dict`'s ``documents``):
the page reads the case once, whatever page of documents it shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Assessment

PER_PAGE = 50
# The filters of the documents section: key → (Danish label, predicate on a document row).
SHOW: dict[str, str] = {
    "all": "Alle",
    "unassessed": "Ikke vurderet",
    "grant": "Udleveres",
    "partial": "Delvis udlevering",
    "refuse": "Afslag",
    "flagged": "Skal læses manuelt",
}
USAGE_WINDOW = 5000  # the newest assessments counted for "most used grounds"


def _matches(show: str, d: dict[str, Any]) -> bool:
    if show == "unassessed":
        return not d.get("outcome")
    if show in ("grant", "partial", "refuse"):
        return d.get("outcome") == show
    if show == "flagged":
        # Screening could not read it all (or refused it): a person must read the file.
        return d.get("screening") in ("unread", "refused")
    return True


@dataclass
class DocumentsPage:
    """One page of a case's documents. ``rows``: the documents shown (the case page's rows); ``show``:
    the filter (a key of :data:`SHOW`); ``page`` (1-based) of ``pages``; ``counts``: per filter, how many
    documents it shows; ``total``: the case's documents."""

    rows: list[dict[str, Any]]
    show: str
    page: int
    pages: int
    per_page: int
    counts: dict[str, int]
    total: int


def documents_page(
    documents: Sequence[dict[str, Any]], *, show: str | None = "all", page: Any = 1, per_page: int = PER_PAGE
) -> DocumentsPage:
    """Page ``page`` (``per_page`` rows) of ``documents`` that filter ``show`` keeps. An unknown filter is
    "all"; a page that is not a number, or beyond the last, is the first or the last page (never an error:
    the arguments come from the address bar)."""
    show = show if show in SHOW else "all"
    counts = {key: sum(1 for d in documents if _matches(key, d)) for key in SHOW}
    kept = [d for d in documents if _matches(show, d)]
    pages = max(1, -(-len(kept) // per_page))
    try:
        number = int(page)
    except (TypeError, ValueError):
        number = 1
    number = min(max(number, 1), pages)
    rows = kept[(number - 1) * per_page : number * per_page]
    return DocumentsPage(rows, show, number, pages, per_page, counts, len(documents))


def grounds_usage(session: Session) -> Counter[str]:
    """How often each ground code was chosen in this municipality's assessments (the newest
    :data:`USAGE_WINDOW`), one query."""
    counts: Counter[str] = Counter()
    stmt = select(Assessment.grounds).order_by(Assessment.id.desc()).limit(USAGE_WINDOW)
    for (codes,) in session.execute(stmt):
        counts.update(codes or ())
    return counts


def by_use(grounds: Iterable[Any], usage: Counter[str]) -> list[tuple[Any, int]]:
    """``grounds`` (catalogue entries with ``code``) as ``(ground, times used)``, the most used first, the
    catalogue's own order among equals."""
    listed = list(grounds)
    order = {g.code: i for i, g in enumerate(listed)}
    return sorted(((g, usage.get(g.code, 0)) for g in listed), key=lambda p: (-p[1], order[p[0].code]))
