"""Taking in one e-mail: a new case through the normal intake use case, or a reply added to its case.

:func:`take_in` is the use case behind ``aktflow intake mail``, the "Importér e-mail" field on *Ny
anmodning* and the mailbox poller (docs/mail-intake.md):

1. The mail is read and checked against the limits (:func:`aktflow.mail_in.parse.parse_mail`) before any
   transaction is opened: slow work never holds the database's write lock.
2. A mail whose Message-ID was taken in before is not taken in again (``mail_messages``): the answer names
   the case it made.
3. A bounce — a mail server's notice that a letter aktflow sent by e-mail did not arrive
   (:mod:`aktflow.mail_in.bounce`) — marks that dispatch ``bounced`` and is never a case.
4. A reply — its In-Reply-To or References name a mail of a case, or its subject holds a case's
   sagsnummer (an open case before a closed one) — is added to that case as a document in any state that
   is not final, through the action ``receive_mail`` (workflow 2026.6); a case waiting for a clarification
   (præcisering) first gets ``clarification_received`` with the mail's date. A reply to a closed, withdrawn
   or forwarded case is not filed: a WorkflowError says why, and the poller keeps the mail in its failure
   list (the page ``/mail/failures``, ``aktflow intake poll --status``).
5. Anything else is a new request (``service.create_case``, the same validation and first event as the
   form): the sender's name and address, the subject and body quoted as the request text, the mail's date
   in Danish time as the date received, channel ``e-mail``, the KLE emne proposed from the text, and the
   mail itself stored in the same transaction as the case's first document. The document pipeline reads
   it after the commit and makes each attachment a document of its own, screened like any document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..clock import local_date
from ..db import Database
from ..deadlines import EARLIEST_RECEIVED
from ..documents import Attachment
from ..errors import ValidationError, WorkflowError
from ..exits import mask
from ..extraction import limits_from_settings
from ..models import Case, Document, MailMessage, utcnow
from ..states import FINAL
from .bounce import Bounce, read_bounce, record_bounce
from .parse import Mail, parse_mail
from .proposal import propose_emne

__all__ = ["MailIntake", "mail_key", "record_failure", "remember_sent", "request_text", "take_in"]

log = logging.getLogger(__name__)

#: Where a mail came from: the web form, the command line, the mailbox poller (``sent``: a mail aktflow
#: sent itself, remembered by :func:`remember_sent` so that answers find their case).
SOURCES = ("upload", "cli", "imap")
#: The legal basis a request by e-mail is registered under unless the caller says otherwise: anyone may
#: ask under the Access to Public Administration Files Act (OFL § 7); the caseworker changes it if needed.
DEFAULT_BASIS = "ofl"
#: The e-mail's text kept in the request text at most (characters); the whole mail is the first document.
MAX_REQUEST_TEXT = 9_000


@dataclass(frozen=True)
class MailIntake:
    """What taking in one mail did.

    ``outcome``: ``case`` (a new case), ``reply`` (added to an open case), ``bounce`` (a mail server's
    returned-mail notice: the dispatch it names is marked ``bounced``, no document, no case; ``case_id`` is
    the dispatch's case), ``known`` (this Message-ID was taken in before: nothing was done). ``emne_proposed`` is true when the emne was proposed from the
    text, not given; ``clarification`` when the reply fired ``clarification_received``. ``notes`` are
    Danish sentences for the caseworker (a date that could not be read, the emne to confirm).
    """

    outcome: str
    case_id: int
    sagsnummer: str | None
    document_id: int | None
    message_id: str
    received: str | None = None
    emne: str | None = None
    emne_title: str | None = None
    emne_proposed: bool = False
    clarification: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (the CLI's ``--json``); texts pass the exit filter."""
        out = asdict(self)
        out["notes"] = [mask(n) for n in self.notes]
        return out


def mail_key(mail: Mail, content: bytes) -> str:
    """The key a mail is taken in once by: its Message-ID, or ``sha256:`` and the hash of its bytes."""
    return mail.message_id or "sha256:" + hashlib.sha256(content).hexdigest()


def request_text(mail: Mail) -> str:
    """The request as registered: the subject and the body, quoted (every line begins with ``> ``), so
    the requester's words are kept as written and never read as aktflow's own text."""
    subject = mail.subject or "(uden emne)"
    body = mail.body[:MAX_REQUEST_TEXT]
    if len(mail.body) > MAX_REQUEST_TEXT:
        body += "\n[…] (hele e-mailen er sagens første dokument)"
    quoted = (
        "\n".join(f"> {line}" if line else ">" for line in body.split("\n")) if body else "> (tom e-mail)"
    )
    return f"Anmodning modtaget pr. e-mail, emne: »{subject}«\n\n{quoted}"


def _clean(text: str, limit: int) -> str:
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text or "").strip()[:limit]


def _title(mail: Mail) -> str:
    return _clean(f"E-mail: {mail.subject}" if mail.subject else "E-mail uden emne", 300)


def _sender(mail: Mail) -> str | None:
    if mail.sender_name and mail.sender_address:
        return _clean(f"{mail.sender_name} <{mail.sender_address}>", 200)
    return _clean(mail.sender_name or mail.sender_address or "", 200) or None


def _file_name(filename: str, mail: Mail) -> str:
    name = _clean(filename.replace("/", "_").replace("\\", "_"), 200)
    ext = "." + mail.format
    if not name.lower().endswith(ext):
        name = (name or "e-mail") + ext
    return name


def _received(mail: Mail, today: dt.date, fallback: dt.date | None) -> tuple[dt.date, list[str]]:
    """The date received: the mail's Date in Danish time; else ``fallback`` (the mailbox's arrival date)
    or today, with a note saying so. A date in the future (a sender's wrong clock) is not believed."""
    notes = []
    when = mail.received
    problem = mail.date_problem
    if when is not None and when > today:
        when, problem = None, "e-mailens dato ligger i fremtiden"
    elif when is not None and when < EARLIEST_RECEIVED:  # the same rule as the intake form's
        when, problem = None, f"e-mailens dato ligger før {EARLIEST_RECEIVED.strftime('%d.%m.%Y')}"
    if when is None:
        when = fallback if fallback is not None and fallback <= today else today
        notes.append(
            f"{problem}: modtagelsesdatoen er sat til {when.strftime('%d.%m.%Y')}; ret den, hvis den er forkert"
        )
    return when, notes


def take_in(
    db: Database,
    filename: str,
    content: bytes,
    *,
    actor: str,
    source: str = "cli",
    basis: str | None = None,
    emne: str | None = None,
    fallback_received: dt.date | None = None,
    now: dt.datetime | None = None,
    new_case: bool = False,
) -> MailIntake:
    """Take in the e-mail ``content`` (an .eml or .msg file called ``filename``) as user ``actor``.

    ``basis`` (default ``ofl``) and ``emne`` (default: proposed from the text, else ``AKTFLOW_MAIL_EMNE``)
    are the new case's; ``fallback_received`` is the date used when the mail has no readable date (the
    poller gives the day the mailbox received it). ``new_case`` makes the mail a new request even when it
    answers an open case (a caseworker's choice on the page of mails not taken in). Raises ValidationError (a refused mail: field ``file``;
    or the intake's own validation), PermissionDenied, WorkflowError (a reply to a case whose state takes
    no documents). A retried mail gives outcome ``known``, never a second case.
    """
    from .. import bootstrap

    services = bootstrap.current()
    settings = services.settings
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    mail = parse_mail(filename, content, limits_from_settings(settings))  # before any transaction
    key = mail_key(mail, content)
    bounce = read_bounce(content) if mail.format == "eml" else None
    now = now or services.clock.now()
    today = local_date(now)
    with db.session() as session:
        known = session.scalar(
            select(MailMessage).where(MailMessage.message_id == key, MailMessage.status == "done")
        )
        if known is not None and known.case_id is not None:
            sagsnummer = session.scalar(select(Case.sagsnummer).where(Case.id == known.case_id))
            return MailIntake("known", known.case_id, sagsnummer, known.document_id, key)
        target = None if bounce is not None or new_case else _reply_target(session, mail)
        proposal = (
            None if target is not None or emne else propose_emne(session, f"{mail.subject}\n{mail.body}")
        )
    if bounce is not None:
        result = _bounced(db, bounce, key, now=now)
        _record(db, key, result, source, mail.subject, now)
        return result
    received, notes = _received(mail, today, fallback_received)
    name = _file_name(filename, mail)
    if target is not None:
        result = _reply(db, target, mail, content, name, key, actor=actor, received=received, now=now)
    else:
        result = _new_case(
            db,
            mail,
            content,
            name,
            key,
            actor=actor,
            source=source,
            basis=basis or DEFAULT_BASIS,
            emne=emne,
            proposal=proposal,
            fallback_emne=settings.mail_emne,
            received=received,
            notes=notes,
            now=now,
        )
    _record(db, key, result, source, mail.subject, now)
    return result


def _bounced(db: Database, bounce: Bounce, key: str, *, now: dt.datetime) -> MailIntake:
    """A bounce marks the e-mail dispatches it names ``bounced`` (:mod:`aktflow.mail_in.bounce`); it is
    never a case. One that names no dispatch aktflow knows is refused (kept as a failed mail)."""
    done = record_bounce(db, bounce, now=now)
    if done.case_id is None:
        raise ValidationError(
            "file",
            "e-mailen er en returmeddelelse fra en mailserver, men den nævner ingen forsendelse fra aktflow; "
            "den er ikke gjort til en sag",
        )
    number = done.sagsnummer or str(done.case_id)
    if done.bounced:
        note = (
            f"Returmeddelelse: e-mailen til modtageren i sag {number} kom ikke frem ({bounce.reason}); "
            "forsendelsen er markeret som returneret: vælg en anden kanal"
        )
    elif bounce.failed:
        note = f"Returmeddelelse for sag {number}: forsendelsen er allerede sendt igen eller ikke sendt med e-mail"
    else:
        note = f"Leveringsrapport for sag {number}: e-mailen er forsinket eller leveret; intet er ændret"
    return MailIntake("bounce", done.case_id, done.sagsnummer, None, key, notes=[mask(note)])


def _reply_target(session: Any, mail: Mail) -> Case | None:
    """The open case ``mail`` answers: one whose mail it names in In-Reply-To/References, else one whose
    sagsnummer its subject holds (the longest match, so ``…-1-26`` never takes ``…-11-26``'s reply)."""
    if mail.references:
        found = session.scalars(
            select(Case)
            .join(MailMessage, MailMessage.case_id == Case.id)
            .where(MailMessage.message_id.in_(mail.references), MailMessage.status == "done")
            .order_by(Case.state.in_(sorted(FINAL)), Case.id.desc())  # an open case first
        ).first()
        if found is not None:
            return found
    tokens = {t.strip(".,;:()[]") for t in (mail.subject or "").split()}
    tokens = {t for t in tokens if 5 <= len(t) <= 40}
    if not tokens:
        return None
    candidates = session.scalars(select(Case).where(Case.sagsnummer.in_(sorted(tokens)))).all()
    return max(candidates, key=lambda c: (c.state not in FINAL, len(c.sagsnummer or "")), default=None)


def _new_case(
    db: Database,
    mail: Mail,
    content: bytes,
    filename: str,
    key: str,
    *,
    actor: str,
    source: str,
    basis: str,
    emne: str | None,
    proposal: Any,
    fallback_emne: str | None,
    received: dt.date,
    notes: list[str],
    now: dt.datetime,
) -> MailIntake:
    from .. import effects
    from ..service import FireContext, create_case_with

    proposed = False
    title = None
    if not emne:
        if proposal is not None:
            emne, title, proposed = proposal.emne, proposal.title, True
        elif fallback_emne:
            emne, proposed = fallback_emne, True
        else:
            raise ValidationError(
                "emne",
                "KLE-emnet kan ikke foreslås ud fra e-mailens tekst: angiv det (--emne) eller sæt AKTFLOW_MAIL_EMNE",
            )
    if proposed:
        notes = [*notes, f"KLE-emnet {emne} er foreslået ud fra e-mailens tekst: bekræft det"]
    stored: dict[str, Any] = {}

    def within(case: Case, ctx: FireContext) -> None:
        """The mail as the case's first document and its Message-ID, in the case's own transaction."""
        doc_ctx = FireContext(
            ctx.session,
            ctx.actor,
            "add_document",
            None,
            {"title": _title(mail), "date": received.isoformat(), "sender": _sender(mail)},
            ctx.now,
            ctx.archive,
            case_id=case.id,
            attachment=Attachment(filename, content),
            settings=ctx.settings,
        )
        effects.add_document(None, case, doc_ctx)
        stored["document_id"] = doc_ctx.recorded["document_id"]
        stored["screening"] = list(doc_ctx.recorded.get("screening", []))
        row = ctx.session.scalar(select(MailMessage).where(MailMessage.message_id == key))
        if row is None:  # else an earlier try failed: its row now says done
            row = MailMessage(message_id=key, source=source, attempts=0, created_at=ctx.now)
            ctx.session.add(row)
        row.status, row.kind, row.case_id, row.document_id = "done", "case", case.id, stored["document_id"]
        row.content = None  # a failure's kept bytes: the mail is now the case's document
        row.subject, row.error, row.updated_at = _clean(mail.subject, 500) or None, None, ctx.now
        row.attempts = (row.attempts or 0) + 1
        for reason in doc_ctx.recorded.get("flags_raised", []):
            ctx.recorded.setdefault("flags_raised", []).append(reason)
        ctx.recorded["mail"] = {
            "document_id": stored["document_id"],
            "file": doc_ctx.recorded.get("file"),
            "emne_proposed": proposed,
        }

    case = create_case_with(
        db,
        within,
        actor=actor,
        received=received.isoformat(),
        basis=basis,
        subject=request_text(mail),
        emne=emne,
        requester=mail.sender_name,
        email=mail.sender_address,
        channel="e-mail",
        now=now,
    )
    _screen_after(db, stored.get("screening", []))
    return MailIntake(
        "case",
        case.id,
        case.sagsnummer,
        stored.get("document_id"),
        key,
        received=received.isoformat(),
        emne=case.emne,
        emne_title=title,
        emne_proposed=proposed,
        notes=notes,
    )


def _reply(
    db: Database,
    case: Case,
    mail: Mail,
    content: bytes,
    filename: str,
    key: str,
    *,
    actor: str,
    received: dt.date,
    now: dt.datetime,
) -> MailIntake:
    from ..service import fire

    clarification = False
    sha = hashlib.sha256(content).hexdigest()
    with db.session() as session:
        document_id = session.scalar(
            select(Document.id).where(Document.case_id == case.id, Document.sha256 == sha).limit(1)
        )
    if document_id is None:  # not already added by a try that stopped before it was recorded
        state = case.state
        if state == "awaiting_clarification":
            data = {"received": max(received, case.received).isoformat()}
            note = _clean(f"Præcisering modtaget pr. e-mail: »{mail.subject or '(uden emne)'}«", 2000)
            fire(db, case.id, "clarification_received", actor=actor, note=note, data=data, now=now)
            clarification, state = True, "collecting"
        if state in FINAL:
            from ..labels import state_label

            raise WorkflowError(
                f"ikke lagt på sagen: e-mailen er svar på sag {case.sagsnummer or case.id}, som er "
                f"afsluttet (»{state_label(state)}«); læs den, og opret en ny sag, hvis den er en ny anmodning"
            )
        # In any open state, through the action receive_mail (workflow 2026.6).
        after = fire(
            db,
            case.id,
            "receive_mail",
            actor=actor,
            data={"title": _title(mail), "date": received.isoformat(), "sender": _sender(mail)},
            attachment=Attachment(filename, content),
            now=now,
        )
        with db.session() as session:
            document_id = session.scalar(
                select(Document.id).where(Document.case_id == after.id, Document.sha256 == sha).limit(1)
            )
    return MailIntake(
        "reply",
        case.id,
        case.sagsnummer,
        document_id,
        key,
        received=received.isoformat(),
        emne=case.emne,
        clarification=clarification,
    )


def _screen_after(db: Database, document_ids: list[int]) -> None:
    """Have the stored mail read and screened after the commit, as ``AKTFLOW_SCREENING`` says."""
    if not document_ids:
        return
    from .. import bootstrap
    from ..document_screening import schedule

    settings = bootstrap.current().settings
    schedule(db, document_ids, settings.screening, limits_from_settings(settings))


def _record(db: Database, key: str, result: MailIntake, source: str, subject: str, now: dt.datetime) -> None:
    """Mark ``key`` done (a reply, or a failure that now succeeded); a new case's row is already written."""
    with db.session() as session:
        row = session.scalar(select(MailMessage).where(MailMessage.message_id == key))
        if row is None:
            row = MailMessage(message_id=key, source=source, attempts=0, created_at=now)
            session.add(row)
        elif row.status == "done" and row.case_id == result.case_id and row.kind == "case":
            return
        row.status, row.kind, row.case_id, row.document_id = (
            "done",
            result.outcome,
            result.case_id,
            result.document_id,
        )
        row.subject, row.error, row.updated_at = _clean(subject, 500) or None, None, now
        row.content = None
        row.attempts = (row.attempts or 0) + 1
        try:
            session.commit()
        except IntegrityError:  # another process recorded it at the same moment
            session.rollback()


def record_failure(
    db: Database,
    key: str,
    *,
    source: str,
    subject: str | None,
    error: str,
    now: dt.datetime | None = None,
    content: bytes | None = None,
    filename: str | None = None,
) -> None:
    """Keep why a mail could not be taken in (masked, at most 500 characters), counting the attempts; the
    row is listed by ``aktflow intake poll --status`` and on the page of mails not taken in until the mail
    is taken in or dismissed. ``content`` (the mail's bytes, within ``AKTFLOW_MAX_UPLOAD``) and
    ``filename`` are kept so that a caseworker can try again or open a case by hand from it."""
    now = now or utcnow()
    with db.session() as session:
        row = session.scalar(select(MailMessage).where(MailMessage.message_id == key))
        if row is not None and row.status in ("done", "dismissed"):
            return
        if row is None:
            row = MailMessage(message_id=key, source=source, status="failed", attempts=0, created_at=now)
            session.add(row)
        row.status, row.error = "failed", mask(error)[:500]
        row.subject = mask(_clean(subject or "", 500)) or row.subject
        row.attempts = (row.attempts or 0) + 1
        row.updated_at = now
        if content is not None:
            row.content, row.filename = content, _clean(filename or "", 300) or None
        try:
            session.commit()
        except IntegrityError:
            session.rollback()


def remember_sent(
    session: Any, case_id: int, message_id: str, *, subject: str | None = None, now: dt.datetime | None = None
) -> None:
    """Remember the Message-ID of a mail aktflow sent on case ``case_id`` (the outgoing side calls this in
    its own transaction), so that an answer whose In-Reply-To or References names it goes to the case.
    Nothing is committed here; a Message-ID already known is left as it is."""
    if session.scalar(select(MailMessage.id).where(MailMessage.message_id == message_id)) is not None:
        return
    now = now or utcnow()
    session.add(
        MailMessage(
            message_id=message_id[:320],
            status="done",
            kind="sent",
            source="sent",
            case_id=case_id,
            subject=_clean(subject or "", 500) or None,
            attempts=0,
            created_at=now,
            updated_at=now,
        )
    )
