"""Find any case: the header's search, the search page ``/search`` and ``GET /api/v1/cases?q=…``.

One query function, :func:`search_cases`, over the requester's name, the subject, the sagsnummer and the
documents' titles, with the filters a caseworker narrows by (caseworker, state, flagged, overdue, basis)
and a sortable order. It is plain ``LIKE`` with the user's ``%`` and ``_`` escaped, every word of the query
matched somewhere (case-insensitive; on SQLite only A–Z fold, so "Ærø" and "ærø" are two words there).
Measured on 10,000 cases with 5 documents each: docs/search.md.

CPR numbers are never searchable (docs/domain.md §4, the exit filter :mod:`aktflow.exits`):

- a query that holds a CPR number (six digits, an optional dash or space, four digits) is refused with a
  Danish :class:`~aktflow.errors.ValidationError` before anything is read;
- a case is found only when every word matches the *masked* text (``XXXXXX-XXXX`` for a CPR number),
  so part of a CPR number written into a title or a name ("120385") does not find it either;
- nothing is stored for the search: there is no index that could hold a CPR number.

Who may see which case: :func:`visible_cases` (the one place the search narrows to the viewer's cases).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from .. import case_access, states
from ..errors import ValidationError
from ..exits import mask
from ..models import Case, Document, Flag, User
from ..vocabulary import BASES
from .cases import SORT_COLUMNS, case_rows
from .dashboard import Filters

# A CPR number in a query, however it is written (ddmmåå, then an optional dash or space, then four digits).
_CPR_QUERY = re.compile(r"(?<!\d)\d{6}[\s\-\u2010-\u2015\u2212]?\d{4}(?!\d)")
QUERY_MAX = 200  # characters; a longer query is refused
WORDS_MAX = 8  # the words of a query that are matched (the rest are ignored)
RESULTS_MAX = 200  # rows of one search
CPR_REFUSED = (
    "Der kan ikke søges på CPR-numre. Søg på anmoderens navn, sagsnummeret, emnet eller et dokuments titel."
)


@dataclass(frozen=True)
class SearchQuery:
    """What to look for. ``q``: free text (every word must match the requester, subject, sagsnummer or a
    document's title); ``state``: one state; ``assignee``: a username, or ``"-"`` for unassigned cases;
    ``flagged``/``overdue``: only cases with an open flag / a running deadline past due; ``basis``: ofl,
    fvl, …; ``which``: "all" or "open"; ``sort``: a key of :data:`aktflow.queries.cases.SORT_COLUMNS` (or
    None: most urgent deadline first), ``descending`` to reverse."""

    q: str = ""
    state: str | None = None
    assignee: str | None = None
    flagged: bool = False
    overdue: bool = False
    basis: str | None = None
    which: str = "all"
    sort: str | None = None
    descending: bool = False

    @property
    def words(self) -> list[str]:
        """The query's words, lower-cased (at most :data:`WORDS_MAX`)."""
        return [w.casefold() for w in self.q.split()][:WORDS_MAX]

    @property
    def empty(self) -> bool:
        """True when neither text nor a filter is given (the search page shows only its form)."""
        return not (self.words or self.state or self.assignee or self.flagged or self.overdue or self.basis)


@dataclass
class SearchResult:
    """The rows found (``case_rows``' shape plus ``matched_titles``: the masked titles of the documents
    that matched), and ``truncated`` when there were more than the limit."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False


def check_query(query: SearchQuery) -> None:
    """Refuse a query aktflow does not answer: a CPR number (docs/domain.md §4), too long a text, an
    unknown state, basis or sort key. Raises :class:`ValidationError` naming the field, in Danish."""
    if _CPR_QUERY.search(query.q):
        raise ValidationError("q", CPR_REFUSED)
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in query.q):
        raise ValidationError("q", "Søgningen indeholder tegn, der ikke kan søges på.")
    if len(query.q) > QUERY_MAX:
        raise ValidationError("q", f"Søgningen må højst være {QUERY_MAX} tegn.")
    if query.assignee and (len(query.assignee) > 64 or "\x00" in query.assignee):
        raise ValidationError("assignee", "Ukendt sagsbehandler.")
    if query.state and query.state not in states.STATES:
        raise ValidationError("state", "Ukendt tilstand.")
    if query.basis and query.basis not in BASES:
        raise ValidationError("basis", "Ukendt retsgrundlag.")
    if query.sort and query.sort not in SORT_COLUMNS:
        raise ValidationError("sort", "Der kan ikke sorteres efter det felt.")
    if query.which not in ("all", "open"):
        raise ValidationError("which", "Vælg alle sager eller de åbne.")


def visible_cases(viewer: Any | None) -> list[Any]:
    """SQL conditions that keep the cases ``viewer`` (a :class:`~aktflow.models.User`, or None for the
    server's own shell) may see in full: need-to-know (docs/access.md, ``aktflow.case_access``). A
    sensitive case the viewer may not see is never matched, so its subject, requester and document titles
    cannot be probed through the search."""
    if viewer is None:
        return []
    return [case_access.visible_case_filter(viewer)]


def _like(text: str) -> str:
    """A LIKE pattern that matches ``text`` anywhere, its ``\\``, ``%`` and ``_`` taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _word_matches(word: str):
    pattern = _like(word)
    title = exists().where(Document.case_id == Case.id, func.lower(Document.title).like(pattern, escape="\\"))
    return or_(
        func.lower(Case.requester_name).like(pattern, escape="\\"),
        func.lower(Case.subject).like(pattern, escape="\\"),
        func.lower(func.coalesce(Case.sagsnummer, "")).like(pattern, escape="\\"),
        title,
    )


def search_cases(
    session: Session,
    today: dt.date,
    query: SearchQuery,
    *,
    viewer: Any | None = None,
    limit: int = RESULTS_MAX,
) -> SearchResult:
    """The cases ``query`` finds that ``viewer`` may see (:func:`visible_cases`), at most ``limit``.

    Checks the query first (:func:`check_query`: a CPR number is refused, ValidationError). Each row is a
    :func:`~aktflow.queries.cases.case_rows` row (masked requester and subject, next deadline and its
    status judged on ``today``, flagged) plus ``matched_titles``: the masked titles of the case's documents
    that hold one of the words (at most five). A case whose words match only digits of a CPR number is not
    found: the words are checked again on the masked text.
    """
    check_query(query)
    words = query.words
    where: list[Any] = [_word_matches(w) for w in words]
    where += visible_cases(viewer)
    if query.assignee == "-":
        where.append(Case.assignee_id.is_(None))
    elif query.assignee:
        where.append(Case.assignee_id.in_(select(User.id).where(User.username == query.assignee)))
    if query.flagged:
        where.append(exists().where(Flag.case_id == Case.id, Flag.cleared_at.is_(None)))
    if query.overdue:
        where.append(Case.due_first < today)
    # One row more than asked: tells whether there were more.
    rows = case_rows(
        session,
        today,
        Filters(basis=query.basis),
        which=query.which,
        state=query.state,
        limit=limit + 1,
        where=where,
        sort=query.sort,
        descending=query.descending,
    )
    truncated = len(rows) > limit
    rows = rows[:limit]
    titles = _matching_titles(session, [r["id"] for r in rows], words) if words else {}
    found = []
    for r in rows:
        case_text = " ".join((r["requester"], r["subject"], mask(r["sagsnummer"] or ""))).casefold()
        mine = titles.get(r["id"], [])
        if all(w in case_text or any(w in t.casefold() for t in mine) for w in words):
            r["matched_titles"] = [t for t in mine if any(w in t.casefold() for w in words)][:5]
            found.append(r)
    return SearchResult(rows=found, truncated=truncated)


def _matching_titles(session: Session, case_ids: list[int], words: list[str]) -> dict[int, list[str]]:
    """The masked titles of the documents of ``case_ids`` that hold one of ``words`` (one query)."""
    if not case_ids:
        return {}
    out: dict[int, list[str]] = {}
    stmt = (
        select(Document.case_id, Document.title)
        .where(
            Document.case_id.in_(case_ids),
            or_(*(func.lower(Document.title).like(_like(w), escape="\\") for w in words)),
        )
        .order_by(Document.case_id, Document.id)
    )
    for cid, title in session.execute(stmt):
        out.setdefault(cid, []).append(mask(title))
    return out


def summaries(result: SearchResult) -> list[dict[str, Any]]:
    """The rows of ``result`` in the API's ``CaseSummary`` shape (as :func:`~aktflow.queries.cases.case_list`
    gives them): id, state, state_label, version, sagsnummer, basis, received (ISO date), requester,
    subject, emne, assignee (username or None); masked as every list."""
    return [
        {
            "id": r["id"],
            "state": r["state"],
            "state_label": r["state_label"],
            "version": r["version"],
            "sagsnummer": r["sagsnummer"],
            "basis": r["basis"],
            "received": r["received"].isoformat(),
            "requester": r["requester"],
            "subject": r["subject"],
            "emne": r["emne"],
            "assignee": r["assignee"],
        }
        for r in result.rows
    ]
