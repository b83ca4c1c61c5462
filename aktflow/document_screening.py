"""Reading and screening a document's file after it is stored, outside any database transaction.

The path of a file (docs/domain.md §4, flagging; docs/documents.md):

1. ``add_document`` (inside ``fire()``) runs :func:`accept`: the fast checks of
   :func:`aktflow.extraction.precheck` (name, size, type, an archive's declared size); a file refused there
   is refused at once and nothing is stored. Otherwise the file is stored with status ``pending`` ("under
   gennemgang") and a ``screen_document`` outbox item is written in the same transaction.
2. A worker claims the item (the outbox's claim: ``SKIP LOCKED`` on PostgreSQL) and :func:`process` reads
   the file with :func:`aktflow.extraction.extract_bounded` — in a child process with limits on time and
   memory, with no transaction open — and the attachments and embedded files it carries, recursively.
3. :func:`record` writes the result in one short transaction: the parts of the extracted text, the
   document's status (``screened``, or ``refused`` when a limit was hit: the content is then dropped), the
   attachments as documents of their own under their parent, a flag per kind of finding (naming the parts
   it was found in), a flag for every part that could not be read ("kunne ikke gennemgås automatisk —
   skal læses manuelt": unread is never clean), and the system event ``screen_document``.

Who runs step 2 is the ``AKTFLOW_SCREENING`` setting: ``background`` (a thread in the process that
stored the file starts at once and also picks up what other processes left), ``worker`` (only
``aktflow outbox run``), or ``inline`` (right after the commit, in the same call: the test suite and
single-user command-line use). ``start_screening`` and the decisions wait until no document is pending
(``states.guards.documents_screened``); ``aktflow case add-document`` waits for its document by default.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from .db import Database
from .errors import ConflictError
from .events import append_event, commit
from .exits import mask, mask_filename
from .flags import add_flag, screen
from .models import Case, Document, DocumentPart, MailMessage, OutboxItem, utcnow
from .outbox import enqueue, run_once
from .screening import CPR_LABEL, CPR_MASK, Finding, contains_cpr
from .screening import scan as scan_text
from .vocabulary import SYSTEM_ACTOR

log = logging.getLogger("aktflow.screening")

KIND = "screen_document"
UNREAD = "kunne ikke gennemgås automatisk — skal læses manuelt"
MODES = ("background", "worker", "inline")
_MAX_LABELS = 6  # part labels named in one flag reason before "m.fl."

__all__ = [
    "KIND",
    "UNREAD",
    "Read",
    "accept",
    "findings_in",
    "handler",
    "process",
    "process_pending",
    "record",
    "schedule",
    "wait",
]


# --- step 1: inside fire() -------------------------------------------------------------------------------


def accept(ctx: Any, case: Case, doc: Document, filename: str, content: bytes, lim: Any) -> None:
    """Check ``content`` fast and store it on ``doc`` (already added to the session) as pending.

    ``lim`` is the installation's ``aktflow.extraction.Limits``. Raises ``aktflow.extraction.Refused`` (a
    ValidationError on the field ``file``) for a file the fast checks refuse: nothing is stored then. The
    file name is screened as given and kept with any CPR number masked (:func:`stored_name`).
    """
    import hashlib

    from .extraction import check_filename, precheck

    content_type = precheck(filename, content, lim)
    filename = check_filename(filename)  # the name as checked: stripped, no folders or control characters
    screen_name(case, ctx, filename, f"Dokument '{doc.title}', filnavnet")  # as given, before masking
    doc.filename = stored_name(filename)
    doc.content_type = content_type
    doc.content = content
    doc.sha256 = hashlib.sha256(content).hexdigest()
    doc.status = "pending"
    ctx.session.flush()
    enqueue(
        ctx.session,
        KIND,
        {"document_id": doc.id},
        f"{KIND}:{doc.id}",
        case_id=case.id,
        now=ctx.now,
    )
    ctx.recorded["file"] = {"filename": doc.filename, "sha256": doc.sha256, "size": len(content)}
    ctx.recorded.setdefault("screening", []).append(doc.id)


def stored_name(name: str) -> str:
    """A file name as aktflow keeps it: CPR numbers masked the way a name is masked (a letter or an
    underscore next to the digits does not hide them: ``brev120385-1237.pdf``), at most 255 characters."""
    return mask_filename(name)[:255]


def screen_name(case: Case, ctx: Any, name: str, where: str) -> None:
    """Flag what a file name holds: the text rule, and a CPR number that only the name rule sees
    (``notat_120385-1237.pdf``, ``brev120385-1237.pdf``)."""
    screen(case, ctx, name, where)
    if CPR_MASK in mask_filename(name) and CPR_MASK not in name:
        _flag(case, ctx, f"{where}: {CPR_LABEL}")


# --- step 2: the worker ------------------------------------------------------------------------------------


@dataclass
class Read:
    """What reading one file gave: the extraction, or the Danish reason it was refused; its attachments."""

    filename: str
    content: bytes
    content_type: str | None = None
    extraction: Any = None  # aktflow.extraction.Extraction
    error: str | None = None
    children: list[Read] = field(default_factory=list)
    skipped: int = 0  # attachments beyond the limit on parts, not read (the document is flagged)
    # What screening found per part (in the order of the parts), computed before any transaction opens.
    findings: list[list[Finding]] = field(default_factory=list)
    # True when the file stays stored although it is marked unread (what was read could not be stored):
    # a person reads it from aktflow, nothing uploaded is lost.
    keep: bool = False


@dataclass
class _Budget:
    """What one upload may cost in all, attachments and embedded files included: a deadline (three times
    the time limit per file), the number of attached files (the limit on parts) and their bytes (the
    limit on unpacked size). What is left over when it runs out is flagged unread, never dropped."""

    deadline: float
    files: int
    size: int

    @classmethod
    def of(cls, lim: Any) -> _Budget:
        return cls(time.monotonic() + 3 * lim.max_seconds, lim.max_parts, lim.max_unpacked)


def _read(filename: str, content: bytes, lim: Any, depth: int = 0, budget: _Budget | None = None) -> Read:
    """Read and screen one file and, recursively, what it carries (up to ``lim.max_depth``), within one
    budget for the whole upload. Never raises Refused; runs outside any transaction."""
    from .extraction import Refused, extract, extract_bounded, precheck

    budget = budget or _Budget.of(lim)
    r = Read(filename, content)
    if time.monotonic() > budget.deadline:
        r.error = f"tiden for hele filen med bilag er brugt (højst {3 * lim.max_seconds:.0f} sekunder)"
        return r
    try:
        r.content_type = precheck(filename, content, lim)
        if r.content_type == "text/plain":
            r.extraction = extract(filename, content, lim)  # a size-limited decode: no child process
        else:
            r.extraction = extract_bounded(filename, content, lim)
    except Refused as e:
        r.error = mask(e.message)[:500]
        return r
    except Exception:  # noqa: BLE001 - a file no reader copes with is unread, never clean
        log.exception("reading a %s file failed", r.content_type or "unknown")
        r.error = "filen kunne ikke læses"
        return r
    r.findings = [findings_in(p.text) if p.read else [] for p in r.extraction.parts]
    for emb in r.extraction.children:
        if budget.files <= 0 or budget.size < len(emb.content):
            r.skipped += 1  # over the budget of the whole upload: flagged unread, not kept
            continue
        budget.files -= 1
        budget.size -= len(emb.content)
        if depth + 1 > lim.max_depth:
            r.children.append(
                Read(emb.filename, emb.content, error=f"indlejret for dybt (højst {lim.max_depth} niveauer)")
            )
        else:
            r.children.append(_read(emb.filename, emb.content, lim, depth + 1, budget))
    return r


def handler(lim: Any) -> Callable[[Database, OutboxItem], dict[str, Any]]:
    """The outbox handler of ``screen_document`` items under the limits ``lim``: :func:`process` the
    item's document (the composition root registers it, ``aktflow.bootstrap.outbox_handlers``)."""

    def handle(db: Database, item: OutboxItem) -> dict[str, Any]:
        return process(db, int(item.payload["document_id"]), lim=lim)

    return handle


def process(db: Database, document_id: int, *, lim: Any) -> dict[str, Any]:
    """Read and screen one pending document (step 2 and 3). Returns ``{"status", "document_id", …}``.

    A document no longer pending (already processed, or removed) is left as it is. Takes no transaction
    while reading; the result is written by :func:`record`.
    """
    with db.session() as s:
        row = s.execute(
            select(Document.filename, Document.content, Document.status).where(Document.id == document_id)
        ).first()
    if row is None:
        return {"document_id": document_id, "status": "removed"}
    filename, content, status = row
    if status != "pending":
        return {"document_id": document_id, "status": status}
    started = time.monotonic()
    result = _read(filename or "fil", content or b"", lim)
    log.info(
        "document %s read in %.2fs (%s)", document_id, time.monotonic() - started, result.error or "read"
    )
    try:
        return record(db, document_id, result)
    except ConflictError:
        raise
    except Exception:  # noqa: BLE001 - what was read could not be stored: the file is unread, never pending
        log.exception("document %s: the result of reading could not be stored", document_id)
        unread = Read(filename or "fil", b"", error="resultatet af læsningen kunne ikke gemmes", keep=True)
        return record(db, document_id, unread)


# --- step 3: the result ------------------------------------------------------------------------------------


class _Ctx:
    """What ``flags.add_flag`` needs of a fire context."""

    def __init__(self, session: Any, now: dt.datetime):
        self.session, self.now = session, now
        self.recorded: dict[str, Any] = {}


def record(db: Database, document_id: int, result: Read, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Write what reading gave, flag what was found or not read, and log ``screen_document`` (one commit).

    Retries when the case changed meanwhile (optimistic locking). Returns a summary for the outbox.
    """
    for attempt in range(5):
        try:
            return _record(db, document_id, result, now)
        except ConflictError:
            if attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _record(db: Database, document_id: int, result: Read, now: dt.datetime | None) -> dict[str, Any]:
    now = now or utcnow()
    with db.session() as session:
        doc = session.get(Document, document_id)
        if doc is None or doc.status != "pending":
            return {"document_id": document_id, "status": doc.status if doc else "removed"}
        case = session.get_one(Case, doc.case_id)
        ctx = _Ctx(session, now)
        summary = _apply(ctx, case, doc, result)
        append_event(
            session,
            case,
            trigger=KIND,
            from_state=case.state,
            to_state=case.state,
            actor=SYSTEM_ACTOR,
            note=None,
            data={**summary, **ctx.recorded},
            now=now,
        )
        commit(session)  # ConflictError when the case moved meanwhile: record() tries again
        return summary


def _apply(ctx: _Ctx, case: Case, doc: Document, result: Read) -> dict[str, Any]:
    """Store ``result`` on ``doc`` (and its attachments as new documents) and raise the flags."""
    from .aktliste import prefill

    now = ctx.now
    title = doc.title
    doc.screened_at = now
    summary: dict[str, Any] = {"document_id": doc.id}
    if result.extraction is None:
        doc.status, doc.complete, doc.error = "refused", False, result.error
        if not result.keep:
            doc.content = None  # a refused file is not kept: it must be read by a person from its source
        _flag(case, ctx, f"Dokument '{title}': {UNREAD} ({result.error})")
        summary.update(status="refused", error=result.error)
        return summary
    ex = result.extraction
    doc.status, doc.complete, doc.error = "screened", ex.complete, None
    doc.content_type = ex.content_type
    doc.text = _clean(ex.text)
    for i, part in enumerate(ex.parts, start=1):
        ctx.session.add(
            DocumentPart(
                document=doc,
                seq=i,
                label=mask(_clean(part.label))[:200],
                text=_clean(part.text),
                read=part.read,
                ocr_confidence=part.ocr_confidence,
                reason=(part.reason or None) and part.reason[:500],
            )
        )
    unread = [p.label for p in ex.parts if not p.read]
    if not ex.parts:
        unread = ["hele filen"]
    if unread:
        _flag(case, ctx, f"Dokument '{title}': {UNREAD} ({_labels(unread)})")
    if result.skipped:
        _flag(
            case,
            ctx,
            f"Dokument '{title}': {UNREAD} ({result.skipped} vedhæftede filer ud over grænsen for hele "
            "filen: antal dele AKTFLOW_MAX_PARTS eller udpakket størrelse AKTFLOW_MAX_UNPACKED)",
        )
        summary["skipped_attachments"] = result.skipped
    found: dict[tuple[str, str], list[str]] = {}
    for part, part_findings in zip(ex.parts, result.findings, strict=False):
        for f in part_findings:
            found.setdefault((f.label, f.ref), []).append(part.label)
    # The request mail itself (the document intake made of the requester's own mail) follows the request
    # text's rule: when every CPR number in it is the requester's own (``cases.requester_cpr``), it is
    # flagged as the request's, which does not make the case sensitive (docs/access.md). Anyone else's
    # number (a neighbour's, a quoted thread's), its attachments and art. 9/10 findings count.
    request_mail = (
        doc.parent_id is None
        and _is_request_mail(ctx.session, doc.id)
        and _only_own_cpr(case, [p.text for p in ex.parts])
    )
    for (label, ref), where in found.items():
        what = f"{label} ({ref})" if ref else label
        place = (
            f"Anmodningens e-mail '{title}'" if request_mail and label == CPR_LABEL else f"Dokument '{title}'"
        )
        _flag(case, ctx, f"{place}: {what} — {_labels(where)}")
    if (found or unread) and doc.released_title == title:
        doc.released_title = None  # the aktliste's untouched prefill of a flagged file: neutral (aktliste.py)
    summary.update(
        status="screened",
        parts=len(ex.parts),
        unread=len(unread),
        ocr=sum(1 for p in ex.parts if p.ocr_confidence is not None),
    )
    children = []
    for child in result.children:
        # An attachment's name is screened like the uploaded file's (flags.screen masks the place).
        screen_name(case, ctx, child.filename, f"Dokument '{stored_name(child.filename)}', filnavnet")
        cdoc = Document(
            case=case,
            parent_id=doc.id,
            title=stored_name(child.filename)[:300] or "vedhæftet fil",
            doc_date=doc.doc_date,
            sender=doc.sender,
            recipient=doc.recipient,
            filename=stored_name(child.filename),
            content_type=child.content_type,
            content=child.content if child.extraction is not None else None,
            sha256=_sha256(child.content),
            status="pending",
            created_at=now,
            released_title=prefill(stored_name(child.filename)[:300] or "vedhæftet fil"),
            released_sender=doc.released_sender,
        )
        ctx.session.add(cdoc)
        ctx.session.flush()
        children.append(_apply(ctx, case, cdoc, child))
    if children:
        summary["attachments"] = children
    return summary


def _only_own_cpr(case: Case, texts: list[str]) -> bool:
    """Whether every CPR number in ``texts`` is the requester's own (``case.requester_cpr``, digits);
    False when the requester's number is not known."""
    from .screening.cpr import cpr_digits, find_cprs

    own = cpr_digits(case.requester_cpr or "")
    if not own:
        return False
    return all(cpr_digits(t[a:b]) == own for t in texts for a, b in find_cprs(t or ""))


def _is_request_mail(session: Any, document_id: int) -> bool:
    """Whether the document is the mail a case was made from (``mail_messages``, kind ``case``)."""
    return (
        session.scalar(
            select(MailMessage.id).where(MailMessage.document_id == document_id, MailMessage.kind == "case")
        )
        is not None
    )


def findings_in(text: str) -> list[Finding]:
    """What screening finds in one part's text (:func:`aktflow.screening.scan`), and a CPR number joined to a
    word by an underscore (a merge field ``cpr_120385-1237``, a name ``notat_120385-1237``) as well: the
    exit filter masks those (``aktflow.exits.mask``), so a part that shows one masked is never clean."""
    found = scan_text(text)
    if "_" in text and not any(f.kind == "cpr" for f in found) and contains_cpr(text.replace("_", " ")):
        found.insert(0, Finding("cpr", CPR_LABEL))
    return found


def _flag(case: Case, ctx: _Ctx, reason: str) -> None:
    """Raise a screening flag whose reason passes the exit filter: a document's title or a part's label
    (a form field's name, a comment's author) may hold a CPR number, and a flag never repeats one."""
    add_flag(case, ctx, mask(_clean(reason)), "screening")


def _clean(text: str) -> str:
    """Text fit for a database column: without NUL characters (PostgreSQL refuses them in text)."""
    return text.replace("\x00", "") if "\x00" in text else text


def _labels(labels: list[str]) -> str:
    labels = list(dict.fromkeys(labels))
    shown = ", ".join(labels[:_MAX_LABELS])
    return shown + (f" m.fl. ({len(labels)} dele)" if len(labels) > _MAX_LABELS else "")


def _sha256(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(content).hexdigest()


# --- who runs step 2 ---------------------------------------------------------------------------------------


def process_pending(
    db: Database, lim: Any, *, case_id: int | None = None, limit: int = 100
) -> dict[str, int]:
    """Process the due ``screen_document`` items (of one case, or all), claimed one by one. Returns counts."""
    return run_once(db, handler(lim), case_id=case_id, kinds=(KIND,), limit=limit)


def wait(db: Database, document_ids: Iterable[int], lim: Any, *, timeout: float | None = None) -> bool:
    """Process (or wait for another worker to finish) the given documents; True when none is pending.

    ``timeout`` in seconds (default: the time limit per file times the number of documents, plus 30 s).
    """
    ids = list(document_ids)
    if not ids:
        return True
    end = time.monotonic() + (timeout if timeout is not None else lim.max_seconds * len(ids) + 30)
    case_ids = _case_ids(db, ids)
    while True:
        for cid in case_ids:
            process_pending(db, lim, case_id=cid)
        if not _pending(db, ids):
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.2)


def _case_ids(db: Database, ids: list[int]) -> list[int]:
    with db.session() as s:
        return sorted(set(s.scalars(select(Document.case_id).where(Document.id.in_(ids)))))


def _pending(db: Database, ids: list[int]) -> bool:
    with db.session() as s:
        return (
            s.scalar(select(Document.id).where(Document.id.in_(ids), Document.status == "pending").limit(1))
            is not None
        )


def schedule(db: Database, document_ids: list[int], how: str, lim: Any) -> None:
    """After the commit that stored documents: have them read as ``how`` (the ``AKTFLOW_SCREENING``
    setting: background | worker | inline) says."""
    if how == "inline":
        try:
            wait(db, document_ids, lim)
        except Exception:  # noqa: BLE001 - the item stays in the outbox for the worker
            log.exception("screening of documents %s failed; the outbox keeps the work", document_ids)
    elif how == "background":
        # The thread of a long-running process (``aktflow serve``, the web app) is woken; a short-lived
        # one (a command) starts none: the server's thread finds the item on its next round.
        worker = _workers.get(db.url)
        if worker is not None:
            worker.wake()


class Background:
    """A daemon thread that processes ``screen_document`` items of one database, woken after a commit and
    every ``interval`` seconds (for items other processes left behind)."""

    def __init__(self, db: Database, lim: Any, interval: float = 5.0):
        self.db, self.lim, self.interval = db, lim, interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="aktflow-screening", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread after its current round (waits up to ``timeout`` seconds)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                while process_pending(self.db, self.lim)["done"] and not self._stop.is_set():
                    pass
            except Exception:  # noqa: BLE001 - a worker thread must survive a bad round
                log.exception("screening worker round failed")


_workers: dict[str, Background] = {}
_workers_lock = threading.Lock()


def stop_all() -> None:
    """Stop every background screening thread of this process (tests; a process shutting down)."""
    with _workers_lock:
        workers = list(_workers.values())
        _workers.clear()
    for worker in workers:
        worker.stop()


def background(db: Database, lim: Any) -> Background:
    """The process's background screening worker for ``db`` (started on first use; the web app starts it
    when ``AKTFLOW_SCREENING`` is ``background``)."""
    with _workers_lock:
        worker = _workers.get(db.url)
        if worker is None or not worker._thread.is_alive():
            worker = _workers[db.url] = Background(db, lim)
        return worker
