"""The database model: SQLAlchemy 2 typed declarative classes.

Every state change of a case goes through :func:`aktflow.service.fire`; nothing here commits.
Times are stored as naive UTC and returned as aware UTC (see :class:`UTCDateTime`) so that the event
hash chain is identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

if TYPE_CHECKING:
    from sqlalchemy import Table

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_STATE_DOOR: ContextVar[bool] = ContextVar("aktflow_state_door", default=False)


@contextmanager
def state_door() -> Iterator[None]:
    """Open the door to ``Case.state`` for the block: used by ``fire()`` and case creation only.

    Outside it, assigning ``case.state`` raises AttributeError, so no code can move a case past the
    workflow's checks and event log (django-fsm's ``protected=True``). Rows loaded from the database are
    not affected.
    """
    token = _STATE_DOOR.set(True)
    try:
        yield
    finally:
        _STATE_DOOR.reset(token)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC, returned as aware UTC, on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    if TYPE_CHECKING:  # every model maps one Table (SQLAlchemy types it as the wider FromClause)
        __table__: ClassVar[Table]


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout, password change, role change and deactivation: sessions made before then end.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # Every count of open cases on the dashboard, from this index alone (an index-only scan).
        Index(
            "ix_cases_state_assignee",
            "state",
            "assignee_id",
            "basis",
            "due_first",
            "due_next",
            "notice_due",
        ),
        # The dashboard's attention list: the most urgent open cases first, read in these indexes' order
        # (due, id) over the cases that have such a deadline.
        *(
            Index(
                f"ix_cases_{col}",
                col,
                "id",
                "state",
                "assignee_id",
                "basis",
                postgresql_where=text(f"{col} IS NOT NULL"),
                sqlite_where=text(f"{col} IS NOT NULL"),
            )
            for col in ("due_first", "due_next", "notice_due")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    requester_name: Mapped[str] = mapped_column(String(200))
    requester_email: Mapped[str | None] = mapped_column(String(200))
    # Personal identifiers: used only to find the party in the archive; never logged or put in URLs.
    requester_cpr: Mapped[str | None] = mapped_column(String(10))
    requester_cvr: Mapped[str | None] = mapped_column(String(8))
    # The requester's postal address for letters sent by post: the lines under the name, one a line.
    requester_address: Mapped[str | None] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(String(10))
    received: Mapped[dt.date] = mapped_column(Date, index=True)
    subject: Mapped[str] = mapped_column(Text)
    emne: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str | None] = mapped_column(String(40))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    sagsnummer: Mapped[str | None] = mapped_column(String(40), unique=True)
    # The archive's own id of the A53 case (SBSYS "Id"), once it exists there.
    archive_case_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Hash of the newest event: the head of this case's hash chain.
    last_hash: Mapped[str] = mapped_column(String(64))
    # The earliest due date among the case's running deadlines (active, not done): of all of them, of the
    # other than the fristbrev (notice) rules, and of the notice rules. Kept by the database's own triggers
    # on case_deadlines (migration 0006), whoever writes the deadlines; never set by the application.
    due_first: Mapped[dt.date | None] = mapped_column(Date)
    due_next: Mapped[dt.date | None] = mapped_column(Date)
    notice_due: Mapped[dt.date | None] = mapped_column(Date)
    # A personnel matter (OFL § 21, § 41) marked by a caseworker (``mark_personnel``); KLE 81 cases are
    # personnel matters without it. Ask ``aktflow.states.case_rules.is_personnel_case``, never this alone.
    personnel: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A refusal of the whole request (OFL § 9, stk. 2; FVL § 9 a, stk. 2; GDPR art. 12, stk. 5): the
    # ground's code and, for § 9, stk. 2, nr. 1, the estimated hours; set by ``refuse_request``.
    request_ground: Mapped[str | None] = mapped_column(String(20))
    request_hours: Mapped[int | None] = mapped_column(Integer)

    # Loaded when used (fire() reads them only for the triggers whose guards or effects need them).
    assignee: Mapped[User | None] = relationship(lazy="select")
    documents: Mapped[list[Document]] = relationship(
        back_populates="case", order_by="Document.id", lazy="select"
    )
    flags: Mapped[list[Flag]] = relationship(back_populates="case", order_by="Flag.id", lazy="select")

    # Optimistic locking: every UPDATE carries "WHERE version = <the version loaded>". The service sets the
    # new version itself (one per event), so version == the number of events on the case.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @validates("state")
    def _state_only_through_fire(self, key: str, value: str) -> str:
        """The one door: a case's state is set only by ``fire()`` and case creation (see state_door)."""
        if not _STATE_DOOR.get():
            raise AttributeError(
                "Case.state changes only through aktflow.service.fire() (the workflow's one door)"
            )
        return value

    @property
    def open_flags(self) -> list[Flag]:
        return [f for f in self.flags if f.cleared_at is None]

    @property
    def flagged(self) -> bool:
        return bool(self.open_flags)


class Flag(Base):
    """A reason the case needs the legal contact's review; cleared by `approve_legal`, or closed as
    ``superseded`` when the document whose assessment raised it is assessed again or removed."""

    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # manual | screening | assessment | personnel | request
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cleared_by: Mapped[str | None] = mapped_column(String(64))
    # The document whose assessment raised the flag (source "assessment"); a plain column like
    # documents.parent_id. A re-assessment closes the document's earlier flags as superseded.
    document_id: Mapped[int | None] = mapped_column(Integer)
    superseded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    case: Mapped[Case] = relationship(back_populates="flags")


class Document(Base):
    """One entry of the case's document register (the aktliste)."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    doc_date: Mapped[dt.date | None] = mapped_column(Date)
    sender: Mapped[str | None] = mapped_column(String(200))
    recipient: Mapped[str | None] = mapped_column(String(200))
    archive_doc_id: Mapped[str | None] = mapped_column(String(100))
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    text: Mapped[str | None] = mapped_column(Text, deferred=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Screening of the file (aktflow.document_screening): "pending" (under gennemgang) until a worker has
    # read it, then "screened" (every part read: ``complete``; or some parts unread, flagged) or "refused"
    # (a limit was hit; the content is dropped and the case flagged: the file must be read by a person).
    status: Mapped[str] = mapped_column(String(20), default="screened", server_default="screened")
    complete: Mapped[bool | None] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(String(500))
    screened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # An e-mail's attachment or a PDF's embedded file is a document of its own, listed under its parent.
    # (No foreign key: see migration 0008; remove_document removes the attachments with their parent.)
    parent_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The aktliste as released (docs/domain.md, "The aktliste as released"): the title and the
    # sender/recipient the requester reads. Prefilled from the original at upload (None when the original
    # holds a CPR number or a sensitive word, or the file's screening found one: printed neutrally as
    # "Dokument nr. N"); edited by the caseworker with assess_document (aktflow/aktliste.py).
    released_title: Mapped[str | None] = mapped_column(String(300))
    released_sender: Mapped[str | None] = mapped_column(String(410))

    case: Mapped[Case] = relationship(back_populates="documents")
    assessment: Mapped[Assessment | None] = relationship(
        back_populates="document", lazy="selectin", uselist=False
    )
    parts: Mapped[list[DocumentPart]] = relationship(
        back_populates="document", order_by="DocumentPart.seq", lazy="select", cascade="all, delete-orphan"
    )
    # Redactions and rejected proposals (docs/redaction.md), oldest first.
    redactions: Mapped[list[Redaction]] = relationship(
        back_populates="document", order_by="Redaction.id", lazy="selectin", cascade="all, delete-orphan"
    )
    # The legal contact's comments on the document (aktflow/review_comments.py); they go with it.
    review_comments: Mapped[list[ReviewComment]] = relationship(
        order_by="ReviewComment.id", lazy="select", cascade="all, delete-orphan"
    )


class DocumentPart(Base):
    """One part of a document's extracted text ("Sidehoved, afsnit 1", "Side 3 (OCR)"), as screening read it.

    ``read`` is False for a part that could not be read (a scan OCR could not read): such a document is
    never clean. ``ocr_confidence`` is the mean word confidence (0-100) where OCR was used.
    """

    __tablename__ = "document_parts"
    __table_args__ = (UniqueConstraint("document_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    seq: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, deferred=True)
    read: Mapped[bool] = mapped_column(Boolean)
    ocr_confidence: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(String(500))

    document: Mapped[Document] = relationship(back_populates="parts")


class Redaction(Base):
    """One redaction of a document (docs/redaction.md), or a proposal the caseworker rejected.

    ``kind``: ``text`` (``term``, every occurrence), ``region`` (``page``, 1-based, and ``box``,
    ``[x0, y0, x1, y1]`` in PDF points, origin bottom-left) or ``proposed`` (a screening proposal:
    ``term`` and ``proposal``, what screening found: cpr, name, address, phone, email or a category code).
    ``state``: ``accepted`` (burnt in on release) or ``rejected`` (a proposal the caseworker turned down;
    no longer proposed). ``ground``: the grounds catalogue's code, printed on the box.
    """

    __tablename__ = "redactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10))
    term: Mapped[str | None] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    box: Mapped[list[float] | None] = mapped_column(JSON)
    ground: Mapped[str | None] = mapped_column(String(40))
    proposal: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="redactions")


class ReviewComment(Base):
    """The legal contact's comment on one document, written on the review page and read by the caseworker
    on the case page and the document page (:mod:`aktflow.review_comments`). Not a change of the case: no
    event, no new version; the text is masked where it leaves (:mod:`aktflow.exits`)."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Assessment(Base):
    """The confidentiality assessment of one document."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(10))  # grant | partial | refuse
    grounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    extracted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why more was not released under OFL § 14 (meroffentlighed): recorded = considered; printed.
    meroffentlighed_note: Mapped[str | None] = mapped_column(Text)
    # What was extracted under OFL §§ 28-29 (with ``extracted``); printed.
    extraction_note: Mapped[str | None] = mapped_column(Text)
    # The caseworker's internal note: never in a letter (an old assessment's ``note`` became this one,
    # migration 0012). ``reason``: the factual reason written for the requester, printed (FVL §§ 22-24).
    internal_note: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    # The main considerations of a discretionary weighing (FVL § 24, stk. 1, 2. pkt.; in MOL cases the
    # weighing of the public interest in disclosure, MOL § 2), printed; and, in MOL cases, whether the
    # information is about emissions into the environment (then no business-secrecy ground, MOL § 2, stk. 5).
    weighing_note: Mapped[str | None] = mapped_column(Text)
    emission: Mapped[bool | None] = mapped_column(Boolean)
    assessed_by: Mapped[str] = mapped_column(String(64))
    assessed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    document: Mapped[Document] = relationship(back_populates="assessment")


class Event(Base):
    """One transition or action on a case. Append-only; chained by hash per case."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("case_id", "seq"), Index("ix_events_trigger_at", "trigger", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(40), index=True)
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The version of the workflow definition the event was written under (aktflow/states/versions.py);
    # the audit replays each event against its own version.
    workflow_version: Mapped[str] = mapped_column(String(20), server_default="2026.1")
    # The id of the audit key the hash is an HMAC with (aktflow/audit.py); NULL for events written before
    # the chain was keyed (plain SHA-256, accepted up to AuditLegacy's boundary).
    key_id: Mapped[str | None] = mapped_column(String(16))


class AuditLegacy(Base):
    """The highest event id written before the event log was keyed (recorded once, by migration 0018).

    Append-only; the audit accepts an unkeyed event only up to the smallest value recorded here."""

    __tablename__ = "audit_legacy"

    id: Mapped[int] = mapped_column(primary_key=True)
    max_event_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminLogEntry(Base):
    """One administrative change (users, roles, passwords, tokens, settings, templates, KLE, outbox).

    Append-only, one keyed hash chain over all entries in ``seq`` order (aktflow/admin_log.py). ``old``
    and ``new`` hold the values before and after (never a password or a token), masked by the exit filter.
    """

    __tablename__ = "admin_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200))
    old: Mapped[Any] = mapped_column(JSON, nullable=True)
    new: Mapped[Any] = mapped_column(JSON, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))


class AccessEntry(Base):
    """One view or download of a sensitive case's document, letter or package (aktflow/access_log.py).

    Append-only (on PostgreSQL the runtime role may only INSERT and SELECT, and a trigger refuses changes).
    ``what``: document_page | document | letter | letter_pdf | package; ``name`` the file's name, masked.
    """

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_case_id_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    what: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(255))
    via: Mapped[str] = mapped_column(String(10))  # web | api


class CaseMember(Base):
    """A user added to a sensitive case on a need-to-know basis (aktflow/case_access.py): sees it in full and
    may act on it as its caseworker does. Who added them, when and why; removing deletes the row (the
    administrative log keeps both changes)."""

    __tablename__ = "case_access"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)


class CaseSensitivity(Base):
    """A case marked sensitive by hand (aktflow/case_access.py), with the reason, who and when; unmarking
    deletes the row. Personnel matters and art. 9/10 findings make a case sensitive without a mark."""

    __tablename__ = "case_sensitivity"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    marked_by: Mapped[str] = mapped_column(String(64))
    marked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Letter(Base):
    """A generated letter; immutable once stored."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    kind: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # A PDF/A copy, when LibreOffice is available where the letter was made.
    pdf_content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    archive_status: Mapped[str] = mapped_column(
        String(20), default="pending"
    )  # pending | journalised | failed | local
    archive_error: Mapped[str | None] = mapped_column(Text)
    archive_doc_id: Mapped[str | None] = mapped_column(String(100))


class OutboxItem(Base):
    """Work for the archive, written with the event and delivered after commit."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # A worker that claimed the item delivers it until this time; after it the claim has lapsed.
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class LocalArchiveCase(Base):
    """The embedded archive: one row per A53 (or K02) case, numbered like SBSYS."""

    __tablename__ = "local_archive_cases"
    __table_args__ = (UniqueConstraint("emne", "facet", "year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    emne: Mapped[str] = mapped_column(String(8))
    facet: Mapped[str] = mapped_column(String(3))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    sagsnummer: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Setting(Base):
    """Municipality settings (calendar, letterhead, appeal body) as JSON values."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseDeadline(Base):
    """A statutory deadline stored on a case; status (ok, due soon, overdue, met) is derived at read time."""

    __tablename__ = "case_deadlines"
    __table_args__ = (
        Index("ix_case_deadlines_active_due", "active", "due"),
        # The deadlines still running (the sweep and the dashboard's alerts read only these).
        Index(
            "ix_case_deadlines_open_due",
            "due",
            "case_id",
            postgresql_where=text("active AND done_on IS NULL"),
            sqlite_where=text("active AND done_on IS NULL"),
        ),
        # Decisions per month (the dashboard's share decided in time).
        Index("ix_case_deadlines_rule_done", "rule", "done_on", "due", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    start: Mapped[dt.date] = mapped_column(Date)
    due: Mapped[dt.date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(20))
    calendar_version: Mapped[str] = mapped_column(String(20))
    explanation: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The date the event that fulfils this deadline happened (decision sent, fristbrev sent, …).
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LetterTemplate(Base):
    """A municipality's own version of a letter template (uploaded by an administrator after a check)."""

    __tablename__ = "letter_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # After this moment the token no longer works (None: tokens issued before expiry existed).
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class IdempotencyKey(Base):
    """A client's key for one intake (the API's ``Idempotency-Key``, the intake form's one-time token).

    Per user: the same key with the same body gives back the case it created (``case_id``) instead of a
    second one; ``body_hash`` is the SHA-256 of the request as given. A key expires after
    :data:`aktflow.service.IDEMPOTENCY_TTL` (24 hours) and is then used afresh.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    body_hash: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LoginFailure(Base):
    """A failed login, for throttling repeated attempts (shared by every web worker)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_username_at", "username", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The client's address (per-source throttling of password spraying) and, for an attempt from a browser
    # that logged in as this user before, that browser's device id (its own counter: aktflow.login_throttle).
    source: Mapped[str | None] = mapped_column(String(45), index=True)
    device: Mapped[str | None] = mapped_column(String(32))


class WebSession(Base):
    """A logged-in browser session, kept on the server: the cookie holds only its random id, whose SHA-256
    is stored here with the session's data (flash messages with case data never travel in the cookie).

    Logging out deletes the row (that session ends, others go on); ``created_at`` and ``seen_at`` give the
    absolute lifetime and the idle timeout (``AKTFLOW_SESSION_LIFETIME``, ``AKTFLOW_SESSION_IDLE``).
    """

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 (hex) of the cookie's id
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class KleEmne(Base):
    """The municipality's KLE plan (imported from KL's XML); main groups, groups and emner."""

    __tablename__ = "kle_emner"

    nummer: Mapped[str] = mapped_column(String(8), primary_key=True)  # 15, 15.17 or 15.17.12
    titel: Mapped[str] = mapped_column(String(300))
    niveau: Mapped[int] = mapped_column(Integer)  # 1 hovedgruppe, 2 gruppe, 3 emne


class AppealBody(Base):
    """Where a complaint about an access decision goes: per KLE prefix and legal basis (OFL § 37 stk. 1,
    § 38 stk. 1; FVL: the main case's appeal body; GDPR: Datatilsynet). See :mod:`aktflow.appeal_bodies`.

    ``kle_prefix`` is "" (every case of the basis), a main group ("02"), a group ("02.34") or an emne;
    the most specific match wins. ``kind``: ``klageinstans`` (a sector appeal body), ``tilsyn``
    (Ankestyrelsen's supervision where there is none) or ``ingen`` (no appeal body, FVL only).
    """

    __tablename__ = "appeal_bodies"
    __table_args__ = (UniqueConstraint("kle_prefix", "basis"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kle_prefix: Mapped[str] = mapped_column(String(8))
    basis: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(String(300))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Where letters to it go electronically (aktflow/dispatch/): Digital Post by CVR, else e-mail.
    email: Mapped[str | None] = mapped_column(String(200))
    cvr: Mapped[str | None] = mapped_column(String(8))


class FigureCount(Base):
    """Running totals behind the dashboard's figures over time, per day, caseworker and legal basis.

    ``figure`` is "decision" (``key`` "in_time" or "late": a case's OFL/FVL decision deadline met on ``day``),
    "ground" (``key`` the ground's code, cited in a document assessment made on ``day``) or "complaint"
    (``key`` the complaint trigger that happened on ``day``). Days are UTC dates; ``assignee_id`` 0 is
    unassigned. Kept in the same transaction as the change they count (:mod:`aktflow.figure_counts`), so the
    dashboard reads a few rows per day of its period however many cases there are.
    """

    __tablename__ = "figure_counts"

    figure: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    assignee_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    basis: Mapped[str] = mapped_column(String(10), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False)


class ReleasePackage(Base):
    """The release package (udleveringspakke) of one decision or partial decision (aktflow/release/).

    Written as ``pending`` by the decision's event; the outbox then makes it: ``ready`` with the PDF, its
    SHA-256 and (for a large release) the .zip of the individual PDFs, or ``blocked`` with the reason (a
    file that could not be converted, a CPR number on a page). Once made it is immutable (a database
    trigger refuses changing the content, and deleting it).
    """

    __tablename__ = "release_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    event_seq: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(40))
    document_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | ready | blocked
    reason: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    zip_sha256: Mapped[str | None] = mapped_column(String(64))
    zip_content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    made_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    archive_status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | journalised
    archive_doc_id: Mapped[str | None] = mapped_column(String(100))
    # Each file's check as it went into the package (aktflow/release/package.py: what ran, the result,
    # what was read, when, the SHA-256 of the checked file); set with the status, immutable with it.
    checks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Whether the PDF was written as PDF/A-2b, and why not (aktflow/release/pdfa.py); immutable with it.
    pdfa: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class MailMessage(Base):
    """An e-mail taken in (aktflow/mail_in/): one row per Message-ID, so a mail becomes a case only once.

    ``status`` is ``done`` (``case_id`` and ``document_id`` name the case and the stored mail; ``kind`` says
    whether it opened the case, was a reply to it or a bounce of a letter sent on it), ``failed``
    (``error`` holds the Danish reason, no CPR number; the mail stays in the mailbox and is tried again;
    ``content`` keeps its bytes for the page "E-mails, der ikke er modtaget") or ``dismissed`` (a person,
    ``handled_by``, set it aside; its bytes are deleted). A mail without a Message-ID is known by
    ``sha256:`` and its content's hash.
    """

    __tablename__ = "mail_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(320), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="done")  # done | failed
    kind: Mapped[str | None] = mapped_column(String(20))  # case | reply
    source: Mapped[str] = mapped_column(String(20))  # upload | cli | imap
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A failed mail's own bytes, kept until it is taken in or dismissed (aktflow/mail_in/failures.py).
    filename: Mapped[str | None] = mapped_column(String(300))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    handled_by: Mapped[str | None] = mapped_column(String(64))


class Dispatch(Base):
    """One letter to one recipient on its way out (aktflow/dispatch/, docs/dispatch.md).

    Written in the transaction that makes the letter, with an outbox item of kind ``dispatch``; the outbox
    sends it after commit on ``channel`` and records what the channel said. ``status``: queued | sent |
    delivered | printed (the print file is ready, waiting for "Sendt med post") | rejected | bounced |
    exempt | failed. ``sent_at`` is the time the letter went (what counts for the requester). The
    requester's CPR number is never copied here: it is read from the case when the letter is sent.
    """

    __tablename__ = "dispatches"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"), index=True)
    recipient_role: Mapped[str] = mapped_column(String(20))  # requester | party | appeal_body
    recipient_name: Mapped[str] = mapped_column(String(300))
    recipient_email: Mapped[str | None] = mapped_column(String(200))
    recipient_address: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))  # digital_post | email | print
    chosen_by: Mapped[str] = mapped_column(String(20))  # rule | caseworker
    reason: Mapped[str] = mapped_column(Text, default="")
    own_personal_data: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reference: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    print_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
