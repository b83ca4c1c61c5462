"""The service layer. :func:`fire` is the one door to a change of a case.

One unit of work per call: load the case, check role, version, state, input and guards, change the state
on the shared machine, run the trigger's effects, write exactly one event (hash-chained), bump the version
and commit once. Any exception rolls all of it back.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import audit, figures, states
from .admin import authorize_admin, check_password, log_name
from .archive import ArchivePort
from .clock import local_date
from .clock import today as clock_today
from .db import Database
from .errors import ConflictError, NotFound, PermissionDenied, ValidationError, WorkflowError
from .events import CONFLICT, append_event
from .models import Case, Event, User, state_door, utcnow
from .screening import is_cpr
from .states import fields
from .states.fields import parse_date, parse_text
from .vocabulary import BASES, CASEWORK, CHANNELS, EMAIL_RE, EMNE_RE, ROLES, USERNAME_RE

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
        from .tracking import is_extended

        return is_extended(self.session, self.case_id)

    case_id: int = 0
    attachment: Any = None
    letters: list[Any] = field(default_factory=list)

    def has_event(self, trigger: str) -> bool:
        """Whether the case's log already has an event of this trigger."""
        from sqlalchemy import func as sa_func

        return bool(
            self.session.scalar(
                select(sa_func.count())
                .select_from(Event)
                .where(Event.case_id == self.case_id, Event.trigger == trigger)
            )
        )


# --- input ------------------------------------------------------------------------------------------
# The field kinds live in states/fields.py; parse_date and _text stay importable from here.
_text = parse_text


def _field_context(session: Session, today: dt.date) -> fields.Context:
    """What a trigger's fields are checked against: today and the users in this session."""
    return fields.Context(
        today=today,
        find_user=lambda username: session.scalar(select(User).where(User.username == username)),
        case_roles=frozenset(CASE_ROLES),
    )


def _actor(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise ValidationError("actor", f"ukendt eller inaktiv bruger {username!r}")
    return user


# --- the one door -------------------------------------------------------------------------------------


def _lost_race(e: Exception) -> bool:
    """A concurrent change of the same case, seen at a flush or at commit."""
    if isinstance(e, StaleDataError):
        return True
    if isinstance(e, IntegrityError):
        text = str(e.orig).lower()
        return "events" in text and "seq" in text
    return False


def _commit(session: Session) -> None:
    try:
        session.commit()
    except (StaleDataError, IntegrityError) as e:
        if _lost_race(e):
            raise ConflictError(CONFLICT) from None
        raise


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

    Raises ValidationError (bad input), NotFound, PermissionDenied (role), ConflictError (stale version),
    WorkflowError (not allowed in this state, or a guard unmet). Returns the updated case (detached).
    """
    now = now or utcnow()
    archive = archive or _archive()
    try:
        case = _fire(db, case_id, trigger, actor, note, data, expect_version, now, archive, attachment)
    except (StaleDataError, IntegrityError) as e:
        # An autoflush inside the unit of work met a concurrent change of the case: a conflict, not a crash.
        if _lost_race(e):
            raise ConflictError(CONFLICT) from None
        raise
    if archive.name != "local":
        from .delivery import after_commit

        after_commit(db, case.id)
    return case


@functools.cache
def _load_statement():
    return (
        select(User, Case)
        .outerjoin(Case, Case.id == bindparam("case_id"))
        .where(User.username == bindparam("username"))
    )


def _fire(db, case_id, trigger, actor, note, data, expect_version, now, archive, attachment) -> Case:
    with db.session() as session:
        # The acting user and the case in one round trip.
        row = session.execute(_load_statement(), {"case_id": case_id, "username": actor}).first()
        if row is None or not row[0].active:
            raise ValidationError("actor", f"ukendt eller inaktiv bruger {actor!r}")
        user, case = row
        if case is None:
            raise NotFound(f"sag {case_id} findes ikke")
        spec = check_role(trigger, user)
        if expect_version is not None and case.version != expect_version:
            raise ConflictError(
                f"sagen er ændret siden version {expect_version} (nu version {case.version}); "
                "hent den igen og prøv på ny"
            )
        check_state(spec, case)
        note, clean = fields.clean(spec, note, data, _field_context(session, local_date(now)))
        ctx = FireContext(
            session, user, trigger, note, clean, now, archive, case_id=case.id, attachment=attachment
        )
        if attachment is not None and trigger != "add_document":
            raise ValidationError("file", f"'{trigger}' tager ingen fil")
        from_state = case.state
        with state_door():
            # The machine evaluates the trigger's guards (its conditions) once and changes the state.
            if not states.MACHINE.events[trigger].trigger(case, ctx=ctx):
                unmet = ctx.unmet or "en betingelse er ikke opfyldt"
                raise WorkflowError(f"'{trigger}' kan ikke udføres: {unmet}")
        from . import effects

        effects.run(spec.effects, case, ctx)
        ev = append_event(
            session,
            case,
            trigger=trigger,
            from_state=from_state,
            to_state=case.state,
            actor=user.username,
            note=note,
            data={**clean, **ctx.recorded},
            now=now,
        )
        for letter in ctx.letters:
            letter.event_id = ev
        figures.write_pending(session)
        _commit(session)
        if spec.effects:
            # The caller gets the case as it now is, with what the effects changed (documents, flags, …).
            _ = (case.documents, case.flags, case.assignee)
        return case


def _archive() -> ArchivePort:
    """The installation's archive adapter, built once by the composition root (:mod:`aktflow.bootstrap`)."""
    from .bootstrap import current

    return current().archive


def create_case(
    db: Database,
    *,
    actor: str,
    requester: str,
    received: Any,
    basis: str,
    subject: str,
    emne: str,
    email: str | None = None,
    assign: str | None = None,
    channel: str | None = None,
    cpr: str | None = None,
    cvr: str | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Register a new request in state ``received``; writes the case's first event (``create``)."""
    now = now or utcnow()
    requester = _text(requester or "", "requester", max_len=200)
    if not requester:
        raise ValidationError("requester", "anmoderens navn skal udfyldes")
    received_d = parse_date(received, "received")
    if received_d > local_date(now):
        raise ValidationError("received", f"modtagelsesdatoen {received_d.isoformat()} ligger i fremtiden")
    if not isinstance(basis, str) or basis not in BASES:
        raise ValidationError("basis", f"ukendt retsgrundlag {str(basis)[:20]!r}: brug {'|'.join(BASES)}")
    subject = _text(subject or "", "subject")
    if not subject:
        raise ValidationError("subject", "emnet for anmodningen skal udfyldes")
    if not isinstance(basis, str):
        raise ValidationError("basis", "skal være tekst")
    emne = _text(emne or "", "emne", max_len=8)
    if not EMNE_RE.match(emne):
        raise ValidationError("emne", f"ugyldigt KLE-emne {emne!r} (forventet NN.NN.NN, fx 15.17.12)")
    from .kle import check_emne

    emne = check_emne(db, emne)
    if email is not None:
        email = _text(email, "email", max_len=200) or None
        if email and not EMAIL_RE.match(email):
            raise ValidationError("email", f"ugyldig e-mailadresse {email!r}")
    if cpr is not None:
        cpr = re.sub(r"[\s-]", "", _text(cpr, "cpr", max_len=20)) or None
        if cpr and not re.fullmatch(r"\d{10}", cpr):
            raise ValidationError("cpr", "CPR-nummer skal være 10 cifre (ddmmååxxxx)")
        if cpr and not is_cpr(cpr):
            raise ValidationError("cpr", "CPR-nummeret har ikke en gyldig fødselsdato (ddmmååxxxx)")
    if cvr is not None:
        cvr = re.sub(r"\s", "", _text(cvr, "cvr", max_len=20)) or None
        if cvr and not re.fullmatch(r"\d{8}", cvr):
            raise ValidationError("cvr", "CVR-nummer skal være 8 cifre")
    channel = _text(channel, "channel", max_len=40) if channel else None
    if channel and channel not in CHANNELS:
        raise ValidationError("channel", f"ukendt kanal {channel!r}: brug {' | '.join(CHANNELS)}")
    with db.session() as session:
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
        data = {"basis": basis, "received": received_d.isoformat(), "emne": emne}
        if assignee:
            data["assignee"] = assignee.username
        from . import effects

        ctx = FireContext(session, user, audit.CREATE, None, data, now, _archive(), case_id=case.id)
        effects.on_create(case, ctx)
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
        figures.write_pending(session)
        _commit(session)
        return case


# --- reading -----------------------------------------------------------------------------------------


def action_hints(
    db: Database, case_id: int, username: str, triggers: list[str], now: dt.datetime | None = None
) -> dict[str, str | None]:
    """For each trigger in ``triggers``, the first unmet guard's Danish message (None: it can be done now).

    Asks the same machine with the same conditions as fire() (``states.unmet``), in preview: guards that
    depend on the user's input are not judged, and ``assign`` is judged as the user taking the case
    themselves. Read-only: nothing is changed or logged; fire() checks again when the user acts.
    """
    now = now or utcnow()
    out: dict[str, str | None] = {}
    with db.session() as session:
        case = session.get(Case, case_id)
        user = session.scalar(select(User).where(User.username == username))
        if case is None or user is None:
            return {t: None for t in triggers}
        archive = _archive()
        for t in triggers:
            data = {"assignee": username} if t == "assign" else {}
            ctx = FireContext(session, user, t, None, data, now, archive, case_id=case.id, preview=True)
            out[t] = states.unmet(case, t, ctx)
        session.rollback()
    return out


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"sag {case_id} findes ikke")
    return case


def allowed_triggers(case: Case, role: str | None = None) -> list[str]:
    return states.offered(case, role)


def case_view(db: Database, case_id: int, *, role: str | None = None, today: dt.date | None = None) -> dict:
    """Everything about a case as plain data (the CLI's ``show --json`` and the API's body)."""
    from . import views

    with db.session() as session:
        case = get_case(session, case_id)
        return views.case_dict(session, case, role=role, today=today)


# --- users -------------------------------------------------------------------------------------------


def add_user(
    db: Database,
    username: str,
    *,
    actor: str,
    role: str,
    password: str,
    name: str | None = None,
    demo_password: bool = False,
) -> User:
    """Create an active user; only an administrator, or the server's shell (``SYSTEM_ACTOR``), may.

    The password must meet the one policy (:func:`aktflow.admin.check_password`, at least 8 characters).
    ``demo_password=True`` is for the demo loader alone: its users' well-known password ``demo`` is shorter.
    Raises ValidationError (``username``, ``role``, ``password``, ``name``, ``actor``) or PermissionDenied.
    """
    from werkzeug.security import generate_password_hash

    if not USERNAME_RE.match(username or ""):
        raise ValidationError("username", "2–64 tegn: bogstaver a–z, cifre, punktum, bindestreg, understreg")
    if role not in ROLES:
        raise ValidationError("role", f"ukendt rolle {role!r}: brug {'|'.join(ROLES)}")
    if demo_password:
        if not isinstance(password, str) or not password:
            raise ValidationError("password", "skal udfyldes")
    else:
        check_password(password)
    name = _text(name or username, "name", max_len=200) or username
    with db.session() as session:
        authorize_admin(session, actor, shell=True)
        if session.scalar(select(User).where(User.username == username)):
            raise ValidationError("username", f"brugeren {username!r} findes allerede")
        user = User(
            username=username,
            role=role,
            name=name,
            password_hash=generate_password_hash(password),
        )
        session.add(user)
        session.commit()
        log.info("bruger %s (%s) oprettet af %s", log_name(username), role, log_name(actor))
        return user


def authenticate(db: Database, username: str, password: str) -> User | None:
    from werkzeug.security import check_password_hash

    if not isinstance(username, str) or not USERNAME_RE.match(username) or not isinstance(password, str):
        return None
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active or not check_password_hash(user.password_hash, password or ""):
            return None
        return user


# --- calendar ----------------------------------------------------------------------------------------


def change_calendar(
    db: Database,
    *,
    actor: str,
    set_flags: dict[str, bool] | None = None,
    close: list[dt.date] | None = None,
    reopen: list[dt.date] | None = None,
    now: dt.datetime | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Change the municipality's calendar (administrators) and recompute open cases' deadlines, atomically."""
    from dataclasses import replace as dc_replace

    from . import tracking

    now = now or utcnow()
    with db.session() as session:
        user = _actor(session, actor)
        if user.role != "admin":
            raise PermissionDenied("kun en administrator kan ændre kalenderen")
        current = tracking.calendar_settings(session)
        closures = set(current.closures) | set(close or ())
        closures -= set(reopen or ())
        new = dc_replace(current, **(set_flags or {}), closures=frozenset(closures))
        if new == current:
            return {"changed": False, "calendar_version": current.version}
        result = tracking.recompute(session, new, actor=user.username, now=now, progress=progress)
        _commit(session)
        return {"changed": True, "previous_version": current.version, **result}


def deadline_calculator(db: Database | None, basis: str, received: Any) -> dict[str, Any]:
    """The deadlines a request received on ``received`` gets (any date, past or future)."""
    from . import deadlines as rules
    from .calendar import get_calendar

    received_d = parse_date(received, "received")
    if basis not in BASES:
        raise ValidationError("basis", f"ukendt retsgrundlag {basis!r}: brug {'|'.join(BASES)}")
    if db is None:
        cal = get_calendar()
    else:
        from . import tracking

        with db.session() as session:
            cal = tracking.load_calendar(session)
    return {
        "basis": basis,
        "received": received_d.isoformat(),
        "calendar_version": cal.version,
        "deadlines": [
            {
                "rule": d.rule,
                "due": d.due.isoformat(),
                "count": d.count,
                "unit": d.unit,
                "explanation": d.explanation,
            }
            for d in rules.for_case(basis, received_d, cal)
        ],
    }


# --- legal queue ---------------------------------------------------------------------------------------


def legal_queue(db: Database, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Cases waiting for the legal contact (state legal_review), the oldest next deadline first."""
    from sqlalchemy import func as sa_func

    from .models import CaseDeadline

    today = today or clock_today()
    next_due = (
        select(CaseDeadline.case_id, sa_func.min(CaseDeadline.due).label("due"))
        .where(CaseDeadline.active.is_(True), CaseDeadline.done_on.is_(None))
        .group_by(CaseDeadline.case_id)
        .subquery()
    )
    with db.session() as session:
        rows = session.execute(
            select(Case, next_due.c.due)
            .outerjoin(next_due, next_due.c.case_id == Case.id)
            .where(Case.state == "legal_review")
            .order_by(next_due.c.due.is_(None), next_due.c.due, Case.received, Case.id)
        ).all()
        return [
            {
                "id": c.id,
                "sagsnummer": c.sagsnummer,
                "requester": c.requester_name,
                "subject": c.subject,
                "received": c.received.isoformat(),
                "assignee": c.assignee.username if c.assignee else None,
                "next_due": due.isoformat() if due else None,
                "flag_reasons": [f.reason for f in c.open_flags],
                "version": c.version,
            }
            for c, due in rows
        ]


# --- letter templates -----------------------------------------------------------------------------------


def upload_template(db: Database, *, actor: str, kind: str, content: bytes) -> None:
    """An administrator's own template for a letter kind; checked first, the old one stays if it fails."""
    import hashlib

    import letters

    from .models import LetterTemplate

    if kind not in letters.KINDS:
        raise ValidationError("kind", f"ukendt brevtype {kind!r}: {', '.join(letters.KINDS)}")
    with db.session() as session:
        user = _actor(session, actor)
        if user.role != "admin":
            raise PermissionDenied("kun en administrator kan ændre brevskabeloner")
        problems = letters.check_template(kind, content)
        if problems:
            raise ValidationError("template", "; ".join(problems))
        session.add(
            LetterTemplate(
                kind=kind,
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
                uploaded_by=user.username,
                uploaded_at=utcnow(),
                active=True,
            )
        )
        session.commit()


def end_sessions(db: Database, username: str) -> None:
    """End every web session of ``username`` (logout everywhere; after a password or role change)."""
    from sqlalchemy import update as sa_update

    with db.session() as session:
        session.execute(
            sa_update(User).where(User.username == username).values(session_epoch=User.session_epoch + 1)
        )
        session.commit()
