"""Need-to-know access to cases (GDPR art. 5, stk. 1, litra f, and art. 32): who sees a case, who acts on it.

The one policy every entrypoint and the read side ask (docs/access.md):

- A case is **sensitive** (:func:`is_sensitive`, :func:`sensitive_clause`) when it is a personnel matter
  (KLE 81 or marked with ``mark_personnel``, OFL § 21 and § 41), when screening or an assessment has flagged
  data of GDPR art. 9 (special categories, e.g. health) or art. 10 (criminal offences), when screening
  found a CPR number in one of its documents (open or cleared flags alike), or when its caseworker, the
  legal contact or a manager marked it sensitive by hand (``case_sensitivity``, with a reason).
- A sensitive case is **visible in full** (:func:`can_view`) only to its caseworker, its legal contact,
  managers (administrators count as managers, :data:`aktflow.vocabulary.MANAGERS`) and the members added
  to it (``case_access``). Its legal contact is the one the case names (the latest
  ``assign_legal_contact``, :func:`legal_contact`); while it names none, every user with the legal
  contact's role is its legal contact, and once it names one, the other legal contacts are like every
  other user who is not a member. Everyone who may not see it sees, in lists and on the dashboard, only
  that it exists (number, state, deadlines; subject and requester read :data:`MASKED`) and is refused its
  page, documents, letters, package, redactions, access log, the legal review, API and CLI reads. A case
  that is not sensitive is visible to every signed-in user.
- **Acting** (:func:`act_refusal`, asked by ``fire()`` for every trigger: uploads, assessments, redactions,
  letters and transitions alike) needs, beyond the trigger's role: a manager; the legal contact for the
  triggers the legal contact's role may fire (approve, return, …), on a case they may see in full; the
  case's caseworker or a member added to it (a member acts as the caseworker does). A case nobody is
  assigned to yet belongs to the team: any caseworker may take it or work on it, unless it is sensitive
  (then a manager assigns it).

Every SQL condition here is NULL-safe: it is TRUE or FALSE, never NULL, for every case (no assignee, no
named legal contact), so ``~visible_case_filter(user)`` hides exactly what the filter does not show.

Pure reads over a session; changing members and marks is :mod:`aktflow.case_members`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from .errors import NotFound, PermissionDenied, ValidationError
from .models import Case, CaseMember, CaseSensitivity, Event, Flag, User
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
#: The roles that see every case in full: managers (and administrators). The legal contact sees a sensitive
#: case in full while it names no legal contact or names them (:func:`can_view`).
SEES_ALL = MANAGERS
#: Who may lift a mark set by hand: a manager or the legal contact (never the caseworker alone).
UNMARKS = MANAGERS | LEGAL
#: Who may add and remove members and mark a case sensitive, beside its caseworker (:func:`may_manage`).
MANAGES = MANAGERS | LEGAL
#: The action that names a case's legal contact (workflow 2026.6) and the key of the event's data that
#: holds the username.
ASSIGN_LEGAL_CONTACT = "assign_legal_contact"
LEGAL_CONTACT_KEY = "legal_contact"
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


def legal_contact_column() -> Any:
    """A SQL scalar on :class:`Case`: the username of the case's named legal contact (the data of its latest
    ``assign_legal_contact`` event), or NULL while it names none. Compare it NULL-safely
    (:func:`named_other_clause`)."""
    return (
        select(Event.data[LEGAL_CONTACT_KEY].as_string())
        .where(Event.case_id == Case.id, Event.trigger == ASSIGN_LEGAL_CONTACT)
        .order_by(Event.seq.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )


def named_other_clause(username: str) -> ColumnElement[bool]:
    """A SQL condition on :class:`Case`, never NULL: the case names a legal contact, and not ``username``."""
    return func.coalesce(legal_contact_column(), username) != username


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
    mark, why, _ = access_facts(session, case)
    return mark, why


def access_facts(session: Session, case: Case) -> tuple[CaseSensitivity | None, list[str], str | None]:
    """:func:`sensitivity` and the case's named legal contact (:func:`legal_contact`), read in one query."""
    mark, flagged, named = session.execute(
        select(CaseSensitivity, _flag_clause(case.id), legal_contact_column())
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
    return mark, out, named


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


def names_other_legal_contact(session: Session, user: Any, case_id: int) -> bool:
    """Whether ``user`` has the legal contact's role and the case names another legal contact
    (:func:`legal_contact`): then, on a sensitive case, they are like any other user who is not a member."""
    if user.role != LEGAL_CONTACT:
        return False
    named = legal_contact(session, case_id)
    return named is not None and named != getattr(user, "username", None)


def can_view(session: Session, user: Any, case: Case | int) -> bool:
    """Whether ``user`` (``id``, ``role``, ``username``) may see the case in full: every case that is not
    sensitive; a sensitive one only as its caseworker, a member, a manager, or a legal contact while the
    case names none or names them (docs/access.md, "Who sees what"). Raises NotFound."""
    c = _case(session, case)
    if user.role in SEES_ALL or c.assignee_id == user.id:
        return True
    if not is_sensitive(session, c) or is_member(session, user, c.id):
        return True
    return user.role == LEGAL_CONTACT and not names_other_legal_contact(session, user, c.id)


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
    always; the caseworker and the members added to the case; the legal contact for the triggers its role
    may fire, unless the case is sensitive and names another legal contact (then :data:`NO_VIEW`, as
    :func:`can_view` refuses them the case); any caseworker on a case nobody is assigned to, unless it is
    sensitive. ``member`` and
    ``sensitive``, when given, are what the caller read in this transaction with the case (fire()'s one
    load: :func:`member_clause`, :func:`sensitive_clause`); otherwise they are asked here.
    """
    if user.role in MANAGERS:
        return None
    if case.assignee_id == user.id or (is_member(session, user, case.id) if member is None else member):
        return None
    if user.role == LEGAL_CONTACT and LEGAL_CONTACT in roles:
        if names_other_legal_contact(session, user, case.id) and (
            is_sensitive(session, case) if sensitive is None else sensitive
        ):
            return NO_VIEW  # a sensitive case that names another legal contact: need to know
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

    The name says who reviews the case (the legal queue shows that person's cases first, "Din sag") and, on
    a sensitive case, which legal contact sees it in full (:func:`can_view`). One query."""
    data = session.scalar(
        select(Event.data)
        .where(Event.case_id == case_id, Event.trigger == ASSIGN_LEGAL_CONTACT)
        .order_by(Event.seq.desc())
        .limit(1)
    )
    return (data or {}).get(LEGAL_CONTACT_KEY)


def legal_contacts(session: Session, case_ids: list[int]) -> dict[int, str]:
    """:func:`legal_contact` for many cases in one query: case id → username (cases without one left out)."""
    if not case_ids:
        return {}
    out: dict[int, str] = {}
    rows = session.execute(
        select(Event.case_id, Event.data)
        .where(Event.case_id.in_(case_ids), Event.trigger == ASSIGN_LEGAL_CONTACT)
        .order_by(Event.case_id, Event.seq)
    )
    for cid, data in rows:
        if (data or {}).get(LEGAL_CONTACT_KEY):
            out[cid] = data[LEGAL_CONTACT_KEY]
    return out


def legal_contact_choices(session: Session) -> list[dict[str, str]]:
    """The users a case may name its legal contact: the active users with the legal contact's role, by
    name (``[{"username", "name"}]``; ``name`` is the username when no name is set). One query."""
    rows = session.execute(
        select(User.username, User.name).where(User.role == LEGAL_CONTACT, User.active.is_(True))
    ).all()
    out = [{"username": u, "name": n or u} for u, n in rows]
    return sorted(out, key=lambda r: (r["name"].casefold(), r["username"]))


def sees_always(session: Session, user: Any, case: Case) -> bool:
    """Whether ``user`` sees ``case`` in full whatever its members: a manager, its caseworker, or its named
    legal contact (adding them to the case would change nothing)."""
    if user.role in SEES_ALL or case.assignee_id == user.id:
        return True
    return user.role == LEGAL_CONTACT and legal_contact(session, case.id) == user.username


def may_manage(user: Any, case: Case) -> bool:
    """Whether ``user`` may add and remove the case's members and mark it sensitive: its caseworker, the
    legal contact or a manager (:data:`MANAGES`; a member may not widen the circle; lifting a mark is
    :data:`UNMARKS`'). Asked of a user who may see the case (:func:`act_refusal` refuses the others)."""
    return user.role in MANAGES or case.assignee_id == user.id


def visible_case_filter(user: Any) -> ColumnElement[bool]:
    """A SQL condition on :class:`Case`: true for the cases ``user`` (``id``, ``role``, ``username``) may see
    in full, as :func:`can_view` decides (for the read side's lists; the others are shown masked or left
    out). Never NULL (a case nobody is assigned to, one that names no legal contact), so its negation
    is exactly the cases to hide."""
    if user.role in SEES_ALL:
        return true()
    member = exists().where(CaseMember.case_id == Case.id, CaseMember.user_id == user.id)
    assigned = and_(Case.assignee_id.is_not(None), Case.assignee_id == user.id)  # FALSE, not NULL, if none
    either = [assigned, member, ~sensitive_clause()]
    if user.role == LEGAL_CONTACT:
        either.append(~named_other_clause(getattr(user, "username", "")))
    return or_(*either)


def hidden_case_ids(session: Session, user: Any, case_ids: list[int]) -> set[int]:
    """Which of ``case_ids`` ``user`` may not see in full (one query; empty for managers)."""
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
    "MANAGES",
    "SEES_ALL",
    "UNMARKS",
    "access_facts",
    "act_refusal",
    "active_user",
    "can_act",
    "can_view",
    "hidden_case_ids",
    "is_member",
    "legal_contact",
    "legal_contact_choices",
    "legal_contact_column",
    "legal_contacts",
    "named_other_clause",
    "names_other_legal_contact",
    "sees_always",
    "is_sensitive",
    "mask_rows",
    "may_manage",
    "reasons",
    "require_view",
    "require_view_as",
    "sensitive_clause",
    "visible_case_filter",
]
