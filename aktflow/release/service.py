"""The release package on a case: asked for by a decision, made by the outbox, stored, journalised, read.

``send_decision`` and ``send_partial_decision`` carry the effect ``MakeReleasePackage``: inside fire()'s
transaction :func:`request_package` writes a ``pending`` :class:`~aktflow.models.ReleasePackage` with the
documents the decision releases and an outbox item; after commit the worker (``aktflow outbox run``; never
a web request: :mod:`aktflow.outbox_delivery` leaves this kind to the worker) runs :func:`deliver`, which
builds the package (:func:`aktflow.release.package.build`) with the decision letter's PDF, stores it with
its SHA-256 (immutable from then on) and journalises it on the A53 case, or stores why it is blocked.

:func:`package_file` and :func:`packages_of` are the read side (downloads, the case page, the API);
:func:`preview` builds the package of what would be released now, without storing it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from ..aktliste import released_row
from ..errors import NotFound, ValidationError, WorkflowError
from ..exits import mask, mask_filename
from ..models import Case, Document, Event, Letter, ReleasePackage, User, utcnow
from . import convert
from .package import (
    BuiltPackage,
    PackageBlocked,
    PackageDocument,
    Prepare,
    Prepared,
    build,
    identity,
)

#: The outbox kind of making a package.
KIND = "make_package"
#: A release with at least this many documents gets a .zip of the individual PDFs too.
ZIP_FROM = 20
#: The decision letters a package opens with, by trigger.
LETTER_KINDS = {"send_decision": "afgoerelse", "send_partial_decision": "delafgoerelse"}

STATUS_LABELS = {"pending": "Dannes", "ready": "Klar", "blocked": "Blokeret"}


class PackageNotReady(WorkflowError):
    """The package exists but is no file yet: still being made, or blocked (the message gives the reason)."""


def prepare_for(db: Any, case_id: int) -> Prepare:
    """The hook each released document of case ``case_id`` passes through before stripping and stamping:
    its accepted redactions burnt in (in a bounded child process) and the output's leak check
    (:func:`aktflow.redaction.release`, docs/redaction.md). A document without accepted redactions passes
    unchanged (the package's own CPR check still reads every page). Raises :class:`PackageBlocked`, naming
    the document, when the leak check finds a redacted term or a CPR number in the output; the redactions
    are read once, when the hook is made."""
    from types import SimpleNamespace

    from ..extraction import Refused
    from ..models import Redaction
    from ..redaction import release as burn_and_check

    with db.session() as s:
        rows = s.scalars(
            select(Redaction).where(Redaction.case_id == case_id, Redaction.state == "accepted")
        ).all()
        parents = dict(
            s.execute(select(Document.id, Document.parent_id).where(Document.case_id == case_id)).all()
        )
        by_document: dict[int, list[Any]] = {}
        for r in rows:
            by_document.setdefault(r.document_id, []).append(
                SimpleNamespace(
                    kind=r.kind, state=r.state, term=r.term, page=r.page, box=r.box, ground=r.ground
                )
            )
    if not by_document:
        return identity
    by_document = family_terms(by_document, parents)

    def prepare(document: PackageDocument, pdf: bytes) -> bytes | Prepared:
        marks = by_document.get(document.document_id or -1)
        if not marks:
            return pdf
        try:
            out, report = burn_and_check(pdf, marks, bounded=True)
        except Refused as exc:
            raise PackageBlocked(
                f"dokument nr. {document.number} ({mask(document.title)}): {exc.message}"
            ) from None
        # A failed leak check blocks the package (package.build), with the report stored in its checks.
        return Prepared(out, report.to_json())

    return prepare


def _root(document_id: int, parents: dict[int, int | None]) -> int:
    """The top of ``document_id``'s family: the e-mail (or PDF) its attachments were taken from."""
    seen = {document_id}
    while (parent := parents.get(document_id)) is not None and parent not in seen:
        seen.add(parent)
        document_id = parent
    return document_id


def family_terms(by_document: dict[int, list[Any]], parents: dict[int, int | None]) -> dict[int, list[Any]]:
    """Each document's redactions with the *text* redactions of its whole family added: an e-mail and the
    attachments taken from it (``documents.parent_id``) are one document in parts, and a word or phrase
    redacted anywhere in it is redacted in every part (docs/redaction.md, "By text"). Region redactions
    stay on their own document's page. ``by_document``: document id → redaction marks (``kind``,
    ``term``, …); ``parents``: document id → parent id (None at the top). Returns a new mapping."""
    terms: dict[int, list[Any]] = {}
    for doc_id, marks in by_document.items():
        family = terms.setdefault(_root(doc_id, parents), [])
        family.extend(m for m in marks if m.kind == "text" and m.term)
    out: dict[int, list[Any]] = {}
    for doc_id in set(by_document) | {d for d in parents if _root(d, parents) in terms}:
        own = list(by_document.get(doc_id, []))
        have = {m.term.casefold() for m in own if m.kind == "text" and m.term}
        for m in terms.get(_root(doc_id, parents), []):
            if m.term.casefold() not in have:
                have.add(m.term.casefold())
                own.append(m)
        if own:
            out[doc_id] = own
    return out


def released_now(case: Case, ctx: Any) -> list[Document]:
    """The documents the decision being fired releases, in aktliste order: assessed to be released in
    full or in part, and not released by an earlier partial decision (docs/domain.md, "Delafgørelse")."""
    from ..approval import releasable
    from ..case_letters import register_order
    from ..states.guards import released_before

    ids = {d.id for d in releasable(case, released_before(ctx))}
    return [d for d in register_order(case.documents) if d.id in ids]


def request_package(case: Case, ctx: Any) -> ReleasePackage | None:
    """The effect ``MakeReleasePackage``: a pending package for the decision being fired, and its outbox
    item (made after commit). Records ``package`` (id and document count) in the event. A decision that
    releases no document (a refusal, nothing found) has no package: the letter is all the requester gets."""
    from ..outbox import enqueue

    docs = released_now(case, ctx)
    if not docs:
        return None
    row = ReleasePackage(
        case_id=case.id,
        event_seq=case.version + 1,
        trigger=ctx.trigger,
        document_ids=[d.id for d in docs],
        status="pending",
        created_at=ctx.now,
        archive_status="pending",
    )
    ctx.session.add(row)
    ctx.session.flush()
    enqueue(ctx.session, KIND, {"package_id": row.id}, f"package-{row.id}", case_id=case.id, now=ctx.now)
    ctx.recorded["package"] = {"id": row.id, "documents": len(docs)}
    return row


def _numbered(session: Session, case: Case, ids: list[int]) -> list[tuple[int, Document]]:
    """The documents ``ids`` with their aktliste numbers, in aktliste order."""
    from ..case_letters import register_order

    wanted = set(ids)
    return [(n, d) for n, d in enumerate(register_order(case.documents), start=1) if d.id in wanted]


def _loader(db: Any, document_id: int) -> Callable[[], bytes]:
    def load() -> bytes:
        with db.session() as s:
            return s.scalar(select(Document.content).where(Document.id == document_id)) or b""

    return load


def screened_clean(document: Document) -> str | None:
    """The SHA-256 of ``document``'s stored file when screening read every part of it (status
    ``screened``, ``complete``) and the text it read shows no CPR number (aktflow/screening/cpr.py's
    rule); None otherwise. The package does not read such a PDF's pages a second time when it is released
    unchanged (:class:`aktflow.release.package.PackageDocument`)."""
    from ..screening.cpr import find_cprs

    if document.status != "screened" or document.complete is not True or document.sha256 is None:
        return None
    text = document.text
    if text is None or find_cprs(text):
        return None
    return document.sha256


def _package_documents(db: Any, session: Session, case: Case, ids: list[int]) -> list[PackageDocument]:
    """What :func:`build` needs of each released document; raises PackageBlocked for one without a file."""
    out = []
    for number, d in _numbered(session, case, ids):
        if not d.filename or d.status == "refused" or d.sha256 is None:
            raise PackageBlocked(
                f"Dokument {number} ('{mask(d.title)}') har ingen fil, der kan udleveres; tilføj filen, "
                "eller vurdér dokumentet til afslag"
            )
        if d.status == "pending":
            raise PackageBlocked(f"Dokument {number} ('{mask(d.title)}') er endnu ikke gennemgået")
        # The package names each document as the aktliste prints it (a neutral "Dokument nr. N" where the
        # original title would tell what was withheld): its bookmarks and the .zip's file names leave the
        # building too (docs/release.md).
        title = released_row(case, d, number)["released_title"]
        out.append(
            PackageDocument(
                number, title, d.filename, _loader(db, d.id), document_id=d.id, screened=screened_clean(d)
            )
        )
    return out


def package_filename(case: Case, suffix: str = ".pdf") -> str:
    """``udleveringspakke-<sagsnummer>.pdf`` (or ``sag-<id>`` before the case has a number)."""
    import re

    ref = re.sub(r"[^A-Za-z0-9._-]+", "-", mask(case.sagsnummer or f"sag-{case.id}")).strip(".-") or "sag"
    return f"udleveringspakke-{ref[:100]}{suffix}"


def _letter_pdf(db: Any, letter_id: int) -> bytes:
    from ..case_letters import letter_pdf

    try:
        pdf = letter_pdf(db, letter_id)
    except RuntimeError:
        raise PackageBlocked("Afgørelsesbrevet kunne ikke gøres til PDF med LibreOffice") from None
    if pdf is None:
        raise PackageBlocked(convert.NO_LIBREOFFICE.format(what="afgørelsesbrevet"))
    return pdf


def deliver(db: Any, item: Any, *, archive: Any = None, prepare: Prepare | None = None) -> dict[str, Any]:
    """Outbox handler for ``make_package``: make the pending package ``item.payload["package_id"]``.

    Idempotent: a package already made is not made again. Raises ``outbox.NotReady`` while the decision's
    letter waits for the archive's case number. A blocked package is stored with its reason (the item is
    done: nothing would change by trying again). Journalising: in the same transaction as the package is
    stored, the archive's ``journalise_package``: the local archive keeps the package in aktflow's own
    database (journalised at once); SBSYS writes an outbox item ``journalise_package`` that sends the PDF
    (and the .zip) to the A53 case after commit.
    """
    from ..outbox import NotReady

    package_id = item.payload["package_id"]
    with db.session() as s:
        row = s.get(ReleasePackage, package_id)
        if row is None:
            return {"missing": True}
        if row.status != "pending":
            return {"existing": True, "status": row.status}
        case = s.get(Case, row.case_id)
        event_id = s.scalar(select(Event.id).where(Event.case_id == case.id, Event.seq == row.event_seq))
        kind = LETTER_KINDS.get(row.trigger, "afgoerelse")
        letter_id = s.scalar(
            select(Letter.id)
            .where(Letter.case_id == case.id, Letter.event_id == event_id, Letter.kind == kind)
            .order_by(Letter.id.desc())
            .limit(1)
        )
        if event_id is None or letter_id is None:
            raise NotReady()
        try:
            documents = _package_documents(db, s, case, list(row.document_ids))
            blocked = None
        except PackageBlocked as exc:
            documents, blocked = [], exc.message
        sagsnummer = case.sagsnummer or f"sag {case.id}"
        filename = package_filename(case)
        case_id = case.id
    hook = prepare or prepare_for(db, case_id)
    built: BuiltPackage | None = None
    checks: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="aktflow-package-") as tmp:
        folder = Path(tmp)
        if blocked is None:
            try:
                built = build(
                    folder / "pakke.pdf",
                    sagsnummer=sagsnummer,
                    letter_pdf=_letter_pdf(db, letter_id),
                    documents=documents,
                    prepare=hook,
                    zip_out=folder / "pakke.zip" if len(documents) >= ZIP_FROM else None,
                    workdir=folder,
                )
            except PackageBlocked as exc:
                blocked, checks = exc.message, list(exc.checks)
        with db.session() as s:
            row = s.get(ReleasePackage, package_id)
            if row.status != "pending":  # made by another worker meanwhile
                return {"existing": True, "status": row.status}
            row.event_id = event_id
            row.made_at = utcnow()
            if built is None:
                row.status, row.reason = "blocked", blocked
                row.checks = checks
            else:
                row.status = "ready"
                row.checks = list(built.checks)
                row.pdfa = built.conformance
                row.filename = filename
                row.content = built.path.read_bytes()
                row.sha256, row.size, row.pages = built.sha256, built.size, built.pages
                if built.zip_path is not None:
                    row.zip_content = built.zip_path.read_bytes()
                    row.zip_sha256 = built.zip_sha256
                s.flush()
                if archive is not None:
                    # The local archive marks it journalised at once; SBSYS writes an outbox item.
                    archive.journalise_package(s, row, now=utcnow())
                else:  # no archive given: kept in aktflow's own database, as the local archive does
                    row.archive_status = "journalised"
                    row.archive_doc_id = f"local-pakke-{row.id}"
            s.commit()
            return {"status": row.status, "sha256": row.sha256, "reason": row.reason}


# --- the read side --------------------------------------------------------------------------------------


def packages_of(session: Session, case_id: int) -> list[dict[str, Any]]:
    """The case's packages, newest last: id, trigger, status (and its Danish label), the reason a blocked
    one was blocked, file name, SHA-256, size in bytes, pages, document count, whether a .zip exists,
    when it was asked for and made (ISO 8601, UTC), each file's check (``checks``: :func:`check_row`) and
    whether every file passed (``checked``: True, False, or None when no check is recorded), and whether
    the PDF is PDF/A-2b (``pdfa``: :func:`_pdfa`)."""
    rows = session.execute(
        select(
            ReleasePackage.id,
            ReleasePackage.trigger,
            ReleasePackage.status,
            ReleasePackage.reason,
            ReleasePackage.filename,
            ReleasePackage.sha256,
            ReleasePackage.size,
            ReleasePackage.pages,
            ReleasePackage.document_ids,
            ReleasePackage.zip_sha256,
            ReleasePackage.created_at,
            ReleasePackage.made_at,
            ReleasePackage.archive_status,
            ReleasePackage.checks,
            ReleasePackage.pdfa,
        )
        .where(ReleasePackage.case_id == case_id)
        .order_by(ReleasePackage.id)
    ).all()
    return [
        {
            "id": r[0],
            "trigger": r[1],
            "status": r[2],
            "status_label": STATUS_LABELS.get(r[2], r[2]),
            "reason": mask(r[3]),
            "filename": mask_filename(r[4]) if r[4] else None,
            "sha256": r[5],
            "size": r[6],
            "pages": r[7],
            "documents": len(r[8] or []),
            "has_zip": r[9] is not None,
            "created": r[10].isoformat(timespec="seconds"),
            "made": r[11].isoformat(timespec="seconds") if r[11] else None,
            "archive_status": r[12],
            "checks": [check_row(c) for c in r[13] or []],
            "checked": _checked(r[2], r[13]),
            "pdfa": _pdfa(r[14]),
        }
        for r in rows
    ]


def _pdfa(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """Whether the package PDF is PDF/A-2b (``{"pdfa", "flavour", "reason"}``, the reason with CPR numbers
    masked), or None for a package not made yet or made before this was stored."""
    if not stored:
        return None
    reason = stored.get("reason")
    return {
        "pdfa": bool(stored.get("pdfa")),
        "flavour": stored.get("flavour"),
        "reason": mask(reason) if reason else None,
    }


def _checked(status: str, checks: list[dict[str, Any]] | None) -> bool | None:
    """True when every file of a ready package passed its checks; False when one failed; None when the
    package has no recorded checks (pending, or made before the checks were stored)."""
    if not checks:
        return None
    return status == "ready" and all(c.get("ok") for c in checks)


def check_row(check: dict[str, Any]) -> dict[str, Any]:
    """One file's stored check as the read side shows it (file names pass the exit filter): ``{"file",
    "number", "document_id", "sha256", "pages", "checked_at", "ok", "checks": [{"check", "ok", "source",
    "read", …}]}``."""
    return {
        **check,
        "file": mask_filename(str(check.get("file") or "")),
        "checks": [{**c, "reason": mask(c["reason"]) if c.get("reason") else None} for c in check["checks"]],
    }


def case_packages(db: Any, case_id: int, *, actor: str | None = None) -> list[dict[str, Any]]:
    """:func:`packages_of` in a session of its own. Raises NotFound for an unknown case; with ``actor``
    (a username) the user must be an active user who may see the case (:func:`check_reader`), else
    ValidationError / PermissionDenied."""
    with db.session() as s:
        if s.get(Case, case_id) is None:
            raise NotFound(f"sag {case_id} findes ikke")
        if actor is not None:
            check_reader(s, actor, case_id)
        return packages_of(s, case_id)


def package_file(
    db: Any, case_id: int, package_id: int | None = None, *, zipped: bool = False, actor: str | None = None
) -> tuple[str, bytes]:
    """The stored package ``package_id`` of case ``case_id`` (default: the latest one that is ready) as
    (file name, bytes); with ``zipped`` its .zip of the individual PDFs.

    Raises NotFound when there is no such package on the case (or no .zip of it), PackageNotReady when it
    is still being made or blocked (the message says why). With ``actor`` (a username), the user must be
    an active user who may see the case (aktflow.case_access), else ValidationError or PermissionDenied.
    """
    with db.session() as s:
        if actor is not None:
            check_reader(s, actor, case_id)
        q = select(ReleasePackage).where(ReleasePackage.case_id == case_id)
        if package_id is not None:
            q = q.where(ReleasePackage.id == package_id)
        else:
            q = q.where(ReleasePackage.status == "ready")
        row = s.scalar(
            q.order_by(ReleasePackage.id.desc())
            .limit(1)
            .options(undefer(ReleasePackage.content), undefer(ReleasePackage.zip_content))
        )
        if row is None:
            raise NotFound(
                f"sag {case_id} har ingen udleveringspakke" + (f" {package_id}" if package_id else "")
            )
        if row.status == "pending":
            raise PackageNotReady(f"udleveringspakke {row.id} er ved at blive dannet; prøv igen om lidt")
        if row.status == "blocked" or row.content is None:
            raise PackageNotReady(f"udleveringspakke {row.id} er blokeret: {mask(row.reason or '')}")
        name = mask_filename(row.filename or "udleveringspakke.pdf")
        if zipped:
            if row.zip_content is None:
                raise NotFound(f"udleveringspakke {row.id} har ingen .zip (under {ZIP_FROM} dokumenter)")
            return name[:-4] + ".zip", row.zip_content
        return name, row.content


def check_reader(session: Session, username: str, case_id: int) -> User:
    """The acting user of a download or preview, who must be active and may see the case in full
    (need-to-know, :func:`aktflow.case_access.require_view_as`); raises ValidationError for an unknown or
    inactive user, PermissionDenied for a sensitive case they may not see, NotFound for an unknown case."""
    from ..case_access import require_view_as

    return require_view_as(session, username, case_id)


def preview(
    db: Any,
    case_id: int,
    out: Path,
    *,
    actor: str,
    today: dt.date,
    prepare: Prepare | None = None,
    max_documents: int | None = None,
) -> BuiltPackage:
    """The package of what a decision would release now (the afgørelse rendered as a draft, the documents
    assessed to be released that no partial decision released yet), written to ``out``; nothing is stored.

    Raises NotFound (no such case), ValidationError (unknown user; more than ``max_documents`` documents),
    PackageBlocked (with the reason).
    """
    import letters

    from ..approval import releasable
    from ..case_letters import render

    with db.session() as s:
        user = check_reader(s, actor, case_id)
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"sag {case_id} findes ikke")
        before = [
            i
            for data in s.scalars(
                select(Event.data).where(Event.case_id == case_id, Event.trigger == "send_partial_decision")
            )
            for i in (data or {}).get("released") or []
        ]
        ids = [d.id for d in releasable(case, before)]
        if max_documents is not None and len(ids) > max_documents:
            raise ValidationError(
                "preview",
                f"udkastet ville rumme {len(ids)} dokumenter (højst {max_documents} her); "
                "dan det med 'aktflow case package'",
            )
        documents = _package_documents(db, s, case, ids)
        _, docx = render(s, case, "afgoerelse", {"_trigger": "send_decision"}, actor=user, today=today)
        sagsnummer = case.sagsnummer or f"sag {case.id}"
    if convert.soffice() is None:
        raise PackageBlocked(convert.NO_LIBREOFFICE.format(what="afgørelsesbrevet"))
    try:
        letter = letters.to_pdf(docx)
    except RuntimeError:
        raise PackageBlocked("Afgørelsesbrevet kunne ikke gøres til PDF med LibreOffice") from None
    if letter is None:
        raise PackageBlocked(convert.NO_LIBREOFFICE.format(what="afgørelsesbrevet"))
    return build(
        out,
        sagsnummer=sagsnummer,
        letter_pdf=letter,
        documents=documents,
        prepare=prepare or prepare_for(db, case_id),
    )
