"""Need-to-know access to cases (GDPR art. 5, stk. 1, litra f, and art. 32): who sees a case, who acts on it.

The one policy every entrypoint and the read side ask (docs/access.md):

- A case is **sensitive** (:func:`is_sensitive`, :func:`sensitive_clause`) when it is a personnel matter
  (KLE 81 or marked with ``mark_personnel``, OFL § 21 and § 41), when screening or an assessment has flagged
  data of GDPR art. 9 (special categories, e.g. health) or art. 10 (criminal offences), when screening
  found a CPR number in one of its documents (open or cleared flags alike), or when its caseworker, the
  legal contact or a manager marked it sensitive by hand (``case_sensitivity``, with a reason).
- A sensitive case is **visible in full** (:func:`can_view`) only to its caseworker, the legal contacts,
  managers (administrators count as both, :data:`aktflow.vocabulary.MANAGERS` and ``LEGAL``) and the
  members added to it (``case_access``). Everyone else sees, in lists and on the dashboard, only that it
  exists (number, state, deadlines; subject and requester read :data:`MASKED`) and is refused its page,
  documents, letters, package, redactions, access log, API and CLI reads. A case that is not sensitive is
  visible to every signed-in user, as before.
- **Acting** (:func:`act_refusal`, asked by ``fire()`` for every trigger: uploads, assessments, redactions,
  letters and transitions alike) needs, beyond the trigger's role: a manager; the legal contact for the
  triggers the legal contact's role may fire (approve, return, …); the case's caseworker or a member added
  to it (a member acts as the caseworker does). A case nobody is assigned to yet belongs to the team: any
  caseworker may take it or work on it, unless it is sensitive (then a manager assigns it).

Pure reads over a session; changing members and marks is :mod:`aktflow.case_members`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from .errors import NotFound, PermissionDenied, ValidationError
from .models import Case, CaseMember, CaseSensitivity, Flag, User
from .screening.cpr import CPR_LABEL
from .states.case_rules import PERSONNEL_KLE, is_personnel_case
from .vocabulary import LEGAL, LEGAL_CONTACT, MANAGERS, OWN_CASES

#: What a flag's reason says when screening found GDPR art. 9 or art. 10 data
#: (aktflow.screening.flag_reasons: "…: helbredsoplysninger (GDPR art. 9)").
SENSITIVE_REFS = ("(GDPR art. 9)", "(GDPR art. 10)")
#: How screening's flag for a CPR number in a document begins (aktflow.document_screening).
DOCUMENT_PREFIX = "Dokument "
#: What lists and the dashboard show instead of the subject and the requester of a case the user may not see.
MASKED = "Fortrolig sag"
#: The roles that see every case in full: managers (and administrators) and the legal contact.
SEES_ALL = MANAGERS | LEGAL
#: Who may lift a mark set by hand: a manager or the legal contact (never the caseworker alone).
UNMARKS = MANAGERS | LEGAL
#: The Danish message of a refused view (403 on a page, in the API and the CLI's exit code 4).
NO_VIEW = "sagen er fortrolig: kun dens sagsbehandler, den juridiske kontakt, ledere og tilføjede personer har adgang"


def _flag_clause(case_id: Any) -> ColumnElement[bool]:
    """Some flag of the case (open or cleared) names art. 9/10 data or a CPR number in a document."""
    reason = Flag.reason
    return exists().where(
        Flag.case_id == case_id,
        or_(
            *(reason.contains(ref, autoescape=True) for ref in SENSITIVE_REFS),
            and_(reason.startswith(DOCUMENT_PREFIX), reason.contains(CPR_LABEL, autoescape=True)),
        ),
    )


def member_clause() -> ColumnElement[bool]:
    """A SQL condition on :class:`Case` and :class:`User`: the user has been added to the case."""
    return exists().where(CaseMember.case_id == Case.id, CaseMember.user_id == User.id)


def sensitive_clause() -> ColumnElement[bool]:
    """A SQL condition on :class:`Case`: true for a sensitive case (see the module's docstring)."""
    return or_(
        Case.personnel.is_(True),
        Case.emne.startswith(PERSONNEL_KLE, autoescape=True),
        exists().where(CaseSensitivity.case_id == Case.id),
        _flag_clause(Case.id),
    )


def _case(session: Session, case: Case | int) -> Case:
    if isinstance(case, Case):
        return case
    found = session.get(Case, case)
    if found is None:
        raise NotFound(f"sag {case} findes ikke")
    return found


def reasons(session: Session, case: Case | int) -> list[str]:
    """Why the case is sensitive, as Danish sentences (empty: it is not). Raises NotFound for an unknown id."""
    return sensitivity(session, _case(session, case))[1]


def sensitivity(session: Session, case: Case) -> tuple[CaseSensitivity | None, list[str]]:
    """The case's hand-set mark (None: not marked) and :func:`reasons`, read in one query."""
    mark, flagged = session.execute(
        select(CaseSensitivity, _flag_clause(case.id))
        .select_from(Case)
        .outerjoin(CaseSensitivity, CaseSensitivity.case_id == Case.id)
        .where(Case.id == case.id)
    ).one()
    out: list[str] = []
    if is_personnel_case(case):
        out.append("personalesag (OFL § 21)")
    if mark is not None:
        out.append(f"markeret fortrolig af {mark.marked_by}: {mark.reason}")
    if flagged:
        out.append("følsomme oplysninger (GDPR art. 9/10) eller CPR-nummer i et dokument")
    return mark, out


def is_sensitive(session: Session, case: Case | int) -> bool:
    """True when the case is sensitive; ``case`` is a loaded Case or its id (an unknown id is not). One query."""
    if isinstance(case, int):
        found = session.get(Case, case)
        if found is None:
            return False
        case = found
    if is_personnel_case(case):
        return True
    return bool(
        session.scalar(select(or_(exists().where(CaseSensitivity.case_id == case.id), _flag_clause(case.id))))
    )


def is_member(session: Session, user: Any, case_id: int) -> bool:
    """Whether ``user`` (anything with ``id``) has been added to the case."""
    return (
        session.scalar(
            select(CaseMember.id).where(CaseMember.case_id == case_id, CaseMember.user_id == user.id).limit(1)
        )
        is not None
    )


def can_view(session: Session, user: Any, case: Case | int) -> bool:
    """Whether ``user`` (``id``, ``role``) may see the case in full: every case that is not sensitive; a
    sensitive one only as its caseworker, a member, the legal contact or a manager. Raises NotFound."""
    c = _case(session, case)
    if user.role in SEES_ALL or c.assignee_id == user.id:
        return True
    return not is_sensitive(session, c) or is_member(session, user, c.id)


def require_view(session: Session, user: Any, case: Case | int) -> Case:
    """The case, when ``user`` may see it in full; raises PermissionDenied (:data:`NO_VIEW`) or NotFound."""
    c = _case(session, case)
    if not can_view(session, user, c):
        raise PermissionDenied(NO_VIEW)
    return c


def active_user(session: Session, username: str) -> User:
    """The active user ``username``; raises ValidationError (field ``actor``) for an unknown or inactive one."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise ValidationError("actor", f"ukendt eller inaktiv bruger {username!r}")
    return user


def require_view_as(session: Session, username: str, case_id: int) -> User:
    """:func:`require_view` for a username (the CLI's ``--as``, a download's actor); returns the user.

    Raises ValidationError for an unknown or inactive user, NotFound, PermissionDenied."""
    user = active_user(session, username)
    require_view(session, user, case_id)
    return user


def act_refusal(
    session: Session,
    user: Any,
    case: Case,
    roles: frozenset[str] | Any,
    *,
    member: bool | None = None,
    sensitive: bool | None = None,
) -> str | None:
    """Why ``user`` may not act on ``case`` with a trigger open to ``roles`` (its spec's roles), or None.

    The trigger's role is checked before (``service.check_role``); this is the case's own rule: managers
    always; the legal contact for the triggers its role may fire; the caseworker and the members added to
    the case; any caseworker on a case nobody is assigned to, unless it is sensitive. ``member`` and
    ``sensitive``, when given, are what the caller read in this transaction with the case (fire()'s one
    load: :func:`member_clause`, :func:`sensitive_clause`); otherwise they are asked here.
    """
    if user.role in MANAGERS:
        return None
    if user.role == LEGAL_CONTACT and LEGAL_CONTACT in roles:
        return None
    if case.assignee_id == user.id or (is_member(session, user, case.id) if member is None else member):
        return None
    if case.assignee_id is None:
        if sensitive is None:
            sensitive = is_sensitive(session, case)
        if user.role in OWN_CASES and not sensitive:
            return None
        return "sagen er fortrolig og ikke fordelt: en leder fordeler den"
    return "kun sagens sagsbehandler, personer tilføjet sagen, en leder eller (i juridiske handlinger) den juridiske kontakt må handle på sagen"


def can_act(session: Session, user: Any, case: Case | int, trigger: str) -> bool:
    """Whether ``user`` may fire ``trigger`` on the case: the trigger's role and :func:`act_refusal`."""
    from . import states

    spec = states.TRIGGERS.get(trigger)
    if spec is None or spec.system or user.role not in spec.roles:
        return False
    return act_refusal(session, user, _case(session, case), spec.roles) is None


def legal_contact(session: Session, case_id: int) -> str | None:
    """The username of the case's named legal contact (the latest ``assign_legal_contact`` event), or None.

    Every legal contact sees every case (:data:`SEES_ALL`), the named one included; the name says who
    reviews it, and the legal queue shows that person's cases first."""
    from .models import Event

    data = session.scalar(
        select(Event.data)
        .where(Event.case_id == case_id, Event.trigger == "assign_legal_contact")
        .order_by(Event.seq.desc())
        .limit(1)
    )
    return (data or {}).get("legal_contact")


def legal_contacts(session: Session, case_ids: list[int]) -> dict[int, str]:
    """:func:`legal_contact` for many cases in one query: case id → username (cases without one left out)."""
    from .models import Event

    if not case_ids:
        return {}
    out: dict[int, str] = {}
    rows = session.execute(
        select(Event.case_id, Event.data)
        .where(Event.case_id.in_(case_ids), Event.trigger == "assign_legal_contact")
        .order_by(Event.case_id, Event.seq)
    )
    for cid, data in rows:
        if (data or {}).get("legal_contact"):
            out[cid] = data["legal_contact"]
    return out


def may_manage(user: Any, case: Case) -> bool:
    """Whether ``user`` may add and remove the case's members and mark it sensitive: its caseworker, the
    legal contact or a manager (a member may not widen the circle; lifting a mark is :data:`UNMARKS`')."""
    return user.role in SEES_ALL or case.assignee_id == user.id


def visible_case_filter(user: Any) -> ColumnElement[bool]:
    """A SQL condition on :class:`Case`: true for the cases ``user`` may see in full (for the read side's
    lists; the others are shown masked or left out). NULL-safe: a case nobody is assigned to gives a plain
    false for "assigned to the user", never SQL NULL, so its negation (:func:`hidden_case_ids`) holds too."""
    if user.role in SEES_ALL:
        return true()
    member = exists().where(CaseMember.case_id == Case.id, CaseMember.user_id == user.id)
    assigned = and_(Case.assignee_id.is_not(None), Case.assignee_id == user.id)
    return or_(assigned, member, ~sensitive_clause())


def hidden_case_ids(session: Session, user: Any, case_ids: list[int]) -> set[int]:
    """Which of ``case_ids`` ``user`` may not see in full (one query; empty for managers and legal)."""
    if user is None or user.role in SEES_ALL or not case_ids:
        return set()
    rows = session.scalars(select(Case.id).where(Case.id.in_(case_ids), ~visible_case_filter(user)))
    return set(rows)


def mask_rows(session: Session, user: Any, rows: list[dict], *, fields: tuple[str, ...] = ()) -> list[dict]:
    """``rows`` (dicts with ``id``: a case) with the subject, the requester and ``fields`` replaced by
    :data:`MASKED` (and ``masked: True``) where ``user`` may not see the case in full; others get
    ``masked: False``. Number, state and deadlines stay: the overview needs them."""
    hidden = hidden_case_ids(session, user, [r["id"] for r in rows])
    out = []
    for r in rows:
        if r["id"] in hidden:
            r = {**r, **{k: MASKED for k in ("subject", "requester", *fields) if k in r}, "masked": True}
        else:
            r = {**r, "masked": False}
        out.append(r)
    return out


__all__ = [
    "MASKED",
    "NO_VIEW",
    "SEES_ALL",
    "UNMARKS",
    "act_refusal",
    "active_user",
    "can_act",
    "can_view",
    "hidden_case_ids",
    "is_member",
    "legal_contact",
    "legal_contacts",
    "is_sensitive",
    "mask_rows",
    "may_manage",
    "reasons",
    "require_view",
    "require_view_as",
    "sensitive_clause",
    "visible_case_filter",
]
