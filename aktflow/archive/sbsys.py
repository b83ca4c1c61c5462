"""The SBSYS adapter: A53 (and K02) cases, letters, release packages and reminders in the municipality's
SBSYS, via the outbox.

Inside a unit of work the adapter only writes outbox rows; the handlers it offers
(:meth:`SbsysArchive.outbox_handlers`) do the HTTP work after commit with its one
:class:`~aktflow.archive.sbsys_client.SbsysClient`. Every delivery is idempotent: a case is
created at most once (a retry first searches for the case a failed attempt may have made, by its title,
which carries the aktflow reference), and a delivered item is never delivered again.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import Database
from ..exits import mask, mask_filename
from ..labels import LETTER_TITLES
from ..models import Case, CaseDeadline, Letter, OutboxItem, ReleasePackage, utcnow
from ..outbox import DeliveryError, Handler, NotReady, enqueue
from ..vocabulary import DECISION_RULES, DOCX_MIME
from .sbsys_client import SbsysClient, SbsysConfig, SbsysConfigError, SbsysError

DOCX = DOCX_MIME
CLOSED_STATUS = "Afsluttet"
LETTER_NAMES = LETTER_TITLES  # the document titles in the SBSYS journal


def case_title(ref: str, subject: str, facet: str) -> str:
    """The archive case's title; the reference "(aktflow N)" lets a retry find a case it already made.

    The subject passes the exit filter (:func:`aktflow.exits.mask`) before it is cut to 150 characters, so
    a CPR number in the request's subject reaches SBSYS as ``XXXXXX-XXXX``, and never half of one.
    """
    if facet == "K02":
        return f"Klage over afgørelse om aktindsigt (aktflow {ref})"
    return f"Aktindsigt: {mask(subject)[:150]} (aktflow {ref})"


class SbsysArchive:
    """The archive port on SBSYS, for one installation's settings (built once, by ``aktflow.bootstrap``).

    ``transport`` is an optional httpx transport for the client (tests). The client, with its token cache,
    is made on first use and shared by every delivery in the process.
    """

    name = "sbsys"
    # Letters wait for the SBSYS case number before they are rendered (a kvittering must carry it).
    defer_letters = True

    def __init__(self, config: SbsysConfig, *, transport: httpx.BaseTransport | None = None):
        self.config = config
        self._transport = transport
        self._client: SbsysClient | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> SbsysClient:
        """The client for this installation (one per adapter, hence one token cache per process)."""
        with self._lock:
            if self._client is None:
                self._client = SbsysClient(self.config, self._transport)
            return self._client

    def close(self) -> None:
        """Close the client's connections (a new client is made if the adapter is used again)."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def outbox_handlers(self) -> dict[str, Handler]:
        """The deliveries after commit: create_case, journalise, journalise_package, set_status and
        reminder."""
        return {kind: functools.partial(self.deliver, kind) for kind in _HANDLERS}

    def deliver(self, kind: str, db: Database, item: OutboxItem) -> dict[str, Any] | None:
        """Deliver one item of ``kind``; SBSYS's errors become ``DeliveryError`` (retryable or not)."""
        try:
            return _HANDLERS[kind](self.client, db, item)
        except SbsysConfigError as e:
            raise DeliveryError(e.message, retryable=False) from None
        except SbsysError as e:
            raise DeliveryError(f"SBSYS: {e.message}", retryable=e.retryable) from None

    def open_case(self, session: Session, case: Case, *, facet: str, now: dt.datetime) -> str | None:
        ref = f"{case.id}" if facet == "A53" else f"{case.id}-{case.version + 1}"
        enqueue(
            session,
            "create_case",
            {"case_id": case.id, "facet": facet, "ref": ref},
            f"create-{ref}-{facet}",
            case_id=case.id,
            now=now,
        )
        return None

    def journalise(self, session: Session, case: Case, letter: Letter, *, now: dt.datetime) -> None:
        letter.archive_status = "pending"
        enqueue(
            session,
            "journalise",
            {"letter_id": letter.id},
            f"journalise-{letter.id}",
            case_id=case.id,
            now=now,
        )

    def journalise_package(self, session: Session, package: ReleasePackage, *, now: dt.datetime) -> None:
        """Journalise a made release package on the A53 case after commit: its PDF, and its .zip when it
        has one (outbox kind ``journalise_package``); the package's archive status is pending till then."""
        package.archive_status = "pending"
        enqueue(
            session,
            "journalise_package",
            {"package_id": package.id},
            f"journalise-package-{package.id}",
            case_id=package.case_id,
            now=now,
        )

    def case_closed(self, session: Session, case: Case, *, now: dt.datetime) -> None:
        enqueue(
            session,
            "set_status",
            {"case_id": case.id, "status": CLOSED_STATUS},
            f"status-{case.id}-{case.version + 1}",
            case_id=case.id,
            now=now,
        )


# --- delivery -----------------------------------------------------------------------------------------


def _create_case(sb: SbsysClient, db: Database, item: OutboxItem) -> dict[str, Any]:
    facet = item.payload.get("facet", "A53")
    with db.session() as s:
        case = s.get(Case, item.payload["case_id"])
        if facet == "A53" and case.archive_case_id:
            return {"Id": case.archive_case_id, "Nummer": case.sagsnummer, "existing": True}
        title = case_title(item.payload.get("ref", str(case.id)), case.subject, facet)
        emne, cpr, cvr = case.emne, case.requester_cpr, case.requester_cvr
        logon = case.assignee.username if case.assignee else None
    found = sb.search_cases(SagsTitel=title)
    if found:
        made, existing = found[0], True
    else:
        party = None
        if cpr:
            pid = sb.find_person(cpr)
            party = (pid, "Person") if pid else None
        elif cvr:
            pid = sb.find_company(cvr)
            party = (pid, "Firma") if pid else None
        caseworker = sb.find_user(logon) if logon else None
        made = sb.create_case(
            title=title,
            template_id=sb.config.template_for(emne),
            caseworker_id=caseworker,
            party=party,
            emne=emne,
            facet=facet,
        )
        existing = False
    archive_id, number = str(made["Id"]), made.get("Nummer")
    if facet == "A53":
        with db.session() as s:
            # Archive facts, not workflow: no new version, so nobody's open page turns stale.
            s.execute(
                update(Case)
                .where(Case.id == item.payload["case_id"])
                .values(archive_case_id=archive_id, sagsnummer=number)
            )
            enqueue(
                s,
                "reminder",
                {"case_id": item.payload["case_id"]},
                f"reminder-{item.payload['case_id']}",
                case_id=item.payload["case_id"],
                now=utcnow(),
            )
            s.commit()
    return {"Id": archive_id, "Nummer": number, "facet": facet, "existing": existing}


def _was_sent(item: OutboxItem) -> bool:
    """Whether an earlier attempt may have reached SBSYS (it was marked just before sending)."""
    return bool((item.result or {}).get("sending_since"))


def _mark_sending(db: Database, item: OutboxItem) -> None:
    """Record, before a call that SBSYS cannot repeat safely, that it may be under way (for retries)."""
    if _was_sent(item):
        return
    with db.session() as s:
        s.execute(
            update(OutboxItem)
            .where(OutboxItem.id == item.id)
            .values(result={"sending_since": utcnow().isoformat()})
        )
        s.commit()


def _archive_case_id(db: Database, case_id: int) -> str:
    with db.session() as s:
        archive_id = s.scalar(select(Case.archive_case_id).where(Case.id == case_id))
    if not archive_id:
        raise NotReady()
    return archive_id


def _journalise(sb: SbsysClient, db: Database, item: OutboxItem) -> dict[str, Any]:
    with db.session() as s:
        letter = s.get(Letter, item.payload["letter_id"])
        if letter.archive_status == "journalised":
            return {"existing": True, "archive_doc_id": letter.archive_doc_id}
        case_id, kind, filename, content, created = (
            letter.case_id,
            letter.kind,
            letter.filename,
            letter.content,
            letter.created_at,
        )
    archive_id = _archive_case_id(db, case_id)
    description = mask(
        f"{LETTER_NAMES.get(kind, kind)}, {created:%d.%m.%Y} (aktflow brev {item.payload['letter_id']})"
    )
    found = sb.search_documents(case_id=archive_id, description=description) if _was_sent(item) else []
    if found:
        doc = found[0]
    else:
        _mark_sending(db, item)
        doc = sb.journalise(
            case_id=archive_id,
            name=mask(LETTER_NAMES.get(kind, kind)),
            description=description,
            filename=mask_filename(filename),
            content=content,
            content_type=DOCX,
        )
    doc_id = str(doc.get("Id") or doc.get("DokumentID") or "")
    with db.session() as s:
        s.execute(
            update(Letter)
            .where(Letter.id == item.payload["letter_id"])
            .values(archive_status="journalised", archive_doc_id=doc_id or None, archive_error=None)
        )
        s.commit()
    return {"archive_doc_id": doc_id}


PDF_MIME = "application/pdf"
ZIP_MIME = "application/zip"
PACKAGE_NAME = "Udleveringspakke"


def _journalise_package(sb: SbsysClient, db: Database, item: OutboxItem) -> dict[str, Any]:
    """Journalise a ready release package on its A53 case: the PDF, then the .zip of the individual PDFs
    when there is one, each a document of its own (``OmfattetAfAktindsigt``). Idempotent: a retry after an
    attempt that may have reached SBSYS first searches each file by its description (which carries the
    package's id) and sends only what is not there. Waits (NotReady) for the case's archive number."""
    from sqlalchemy.orm import undefer

    package_id = item.payload["package_id"]
    with db.session() as s:
        row = s.get(
            ReleasePackage,
            package_id,
            options=[undefer(ReleasePackage.content), undefer(ReleasePackage.zip_content)],
        )
        if row is None or row.status != "ready" or row.content is None:
            raise DeliveryError(f"udleveringspakke {package_id} er ikke klar", retryable=False)
        if row.archive_status == "journalised":
            return {"existing": True, "archive_doc_id": row.archive_doc_id}
        case_id, made = row.case_id, row.made_at or row.created_at
        filename = row.filename or f"udleveringspakke-{package_id}.pdf"
        files = [("pdf", PACKAGE_NAME, filename, row.content, PDF_MIME)]
        if row.zip_content is not None:
            zipname = filename.rsplit(".", 1)[0] + ".zip"
            files.append(("zip", f"{PACKAGE_NAME}, enkeltfiler", zipname, row.zip_content, ZIP_MIME))
    archive_id = _archive_case_id(db, case_id)
    ids: dict[str, str] = {}
    for part, name, fname, content, mime in files:
        suffix = "" if part == "pdf" else ", zip"
        description = mask(f"{PACKAGE_NAME}, {made:%d.%m.%Y} (aktflow pakke {package_id}{suffix})")
        found = sb.search_documents(case_id=archive_id, description=description) if _was_sent(item) else []
        if found:
            doc = found[0]
        else:
            _mark_sending(db, item)
            doc = sb.journalise(
                case_id=archive_id,
                name=mask(name),
                description=description,
                filename=mask_filename(fname),
                content=content,
                content_type=mime,
            )
        ids[part] = str(doc.get("Id") or doc.get("DokumentID") or "")
    with db.session() as s:
        # Archive facts, not content: the package's immutability covers its files, hash and status only.
        s.execute(
            update(ReleasePackage)
            .where(ReleasePackage.id == package_id)
            .values(archive_status="journalised", archive_doc_id=ids.get("pdf") or None)
        )
        s.commit()
    return {"archive_doc_id": ids.get("pdf"), "zip_doc_id": ids.get("zip")}


def _set_status(sb: SbsysClient, db: Database, item: OutboxItem) -> dict[str, Any]:
    archive_id = _archive_case_id(db, item.payload["case_id"])
    wanted = item.payload.get("status", CLOSED_STATUS)
    status = next((x for x in sb.status_list() if str(x.get("Navn", "")).lower() == wanted.lower()), None)
    if status is None:
        raise DeliveryError(f"SBSYS kender ikke sagsstatus {wanted!r}", retryable=False)
    sb.set_status(archive_id, status["Id"], "Aktindsigtssagen er afsluttet i aktflow")
    return {"status": status["Id"]}


def _reminder(sb: SbsysClient, db: Database, item: OutboxItem) -> dict[str, Any]:
    archive_id = _archive_case_id(db, item.payload["case_id"])
    with db.session() as s:
        d = s.scalar(
            select(CaseDeadline)
            .where(
                CaseDeadline.case_id == item.payload["case_id"],
                CaseDeadline.active.is_(True),
                CaseDeadline.rule.in_(DECISION_RULES),
            )
            .order_by(CaseDeadline.due)
            .limit(1)
        )
        if d is None:
            return {"skipped": "ingen afgørelsesfrist"}
        due, explanation = d.due, d.explanation
    name = "Frist for afgørelse om aktindsigt"
    found = sb.search_reminders(case_id=archive_id, name=name) if _was_sent(item) else []
    if found:
        return {"Id": found[0].get("Id"), "existing": True}
    _mark_sending(db, item)
    made = sb.add_reminder(case_id=archive_id, name=name, description=explanation, deadline=due)
    return {"Id": made.get("Id") if isinstance(made, dict) else None, "deadline": due.isoformat()}


_HANDLERS = {
    "create_case": _create_case,
    "journalise": _journalise,
    "journalise_package": _journalise_package,
    "set_status": _set_status,
    "reminder": _reminder,
}
