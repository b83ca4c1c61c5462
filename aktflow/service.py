"""The service layer. :func:`fire` is the one door to a change of a case.

One unit of work per call: load the case, check role, version, state, input and guards, change the state
on the shared machine, run the trigger's effects, write exactly one event (hash-chained), bump the version
and commit once. Any exception rolls all of it back. A trigger that makes a letter renders it before that
unit of work, in one that is rolled back (:func:`render_letter_first`), so no template renders while the
write transaction holds its locks.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import audit, case_access, states
from .archive import ArchivePort
from .case_letters import LetterChanged, Rendered, inputs_needed, render_input
from .clock import local_date
from .db import Database
from .deadlines import EARLIEST_RECEIVED
from .errors import ConflictError, NotFound, PermissionDenied, ValidationError, WorkflowError
from .events import CONFLICT, append_event, lost_race
from .models import Case, Event, User, state_door, utcnow
from .screening import cpr_digits, is_cpr, redact_cpr
from .states import fields
from .states.effects import MakeLetter
from .states.fields import parse_date, parse_text
from .uow import UnitOfWork
from .vocabulary import (
    ANONYMOUS_BASES,
    ANONYMOUS_REQUESTER,
    BASES,
    CASEWORK,
    CHANNELS,
    EMAIL_RE,
    EMNE_RE,
)

CASE_ROLES = CASEWORK
log = logging.getLogger(__name__)


@dataclass
class FireContext:
    """What guards and effects see: the acting user, the validated input, the clock, the session."""

    session: Session
    actor: User
    trigger: str
    note: str | None
    data: dict[str, Any]
    now: dt.datetime
    archive: ArchivePort
    # Effects add what the event should record (e.g. the new sagsnummer or document id).
    recorded: dict[str, Any] = field(default_factory=dict)
    # The first unmet guard's message, set by the machine's conditions (states._condition).
    unmet: str | None = None
    # A preview of what can be done (the case page): guards that need the user's input are not judged.
    preview: bool = False

    @property
    def today(self) -> dt.date:
        return local_date(self.now)

    @property
    def extended(self) -> bool:
        """Whether the case's MOL/GDPR decision deadline has been extended already."""
        from .case_deadlines import is_extended

        return is_extended(self.session, self.case_id)

    case_id: int = 0
    attachment: Any = None
    # The installation's settings (aktflow.config.Settings), e.g. for the limits on a stored file.
    settings: Any = None
    letters: list[Any] = field(default_factory=list)
    # What a preview already read (the case page, :func:`case_page_view`): the case's events, oldest
    # first, and the due dates of its running deadlines by rule. Set, the guards' questions about the log
    # and the deadlines are answered from them instead of one query each.
    known_events: Any = None
    known_due: dict[str, dt.date] | None = None
    # The trigger's letter as rendered before the write transaction (aktflow.case_letters.Rendered), stored
    # only when its input is unchanged; None: rendered where it is made (a caller other than fire()).
    rendered: Any = None

    def data_of(self, trigger: str) -> list[dict[str, Any]]:
        """The recorded data of the case's events of this trigger, oldest first (as the log keeps them)."""
        if self.known_events is not None:
            return [dict(e.data or {}) for e in self.known_events if e.trigger == trigger]
        return [
            dict(d or {})
            for d in self.session.scalars(
                select(Event.data)
                .where(Event.case_id == self.case_id, Event.trigger == trigger)
                .order_by(Event.seq)
            )
        ]

    def deadline_due(self, rule: str) -> dt.date | None:
        """The due date of the case's running deadline of ``rule`` (active, not met), else None."""
        from .models import CaseDeadline

        if self.known_due is not None:
            return self.known_due.get(rule)
        return self.session.scalar(
            select(CaseDeadline.due).where(
                CaseDeadline.case_id == self.case_id,
                CaseDeadline.rule == rule,
                CaseDeadline.active.is_(True),
                CaseDeadline.done_on.is_(None),
            )
        )

    def has_event(self, trigger: str) -> bool:
        """Whether the case's log already has an event of this trigger."""
        from sqlalchemy import func as sa_func

        if self.known_events is not None:
            return any(e.trigger == trigger for e in self.known_events)
        return bool(
            self.session.scalar(
                select(sa_func.count())
                .select_from(Event)
                .where(Event.case_id == self.case_id, Event.trigger == trigger)
            )
        )

    def event_data(self, *triggers: str) -> list[tuple[int, str, dict[str, Any]]]:
        """``(seq, trigger, data)`` of the case's events of these triggers, oldest first."""
        if self.known_events is not None:
            return [
                (e.seq, e.trigger, dict(e.data or {})) for e in self.known_events if e.trigger in triggers
            ]
        rows = self.session.execute(
            select(Event.seq, Event.trigger, Event.data)
            .where(Event.case_id == self.case_id, Event.trigger.in_(triggers))
            .order_by(Event.seq)
        )
        return [(seq, trigger, dict(data or {})) for seq, trigger, data in rows]


# --- input ------------------------------------------------------------------------------------------
# The field kinds live in states/fields.py; parse_date and _text stay importable from here.
_text = parse_text


def _field_context(session: Session, today: dt.date) -> fields.Context:
    """What a trigger's fields are checked against: today and the users in this session."""
    return fields.Context(
        today=today,
        find_user=lambda username: _user_named(session, username),
        case_roles=frozenset(CASE_ROLES),
    )


def _user_named(session: Session, username: str) -> User | None:
    from .effects import user_named

    return user_named(session, username)


def _known_user(session: Session, user: User) -> None:
    from .effects import know_user

    know_user(session, user)


def _actor(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise ValidationError("actor", f"ukendt eller inaktiv bruger {username!r}")
    return user


# --- the one door -------------------------------------------------------------------------------------


def check_role(trigger: str, actor: User) -> states.TriggerSpec:
    spec = states.TRIGGERS.get(trigger)
    if spec is None:
        raise ValidationError("trigger", f"ukendt handling {trigger!r}")
    if spec.system:
        raise PermissionDenied(f"'{trigger}' udføres kun af aktflow selv")
    if actor.role not in spec.roles:
        raise PermissionDenied(
            f"rollen '{actor.role}' må ikke udføre '{trigger}' (kun: {', '.join(sorted(spec.roles))})"
        )
    return spec


def check_case_access(
    session: Session,
    actor: User,
    case: Case,
    spec: states.TriggerSpec,
    *,
    member: bool | None = None,
    sensitive: bool | None = None,
) -> None:
    """Need-to-know (aktflow.case_access): the case's caseworker, a member, a manager, or the legal contact
    for legal actions may act on it. Raises PermissionDenied naming who may. ``member`` and ``sensitive``:
    what fire()'s load read with the case (see ``case_access.act_refusal``)."""
    refusal = case_access.act_refusal(session, actor, case, spec.roles, member=member, sensitive=sensitive)
    if refusal is not None:
        raise PermissionDenied(refusal)


def check_state(spec: states.TriggerSpec, case: Case) -> None:
    if spec.applies is not None and not spec.applies(case):
        raise WorkflowError(f"'{spec.name}' gælder ikke for denne sag (retsgrundlag {case.basis})")
    if case.state not in spec.sources:
        label = states.STATES[case.state].label
        if spec.locked and case.state not in states.FINAL:
            raise WorkflowError(
                f"'{spec.name}' er ikke tilladt i tilstanden '{case.state}' ({label}): {spec.locked}"
            )
        raise WorkflowError(
            f"'{spec.name}' er ikke tilladt i tilstanden '{case.state}' ({label}); "
            f"tilladt nu: {', '.join(states.triggers_from(case.state)) or 'ingen'}"
        )


def fire(
    db: Database,
    case_id: int,
    trigger: str,
    *,
    actor: str,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    expect_version: int | None = None,
    now: dt.datetime | None = None,
    archive: ArchivePort | None = None,
    attachment: Any = None,
) -> Case:
    """Fire ``trigger`` (a transition or an action) on case ``case_id`` as user ``actor``.

    A trigger that makes a letter renders it first, with no transaction open (:func:`render_letter_first`),
    and its write transaction stores that letter only when what it is made from is unchanged; else it is
    rendered again, up to :data:`LETTER_ATTEMPTS` times, and then once inside the write transaction.

    Raises ValidationError (bad input), NotFound, PermissionDenied (role), ConflictError (stale version),
    WorkflowError
    (not allowed in this state, or a guard unmet). Returns the updated case (detached).
    """
    spec = states.TRIGGERS.get(trigger)
    rendered = None
    if spec is not None and spec.letter is not None:
        # A trigger that makes a letter renders it before its write transaction (render_letter_first):
        # one "now" for both, so the letter's date and the deadlines are the same in each.
        from .bootstrap import current

        now = now or current().clock.now()
    for attempt in range(1, LETTER_ATTEMPTS + 2):
        try:
            if spec is not None and spec.letter is not None and attempt <= LETTER_ATTEMPTS:
                rendered = render_letter_first(
                    db, case_id, trigger, actor, note, data, expect_version, now, archive, attachment
                )
            elif rendered is not None:
                # What the letter is made from changed under every rendering (in practice: the archive's
                # running number while other requests under the same KLE emne are registered at once).
                # The last attempt renders in the write transaction rather than refuse the trigger.
                log.warning(
                    "sag %s: brevet dannes i skrivetransaktionen efter %s ændringer", case_id, attempt - 1
                )
                rendered = None
            with UnitOfWork(db, archive=archive, now=now) as uow:
                case = _fire(uow, case_id, trigger, actor, note, data, expect_version, attachment, rendered)
        except LetterChanged:
            # The case changed between the rendering and the write: render again from what it is now.
            continue
        except (StaleDataError, IntegrityError) as e:
            # An autoflush inside the unit of work met a concurrent change of the case: a conflict, not a crash.
            if lost_race(e):
                raise ConflictError(CONFLICT) from None
            raise
        return case
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


#: How often fire() renders a letter before its write transaction when what the letter is made from keeps
#: changing in between (LetterChanged); after that, once more inside the write transaction.
LETTER_ATTEMPTS = 3


def render_letter_first(
    db: Database,
    case_id: int,
    trigger: str,
    actor: str,
    note: str | None,
    data: dict[str, Any] | None,
    expect_version: int | None,
    now: dt.datetime | None,
    archive: ArchivePort | None,
    attachment: Any = None,
) -> Rendered:
    """The letters ``trigger`` will make, rendered before its write transaction: a template renders for up
    to seconds (letters/bounded.py), and no database write lock or row lock may be held meanwhile.

    Everything fire() checks and the trigger's effects before its letter run in a unit of work that is
    rolled back (what they wrote is undone, and on SQLite the write lock they took is released); the
    letter's input is read in it (``case_letters.inputs_needed``). Then each input is rendered with no
    transaction open. fire()'s write transaction stores a rendering only when the input it reads is the
    same (``case_letters.make_letter``). ``now``: fire()'s one moment, the same for both transactions.
    Returns ``case_letters.Rendered`` ([] when the letter waits for the archive's case number). Raises what
    fire() raises before the letter, and ``letters.RenderRefused`` for a template over a bound.
    """
    with UnitOfWork(db, archive=archive, now=now) as uow:  # never committed: rolled back on leaving
        needed = _fire(uow, case_id, trigger, actor, note, data, expect_version, attachment, PREPARE)
    return [(given, render_input(given)) for given in needed]


#: ``_fire``'s ``rendered`` in the first phase of a letter's trigger: stop at the letter, return its input.
PREPARE: Any = object()


@functools.cache
def _load_statement(outbox: bool = False):
    """The acting user, the case, and what need-to-know asks of them (whether the user was added to the case,
    whether it is sensitive), in one statement; with ``outbox`` also whether the case has outbox work waiting
    that inline delivery would try (:func:`_waiting_clause`)."""
    cols: list[Any] = [User, Case, case_access.member_clause(), case_access.sensitive_clause()]
    if outbox:
        cols.append(_waiting_clause(Case.id))
    return (
        select(*cols)
        .outerjoin(Case, Case.id == bindparam("case_id"))
        .where(User.username == bindparam("username"))
    )


def _fire(
    uow: UnitOfWork, case_id, trigger, actor, note, data, expect_version, attachment, rendered=None
) -> Any:
    session, now, archive = uow.session, uow.now, uow.archive
    # The acting user and the case in one round trip.
    inline = uow.services.inline_delivery
    row = session.execute(_load_statement(inline), {"case_id": case_id, "username": actor}).first()
    if row is None or not row[0].active:
        raise ValidationError("actor", f"ukendt eller inaktiv bruger {actor!r}")
    user, case, member, sensitive = row[:4]
    _known_user(session, user)
    waiting = bool(row[4]) if inline else False
    if case is None:
        raise NotFound(f"sag {case_id} findes ikke")
    spec = check_role(trigger, user)
    check_case_access(session, user, case, spec, member=bool(member), sensitive=bool(sensitive))
    if expect_version is not None and case.version != expect_version:
        raise ConflictError(
            f"sagen er ændret siden version {expect_version} (nu version {case.version}); "
            "hent den igen og prøv på ny"
        )
    check_state(spec, case)
    note, clean = fields.clean(spec, note, data, _field_context(session, local_date(now)))
    ctx = FireContext(
        session,
        user,
        trigger,
        note,
        clean,
        now,
        archive,
        case_id=case.id,
        attachment=attachment,
        settings=uow.settings,
    )
    fields.check_file(spec, attachment)
    from_state = case.state
    with state_door():
        # The machine evaluates the trigger's guards (its conditions) once and changes the state.
        if not states.MACHINE.events[trigger].trigger(case, ctx=ctx):
            unmet = ctx.unmet or "en betingelse er ikke opfyldt"
            raise WorkflowError(f"'{trigger}' kan ikke udføres: {unmet}")
    from . import effects

    if rendered is PREPARE:  # the first phase of a letter's trigger: the effects before the letter, its input
        first, letter = next((i, e) for i, e in enumerate(spec.effects) if isinstance(e, MakeLetter))
        effects.run(spec.effects[:first], case, ctx)
        return inputs_needed(session, case, letter.kind, ctx)
    ctx.rendered = rendered
    effects.run(spec.effects, case, ctx)
    ev = append_event(
        session,
        case,
        trigger=trigger,
        from_state=from_state,
        to_state=case.state,
        actor=user.username,
        note=note,
        data={**{k: v for k, v in clean.items() if k not in spec.unlogged}, **ctx.recorded},
        now=now,
    )
    for letter in ctx.letters:
        letter.event_id = ev
    # Inline delivery after commit (SBSYS) is wanted only when the case has outbox work waiting: what waited
    # before was read with the case, what the effects queued the session remembers (no statement of its own;
    # an idle delivery round cost a transaction).
    deliver_after = inline and (waiting or _queued_now(session, case.id))
    if spec.effects:
        # The caller gets the case as it now is, with what the effects changed (documents, flags, …), read
        # in this transaction (the session keeps them at commit): no second transaction after it.
        _ = (case.documents, case.flags, case.assignee)
    uow.commit()
    if ctx.recorded.get("screening"):
        # Stored files are read and screened after the commit, never in this transaction.
        from .document_screening import schedule
        from .extraction import limits_from_settings

        stored, settings = list(ctx.recorded["screening"]), uow.settings
        uow.after_commit(lambda: schedule(uow.db, stored, settings.screening, limits_from_settings(settings)))
    # The case's new outbox items are tried at once after commit when the installation delivers inline
    # (SBSYS); that is decided in one place, Services.inline_delivery, which after_commit asks.
    if deliver_after:
        from .outbox_delivery import after_commit

        uow.after_commit(lambda: after_commit(uow.db, case.id, services=uow.services))
    return case


def _queued_now(session: Session, case_id: int) -> bool:
    """Whether this transaction enqueued an item for the case that inline delivery would try."""
    from .outbox import enqueued
    from .outbox_delivery import NOT_INLINE

    return any(cid == case_id and kind not in NOT_INLINE for cid, kind in enqueued(session))


def _waiting_clause(case_id: Any):
    """SQL: the case has outbox items that inline delivery would try: pending, or claimed by a worker whose
    lease ran out, of a kind it delivers (the kinds left to the worker, ``outbox_delivery.NOT_INLINE``, are
    not: a letter's dispatch or a release package waiting for the worker is no reason for a delivery round
    after the commit)."""
    from sqlalchemy import exists

    from .models import OutboxItem
    from .outbox_delivery import NOT_INLINE

    return exists().where(
        OutboxItem.case_id == case_id,
        OutboxItem.status.in_(("pending", "delivering")),
        OutboxItem.kind.not_in(NOT_INLINE),
    )


#: How long an intake's idempotency key holds: a repeat within it gives the first case back.
IDEMPOTENCY_TTL = dt.timedelta(hours=24)
#: The longest idempotency key accepted (the column's length).
IDEMPOTENCY_KEY_MAX = 200
_KEY_RE = re.compile(rf"[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX}}}")
_INTAKE_FIELDS = (
    "requester",
    "received",
    "basis",
    "subject",
    "emne",
    "email",
    "assign",
    "channel",
    "cpr",
    "cvr",
    "address",
)


class IdempotencyMismatch(WorkflowError):
    """The idempotency key was used before, within its 24 hours, for a different request.

    ``case_id`` is the case the key created; the new request is not registered (HTTP 422, exit code 3).
    """

    def __init__(self, case_id: int):
        super().__init__(
            f"nøglen er allerede brugt til en anden anmodning (sag {case_id}) inden for de seneste "
            "24 timer; brug en ny nøgle til en ny anmodning"
        )
        self.field = "idempotency_key"
        self.case_id = case_id


@dataclass(frozen=True)
class Submission:
    """The result of :func:`submit_case`: the case, and whether this call created it (False: the same key
    and body came before, and ``case`` is the case created then)."""

    case: Case
    created: bool


def _body_hash(values: dict[str, Any]) -> str:
    """SHA-256 (hex) of an intake's fields as given (missing and empty are alike)."""
    canonical = {k: (None if values.get(k) in (None, "") else str(values[k])) for k in _INTAKE_FIELDS}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise ValidationError(
            "idempotency_key",
            f"nøglen skal være 1–{IDEMPOTENCY_KEY_MAX} synlige ASCII-tegn uden mellemrum (fx et UUID)",
        )
    return key


def _earlier(db: Database, actor: str, key: str, body_hash: str, now: dt.datetime) -> Case | None:
    """The case an unexpired ``key`` of ``actor`` created with this body; None when the key is new or
    expired. Raises IdempotencyMismatch when the key was used for a different body."""
    from .models import IdempotencyKey

    with db.session() as session:
        row = session.execute(
            select(IdempotencyKey, Case)
            .join(User, User.id == IdempotencyKey.user_id)
            .join(Case, Case.id == IdempotencyKey.case_id)
            .where(User.username == actor, IdempotencyKey.key == key)
        ).first()
        if row is None or row[0].created_at <= now - IDEMPOTENCY_TTL:
            return None
        if row[0].body_hash != body_hash:
            raise IdempotencyMismatch(row[0].case_id)
        return row[1]


def submit_case(db: Database, *, idempotency_key: str | None = None, **intake: Any) -> Submission:
    """Register a new request once: :func:`create_case` with an idempotency key.

    ``intake`` is create_case's keywords. With ``idempotency_key`` (1–200 visible ASCII characters, e.g.
    a UUID; the API's ``Idempotency-Key`` header, the intake form's one-time token, the CLI's
    ``--idempotency-key``), the key is stored per acting user with the SHA-256 of the fields as given and
    the new case's id, in the same transaction as the case. Within :data:`IDEMPOTENCY_TTL` (24 hours) the
    same user, key and fields give back that case (``created`` False) and nothing is written; the same key
    with different fields raises :class:`IdempotencyMismatch` (a WorkflowError, HTTP 422). Two requests
    with the same key at once make one case: the loser's transaction fails on the unique key and it gets
    the winner's case. After 24 hours the key is used afresh. Raises what create_case raises, and
    ValidationError("idempotency_key") for a key of the wrong shape.
    """
    if idempotency_key is None:
        return Submission(create_case(db, **intake), True)
    key = _check_key(idempotency_key)
    now = intake.get("now") or utcnow()
    intake["now"] = now
    body_hash = _body_hash(intake)
    actor = intake["actor"]
    found = _earlier(db, actor, key, body_hash, now)
    if found is not None:
        return Submission(found, False)
    try:
        return Submission(_create_case(db, idempotency=(key, body_hash), **intake), True)
    except IntegrityError:
        # Another request with the same key won the race; its case is this request's case.
        found = _earlier(db, actor, key, body_hash, now)
        if found is None:
            raise
        return Submission(found, False)


#: The most lines and characters per line of a postal address (what fits in an envelope's window).
ADDRESS_LINES, ADDRESS_LINE_LEN = 5, 60


def postal_address(value: Any) -> str | None:
    """A postal address as stored: its lines (separated by line breaks or ";", or a list of lines),
    trimmed, joined by line breaks; None for none. Raises ValidationError("address") for more than
    :data:`ADDRESS_LINES` lines or a line longer than :data:`ADDRESS_LINE_LEN` characters."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = "\n".join(str(v) for v in value)
    text = _text(value, "address", max_len=ADDRESS_LINES * (ADDRESS_LINE_LEN + 2))
    lines = [" ".join(x.split()) for x in text.replace(";", "\n").splitlines()]
    lines = [x for x in lines if x]
    if len(lines) > ADDRESS_LINES:
        raise ValidationError("address", f"en postadresse har højst {ADDRESS_LINES} linjer")
    if any(len(x) > ADDRESS_LINE_LEN for x in lines):
        raise ValidationError("address", f"en adresselinje har højst {ADDRESS_LINE_LEN} tegn")
    return "\n".join(lines) or None


def create_case(
    db: Database,
    *,
    actor: str,
    received: Any,
    basis: str,
    subject: str,
    emne: str,
    requester: str | None = None,
    email: str | None = None,
    assign: str | None = None,
    channel: str | None = None,
    cpr: str | None = None,
    cvr: str | None = None,
    address: str | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Register a new request in state ``received``; writes the case's first event (``create``).

    The requester's name may be left out under OFL and MOL (``ANONYMOUS_BASES``: anyone may ask, OFL § 7,
    and need not say who they are), provided there is a way to answer: an e-mail address, or a CPR or CVR
    number for Digital Post. Such a case is registered with the name ``ANONYMOUS_REQUESTER`` and the
    first event records ``anonymous: true``. FVL (a party, FVL § 9) and GDPR art. 15 (the data subject)
    need the name. Raises ValidationError naming the field, PermissionDenied for a role that may not
    register cases. :func:`submit_case` registers a request once per idempotency key.

    ``email``, ``address`` (the postal address's lines, separated by line breaks or ";") and ``cpr``/``cvr``
    are where letters go (docs/dispatch.md). The CPR number is kept in its own column for Digital Post and
    the archive's party only: it is never in the event log, and every view masks it.
    """
    return _create_case(
        db,
        actor=actor,
        requester=requester,
        received=received,
        basis=basis,
        subject=subject,
        emne=emne,
        email=email,
        assign=assign,
        channel=channel,
        cpr=cpr,
        cvr=cvr,
        address=address,
        now=now,
    )


def create_case_with(db: Database, within: Callable[[Case, FireContext], None], **intake: Any) -> Case:
    """:func:`create_case` (the same ``intake`` keywords, validation and first event) with ``within(case,
    ctx)`` run in the same transaction after the creation's effects: e-mail intake stores the mail as the
    case's first document there (aktflow/mail_in/). What it puts in ``ctx.recorded`` goes into the first
    event; an exception from it rolls the whole creation back."""
    return _create_case(db, within=within, **intake)


class IntakeInvalid(ValidationError):
    """A new request with bad input: ``problems`` maps each bad field (``requester``, ``received``,
    ``basis``, ``subject``, ``emne``, ``email``, ``cpr``, ``cvr``, ``channel``, ``address``) to its Danish sentence, in
    the order they are checked. ``field`` and ``detail`` are the first problem's (the API's and the CLI's one line);
    the intake form lists them all at once."""

    def __init__(self, problems: dict[str, str]) -> None:
        field, detail = next(iter(problems.items()))
        super().__init__(field, detail)
        self.problems = {k: redact_cpr(v) for k, v in problems.items()}


def _check_intake(
    db: Database,
    *,
    now: dt.datetime,
    requester: str | None,
    received: Any,
    basis: Any,
    subject: Any,
    emne: Any,
    email: Any,
    cpr: Any,
    cvr: Any,
    channel: Any,
    address: Any = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Every intake field checked on its own: the cleaned values and every problem found (field → Danish
    sentence, empty when all is well), so a form can name all of them at once."""
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}

    def check(name: str, fn: Any) -> Any:
        try:
            return fn()
        except ValidationError as e:
            problems.setdefault(e.field or name, e.detail)
            return None

    clean["requester"] = check("requester", lambda: _text(requester or "", "requester", max_len=200)) or ""

    def _received() -> dt.date:
        if received is None or (isinstance(received, str) and not received.strip()):
            raise ValidationError("received", "skriv datoen, anmodningen blev modtaget")
        d = parse_date(received, "received")
        if d > local_date(now):
            raise ValidationError(
                "received", f"modtagelsesdatoen {d.strftime('%d.%m.%Y')} ligger i fremtiden"
            )
        if d < EARLIEST_RECEIVED:  # before the act of 2013 came into force: a typing error
            raise ValidationError(
                "received",
                f"modtagelsesdatoen {d.strftime('%d.%m.%Y')} ligger før {EARLIEST_RECEIVED.strftime('%d.%m.%Y')}, "
                "da offentlighedsloven trådte i kraft; skriv den rigtige dato",
            )
        return d

    clean["received"] = check("received", _received)

    def _basis() -> str:
        if not isinstance(basis, str) or basis not in BASES:
            raise ValidationError("basis", f"ukendt retsgrundlag {str(basis)[:20]!r}: brug {'|'.join(BASES)}")
        return basis

    basis_ok = check("basis", _basis)

    def _subject() -> str:
        text = _text(subject or "", "subject")
        if not text:
            raise ValidationError("subject", "emnet for anmodningen skal udfyldes")
        return text

    clean["subject"] = check("subject", _subject)

    def _emne() -> str:
        text = _text(emne or "", "emne", max_len=8)
        if not text:
            raise ValidationError("emne", "skriv KLE-emnet for den sag, der spørges om (fx 15.17.12)")
        if not EMNE_RE.match(text):
            raise ValidationError("emne", f"ugyldigt KLE-emne {text!r} (forventet NN.NN.NN, fx 15.17.12)")
        from .kle import check_emne

        return check_emne(db, text)

    clean["emne"] = check("emne", _emne)

    def _email() -> str | None:
        if email is None:
            return None
        text = _text(email, "email", max_len=200) or None
        if text and not EMAIL_RE.match(text):
            raise ValidationError("email", f"ugyldig e-mailadresse {text!r}")
        return text

    clean["email"] = check("email", _email)

    def _cpr() -> str | None:
        if cpr is None:
            return None
        # The separators screening reads in a CPR number (every space and dash, "/", ".") are allowed here too.
        digits = cpr_digits(_text(cpr, "cpr", max_len=20)) or None
        if digits and not re.fullmatch(r"\d{10}", digits):
            raise ValidationError("cpr", "CPR-nummer skal være 10 cifre (ddmmååxxxx)")
        if digits and not is_cpr(digits):
            raise ValidationError("cpr", "CPR-nummeret har ikke en gyldig fødselsdato (ddmmååxxxx)")
        return digits

    clean["cpr"] = check("cpr", _cpr)

    def _cvr() -> str | None:
        if cvr is None:
            return None
        digits = re.sub(r"\s", "", _text(cvr, "cvr", max_len=20)) or None
        if digits and not re.fullmatch(r"\d{8}", digits):
            raise ValidationError("cvr", "CVR-nummer skal være 8 cifre")
        return digits

    clean["cvr"] = check("cvr", _cvr)

    def _channel() -> str | None:
        text = _text(channel, "channel", max_len=40) if channel else None
        if text and text not in CHANNELS:
            raise ValidationError("channel", f"ukendt kanal {text!r}: brug {' | '.join(CHANNELS)}")
        return text

    clean["channel"] = check("channel", _channel)
    clean["address"] = check("address", lambda: postal_address(address))
    clean["anonymous"] = anonymous = not clean["requester"]
    if anonymous and "requester" not in problems:
        if basis_ok is not None and basis_ok not in ANONYMOUS_BASES:
            problems["requester"] = (
                "anmoderens navn skal udfyldes: partsaktindsigt og indsigt i egne personoplysninger "
                "kræver, at anmoderen er kendt (kun anmodninger efter offentlighedsloven og "
                "miljøoplysningsloven kan være anonyme)"
            )
        elif not (clean["email"] or clean["cpr"] or clean["cvr"]) and not {"email", "cpr", "cvr"} & set(
            problems
        ):
            problems["email"] = (
                "en anonym anmodning kræver en måde at svare på: en e-mailadresse eller et CPR- eller "
                "CVR-nummer til Digital Post"
            )
        clean["requester"] = ANONYMOUS_REQUESTER
    return clean, problems


def _create_case(
    db: Database,
    *,
    actor: str,
    received: Any,
    basis: str,
    subject: str,
    emne: str,
    requester: str | None = None,
    email: str | None = None,
    assign: str | None = None,
    channel: str | None = None,
    cpr: str | None = None,
    cvr: str | None = None,
    address: str | None = None,
    now: dt.datetime | None = None,
    idempotency: tuple[str, str] | None = None,
    within: Callable[[Case, FireContext], None] | None = None,
) -> Case:
    now = now or utcnow()
    clean, problems = _check_intake(
        db,
        now=now,
        requester=requester,
        received=received,
        basis=basis,
        subject=subject,
        emne=emne,
        email=email,
        cpr=cpr,
        cvr=cvr,
        channel=channel,
        address=address,
    )
    if problems:
        raise IntakeInvalid(problems)
    requester, received_d, subject, emne = (
        clean["requester"],
        clean["received"],
        clean["subject"],
        clean["emne"],
    )
    email, cpr, cvr, channel, anonymous = (clean[k] for k in ("email", "cpr", "cvr", "channel", "anonymous"))
    address = clean["address"]
    with UnitOfWork(db, now=now) as uow:
        session = uow.session
        user = _actor(session, actor)
        if user.role not in CASE_ROLES:
            raise PermissionDenied(f"rollen '{user.role}' må ikke oprette sager")
        assignee = None
        if assign:
            _, clean = fields.clean(
                states.TRIGGERS["assign"],
                None,
                {"assignee": assign},
                _field_context(session, local_date(now)),
            )
            assignee = session.scalar(select(User).where(User.username == clean["assignee"]))
        with state_door():
            case = Case(
                state=states.INITIAL,
                version=0,  # the first event (seq 1) makes it version 1
                requester_name=requester,
                requester_email=email,
                requester_cpr=cpr,
                requester_cvr=cvr,
                requester_address=address,
                basis=basis,
                received=received_d,
                subject=subject,
                emne=emne,
                channel=channel,
                assignee_id=assignee.id if assignee else None,
                created_at=now,
                updated_at=now,
                last_hash=audit.GENESIS,
            )
        session.add(case)
        session.flush()  # the id goes into the event hash
        data: dict[str, Any] = {"basis": basis, "received": received_d.isoformat(), "emne": emne}
        if anonymous:
            data["anonymous"] = True
        if assignee:
            data["assignee"] = assignee.username
        from . import effects

        ctx = FireContext(session, user, audit.CREATE, None, data, now, uow.archive, case_id=case.id)
        effects.on_create(case, ctx)
        if within is not None:
            within(case, ctx)
        data.update(ctx.recorded)
        append_event(
            session,
            case,
            trigger=audit.CREATE,
            from_state=None,
            to_state=states.INITIAL,
            actor=user.username,
            note=None,
            data=data,
            now=now,
        )
        if idempotency is not None:
            from .models import IdempotencyKey

            key, body_hash = idempotency
            # The acting user's expired keys go (one of them may be this key, used afresh).
            session.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.user_id == user.id, IdempotencyKey.created_at <= now - IDEMPOTENCY_TTL
                )
            )
            session.add(
                IdempotencyKey(user_id=user.id, key=key, body_hash=body_hash, case_id=case.id, created_at=now)
            )
        uow.commit()
        return case


# --- reading -----------------------------------------------------------------------------------------


def action_hints(
    db: Database, case_id: int, username: str, triggers: list[str], now: dt.datetime | None = None
) -> dict[str, str | None]:
    """For each trigger in ``triggers``, the first unmet guard's Danish message (None: it can be done now).

    Asks the same machine with the same conditions as fire() (``states.unmet``), in preview: guards that
    depend on the user's input are not judged, and ``assign`` is judged as the user taking the case
    themselves. A trigger the user may not fire on this case (``case_access.act_refusal``) gets that reason
    instead. Read-only: nothing is changed or logged; fire() checks again when the user acts.
    """
    with UnitOfWork(db, now=now) as uow:  # never committed: rolled back on leaving
        session = uow.session
        case = session.get(Case, case_id)
        user = session.scalar(select(User).where(User.username == username))
        if case is None or user is None:
            return {t: None for t in triggers}
        return _hints(uow, case, user, triggers)


def _hints(
    uow: UnitOfWork,
    case: Case,
    user: User,
    triggers: list[str],
    events: Any = None,
    due: dict[str, dt.date] | None = None,
) -> dict[str, str | None]:
    """:func:`action_hints` for a case and user loaded in ``uow``'s session; ``events`` and ``due``: what
    the caller already read of the case's log and running deadlines (:attr:`FireContext.known_events`)."""
    out: dict[str, str | None] = {}
    for t in triggers:
        spec = states.TRIGGERS.get(t)
        refusal = case_access.act_refusal(uow.session, user, case, spec.roles) if spec else None
        if refusal is not None:  # need-to-know: fire() would refuse whatever the guards say
            out[t] = refusal
            continue
        data = {"assignee": user.username} if t == "assign" else {}
        ctx = FireContext(
            uow.session,
            user,
            t,
            None,
            data,
            uow.now,
            uow.archive,
            case_id=case.id,
            preview=True,
            known_events=events,
            known_due=due,
        )
        out[t] = states.unmet(case, t, ctx)
    return out


@dataclass
class CasePage:
    """What the case page shows, read in one unit of work (:func:`case_page_view`)."""

    #: the case as plain data (:func:`aktflow.queries.case_page.case_dict`)
    view: dict[str, Any]
    #: trigger → the first unmet condition's Danish sentence, or None (:func:`action_hints`)
    hints: dict[str, str | None]
    #: the users who can hold cases, by name (:func:`aktflow.queries.users.assignable_users`), each
    #: ``{"username", "name", "role"}``
    assignees: list[dict[str, str]]
    #: every user's name by username (the timeline names former users too)
    names: dict[str, str]
    #: who may see the case (:func:`aktflow.queries.case_members.case_access_view`)
    access: dict[str, Any]


def case_page_view(
    db: Database, case_id: int, *, username: str, role: str | None, now: dt.datetime | None = None
) -> CasePage:
    """The case page's data for the signed-in ``username`` (role ``role``), read in one unit of work that
    is never committed: the case's view, the hints of its offered actions (asked of the same machine as
    fire(), from the log and deadlines the view already read), the users and the access panel. Each table
    is read once: the users first (so the acting user and the caseworker come from the identity map), then
    the case and its relations. Raises NotFound (no such case) and PermissionDenied (need-to-know).
    """
    from .queries import case_members, case_page
    from .queries import users as users_q

    with UnitOfWork(db, now=now) as uow:
        session = uow.session
        everyone = list(session.scalars(select(User)))
        user = next((u for u in everyone if u.username == username), None)
        if user is None:
            raise PermissionDenied(f"ukendt bruger {username!r}")
        case = case_page.load_for_page(session, case_id)
        access = case_members.case_access_view(session, case_id, user, users=everyone)
        events = case_page.case_events(session, case.id)
        view = case_page.case_dict(session, case, today=uow.today, role=role, events=events)
        due = {d["rule"]: dt.date.fromisoformat(d["due"]) for d in view["deadlines"] if not d["done_on"]}
        hints = _hints(uow, case, user, list(view["allowed_triggers"]), events, due)
        return CasePage(
            view=view,
            hints=hints,
            assignees=[
                {"username": u.username, "name": u.name, "role": u.role}
                for u in users_q.assignable_from(everyone)
            ],
            names={u.username: u.name for u in everyone},
            access=access,
        )


def allowed_triggers(case: Case, role: str | None = None) -> list[str]:
    return states.offered(case, role)


def case_view(db: Database, case_id: int, *, role: str | None = None, today: dt.date | None = None) -> dict:
    """Everything about a case as plain data (the CLI's ``show --json`` and the API's body).

    ``today`` (the date its deadlines are judged against) defaults to the composition root's clock.
    """
    from .bootstrap import current
    from .queries import case_page

    with db.session() as session:
        case = case_page.get_case(session, case_id)
        return case_page.case_dict(session, case, role=role, today=today or current().clock.today())
