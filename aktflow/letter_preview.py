"""A letter before it is made: the preview the caseworker confirms and the legal contact approves.

:func:`preview` renders the letter a trigger would send now, through the same path as the real one
(``aktflow.case_letters.letter_input`` after the trigger's effects that come before its letter, e.g. the
decision deadlines met, the documents a partial decision releases, the extended deadline, then
``render_input``), in a unit of work that is never committed: nothing is written, and the transaction is
over before the template renders and before LibreOffice runs (:meth:`LetterPreview.pdf`). The state and the guards are not checked: a preview shows the letter as it
would be, also while the case waits for the legal review (the review page shows the decision letter).

Rendering is deterministic (``letters.fingerprint``), so the preview's fingerprint is the SHA-256 the
letter will have when it is sent with the same inputs on the same day. "Today" is the letter's date: the
day in Denmark by the installation's clock, at preview and at sending alike; a preview seen yesterday is
not the letter sent today.

The confirmation (docs/letter-preview.md): ``send_decision`` and
``send_partial_decision`` take ``letter_sha256``; the letter rendered at sending must have that
fingerprint, or the trigger is refused and nothing is changed. The web form gets it from the preview
page; the API and the CLI must send it, or ``unseen`` to send without having seen the letter
(:func:`require_seen`), which the event records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from . import states
from .archive import ArchivePort
from .case_letters import SEEN, letter_input, render_input
from .db import Database
from .errors import NotFound, PermissionDenied, ValidationError
from .models import Case, User
from .states import fields
from .states.effects import MakeLetter
from .states.fields import UNSEEN
from .uow import UnitOfWork
from .vocabulary import LEGAL


@dataclass(frozen=True)
class LetterPreview:
    """A rendered letter not made: ``kind`` (the template), ``filename`` (.docx), ``content`` (the .docx
    bytes), ``sha256`` (its fingerprint, hex), ``date`` (the letter's date), and ``deferred`` (True: with
    this archive the letter is made only when the case has its sagsnummer, so it cannot be sent as seen
    yet)."""

    case_id: int
    trigger: str
    kind: str
    filename: str
    content: bytes
    sha256: str
    date: dt.date
    deferred: bool = False

    @property
    def pdf_filename(self) -> str:
        return self.filename.rsplit(".", 1)[0] + ".pdf"

    def pdf(self) -> bytes | None:
        """The letter as PDF via LibreOffice (seconds; bounded in time and memory), None without it.
        Raises RuntimeError when the conversion fails. Holds no database transaction."""
        import letters

        return letters.to_pdf(self.content)


#: The decisions: the legal contact's approval covers their letter (see aktflow/approval.py).
DECISIONS = ("send_decision", "send_partial_decision")


def seen_triggers() -> tuple[str, ...]:
    """The triggers that make a letter and take its fingerprint (a ``fingerprint`` field named
    ``letter_sha256``): when it is given, the letter made must be the one seen. The decisions, and the
    letters to a person made by a caseworker's action (fristbrev, præcisering, videresendelse, høring,
    underretning, the complaints' forwarding letters); not the kvittering made at registration."""
    return tuple(
        t.name
        for t in states.TRIGGERS.values()
        if t.letter and any(f.name == SEEN and f.kind == "fingerprint" for f in t.fields)
    )


def confirmed_triggers() -> tuple[str, ...]:
    """The triggers whose letter is sent only as seen, whose entrypoints (form, API, CLI) require
    ``letter_sha256`` (the preview's fingerprint or ``unseen``): every letter to a person made by an
    action — the decisions, fristbrev, præcisering, videresendelse, høring, underretning and the
    complaints' forwarding letters (docs/letter-preview.md)."""
    return seen_triggers()


def require_seen(trigger: str, data: dict[str, Any] | None) -> None:
    """For an entrypoint (form, API, CLI) before it fires ``trigger``: a confirmed trigger needs
    ``letter_sha256`` in ``data`` (the preview's fingerprint, or ``unseen``). Raises
    ValidationError("letter_sha256") naming how to get it; other triggers pass."""
    if trigger not in confirmed_triggers():
        return
    if isinstance(data, dict) and data.get(SEEN) not in (None, ""):
        return
    raise ValidationError(
        SEEN,
        "brevet sendes først, når det er set: hent forhåndsvisningen (aktflow case preview, "
        f"API'ets letters/preview/{trigger}) og send dens fingeraftryk som letter_sha256 — "
        f"eller '{UNSEEN}' for at sende uden at have set brevet",
    )


def may_preview(user: Any, spec: states.TriggerSpec) -> bool:
    """Who may see a trigger's letter before it is made: those who may fire the trigger, and the legal
    contacts (the review page shows the decision letter)."""
    return user.role in spec.roles or user.role in LEGAL


def preview(
    db: Database,
    case_id: int,
    trigger: str,
    *,
    actor: str,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
    archive: ArchivePort | None = None,
) -> LetterPreview:
    """The letter ``trigger`` would make on case ``case_id`` now, with ``note`` and ``data`` as the send
    form would give them (``letter_sha256`` among them is ignored). Nothing is written.

    Raises ValidationError (a trigger that makes no letter, bad or missing input: the same checks as
    sending), NotFound (no such case), PermissionDenied (:func:`may_preview`), and what the effects before
    the letter raise for this input (e.g. a fristbrev's expected date).
    """
    spec = states.TRIGGERS.get(trigger)
    if spec is None or spec.system:
        raise ValidationError("trigger", f"ukendt handling {trigger!r}")
    kind = spec.letter
    if kind is None:
        raise ValidationError("trigger", f"'{trigger}' danner intet brev")
    given = {k: v for k, v in (data or {}).items() if k != SEEN} if isinstance(data, dict) else data
    with UnitOfWork(db, archive=archive, now=now) as uow:  # never committed: rolled back on leaving
        session = uow.session
        user = session.scalar(select(User).where(User.username == actor))
        if user is None or not user.active:
            raise ValidationError("actor", f"ukendt eller inaktiv bruger {actor!r}")
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(f"sag {case_id} findes ikke")
        if not may_preview(user, spec):
            raise PermissionDenied(f"rollen '{user.role}' må ikke se brevet fra '{trigger}'")
        from .case_access import require_view

        require_view(session, user, case)  # need-to-know: a sensitive case's letter is its readers' only
        from .service import FireContext, _field_context

        note, clean = fields.clean(spec, note, given, _field_context(session, uow.today))
        ctx = FireContext(
            session,
            user,
            trigger,
            note,
            clean,
            uow.now,
            uow.archive,
            case_id=case.id,
            settings=uow.settings,
        )
        from . import effects

        first = next(i for i, e in enumerate(spec.effects) if isinstance(e, MakeLetter))
        effects.run(spec.effects[:first], case, ctx)
        letter_in = letter_input(session, case, kind, ctx)
        deferred = bool(uow.archive.defer_letters and not case.sagsnummer)
        today = uow.today
    # The transaction is over (rolled back) before the template renders: no write lock is held meanwhile.
    name, content = render_input(letter_in)
    import letters

    return LetterPreview(
        case_id=case_id,
        trigger=trigger,
        kind=kind,
        filename=name,
        content=content,
        sha256=letters.fingerprint(content),
        date=today,
        deferred=deferred,
    )
